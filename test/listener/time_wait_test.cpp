// TIME-WAIT records (time_wait.hpp) in the listener: a connection that enters TIME-WAIT
// leaves its TCB and goes on as a record that the table's TIME-WAIT rows answer (RFC 9293
// §3.10.7.4: re-ACK a retransmitted FIN and restart 2MSL; RST per the table, RFC 1337 in
// rfc1337_table; SYN per RFC 5961 §4 and RFC 6191), capped like tcp_max_tw_buckets.
// Times: Linux's MSL of 30 s, 2MSL = 60 s (timers.hpp default).
#include <tcpfsm/variants.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace listener_test;

namespace {

using rfc1337_profile = engine_profile<rfc1337_table>;

// A table whose TIME-WAIT answers a FIN with a FIN of its own: not something a record can do.
inline constexpr auto fin_in_time_wait_table =
    replace_row(standard_table, row(state::time_wait, event::rcv_fin, state::time_wait, action::send_fin));

template <class Profile = default_profile>
struct fixture {
    harness_time time;
    std::vector<sent_segment> wire;
    std::vector<state_change_record> changes;
    std::vector<connection_handle> released;
    test_listener<Profile> server;

    explicit fixture(const listener_config& config)
        : server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time},
                 recording_observer{{}, &changes, &released}) {}

    void advance_ms(std::uint64_t ms) {
        time.advance_ms(ms);
        server.on_timer();
    }

    // Client n connects (ISN isn), the server accepts and closes first, the client's
    // <SEQ=ISN+1><ACK=ISS+2><CTL=FIN,ACK> acknowledges the server's FIN and carries its own:
    // the server goes FIN-WAIT-1 -> TIME-WAIT (the row rcv_fin_ack_of_fin).
    scripted_client close_by_server(std::uint32_t n, std::uint32_t isn) {
        scripted_client c{client_tuple(n), isn, 0};
        server.on_segment(c.tuple, c.syn());
        c.server_iss = last_to(wire, c.tuple)->seg.seq;
        server.on_segment(c.tuple, c.ack());
        const connection_handle h = server.accept();
        server.close(h);
        server.on_segment(c.tuple, make_segment(isn + 1u, c.server_iss + 2u, ctl::fin | ctl::ack));
        return c;
    }
};

listener_config config_with(std::uint32_t max_time_wait) {
    listener_config c;
    c.backlog = 16;
    c.max_connections = 16;
    c.max_time_wait = max_time_wait;
    return c;
}

}  // namespace

TEST_CASE("time_wait: the record is 20 octets and carries what the rows read", "[time_wait]") {
    // SND.NXT, RCV.NXT 4 + 4; RCV.WND, MAX.SND.WND 2 + 2; TS.Recent 4; the timestamps flag 1:
    // 17, padded to the 4-octet alignment of its 32-bit fields.
    CHECK(sizeof(time_wait_record) == (4u + 4u + 2u + 2u + 4u + 1u + 3u) / 4u * 4u);
    // A profile without timestamps keeps neither: SND.NXT, RCV.NXT, RCV.WND, MAX.SND.WND.
    CHECK(sizeof(basic_time_wait_record<false>) == 4u + 4u + 2u + 2u);
    // The listener's slot: the record, the key (ipv4_tuple_key, 12) and the heap entry (12).
    using without_timestamps = with_timestamps<default_profile, false>;
    CHECK(test_listener<default_profile, ipv4_tuple_key>::time_wait_slot_bytes == 20u + 12u + 12u);
    CHECK(test_listener<without_timestamps, ipv4_tuple_key>::time_wait_slot_bytes == 12u + 12u + 12u);
    connection_status s;
    s.snd_nxt = 10;
    s.rcv_nxt = 20;
    s.rcv_wnd = 70000;  // more than 16 bits: clamped to 65535
    s.max_snd_wnd = 1000;
    const time_wait_record r = time_wait_record::from(s);
    const receive_context c = r.context(true);
    CHECK(c.st == state::time_wait);
    CHECK(c.snd_una == 10u);
    CHECK(c.snd_nxt == 10u);
    CHECK(c.rcv_nxt == 20u);
    CHECK(c.rcv_wnd == 65535u);
    CHECK(c.fin_sent);
    CHECK(c.listener_takes_syn);
    // With window scaling (RFC 7323 §2) the record keeps the window field, RCV.WND >>
    // Rcv.Wind.Shift: 4 MiB >> 7 = 32768, what the connection's ACKs said.
    s.rcv_wnd = 4u << 20;
    s.rcv_wscale = 7;
    s.window_scaling = true;
    CHECK(time_wait_record::from(s).ack().window == (4u << 20) >> 7);
}

TEST_CASE("time_wait: records serve the standard table and its variants, not a table asking for more",
          "[time_wait]") {
    STATIC_REQUIRE(time_wait_rows_supported<standard_table>());
    STATIC_REQUIRE(time_wait_rows_supported<rfc1337_table>());
    STATIC_REQUIRE(time_wait_rows_supported<strict_table>());
    STATIC_REQUIRE_FALSE(time_wait_rows_supported<fin_in_time_wait_table>());
}

namespace {
// A record of a connection that negotiated timestamps: SND.NXT 1000, RCV.NXT 5000, TS.Recent
// 700000.
time_wait_record timestamp_record() {
    time_wait_record r;
    r.snd_nxt = 1000;
    r.rcv_nxt = 5000;
    r.rcv_wnd = 65535;
    r.max_snd_wnd = 65535;
    r.timestamps = true;
    r.ts_recent = 700000;
    return r;
}
}  // namespace

TEST_CASE("time_wait: PAWS in a record (RFC 7323 §5.3): an old duplicate is ACKed, not taken; RST exempt",
          "[time_wait][paws]") {
    time_wait_record r = timestamp_record();
    auto with_tsval = [](std::uint32_t tsval) {
        segment_options o;
        o.has_timestamps = true;
        o.ts_val = tsval;
        o.ts_ecr = 1;
        return o;
    };
    const segment fin = make_segment(4999, 1000, ctl::fin | ctl::ack);
    // TSval = TS.Recent (not older): the retransmitted FIN as without options: ACK, restart 2MSL.
    const time_wait_reply current = answer_in_time_wait<standard_table>(r, fin, with_tsval(700000), true);
    CHECK(current.events[0] == event::rcv_fin);
    CHECK(current.restart_2msl);
    // TSval one older (R1: "SEG.TSval < TS.Recent"): the first step's unacceptable segment:
    // an ACK, and 2MSL is not restarted.
    const time_wait_reply old = answer_in_time_wait<standard_table>(r, fin, with_tsval(699999), true);
    REQUIRE(old.rows == 1);
    CHECK(old.events[0] == event::rcv_unacceptable);
    CHECK(old.send_ack);
    CHECK_FALSE(old.restart_2msl);
    CHECK(old.to == state::time_wait);
    // Modulo 2^32 (§5.2): older by 2^31 - 1 is still older; newer by 2^31 - 1 is newer.
    CHECK(answer_in_time_wait<standard_table>(r, fin, with_tsval(700000u - 0x7FFFFFFFu), true).events[0] ==
          event::rcv_unacceptable);
    CHECK(answer_in_time_wait<standard_table>(r, fin, with_tsval(700000u + 0x7FFFFFFFu), true).events[0] ==
          event::rcv_fin);
    // A SYN that would reopen (RFC 6191) but carries an old TSval: no reopen.
    const segment syn = make_segment(9000, 0, ctl::syn);
    const time_wait_reply syn_old = answer_in_time_wait<standard_table>(r, syn, with_tsval(1), true);
    CHECK_FALSE(syn_old.redirect_to_listener);
    CHECK(syn_old.to == state::time_wait);
    CHECK(answer_in_time_wait<standard_table>(r, syn, with_tsval(700001), true).redirect_to_listener);
    // RSTs are exempt (R1: "If ... the RST bit is not set"): RST at RCV.NXT closes.
    CHECK(answer_in_time_wait<standard_table>(r, make_segment(5000, 0, ctl::rst), with_tsval(1), true).to ==
          state::closed);
    // Without the option (the peer dropped it): accepted, as Linux.
    CHECK(answer_in_time_wait<standard_table>(r, fin, segment_options{}, true).events[0] == event::rcv_fin);
    // A record of a connection without timestamps never rejects.
    time_wait_record plain = r;
    plain.timestamps = false;
    CHECK(answer_in_time_wait<standard_table>(plain, fin, with_tsval(1), true).events[0] == event::rcv_fin);
}

TEST_CASE("time_wait: RFC 6191 §2 in a record: a SYN with a newer TSval reopens at any sequence number",
          "[time_wait][paws]") {
    time_wait_record r = timestamp_record();
    auto syn_at = [&](std::uint32_t seq, bool with_ts, std::uint32_t tsval) {
        segment_options o;
        o.has_timestamps = with_ts;
        o.ts_val = tsval;
        return answer_in_time_wait<standard_table>(r, make_segment(seq, 0, ctl::syn), o, true);
    };
    // First rule: TSval greater than the last seen (700001 > 700000): honoured, whether SEG.SEQ
    // is below RCV.NXT (4000), at it (5000) or above it (9000).
    CHECK(syn_at(4000, true, 700001).redirect_to_listener);
    CHECK(syn_at(5000, true, 700001).redirect_to_listener);
    CHECK(syn_at(9000, true, 700001).redirect_to_listener);
    // Second rule: TSval equal: only a sequence number above the last seen (RCV.NXT).
    CHECK(syn_at(9000, true, 700000).redirect_to_listener);
    CHECK_FALSE(syn_at(4000, true, 700000).redirect_to_listener);
    CHECK_FALSE(syn_at(5000, true, 700000).redirect_to_listener);
    // TSval older, even with a higher sequence number: no reopen (PAWS, RFC 7323 §5.3).
    CHECK_FALSE(syn_at(9000, true, 699999).redirect_to_listener);
    // Third rule: no timestamps on the new SYN: the sequence number decides.
    CHECK(syn_at(9000, false, 0).redirect_to_listener);
    CHECK_FALSE(syn_at(4000, false, 0).redirect_to_listener);
    // "Newer" is modulo 2^32 (RFC 7323 §5.2): 2^31 - 1 ahead is newer, 2^31 behind is not.
    CHECK(syn_at(4000, true, 700000u + 0x7FFFFFFFu).redirect_to_listener);
    CHECK_FALSE(syn_at(4000, true, 700000u + 0x80000001u).redirect_to_listener);
    // Exactly 2^31 away: neither older nor newer modulo 2^32; PAWS lets it pass, so it is
    // newer, as Linux's (s32)(ts_recent - tsval) < 0.
    CHECK(syn_at(4000, true, 700000u + 0x80000000u).redirect_to_listener);
    // The previous incarnation without timestamps: the sequence number alone.
    r.timestamps = false;
    CHECK_FALSE(syn_at(4000, true, 700001).redirect_to_listener);
    CHECK(syn_at(9000, true, 1).redirect_to_listener);
    // No listener to take it (time_wait_reopen off, or none on the port): never.
    r.timestamps = true;
    segment_options newer;
    newer.has_timestamps = true;
    newer.ts_val = 700001;
    CHECK_FALSE(answer_in_time_wait<standard_table>(r, make_segment(4000, 0, ctl::syn), newer, false).redirect_to_listener);
}

TEST_CASE("time_wait: the table's TIME-WAIT rows decide, looked up for the record", "[time_wait]") {
    time_wait_record r;
    r.snd_nxt = 1000;
    r.rcv_nxt = 5000;
    r.rcv_wnd = 65535;
    r.max_snd_wnd = 65535;
    // A retransmitted FIN (it ends at RCV.NXT): (TIME-WAIT, rcv_fin): send_ack | restart_time_wait_timer.
    const time_wait_reply fin =
        answer_in_time_wait<standard_table>(r, make_segment(4999, 1000, ctl::fin | ctl::ack), true);
    CHECK(fin.to == state::time_wait);
    CHECK(fin.send_ack);
    CHECK(fin.restart_2msl);
    REQUIRE(fin.rows == 1);
    CHECK(fin.events[0] == event::rcv_fin);
    // RST at RCV.NXT: (TIME-WAIT, rcv_rst) -> CLOSED; RFC 1337: ignored.
    const segment rst = make_segment(5000, 0, ctl::rst);
    CHECK(answer_in_time_wait<standard_table>(r, rst, true).to == state::closed);
    CHECK(answer_in_time_wait<rfc1337_table>(r, rst, true).to == state::time_wait);
    // A SYN above RCV.NXT: reopen (RFC 6191) with a listener; a challenge ACK without (RFC 5961 §4).
    const segment syn = make_segment(9000, 0, ctl::syn);
    const time_wait_reply reopen = answer_in_time_wait<standard_table>(r, syn, true);
    CHECK(reopen.to == state::closed);
    CHECK(reopen.redirect_to_listener);
    // strict_table (RFC 9293 to the letter): a challenge ACK even with a listener.
    const time_wait_reply strict = answer_in_time_wait<strict_table>(r, syn, true);
    CHECK(strict.to == state::time_wait);
    CHECK(strict.send_challenge_ack);
    CHECK_FALSE(strict.redirect_to_listener);
    const time_wait_reply challenge = answer_in_time_wait<standard_table>(r, syn, false);
    CHECK(challenge.to == state::time_wait);
    CHECK(challenge.send_challenge_ack);
    CHECK_FALSE(challenge.redirect_to_listener);
    // 2MSL: (TIME-WAIT, timeout_time_wait) -> CLOSED.
    CHECK(expire_time_wait<standard_table>().to == state::closed);
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    CHECK(r.ack().seq == 1000u);
    CHECK(r.ack().ack == 5000u);
    CHECK(r.ack().flags == ctl::ack);
}

TEST_CASE("time_wait: a connection closed by the server becomes a record, FIN re-ACKed, 2MSL restarted",
          "[time_wait]") {
    fixture<> f(config_with(16));
    const scripted_client c = f.close_by_server(1, 3000);
    // The ACK of the client's FIN: <SEQ=ISS+2><ACK=ISN+2>.
    const sent_segment* last = last_to(f.wire, c.tuple);
    REQUIRE(last != nullptr);
    CHECK(last->seg.flags == ctl::ack);
    CHECK(last->seg.seq == c.server_iss + 2u);
    CHECK(last->seg.ack == 3002u);
    CHECK(f.server.in_time_wait(c.tuple));
    CHECK(f.server.find(c.tuple) == no_connection);  // the TCB is gone
    CHECK(f.server.connection_count() == 0);
    CHECK(f.server.time_wait_count() == 1);
    CHECK(f.server.stats().in(state::time_wait) == 1);
    CHECK(f.server.stats().in(state::fin_wait_1) == 0);

    // 30 s later the FIN again: the same ACK, and 2MSL starts over (now + 60 s).
    f.advance_ms(30000);
    const std::size_t sent = f.wire.size();
    f.server.on_segment(c.tuple, make_segment(3001, c.server_iss + 2u, ctl::fin | ctl::ack));
    REQUIRE(f.wire.size() == sent + 1);
    CHECK(f.wire.back().seg.seq == c.server_iss + 2u);
    CHECK(f.wire.back().seg.ack == 3002u);
    f.advance_ms(30001);  // 60.001 s after entering: the first 2MSL would have ended
    CHECK(f.server.in_time_wait(c.tuple));
    f.advance_ms(29998);  // 89.999 s
    CHECK(f.server.in_time_wait(c.tuple));
    f.advance_ms(1);  // 90 s: 2MSL after the retransmitted FIN
    CHECK_FALSE(f.server.in_time_wait(c.tuple));
    CHECK(f.server.stats().in(state::time_wait) == 0);
}

TEST_CASE("time_wait: RST ends the record (standard table) or is ignored (RFC 1337)", "[time_wait]") {
    {
        fixture<> f(config_with(16));
        const scripted_client c = f.close_by_server(1, 3000);
        f.server.on_segment(c.tuple, make_segment(3002, 0, ctl::rst));
        CHECK_FALSE(f.server.in_time_wait(c.tuple));
    }
    {
        fixture<rfc1337_profile> f(config_with(16));
        const scripted_client c = f.close_by_server(1, 3000);
        const std::size_t sent = f.wire.size();
        f.server.on_segment(c.tuple, make_segment(3002, 0, ctl::rst));
        CHECK(f.server.in_time_wait(c.tuple));
        CHECK(f.wire.size() == sent);
    }
}

TEST_CASE("time_wait: a new SYN above RCV.NXT reopens the four-tuple (RFC 6191), an old one is challenged",
          "[time_wait]") {
    fixture<> f(config_with(16));
    const scripted_client c = f.close_by_server(1, 3000);
    // SEG.SEQ = RCV.NXT - 1000: not new: RFC 5961 §4.2 challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>.
    f.server.on_segment(c.tuple, make_segment(2002, 0, ctl::syn));
    CHECK(f.server.in_time_wait(c.tuple));
    CHECK(f.wire.back().seg.flags == ctl::ack);
    CHECK(f.wire.back().seg.ack == 3002u);
    // SEG.SEQ > RCV.NXT: the listener takes it: a new child in SYN-RECEIVED, <SYN,ACK> with ACK = SEG.SEQ + 1.
    f.server.on_segment(c.tuple, make_segment(900000, 0, ctl::syn, 65535, 1460));
    CHECK_FALSE(f.server.in_time_wait(c.tuple));
    CHECK(f.server.state_of(f.server.find(c.tuple)) == state::syn_received);
    CHECK(f.wire.back().seg.flags == (ctl::syn | ctl::ack));
    CHECK(f.wire.back().seg.ack == 900001u);
    // RFC 1122 4.2.2.13 (1): an ISS above the old connection's sequence numbers; Linux's choice,
    // the old SND.NXT (ISS + 2, after our FIN) + 65535 + 2.
    CHECK(f.wire.back().seg.seq == c.server_iss + 2u + 65537u);
    CHECK(f.server.stats().time_wait_reopened == 1);
    CHECK(f.server.stats().in(state::time_wait) == 0);
    CHECK(f.server.stats().in(state::syn_received) == 1);
}

TEST_CASE("time_wait: a reopening SYN is never answered with a cookie, whatever the SYN queue", "[time_wait]") {
    // RFC 1122 4.2.2.13 (1): the new ISS must lie above the old connection's sequence numbers,
    // which a cookie does not promise; Linux's tcp_conn_request sends a cookie only when no
    // TIME-WAIT ISS was handed over, and takes such a SYN whatever the SYN queue's length.
    for (int variant = 0; variant < 2; ++variant) {
        CAPTURE(variant);
        listener_config config = config_with(16);
        config.syn_backlog = 1;
        config.syn_cookies = variant == 0 ? syn_cookie_mode::always : syn_cookie_mode::when_syn_queue_full;
        fixture<> f(config);
        scripted_client c{client_tuple(1), 3000, 0};
        if (variant == 0) {
            // Cookies always: the first connection's SYN,ACK carries a cookie, its ACK makes it.
            f.server.on_segment(c.tuple, c.syn());
            c.server_iss = last_to(f.wire, c.tuple)->seg.seq;
            f.server.on_segment(c.tuple, c.ack());
            f.server.close(f.server.accept());
            f.server.on_segment(c.tuple, make_segment(3001u, c.server_iss + 2u, ctl::fin | ctl::ack));
        } else {
            c = f.close_by_server(1, 3000);
            f.server.on_segment(client_tuple(2), make_segment(100, 0, ctl::syn));  // fills the SYN queue of 1
            REQUIRE(f.server.syn_queue_length() == 1);
        }
        REQUIRE(f.server.in_time_wait(c.tuple));
        const std::uint64_t cookies_before = f.server.stats().syn_cookies_sent;
        f.server.on_segment(c.tuple, make_segment(900000, 0, ctl::syn, 65535, 1460));
        CHECK(f.server.stats().syn_cookies_sent == cookies_before);
        CHECK(f.server.state_of(f.server.find(c.tuple)) == state::syn_received);
        CHECK(f.wire.back().seg.flags == (ctl::syn | ctl::ack));
        CHECK(f.wire.back().seg.seq == c.server_iss + 2u + 65537u);  // the old SND.NXT + 65535 + 2
    }
}

TEST_CASE("time_wait: with time_wait_reopen off a new SYN is challenged, not taken", "[time_wait]") {
    listener_config config = config_with(16);
    config.child.time_wait_reopen = false;
    fixture<> f(config);
    const scripted_client c = f.close_by_server(1, 3000);
    f.server.on_segment(c.tuple, make_segment(900000, 0, ctl::syn));
    CHECK(f.server.in_time_wait(c.tuple));
    CHECK(f.wire.back().seg.flags == ctl::ack);
    CHECK(f.server.stats().time_wait_reopened == 0);
}

TEST_CASE("time_wait: tcp_max_tw_buckets: beyond the cap the connection is closed at once", "[time_wait]") {
    fixture<> f(config_with(2));
    const scripted_client a = f.close_by_server(1, 1000);
    const scripted_client b = f.close_by_server(2, 2000);
    const scripted_client c = f.close_by_server(3, 3000);
    CHECK(f.server.in_time_wait(a.tuple));
    CHECK(f.server.in_time_wait(b.tuple));
    CHECK_FALSE(f.server.in_time_wait(c.tuple));
    CHECK(f.server.find(c.tuple) == no_connection);
    CHECK(f.server.stats().time_wait_overflows == 1);
    CHECK(f.server.time_wait_count() == 2);
    CHECK(f.server.stats().in(state::time_wait) == 2);
    // ABORT's row in TIME-WAIT sends nothing: the last segment to c is the ACK of its FIN.
    CHECK(last_to(f.wire, c.tuple)->seg.flags == ctl::ack);
    CHECK(last_to(f.wire, c.tuple)->seg.ack == 3002u);
    // After 2MSL the records go, and there is room again.
    f.advance_ms(60000);
    CHECK(f.server.time_wait_count() == 0);
    const scripted_client d = f.close_by_server(4, 4000);
    CHECK(f.server.in_time_wait(d.tuple));
}

TEST_CASE("time_wait: challenge ACKs of records are limited per second for the listener", "[time_wait]") {
    listener_config config = config_with(16);
    config.time_wait_challenge_acks_per_second = 2;
    fixture<> f(config);
    const scripted_client c = f.close_by_server(1, 3000);
    const std::size_t sent = f.wire.size();
    // An ACK beyond SND.NXT: RFC 5961 §5.2, a challenge ACK (row rcv_ack_unacceptable).
    for (int i = 0; i < 5; ++i) f.server.on_segment(c.tuple, make_segment(3002, c.server_iss + 1000u, ctl::ack));
    CHECK(f.wire.size() == sent + 2);
    CHECK(f.server.stats().time_wait_challenge_acks_limited == 3);
    f.time.advance_ms(1000);
    f.server.on_segment(c.tuple, make_segment(3002, c.server_iss + 1000u, ctl::ack));
    CHECK(f.wire.size() == sent + 3);
}

TEST_CASE("stats: connections per state, printed as the netstat | awk one-liner counts them", "[time_wait]") {
    fixture<> f(config_with(16));
    f.close_by_server(1, 1000);  // TIME-WAIT record
    // Two connections accepted and left open, one handshake half done.
    for (std::uint32_t n = 2; n <= 3; ++n) {
        scripted_client c{client_tuple(n), 100 * n, 0};
        f.server.on_segment(c.tuple, c.syn());
        c.server_iss = last_to(f.wire, c.tuple)->seg.seq;
        f.server.on_segment(c.tuple, c.ack());
        f.server.accept();
    }
    f.server.on_segment(client_tuple(4), make_segment(400, 0, ctl::syn));
    const listener_stats& s = f.server.stats();
    CHECK(s.in(state::listen) == 1);
    CHECK(s.in(state::established) == 2);
    CHECK(s.in(state::syn_received) == 1);
    CHECK(s.in(state::time_wait) == 1);
    CHECK(s.syn_queue_length == 1);
    char text[128];
    const std::size_t length = write_state_counts(s, text, sizeof text);
    const std::string expected = "LISTEN 1\nSYN_RECV 1\nESTABLISHED 2\nTIME_WAIT 1\n";
    CHECK(std::string(text) == expected);
    CHECK(length == expected.size());
    char small[10];
    CHECK(write_state_counts(s, small, sizeof small) == expected.size());
    CHECK(std::string(small) == expected.substr(0, 9));
}

TEST_CASE("time_wait: by FIN-WAIT-2, and an orphaned FIN-WAIT-2 ends after tcp_fin_timeout (60 s)", "[time_wait]") {
    fixture<> f(config_with(16));
    // Two connections; the server releases both (Linux's close()): FIN-WAIT-1.
    scripted_client c[2];
    connection_handle h[2];
    for (std::uint32_t i = 0; i < 2; ++i) {
        c[i] = scripted_client{client_tuple(i + 1), 1000 * (i + 1), 0};
        f.server.on_segment(c[i].tuple, c[i].syn());
        c[i].server_iss = last_to(f.wire, c[i].tuple)->seg.seq;
        f.server.on_segment(c[i].tuple, c[i].ack());
        h[i] = f.server.accept();
        REQUIRE(f.server.release(h[i]) == user_error::none);
        // The peer acknowledges the FIN only: FIN-WAIT-2.
        f.server.on_segment(c[i].tuple, make_segment(c[i].isn + 1u, c[i].server_iss + 2u, ctl::ack));
        CHECK(f.server.state_of(h[i]) == state::fin_wait_2);
    }
    // The first peer's FIN comes 10 s later: TIME-WAIT, a record.
    f.advance_ms(10000);
    f.server.on_segment(c[0].tuple, make_segment(c[0].isn + 1u, c[0].server_iss + 2u, ctl::fin | ctl::ack));
    CHECK(f.server.in_time_wait(c[0].tuple));
    CHECK_FALSE(f.server.live(h[0]));
    // The second never sends one: 60 s after its FIN was acknowledged the row
    // (FIN-WAIT-2, timeout_fin_wait_2) closes it.
    f.advance_ms(49999);
    CHECK(f.server.state_of(h[1]) == state::fin_wait_2);
    f.advance_ms(1);
    CHECK_FALSE(f.server.live(h[1]));
    CHECK(f.server.find(c[1].tuple) == no_connection);
    CHECK(f.server.stats().in(state::fin_wait_2) == 0);
    // The record's 2MSL ends 60 s after the first FIN.
    f.advance_ms(9999);
    CHECK(f.server.in_time_wait(c[0].tuple));
    f.advance_ms(1);
    CHECK_FALSE(f.server.in_time_wait(c[0].tuple));
}

// ------------------------------------------------------------------ timestamps (RFC 7323)

namespace {
// Keeps what the listener sends, options included.
struct tw_ts_sink {
    std::vector<outgoing_segment>* out = nullptr;
    void send(const four_tuple&, const outgoing_segment& o, connection_handle) noexcept { out->push_back(o); }
};
using tw_ts_listener = listener<tw_ts_sink, test_clock, recording_observer>;

segment_options tw_ts(std::uint32_t tsval, std::uint32_t tsecr) {
    segment_options o;
    o.has_timestamps = true;
    o.ts_val = tsval;
    o.ts_ecr = tsecr;
    return o;
}
}  // namespace

TEST_CASE("time_wait: a record of a timestamp connection sends TSopt: TSval clock + offset, TSecr TS.Recent",
          "[time_wait][timestamps]") {
    harness_time time;
    time.us = 5'000'000;  // 5000 ms
    std::vector<outgoing_segment> wire;
    listener_config config = config_with(16);
    REQUIRE(config.child.timestamps);
    tw_ts_listener server(config, server_port, test_secrets, tw_ts_sink{&wire}, test_clock{&time},
                          recording_observer{});
    const four_tuple t = client_tuple(1);
    const std::uint32_t isn = 3000;
    server.on_segment(t, make_segment(isn, 0, ctl::syn, 65535, 1460), tw_ts(700, 0));
    REQUIRE(wire.size() == 1);
    const outgoing_segment sa = wire.back();
    REQUIRE(sa.options.has_timestamps);
    // §5.4: TSval = clock + the connection's offset; the offset the connection uses throughout.
    const std::uint32_t offset = sa.options.ts_val - 5000u;
    const std::uint32_t iss = sa.header.seq;
    server.on_segment(t, make_segment(isn + 1u, iss + 1u, ctl::ack), tw_ts(701, sa.options.ts_val));
    const connection_handle h = server.accept();
    REQUIRE(h != no_connection);
    server.close(h);  // our FIN
    time.advance_ms(10);
    // The client's FIN,ACK acknowledges ours: FIN-WAIT-1 -> TIME-WAIT, a record.
    server.on_segment(t, make_segment(isn + 1u, iss + 2u, ctl::fin | ctl::ack), tw_ts(710, 0));
    REQUIRE(server.in_time_wait(t));
    CHECK(wire.back().options.has_timestamps);  // the TCB's ACK of that FIN
    CHECK(wire.back().options.ts_ecr == 710u);

    // 1 s later the FIN again (its ACK was lost), with a later TSval: the record's ACK carries
    // TSopt, TSval = 6010 ms + offset, and TSecr the new TS.Recent, 1710 (§4.3 (2): SEG.SEQ
    // = RCV.NXT - 1 =< Last.ACK.sent = RCV.NXT).
    time.advance_ms(1000);
    std::size_t sent = wire.size();
    server.on_segment(t, make_segment(isn + 1u, iss + 2u, ctl::fin | ctl::ack), tw_ts(1710, 0));
    REQUIRE(server.in_time_wait(t));
    REQUIRE(wire.size() == sent + 1);
    CHECK(wire.back().header.flags == ctl::ack);
    CHECK(wire.back().header.ack == isn + 2u);
    REQUIRE(wire.back().options.has_timestamps);
    CHECK(wire.back().options.ts_val == 6010u + offset);
    CHECK(wire.back().options.ts_ecr == 1710u);

    // An older TSval (1500 < TS.Recent) leaves TS.Recent as it is.
    time.advance_ms(5);
    sent = wire.size();
    server.on_segment(t, make_segment(isn + 1u, iss + 2u, ctl::fin | ctl::ack), tw_ts(1500, 0));
    REQUIRE(wire.size() == sent + 1);
    CHECK(wire.back().options.ts_val == 6015u + offset);
    CHECK(wire.back().options.ts_ecr == 1710u);

    // An RST in the window but not at RCV.NXT: the RFC 5961 §3.2 challenge ACK, with TSopt; an
    // RST sets no TS.Recent.
    time.advance_ms(5);
    sent = wire.size();
    server.on_segment(t, make_segment(isn + 100u, 0, ctl::rst), tw_ts(9000, 0));
    REQUIRE(server.in_time_wait(t));
    REQUIRE(wire.size() == sent + 1);
    CHECK(wire.back().header.flags == ctl::ack);
    REQUIRE(wire.back().options.has_timestamps);
    CHECK(wire.back().options.ts_val == 6020u + offset);
    CHECK(wire.back().options.ts_ecr == 1710u);
}

TEST_CASE("time_wait: a record of a connection without timestamps sends no TSopt", "[time_wait][timestamps]") {
    harness_time time;
    std::vector<outgoing_segment> wire;
    tw_ts_listener server(config_with(16), server_port, test_secrets, tw_ts_sink{&wire}, test_clock{&time},
                          recording_observer{});
    const four_tuple t = client_tuple(2);
    server.on_segment(t, make_segment(100, 0, ctl::syn, 65535, 1460));  // no TSopt: not in use (§3.2)
    REQUIRE(wire.size() == 1);
    CHECK_FALSE(wire.back().options.has_timestamps);
    const std::uint32_t iss = wire.back().header.seq;
    server.on_segment(t, make_segment(101, iss + 1u, ctl::ack));
    server.close(server.accept());
    server.on_segment(t, make_segment(101, iss + 2u, ctl::fin | ctl::ack));
    REQUIRE(server.in_time_wait(t));
    const std::size_t sent = wire.size();
    server.on_segment(t, make_segment(101, iss + 2u, ctl::fin | ctl::ack), tw_ts(5, 0));
    REQUIRE(wire.size() == sent + 1);
    CHECK(wire.back().header.ack == 102u);
    CHECK_FALSE(wire.back().options.has_timestamps);
}

TEST_CASE("time_wait: a record's RST carries TSopt, TSecr 0 without the ACK bit (RFC 7323 §3.2)",
          "[time_wait][timestamps]") {
    time_wait_record r;
    r.rcv_nxt = 5000;
    r.timestamps = true;
    r.ts_recent = 1234;
    // <SEQ=SEG.ACK><CTL=RST> answering a segment with an ACK: no ACK bit, so TSecr 0.
    const outgoing_segment rst = r.sent(reset_answering(make_segment(5000, 77, ctl::ack)), 100, 0xFFFFFFF0u);
    REQUIRE(rst.options.has_timestamps);
    CHECK(rst.options.ts_val == 100u - 16u);  // (100 + 2^32 - 16) mod 2^32 (§5.4)
    CHECK(rst.options.ts_ecr == 0u);
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: TSecr TS.Recent.
    const outgoing_segment rst_ack = r.sent(reset_answering(make_segment(5000, 0, ctl::syn)), 100, 0);
    CHECK(rst_ack.options.ts_val == 100u);
    CHECK(rst_ack.options.ts_ecr == 1234u);
    r.timestamps = false;
    CHECK_FALSE(r.sent(r.ack(), 100, 0).options.has_timestamps);
}
