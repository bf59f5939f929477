// Blind in-window injection (RFC 5961): an off-path attacker who knows the four-tuple but
// not the sequence numbers sprays an ESTABLISHED connection with 1,000,000 spoofed segments,
// 250,000 each of RST, SYN, data and ACK, with SEQ, ACK and window uniformly random (a
// seeded splitmix64). We count what the connection does and compare with what RFC 5961
// predicts.
//
// The victim: an engine ESTABLISHED through a real handshake with a peer that offered a
// 65,535-octet window, and nothing in flight, so
//   RCV.WND = W = 65535, MAX.SND.WND = M = 65535, SND.UNA = SND.NXT.
// A spoofed segment draws SEG.SEQ and SEG.ACK uniformly from 2^32 values: the chance that
// SEG.SEQ falls in a given set of n sequence numbers is n / 2^32.
//
// RST (no ACK bit; RFC 5961 §3.2, RFC 9293 §3.10.7.4 second step):
//   - SEG.SEQ = RCV.NXT exactly resets the connection:       p = 1 / 2^32
//       E[resets] = 250,000 / 2^32 = 5.8e-5
//   - RCV.NXT < SEG.SEQ < RCV.NXT + RCV.WND: challenge ACK:     p = (W - 1) / 2^32
//       E = 250,000 * 65,534 / 2^32 = 3.81
//   - otherwise silently dropped (no reply at all: never answer an RST).
// SYN (no ACK bit; RFC 5961 §4.2: in a synchronized state any SYN, in the window or not):
//   - a challenge ACK, never a reset:                           p = 1
//       E[challenge-ACK rows] = 250,000, E[resets] = 0.
// Data (ACK bit, L = 100 octets of text):
//   - step one, Table 6: acceptable when its first or last octet is in the window,
//     SEG.SEQ in [RCV.NXT - L + 1, RCV.NXT + W):               p = (W + L - 1) / 2^32
//       E[in-window data] = 250,000 * 65,634 / 2^32 = 3.82; the rest earn a duplicate ACK.
//   - RFC 5961 §5.2: the ACK is acceptable only when SND.UNA - MAX.SND.WND =< SEG.ACK =<
//     SND.NXT:                                                  p = (M + 1) / 2^32
//     otherwise a challenge ACK and the segment is dropped. E[in-window, bad ACK] = 3.82.
//   - the victim's observer places text (receive_path.hpp), so text in the window is held
//     even above RCV.NXT: any in-window segment with an acceptable ACK is taken (placed),
//     SEG.SEQ in [RCV.NXT - L + 1, RCV.NXT + W) and the ACK as above:
//                                                               p = (W + L - 1)(M + 1) / 2^64
//       E[accepted data, held or readable] = 250,000 * 65,634 * 65,536 / 2^64 = 5.8e-5;
//     of which readable at once (SEG.SEQ in (RCV.NXT - L, RCV.NXT]): p = L (M + 1) / 2^64
//       E[readable data] = 250,000 * 100 * 65,536 / 2^64 = 8.9e-8.
// ACK (no text):
//   - in window: SEG.SEQ in [RCV.NXT, RCV.NXT + W):             p = W / 2^32, E = 3.81
//     (otherwise a duplicate ACK); with an unacceptable SEG.ACK a challenge ACK
//     (E = 3.81); with an acceptable one, a window update at most (SND.UNA = SND.NXT: there
//     is nothing to acknowledge):                               p = W (M + 1) / 2^64,
//       E = 250,000 * 65,535 * 65,536 / 2^64 = 5.8e-5.
// A desynchronisation is any change of RCV.NXT, SND.UNA, SND.NXT, SND.WND, the state or the
// reassembly queue (held text) other than a reset: E = accepted data + window updates =
// 5.8e-5 + 5.8e-5 = 1.2e-4.
//
// Counts are asserted within 3x of the expectation: floor(E / 3) =< n =< ceil(3 E), and
// n =< floor(3 E) where E < 1 (so n = 0 where E < 1/3: one reset by a spoofed RST, where
// RFC 5961 expects 5.8e-5, fails). The three in-window counts (RST, data, ACK: E = 3.8 each) are
// Poisson counts too small for a lower bound each (P(n = 0) = e^-3.8 = 2.2%): each gets the
// upper bound, and their sum (E = 11.45, P(n < 4) = 0.3%) both. (The generator is seeded:
// the counts are the same on every run.)
// What is counted is what the engine did: the rows it ran and the actions they carried
// (challenge ACKs and duplicate ACKs per kind of segment, resets), the octets it delivered
// and the changes of its numbers; which segments fell in the window is worked out here
// independently from the victim's RCV.NXT and must agree exactly with the rows the engine ran.
//
// Challenge ACKs are limited to 1 per 500 ms per connection (RFC 5961 §7, Linux's
// tcp_invalid_ratelimit), and the duplicate ACKs answering out-of-window segments without
// text (the spoofed ACKs) share that limit (Linux's tcp_oow_rate_limited shares the socket's
// last_oow_ack_time); those answering data are never limited. The clock advances 1 ms per
// spoofed segment, 1,000 s in all, so at most 2,001 limited ACKs (challenge ACKs and
// duplicate ACKs for pure ACKs together) go out, each at least 500 ms after the one before;
// a burst of 10,000 SYNs at one instant earns one.
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

std::int64_t now_ms = 0;

struct manual_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(now_ms)); }
};

struct counting_io {
    std::vector<tcpfsm::segment>* out;
    void send(const tcpfsm::outgoing_segment& s) noexcept { out->push_back(s.header); }
};

struct tally {
    std::uint64_t challenge_rows = 0;   // rows with send_challenge_ack (before the limiter)
    std::uint64_t rows_with_reset = 0;  // rows that signal a reset to the user
    std::uint64_t challenge_limited = 0;  // the limiter said no
    std::uint64_t dup_ack_rows = 0;     // rcv_unacceptable: step one's ACK (before the limiter)
    std::uint64_t oow_limited = 0;      // the limiter held back step one's ACK (no text)
    std::uint64_t delivered = 0;        // octets given to the user (readable)
    std::uint64_t placed = 0;           // octets placed in the receive buffer (held or readable)
    std::uint64_t resets = 0;           // signal_reset
    std::uint64_t events[tcpfsm::event_count] = {};
};

struct counting_observer : tcpfsm::null_observer {
    tally* t;
    void on_row(tcpfsm::state, tcpfsm::event e, const tcpfsm::transition& row) noexcept {
        ++t->events[tcpfsm::index_of(e)];
        if (row.actions.intersects(tcpfsm::action::signal_reset)) ++t->rows_with_reset;
        if (row.actions.intersects(tcpfsm::action::send_challenge_ack)) ++t->challenge_rows;
        if (e == tcpfsm::event::rcv_unacceptable && row.actions.intersects(tcpfsm::action::send_ack)) ++t->dup_ack_rows;
    }
    void on_signal(tcpfsm::user_signal s) noexcept {
        if (s == tcpfsm::user_signal::reset) ++t->resets;
    }
    void on_data(const std::uint8_t*, std::uint32_t n) noexcept { t->delivered += n; }
    // The placement hooks: the engine holds out-of-order text for this observer.
    void on_place(std::uint32_t, const std::uint8_t*, std::uint32_t n) noexcept { t->placed += n; }
    void on_readable(std::uint32_t n) noexcept { t->delivered += n; }
    void on_drop(tcpfsm::drop_reason r) noexcept {
        if (r == tcpfsm::drop_reason::challenge_ack_rate_limited) ++t->challenge_limited;
        if (r == tcpfsm::drop_reason::out_of_window_ack_rate_limited) ++t->oow_limited;
    }
};

using engine = tcpfsm::connection<counting_io, manual_clock, counting_observer, tcpfsm::fixed_iss>;

// splitmix64 (Steele, Lea, Flood 2014), as a seeded generator of our own.
struct splitmix64 {
    std::uint64_t x;
    std::uint64_t next() noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(next() >> 32); }
};

constexpr double two32 = 4294967296.0;

// floor(E / 3) =< n =< ceil(3 E), and n =< floor(3 E) when E < 1 (no lower bound then, nor
// with `upper_only`, for a count too small to bound from below on its own).
void check_within_3x(const char* what, std::uint64_t n, double expected, bool upper_only = false) {
    const double low = expected < 1.0 || upper_only ? 0.0 : std::floor(expected / 3.0);
    const double high = expected < 1.0 ? std::floor(3.0 * expected) : std::ceil(3.0 * expected);
    std::printf("  %-44s %8llu   expected %12.4g   allowed [%g, %g]\n", what, static_cast<unsigned long long>(n), expected, low,
                high);
    INFO(what << ": " << n << ", expected " << expected);
    CHECK(static_cast<double>(n) >= low);
    CHECK(static_cast<double>(n) <= high);
}

struct fingerprint {
    tcpfsm::state st;
    std::uint32_t rcv_nxt, snd_una, snd_nxt, snd_wnd;
    bool nothing_held;  // the reassembly queue is empty
    bool operator==(const fingerprint& o) const noexcept {
        return st == o.st && rcv_nxt == o.rcv_nxt && snd_una == o.snd_una && snd_nxt == o.snd_nxt &&
               snd_wnd == o.snd_wnd && nothing_held == o.nothing_held;
    }
};
fingerprint print_of(const engine& e) {
    const tcpfsm::connection_status s = e.snapshot();
    return fingerprint{s.st, s.rcv_nxt, s.snd_una, s.snd_nxt, s.snd_wnd, e.reassembly().empty()};
}

}  // namespace

TEST_CASE("blind injection: 1,000,000 spoofed segments against an ESTABLISHED connection", "[injection]") {
    now_ms = 1000000;
    // The §3.10 reference (every reply within on_segment, which the counts below read) with
    // the default limits: 1 challenge ACK per 500 ms.
    const tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    std::vector<tcpfsm::segment> to_victim, to_peer;
    tally peer_tally, t;
    // The numbers straddle 2^32, so that every window check wraps.
    engine peer(config, counting_io{&to_victim}, {}, counting_observer{{}, &peer_tally}, tcpfsm::fixed_iss(0xFFFFF000u));
    engine victim(config, counting_io{&to_peer}, {}, counting_observer{{}, &t}, tcpfsm::fixed_iss(0xFFFFFF00u));
    victim.open_passive();
    peer.open_active();
    for (int round = 0; round < 4; ++round) {
        for (const tcpfsm::segment& s : std::vector<tcpfsm::segment>(to_victim)) victim.on_segment(s);
        to_victim.clear();
        for (const tcpfsm::segment& s : std::vector<tcpfsm::segment>(to_peer)) peer.on_segment(s);
        to_peer.clear();
    }
    REQUIRE(victim.current_state() == tcpfsm::state::established);
    REQUIRE(peer.current_state() == tcpfsm::state::established);
    const tcpfsm::connection_status v0 = victim.snapshot();
    REQUIRE(v0.rcv_wnd == 65535u);
    REQUIRE(v0.max_snd_wnd == 65535u);
    REQUIRE(v0.snd_una == v0.snd_nxt);
    const engine pristine = victim;
    const fingerprint good = print_of(victim);
    t = tally{};

    constexpr std::uint32_t per_kind = 250000;
    constexpr std::uint32_t text = 100;
    static const std::uint8_t payload[text] = {};
    splitmix64 rng{0x5eed5eed12345678ull};
    std::uint64_t in_window[4] = {}, desyncs = 0, reset_by_kind[4] = {}, sent_segments = 0;
    std::uint64_t challenge_rows_by_kind[4] = {}, dup_ack_rows_by_kind[4] = {}, oow_limited_by_kind[4] = {};
    std::vector<std::int64_t> challenge_times, limited_times;  // sent: challenge ACKs; both limited kinds
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < 4 * per_kind; ++i) {
        const unsigned kind = i % 4;  // 0 RST, 1 SYN, 2 data, 3 ACK
        tcpfsm::segment s;
        s.seq = rng.u32();
        s.ack = rng.u32();
        s.window = static_cast<std::uint16_t>(rng.u32() >> 16);
        switch (kind) {
            case 0: s.flags = tcpfsm::ctl::rst; break;
            case 1: s.flags = tcpfsm::ctl::syn; break;
            case 2: s.flags = tcpfsm::ctl::ack | tcpfsm::ctl::psh; s.text_length = text; break;
            default: s.flags = tcpfsm::ctl::ack; break;
        }
        // What the analysis above calls "in window", from the victim's numbers.
        const std::uint32_t nxt = good.rcv_nxt;
        const bool seq_in = kind == 2 ? tcpfsm::seq_in_window(s.seq, nxt - (text - 1), 65535 + text - 1)
                                      : tcpfsm::seq_in_window(s.seq, nxt, 65535);
        if (seq_in) ++in_window[kind];

        now_ms += 1;
        const std::uint64_t limited_before = t.challenge_limited, rows_before = t.challenge_rows, resets_before = t.resets;
        const std::uint64_t dup_before = t.dup_ack_rows, oow_before = t.oow_limited;
        victim.on_segment(s, kind == 2 ? payload : nullptr);
        challenge_rows_by_kind[kind] += t.challenge_rows - rows_before;
        dup_ack_rows_by_kind[kind] += t.dup_ack_rows - dup_before;
        oow_limited_by_kind[kind] += t.oow_limited - oow_before;
        const bool challenge_went = t.challenge_rows > rows_before && t.challenge_limited == limited_before;
        const bool oow_ack_went = kind != 2 && t.dup_ack_rows > dup_before && t.oow_limited == oow_before;
        if (challenge_went || oow_ack_went) limited_times.push_back(now_ms);
        sent_segments += to_peer.size();
        to_peer.clear();
        if (t.challenge_rows > rows_before && t.challenge_limited == limited_before) challenge_times.push_back(now_ms);
        if (t.resets > resets_before) ++reset_by_kind[kind];
        if (!(print_of(victim) == good)) {
            if (t.resets == resets_before) ++desyncs;
            victim = pristine;  // start over from the same connection (rare: see the counts)
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const double n = per_kind;
    const double w = 65535, m = 65535, l = text;
    std::printf("blind injection: %u segments in %.2f s (%.0f per second)\n", 4 * per_kind, seconds, 4 * n / seconds);
    check_within_3x("resets by RST (SEG.SEQ = RCV.NXT)", reset_by_kind[0], n / two32);
    check_within_3x("resets by SYN, data or ACK", reset_by_kind[1] + reset_by_kind[2] + reset_by_kind[3], 0.0);
    check_within_3x("rows that signal a reset", t.rows_with_reset, n / two32);
    // RSTs: the challenge-ACK rows are the in-window RSTs but those at RCV.NXT exactly.
    const std::uint64_t rst_challenged = challenge_rows_by_kind[0];
    check_within_3x("RST in window (challenge ACK rows)", rst_challenged, n * (w - 1) / two32, true);
    CHECK(rst_challenged == in_window[0] - reset_by_kind[0]);
    check_within_3x("SYN (challenge ACK rows, RFC 5961 4.2)", challenge_rows_by_kind[1], n);
    // Data and ACKs: every one outside the window gets step one's duplicate ACK, so the ones
    // the engine let through step one are those without it; they must be exactly the ones
    // computed here to be in the window.
    const std::uint64_t data_passed = per_kind - dup_ack_rows_by_kind[2];
    const std::uint64_t ack_passed = per_kind - dup_ack_rows_by_kind[3];
    check_within_3x("data in window (step one passed)", data_passed, n * (w + l - 1) / two32, true);
    CHECK(data_passed == in_window[2]);
    check_within_3x("ACK in window (step one passed)", ack_passed, n * w / two32, true);
    CHECK(ack_passed == in_window[3]);
    check_within_3x("RST, data and ACK in window, together", rst_challenged + data_passed + ack_passed,
                    n * (w - 1) / two32 + n * (w + l - 1) / two32 + n * w / two32);
    // In the window, an unacceptable SEG.ACK earns a challenge ACK and the segment is dropped
    // (RFC 5961 §5.2); with SND.UNA = SND.NXT an acceptable one acknowledges nothing.
    check_within_3x("bad SEG.ACK after step one (challenge ACK rows)",
                    challenge_rows_by_kind[2] + challenge_rows_by_kind[3],
                    n * (w + l - 1) / two32 * (1 - (m + 1) / two32) + n * w / two32 * (1 - (m + 1) / two32));
    STATIC_REQUIRE(engine::reassembly_type::capacity == tcpfsm::default_reassembly_capacity);
    CHECK(t.delivered <= t.placed);
    check_within_3x("data accepted, held or readable (octets placed / 100)", t.placed / text,
                    n * (w + l - 1) * (m + 1) / two32 / two32);
    check_within_3x("data readable (octets to the user / 100)", t.delivered / text, n * l * (m + 1) / two32 / two32);
    check_within_3x("desynchronisations (not resets)", desyncs,
                    n * (w + l - 1) * (m + 1) / two32 / two32 + n * w * (m + 1) / two32 / two32);
    // Every segment that fails step one runs the row with step one's duplicate ACK: all
    // spoofed data and ACK segments but the few in the window (the limiter then holds back
    // most of those for ACKs, none for data).
    check_within_3x("duplicate ACKs (step one failed)", t.dup_ack_rows, 2 * n - n * (w + l - 1) / two32 - n * w / two32);

    // RFC 5961 §7: at most 1 challenge ACK per 500 ms.
    const std::uint64_t challenge_sent = t.challenge_rows - t.challenge_limited;
    const std::int64_t span = 4 * static_cast<std::int64_t>(per_kind);  // ms of simulated time
    std::printf("  challenge ACKs: %llu rows, %llu sent, %llu rate-limited over %lld ms; segments sent %llu\n",
                static_cast<unsigned long long>(t.challenge_rows), static_cast<unsigned long long>(challenge_sent),
                static_cast<unsigned long long>(t.challenge_limited), static_cast<long long>(span),
                static_cast<unsigned long long>(sent_segments));
    CHECK(challenge_sent == challenge_times.size());
    CHECK(oow_limited_by_kind[2] == 0u);  // data is always answered
    const std::uint64_t oow_ack_sent = dup_ack_rows_by_kind[3] - oow_limited_by_kind[3];
    std::printf("  out-of-window ACKs for ACKs: %llu rows, %llu sent; limited ACKs sent in all: %llu\n",
                static_cast<unsigned long long>(dup_ack_rows_by_kind[3]), static_cast<unsigned long long>(oow_ack_sent),
                static_cast<unsigned long long>(limited_times.size()));
    CHECK(challenge_sent + oow_ack_sent == limited_times.size());
    CHECK(limited_times.size() <= static_cast<std::uint64_t>(span / 500 + 1));
    // A SYN or an ACK every 2 ms: the limit is what bounds them, every 500 ms window has one.
    CHECK(limited_times.size() >= static_cast<std::uint64_t>(span / 500) * 9 / 10);
    std::int64_t min_gap = span;
    for (std::size_t i = 1; i < limited_times.size(); ++i) min_gap = std::min(min_gap, limited_times[i] - limited_times[i - 1]);
    std::printf("  smallest gap between limited ACKs: %lld ms\n", static_cast<long long>(min_gap));
    CHECK(min_gap >= 500);
    // What went out: the duplicate ACKs the limiter let through and the challenge ACKs.
    CHECK(sent_segments == t.dup_ack_rows - t.oow_limited + challenge_sent);
    // The time taken: a million segments through the engine should be seconds even in Debug.
    CHECK(seconds < 60.0);

    // A burst at one instant: 10,000 SYNs earn one challenge ACK.
    {
        engine burst = pristine;
        now_ms += 1000;  // a fresh limiter window
        t = tally{};
        for (int i = 0; i < 10000; ++i) {
            tcpfsm::segment s;
            s.seq = rng.u32();
            s.flags = tcpfsm::ctl::syn;
            burst.on_segment(s);
        }
        std::printf("  burst: 10000 SYNs at one instant, %llu challenge ACK sent, %llu rate-limited\n",
                    static_cast<unsigned long long>(t.challenge_rows - t.challenge_limited),
                    static_cast<unsigned long long>(t.challenge_limited));
        CHECK(t.challenge_rows == 10000);
        CHECK(t.challenge_rows - t.challenge_limited == 1);
        CHECK(to_peer.size() == 1);
        CHECK(burst.current_state() == tcpfsm::state::established);
        to_peer.clear();
    }
}
