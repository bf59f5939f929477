// test/data/wire_veth_capture.pcap replayed through the tracker: two connections from the
// Linux kernel (IPv4, then IPv6), each a handshake, "hello\n", and a close the server begins
// (test/data/wire_veth_capture.txt is tcpdump's decode). The expected states after each
// segment are RFC 9293 Figure 12's with the server closing first.
#include <tcpfsm/tcpfsm.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using tcpfsm::state;

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

struct captured {
    std::uint64_t time_ns = 0;
    std::vector<std::uint8_t> ip;  // the IP packet (Ethernet header stripped)
};

// A classic little-endian pcap with microsecond times and Ethernet frames (link type 1).
std::vector<captured> read_ethernet_pcap(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<captured> out;
    REQUIRE(file.size() >= 24);
    REQUIRE(le32(file.data()) == 0xA1B2C3D4u);
    REQUIRE(le32(file.data() + 20) == 1u);
    for (std::size_t off = 24; off + 16 <= file.size();) {
        const std::uint8_t* h = file.data() + off;
        const std::uint32_t incl = le32(h + 8);
        REQUIRE(off + 16 + incl <= file.size());
        REQUIRE(incl >= 14);
        captured c;
        c.time_ns = std::uint64_t{le32(h)} * 1'000'000'000u + std::uint64_t{le32(h + 4)} * 1000u;
        c.ip.assign(h + 16 + 14, h + 16 + incl);
        out.push_back(c);
        off += 16 + incl;
    }
    return out;
}

}  // namespace

TEST_CASE("pcap replay: the kernel's two connections of wire_veth_capture.pcap", "[tracker]") {
    const std::vector<captured> packets = read_ethernet_pcap(std::string(TRACKER_TEST_DATA) + "/wire_veth_capture.pcap");
    REQUIRE(packets.size() == 18u);
    // After each segment: (client, server), from the decode and Figure 12 (server closes first).
    const state expected[9][2] = {
        {state::syn_sent, state::syn_received},     // [S]
        {state::established, state::syn_received},  // [S.]
        {state::established, state::established},   // [.]
        {state::established, state::established},   // [P.] hello
        {state::established, state::established},   // [.] ack 7
        {state::close_wait, state::fin_wait_1},     // server [F.]
        {state::close_wait, state::fin_wait_2},     // client [.] ack 2
        {state::last_ack, state::time_wait},        // client [F.]
        {state::closed, state::time_wait},          // server [.] ack 8
    };
    tcpfsm::tracker<> trk;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        tcpfsm::tcp_packet p;
        REQUIRE(tcpfsm::parse_tcp_packet(packets[i].ip.data(), packets[i].ip.size(), p) == tcpfsm::wire_error::ok);
        tcpfsm::four_tuple t{};
        if (p.ip_version == 4) {
            t.local = tcpfsm::endpoint_address::ipv4(p.ip4.src.bytes[0], p.ip4.src.bytes[1], p.ip4.src.bytes[2], p.ip4.src.bytes[3]);
            t.remote = tcpfsm::endpoint_address::ipv4(p.ip4.dst.bytes[0], p.ip4.dst.bytes[1], p.ip4.dst.bytes[2], p.ip4.dst.bytes[3]);
        } else {
            t.local = tcpfsm::endpoint_address::ipv6(p.ip6.src.bytes);
            t.remote = tcpfsm::endpoint_address::ipv6(p.ip6.dst.bytes);
        }
        t.local_port = p.tcp.src_port;
        t.remote_port = p.tcp.dst_port;
        tcpfsm::segment s{};
        s.seq = p.tcp.seq;
        s.ack = p.tcp.ack;
        s.flags = static_cast<std::uint8_t>(p.tcp.flags & 0x3Fu);
        s.window = p.tcp.window;
        s.text_length = static_cast<std::uint32_t>(p.tcp.payload_length);
        const int wscale = p.tcp.options.has_window_scale ? p.tcp.options.window_scale : -1;
        const tcpfsm::tracker_observation o = trk.observe(t, s, packets[i].time_ns, wscale);
        INFO("segment " << i + 1);
        CHECK(o.anomalies.empty());
        // The client's port is the high one (42366, 42766); the server's 9999.
        const bool client_sent = t.local_port != 9999;
        const tcpfsm::tracker_side client = client_sent ? o.sender : tcpfsm::other_side(o.sender);
        CHECK(o.after[tcpfsm::index_of(client)] == expected[i % 9][0]);
        CHECK(o.after[tcpfsm::index_of(tcpfsm::other_side(client))] == expected[i % 9][1]);
        if (i % 9 == 4) {
            // Both SYNs carried wscale 10 (RFC 7323): the windows are known, scaled.
            const tcpfsm::tracked_connection& c = trk.at(o.slot);
            CHECK(c.side(client).scale_known());
            CHECK(c.side(client).window_scale == 10);
            CHECK(c.side(tcpfsm::other_side(client)).window() == std::uint32_t{s.window} << 10);
            CHECK(c.side(client).iss == (i < 9 ? 3391041009u : 747653463u));
        }
    }
    CHECK(trk.stats().connections == 2u);
}
