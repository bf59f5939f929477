// tcpfsm_relay's impaired link (tools/relay/impaired_link.hpp) on a time axis the test drives:
// the drop-tail queue and the rate by arithmetic, the loss models against their stationary
// statistics.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "impaired_link.hpp"

using tcpfsm_relay::impaired_link;
using tcpfsm_relay::link_params;
using tcpfsm_relay::nanoseconds;

namespace {

constexpr nanoseconds ms = 1000000;

struct delivery {
    nanoseconds at;
    std::size_t size;
};

std::vector<delivery> drain(impaired_link& l, nanoseconds until) {
    std::vector<delivery> out;
    l.deliver_due(until, [&](const std::uint8_t*, std::size_t size, nanoseconds at) {
        out.push_back({at, size});
        return true;
    });
    return out;
}

}  // namespace

TEST_CASE("relay: a burst fills the drop-tail queue and leaves at the link rate", "[relay]") {
    link_params p;
    p.rate_mbit = 12;  // 1500 octets = 12,000 bits take exactly 1 ms
    p.queue_packets = 10;
    p.delay_ms = 5;
    impaired_link l(p, 1);
    const std::vector<std::uint8_t> packet(1500);
    for (int i = 0; i < 20; ++i) l.arrive(packet.data(), packet.size(), 0);
    CHECK(l.counters().queue_drops == 10);
    CHECK(l.in_flight() == 10);  // 20 arrived, 10 dropped, none delivered yet
    const auto early = drain(l, 7 * ms);  // the first two: 1 ms and 2 ms of serialization + 5 ms
    CHECK(early.size() == 2);
    CHECK(l.in_flight() == 8);
    auto out = drain(l, 100 * ms);
    out.insert(out.begin(), early.begin(), early.end());
    REQUIRE(out.size() == 10);
    CHECK(l.in_flight() == 0);
    for (std::size_t i = 0; i < out.size(); ++i) {
        // Departs after i + 1 serialization times, arrives 5 ms later.
        CHECK(out[i].at == static_cast<nanoseconds>(i + 1) * ms + 5 * ms);
    }
    // Once the queue has drained (the last left at 10 ms), a packet is served at once.
    l.arrive(packet.data(), packet.size(), 10 * ms + ms / 2);
    const auto late = drain(l, 100 * ms);
    REQUIRE(late.size() == 1);
    CHECK(late[0].at == 10 * ms + ms / 2 + ms + 5 * ms);
}

TEST_CASE("relay: the queue limit in octets and in bandwidth-delay products", "[relay]") {
    link_params p;
    p.rate_mbit = 12;
    p.queue_bytes = 4500;
    impaired_link by_octets(p, 1);
    const std::vector<std::uint8_t> packet(1500);
    for (int i = 0; i < 5; ++i) by_octets.arrive(packet.data(), packet.size(), 0);
    CHECK(by_octets.counters().queue_drops == 2);
    CHECK(by_octets.counters().max_queue_bytes == 4500);

    link_params q;
    q.rate_mbit = 100;
    q.delay_ms = 10;
    q.queue_bdp = 1;
    // 100 Mbit/s x 20 ms round trip = 250,000 octets.
    CHECK(impaired_link(q, 1).params().queue_bytes == 250000);
}

TEST_CASE("relay: random loss has its probability", "[relay]") {
    link_params p;
    p.loss = 0.1;
    impaired_link l(p, 42);
    const std::uint8_t octet = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) l.arrive(&octet, 1, 0);
    const double mean = n * 0.1, sd = std::sqrt(n * 0.1 * 0.9);
    CHECK(std::fabs(static_cast<double>(l.counters().lost_random) - mean) <= 5 * sd);
    CHECK(drain(l, 1).size() + l.counters().lost_random == static_cast<std::size_t>(n));
}

TEST_CASE("relay: Gilbert-Elliott loss has its stationary rate and mean burst length", "[relay]") {
    link_params p;
    p.ge_p = 0.01;   // good -> bad
    p.ge_r = 0.25;   // bad -> good: bursts of 1 / 0.25 = 4 packets on average
    p.ge_loss_good = 0;
    p.ge_loss_bad = 1;
    impaired_link l(p, 7);
    const std::uint8_t octet = 0;
    const int n = 1000000;
    std::uint64_t lost_before = 0, bursts = 0;
    bool in_burst = false;
    for (int i = 0; i < n; ++i) {
        l.arrive(&octet, 1, 0);
        const bool lost = l.counters().lost_burst != lost_before;
        lost_before = l.counters().lost_burst;
        if (lost && !in_burst) ++bursts;
        in_burst = lost;
    }
    // P(bad) = p / (p + r) = 0.01 / 0.26.
    const double expected_rate = 0.01 / 0.26;
    const double rate = static_cast<double>(l.counters().lost_burst) / n;
    CHECK(std::fabs(rate - expected_rate) / expected_rate < 0.05);
    const double mean_burst = static_cast<double>(l.counters().lost_burst) / static_cast<double>(bursts);
    CHECK(std::fabs(mean_burst - 4.0) / 4.0 < 0.05);
}

TEST_CASE("relay: duplication delivers two copies, jitter keeps deliveries within its bound", "[relay]") {
    link_params p;
    p.duplicate = 1;
    p.delay_ms = 3;
    p.jitter_ms = 2;
    impaired_link l(p, 5);
    const std::vector<std::uint8_t> packet(100);
    for (int i = 0; i < 50; ++i) l.arrive(packet.data(), packet.size(), i * ms);
    const auto out = drain(l, 1000 * ms);
    CHECK(out.size() == 100);
    CHECK(l.counters().duplicated == 50);
    for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i - 1].at <= out[i].at);  // delivered in time order
    CHECK(out.front().at >= 3 * ms);
    CHECK(out.back().at < 49 * ms + 5 * ms);
}

TEST_CASE("relay: a packet the sink refuses is counted, and the books balance", "[relay]") {
    link_params p;
    p.delay_ms = 1;
    impaired_link l(p, 9);
    const std::vector<std::uint8_t> packet(60);
    for (int i = 0; i < 4; ++i) l.arrive(packet.data(), packet.size(), i * ms);
    // Due at 1, 2, 3 and 4 ms; by 3 ms three are due, and the sink refuses the second (as a
    // device not yet up does: EIO).
    int calls = 0;
    l.deliver_due(3 * ms, [&](const std::uint8_t*, std::size_t, nanoseconds) { return ++calls != 2; });
    CHECK(calls == 3);
    CHECK(l.counters().delivered == 2);
    CHECK(l.counters().write_failed == 1);
    CHECK(l.in_flight() == 1);
    const auto& c = l.counters();
    CHECK(c.received + c.duplicated == c.delivered + c.write_failed + c.lost_random + c.lost_burst + c.queue_drops +
                                           l.in_flight());
}

namespace {

// An IPv4 (or IPv6) packet carrying a TCP segment with `flags` and `payload` octets.
std::vector<std::uint8_t> tcp_packet(std::uint8_t flags, std::size_t payload, std::uint16_t sport = 40000,
                                     std::uint16_t dport = 9207, bool ipv6 = false) {
    const std::size_t ip = ipv6 ? 40 : 20;
    std::vector<std::uint8_t> p(ip + 20 + payload);
    if (ipv6) {
        p[0] = 0x60;
        p[4] = static_cast<std::uint8_t>((20 + payload) >> 8);
        p[5] = static_cast<std::uint8_t>(20 + payload);
        p[6] = 6;
    } else {
        p[0] = 0x45;
        p[2] = static_cast<std::uint8_t>(p.size() >> 8);
        p[3] = static_cast<std::uint8_t>(p.size());
        p[9] = 6;
    }
    p[ip] = static_cast<std::uint8_t>(sport >> 8);
    p[ip + 1] = static_cast<std::uint8_t>(sport);
    p[ip + 2] = static_cast<std::uint8_t>(dport >> 8);
    p[ip + 3] = static_cast<std::uint8_t>(dport);
    p[ip + 12] = 5 << 4;
    p[ip + 13] = flags;
    return p;
}

}  // namespace

TEST_CASE("relay: an aimed drop loses the closer's final ACK and nothing else", "[relay]") {
    using tcpfsm_relay::drop_rule;
    drop_rule r;
    r.flags = drop_rule::ack;
    r.empty = true;
    r.after = drop_rule::fin;
    r.port = 9207;
    r.nth = 1;
    link_params p;
    p.delay_ms = 1;
    impaired_link l(p, 3, r);
    const std::uint8_t A = drop_rule::ack, F = drop_rule::fin, P = drop_rule::psh;
    // Before its FIN: pure ACKs and data pass. Another port's FIN does not arm it.
    const std::vector<std::vector<std::uint8_t>> before = {
        tcp_packet(drop_rule::syn, 0), tcp_packet(A, 0), tcp_packet(P | A, 5), tcp_packet(F | A, 0, 40000, 9206),
        tcp_packet(A, 0, 40000, 9206), tcp_packet(A, 0)};
    for (const auto& pk : before) l.arrive(pk.data(), pk.size(), 0);
    CHECK(l.counters().lost_aimed == 0);
    const auto fin = tcp_packet(F | A, 0);
    l.arrive(fin.data(), fin.size(), 0);  // its FIN passes, and arms the rule
    const auto data_ack = tcp_packet(P | A, 3);
    l.arrive(data_ack.data(), data_ack.size(), 0);  // not empty: passes
    const auto other_port = tcp_packet(A, 0, 40000, 9206);
    l.arrive(other_port.data(), other_port.size(), 0);
    CHECK(l.counters().lost_aimed == 0);
    const auto final_ack = tcp_packet(A, 0);
    l.arrive(final_ack.data(), final_ack.size(), 0);  // the first pure ACK after the FIN: dropped
    CHECK(l.counters().lost_aimed == 1);
    l.arrive(final_ack.data(), final_ack.size(), 0);  // its second one (count=1): passes
    CHECK(l.counters().lost_aimed == 1);
    CHECK(drain(l, 10 * ms).size() == before.size() + 4);  // fin, data_ack, other_port, the second ACK
}

TEST_CASE("relay: an aimed drop's nth and count, IPv6, and packets that are not TCP", "[relay]") {
    using tcpfsm_relay::drop_matcher;
    using tcpfsm_relay::drop_rule;
    drop_rule r;
    r.flags = drop_rule::fin | drop_rule::ack;
    r.nth = 2;
    r.count = 2;
    drop_matcher m(r);
    const auto fin6 = tcp_packet(drop_rule::fin | drop_rule::ack, 0, 1, 2, true);
    const auto fin_psh = tcp_packet(drop_rule::fin | drop_rule::ack | drop_rule::psh, 4, 1, 2, true);
    CHECK_FALSE(m.drop(fin_psh.data(), fin_psh.size()));  // flags must be exactly FIN,ACK
    // FIN,ACK number 1 passes, 2 and 3 are dropped, 4 passes.
    CHECK_FALSE(m.drop(fin6.data(), fin6.size()));
    CHECK(m.drop(fin6.data(), fin6.size()));
    CHECK(m.drop(fin6.data(), fin6.size()));
    CHECK_FALSE(m.drop(fin6.data(), fin6.size()));
    std::vector<std::uint8_t> udp = tcp_packet(drop_rule::fin | drop_rule::ack, 0);
    udp[9] = 17;
    CHECK_FALSE(drop_matcher(r).drop(udp.data(), udp.size()));
    const std::vector<std::uint8_t> short_packet(12, 0x45);
    CHECK_FALSE(drop_matcher(r).drop(short_packet.data(), short_packet.size()));
    drop_rule off;  // nth 0: off
    off.flags = drop_rule::fin | drop_rule::ack;
    CHECK_FALSE(drop_matcher(off).drop(fin6.data(), fin6.size()));
}
