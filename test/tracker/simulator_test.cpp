// The tracker in the middle of two engines (include/tcpfsm/simulator.hpp): every segment is
// observed as it is delivered, and after each delivery every endpoint that has no segment of
// its own still in flight (so no call the tap cannot have seen yet) must be in the state the
// tracker infers for it. The expected states are the engines' own, never the tracker's.
#include <tcpfsm/tcpfsm.hpp>
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace {

namespace sim = tcpfsm::sim;
using tcpfsm::state;

struct tapped_segment {
    std::size_t from = 0;
    tcpfsm::four_tuple tuple{};
    tcpfsm::segment header{};
};

// Two engines joined by 10 ms links (no loss, no jitter: segments arrive in the order sent)
// and a tracker that sees each segment as it is delivered.
struct middle {
    sim::network net;
    sim::endpoint& a;
    sim::endpoint& b;
    tcpfsm::tracker<> trk;
    std::deque<tapped_segment> in_flight;
    std::size_t trace_seen = 0;
    std::size_t in_flight_from[2] = {0, 0};
    // A segment of its own that occupies sequence space (SYN, FIN, text) or an RST was lost
    // before the tap: its call is not visible until a delivered segment of the same endpoint
    // covers that sequence space again (a retransmission); `lost_end` is the end of it.
    bool unseen_segment[2] = {false, false};
    std::uint32_t lost_end[2] = {0, 0};
    // A FIN from it was delivered: before that, a CLOSE whose FIN waits behind queued text is
    // a call the tap cannot see (docs/tracker.md).
    bool fin_delivered[2] = {false, false};
    // Its CLOSE was called (FIN-WAIT-1, CLOSING, LAST-ACK) before any FIN of its own reached
    // the tap: until one does, the call is not visible (an RST may end it first).
    bool close_unseen[2] = {false, false};
    // The order of its CLOSE and its receipt of the peer's FIN is not in the segments the tap
    // saw: its FIN was first sent from CLOSING (the CLOSE waited behind queued text while
    // the peer's FIN arrived), or both its first FIN and its first acknowledgement of the
    // peer's FIN were lost before the tap (docs/tracker.md, "What a monitor cannot see").
    bool close_order_unseen[2] = {false, false};
    bool fin_sent[2] = {false, false};
    bool first_fin_lost[2] = {false, false};
    bool acked_peer_fin[2] = {false, false};
    bool first_ack_of_peer_fin_lost[2] = {false, false};
    std::uint32_t fin_end[2] = {0, 0};
    // A SYN without ACK from it was lost before the tap and no SYN without ACK from it was
    // delivered since: its OPEN (active, or SEND in LISTEN) is not visible; a SYN,ACK it sends
    // later covers the sequence number but not the kind of OPEN (simultaneous open or passive),
    // which decides where an RST in SYN-RECEIVED leads.
    bool open_unseen[2] = {false, false};
    bool syn_delivered[2] = {false, false};
    std::uint32_t syn_delivered_seq[2] = {0, 0};
    // Comparisons skipped, by reason: a CLOSE not seen, the order of CLOSE and the peer's FIN
    // not seen, an OPEN not seen.
    std::size_t skipped_close = 0, skipped_close_order = 0, skipped_open = 0;
    std::size_t comparisons = 0;
    std::vector<std::string> mismatches;

    // Random loss before the tap: the filter drops, from its own generator (not the network's).
    double loss = 0.0;
    std::uint64_t random_state = 0;

    explicit middle(std::uint64_t seed = 1, double loss_before_tap = 0.0,
                    const tcpfsm::connection_config& endpoint_config = tcpfsm::default_connection_config)
        : net(sim::network_config{}), a(net.add("A", endpoint_config)), b(net.add("B", endpoint_config)), trk(config()), loss(loss_before_tap),
          random_state(seed * 0x9E3779B97F4A7C15ull + 1u) {
        a.set_fixed_iss(1000);
        b.set_fixed_iss(5000);
        net.connect(a, b);
        sim::link_config l;
        l.delay_ms = 10;
        net.set_links(a, b, l);
        net.set_filter([this](sim::packet& p) {
            const bool drop = loss > 0.0 && next_random() < loss;
            sent(p.from, p.header, drop);
            if (drop) {
                lost(p.from, p.header);
                return sim::filter_result::drop;
            }
            tapped_segment s;
            s.from = p.from;
            const sim::endpoint& from = net.at(p.from);
            const sim::endpoint& to = net.at(p.to);
            s.tuple.local = from.address();
            s.tuple.local_port = from.port();
            s.tuple.remote = to.address();
            s.tuple.remote_port = to.port();
            s.header = p.header;
            in_flight.push_back(s);
            ++in_flight_from[p.from];
            return sim::filter_result::pass;
        });
        net.on_step([this] { after_step(); });
    }

    // Every segment as it is sent (`dropped`: lost before the tap).
    void sent(std::size_t from, const tcpfsm::segment& h, bool dropped) {
        const std::size_t peer = 1 - from;
        if (h.fin() && !h.rst() && !fin_sent[from]) {
            fin_sent[from] = true;
            fin_end[from] = h.seq + h.seq_length();
            first_fin_lost[from] = dropped;
            if (net.at(from).st() == state::closing) close_order_unseen[from] = true;
            // The peer's FIN passed the tap but waits above a hole here (held out of order,
            // not taken), and this first FIN is lost: the tap saw the peer close first, the
            // engine closed first (FIN-WAIT-1, then CLOSING when the hole fills).
            if (dropped && net.at(from).engine().reassembly().fin_held()) close_order_unseen[from] = true;
        }
        if (fin_sent[peer] && h.ack_flag() && !h.rst() && !acked_peer_fin[from] && tcpfsm::seq_ge(h.ack, fin_end[peer])) {
            acked_peer_fin[from] = true;
            first_ack_of_peer_fin_lost[from] = dropped;
        }
        if (first_fin_lost[from] && first_ack_of_peer_fin_lost[from]) close_order_unseen[from] = true;
    }

    void lost(std::size_t from, const tcpfsm::segment& h) {
        if (h.syn() && !h.ack_flag() && !h.rst() && !(syn_delivered[from] && syn_delivered_seq[from] == h.seq))
            open_unseen[from] = true;  // not a retransmission of a SYN the tap saw
        if (h.seq_length() == 0 && !h.rst()) return;  // a pure ACK hides no call
        const std::uint32_t end = h.seq + (h.rst() ? 1u : h.seq_length());
        if (!unseen_segment[from] || tcpfsm::seq_gt(end, lost_end[from])) lost_end[from] = end;
        unseen_segment[from] = true;
    }

    // splitmix64, as a fraction in [0, 1).
    double next_random() {
        std::uint64_t z = (random_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) / 9007199254740992.0;
    }

    static tcpfsm::tracker_config config() {
        tcpfsm::tracker_config c;
        c.time_wait_ns = 60'000'000'000ull;  // the engines' 2MSL: MSL 30 s (timers.hpp)
        return c;
    }

    std::uint64_t now_ns() const { return static_cast<std::uint64_t>(net.now_us()) * 1000u; }

    void after_step() {
        const sim::endpoint* eps[2] = {&a, &b};
        for (std::size_t i = 0; i < 2; ++i) {
            if (tcpfsm::has_sent_fin(eps[i]->st()) && !fin_delivered[i]) close_unseen[i] = true;
        }
        const auto& trace = net.trace();
        bool delivered = false;
        for (; trace_seen < trace.size(); ++trace_seen) {
            if (trace[trace_seen].kind != sim::trace_kind::receive) continue;
            REQUIRE_FALSE(in_flight.empty());
            const tapped_segment s = in_flight.front();
            in_flight.pop_front();
            --in_flight_from[s.from];
            if (s.header.fin()) fin_delivered[s.from] = true;
            if (s.header.syn() && !s.header.ack_flag() && !s.header.rst()) {
                open_unseen[s.from] = false;
                syn_delivered[s.from] = true;
                syn_delivered_seq[s.from] = s.header.seq;
            }
            const std::uint32_t end = s.header.seq + s.header.seq_length();
            if (unseen_segment[s.from] && s.header.seq_length() > 0 && tcpfsm::seq_ge(end, lost_end[s.from]))
                unseen_segment[s.from] = false;
            trk.observe(s.tuple, s.header, now_ns());
            delivered = true;
        }
        trk.expire(now_ns());
        if (delivered) compare();
    }

    void compare() {
        const tcpfsm::four_tuple ab{a.address(), b.address(), a.port(), b.port()};
        const tcpfsm::tracked_connection* c = trk.find(ab);
        if (c == nullptr) return;
        const tcpfsm::tracked_endpoint& ta = c->side(tcpfsm::tracker<>::side_of(ab));
        const tcpfsm::tracked_endpoint& tb = c->side(tcpfsm::other_side(tcpfsm::tracker<>::side_of(ab)));
        const sim::endpoint* eps[2] = {&a, &b};
        const tcpfsm::tracked_endpoint* tracked[2] = {&ta, &tb};
        for (std::size_t i = 0; i < 2; ++i) {
            // A call whose segment the tap has not seen yet, or lost before the tap.
            if (in_flight_from[i] != 0 || unseen_segment[i]) continue;
            if ((close_unseen[i] || tcpfsm::has_sent_fin(eps[i]->st())) && !fin_delivered[i]) {
                ++skipped_close;
                continue;
            }
            if (close_order_unseen[i] && eps[i]->st() != state::close_wait && eps[i]->st() != state::fin_wait_2) {
                ++skipped_close_order;
                continue;
            }
            // Where the kind of OPEN decides: an RST in SYN-RECEIVED leads a passive OPEN back to
            // LISTEN, an active one to CLOSED (RFC 9293 §3.10.7.4 second check).
            if (open_unseen[i] && (eps[i]->st() == state::closed || eps[i]->st() == state::listen)) {
                ++skipped_open;
                continue;
            }
            ++comparisons;
            if (tracked[i]->st != eps[i]->st()) {
                mismatches.push_back(std::string(i == 0 ? "A" : "B") + " at " + std::to_string(net.now()) +
                                     " ms: engine " + tcpfsm::rfc_name(eps[i]->st()) + ", tracker " +
                                     tcpfsm::rfc_name(tracked[i]->st));
            }
        }
    }

    // The next segment from `from` matching `p` is lost before the tap (near the receiver).
    void lose_next(const sim::endpoint& from, sim::segment_pattern p) {
        const std::size_t idx = from.index();
        net.drop_next([this, idx, p](const sim::packet& k) {
            if (k.from != idx || !p(k.header)) return false;
            lost(idx, k.header);
            return true;
        });
    }

    std::size_t dropped() const {
        std::size_t n = 0;
        for (const sim::wire_record& r : net.wire()) n += r.outcome == sim::fate::dropped ? 1u : 0u;
        return n;
    }

    void at(sim::sim_time when, std::function<void()> f) { net.schedule(when, std::move(f)); }

    // `min_comparisons`: a run under random loss may never establish (three segments).
    void finish(std::size_t min_comparisons = 6) {
        REQUIRE(net.run_until_idle());
        trk.expire(now_ns());
        CHECK(net.violations().empty());
        INFO(net.trace_text());
        CHECK(mismatches == std::vector<std::string>{});
        CHECK(comparisons >= min_comparisons);
    }
};

}  // namespace

TEST_CASE("simulator: open, data both ways, A closes first, B later", "[tracker][simulator]") {
    middle m;
    m.b.open_passive();
    m.a.open_active();
    m.at(100, [&] { m.a.send(std::string(3000, 'a')); });
    m.at(200, [&] { m.b.send(std::string(500, 'b')); });
    m.at(1000, [&] { m.a.close(); });
    m.at(2000, [&] { m.b.close(); });
    m.finish();
    // A's TIME-WAIT ended by capture time, then the record, CLOSED on both sides, went idle.
    CHECK(m.a.st() == state::closed);
    CHECK(m.trk.stats().time_wait_expired == 1u);
    CHECK(m.trk.size() == 0u);
    CHECK(m.trk.stats().evicted_in[tcpfsm::index_of(state::closed)] == 1u);
}

TEST_CASE("simulator: B closes first", "[tracker][simulator]") {
    middle m;
    m.b.open_passive();
    m.a.open_active();
    m.at(100, [&] { m.b.send(std::string(100, 'b')); });
    m.at(500, [&] { m.b.close(); });
    m.at(800, [&] { m.a.close(); });
    m.finish();
}

TEST_CASE("simulator: simultaneous close (crossing FINs)", "[tracker][simulator]") {
    middle m;
    m.b.open_passive();
    m.a.open_active();
    m.at(500, [&] {
        m.a.close();
        m.b.close();
    });
    m.finish();
}

TEST_CASE("simulator: A aborts (RST)", "[tracker][simulator]") {
    middle m;
    m.b.open_passive();
    m.a.open_active();
    m.at(100, [&] { m.a.send(std::string(100, 'a')); });
    m.at(500, [&] { m.a.abort(); });
    m.finish();
}

TEST_CASE("simulator: refused (B not listening)", "[tracker][simulator]") {
    middle m;
    m.a.open_active();
    REQUIRE(m.net.run_until_idle());
    CHECK(m.a.st() == state::closed);
    const auto* c = m.trk.find(tcpfsm::four_tuple{m.a.address(), m.b.address(), m.a.port(), m.b.port()});
    REQUIRE(c != nullptr);
    CHECK(c->endpoints[0].st == state::closed);
    CHECK(c->endpoints[1].st == state::closed);
    CHECK(m.mismatches == std::vector<std::string>{});
    CHECK(m.trk.stats().anomalies[tcpfsm::index_of(tcpfsm::tracker_anomaly::connection_refused)] == 1u);
}

TEST_CASE("simulator: segments lost before the tap: SYN,ACK, data, FIN, the final ACK", "[tracker][simulator]") {
    middle m;
    m.lose_next(m.b, sim::pattern::syn_ack);
    m.lose_next(m.a, sim::pattern::data);
    m.lose_next(m.a, sim::pattern::fin);
    m.lose_next(m.b, sim::pattern::fin);
    m.lose_next(m.a, sim::pattern::pure_ack);
    m.b.open_passive();
    m.a.open_active();
    m.at(5000, [&] { m.a.send(std::string(2000, 'a')); });
    m.at(10000, [&] { m.a.close(); });
    m.at(20000, [&] { m.b.close(); });
    m.finish();
    CHECK(m.dropped() == 5u);
    CHECK(m.a.st() == state::closed);
    CHECK(m.b.st() == state::closed);
}

TEST_CASE("simulator: the final ACK lost: LAST-ACK resends its FIN, TIME-WAIT restarts 2MSL", "[tracker][simulator]") {
    middle m;
    m.b.open_passive();
    m.a.open_active();
    m.at(1000, [&] { m.a.close(); });
    m.at(2000, [&] {
        m.lose_next(m.a, sim::pattern::pure_ack);  // A's ACK of B's FIN
        m.b.close();
    });
    m.finish();
    CHECK(m.dropped() == 1u);
    CHECK(m.trk.stats().time_wait_expired == 1u);
}

TEST_CASE("simulator: 10% and 20% of segments lost before the tap, 100 seeds each, both ACK timings", "[tracker][simulator]") {
    // Under the default ACK timing (delayed ACK, one segment per turn) and under
    // rfc_reference_config (every ACK at once). What the tap cannot see is not compared
    // (middle::compare: an OPEN, a CLOSE, or the order of a CLOSE and the peer's FIN hidden by
    // segments lost before the tap); the rest must agree.
    const tcpfsm::connection_config* configs[2] = {&tcpfsm::default_connection_config, &tcpfsm::rfc_reference_config};
    for (const tcpfsm::connection_config* config : configs) {
        for (const double loss : {0.10, 0.20}) {
            std::size_t comparisons = 0, skipped = 0;
            for (std::uint64_t seed = 1; seed <= 100; ++seed) {
                INFO("seed " << seed << ", loss " << loss << (config == configs[0] ? ", default" : ", rfc_reference"));
                middle m(seed, loss, *config);
                m.b.open_passive();
                m.a.open_active();
                m.at(100, [&] { m.a.send(std::string(5000, 'a')); });
                m.at(150, [&] { m.b.send(std::string(3000, 'b')); });
                const sim::sim_time a_close = 3000 + static_cast<sim::sim_time>(seed % 3) * 1000;
                const sim::sim_time b_close = 3000 + static_cast<sim::sim_time>((seed / 3) % 3) * 1000;
                m.at(a_close, [&] { m.a.close(); });
                m.at(b_close, [&] { m.b.close(); });
                m.finish(3);
                comparisons += m.comparisons;
                skipped += m.skipped_close + m.skipped_close_order + m.skipped_open;
            }
            // The exclusions stay the exception: at least nine comparisons in ten are made.
            CHECK(skipped * 10 <= comparisons + skipped);
        }
    }
}
