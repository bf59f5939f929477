// The single header's promise: copy ONE file, single_include/tcpfsm/tcpfsm.hpp, into a
// project and have the whole library. consumer.single_header_copy copies it alone into an
// empty directory and builds this program with a bare compiler call (-I that directory).
// A client engine connects to a listener over an in-memory IPv4 wire: every segment is
// serialized by the wire codec with its checksum, then checked and parsed on arrival. The
// client closes first (RFC 9293 Figure 12): the client ends in TIME-WAIT and the server's
// connection is gone. Exits non-zero otherwise.
#include "tcpfsm.hpp"  // the copied file, next to this program's build

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <vector>

#ifdef TCPFSM_CORE_HPP
// The guard of a split header defined inside the single one: nothing else was included.
#else
#error "the copied tcpfsm.hpp is not the single header"
#endif

namespace {

using octets = std::vector<std::uint8_t>;

const tcpfsm::ipv4_address client_ip{{192, 0, 2, 2}};
const tcpfsm::ipv4_address server_ip{{192, 0, 2, 1}};
constexpr std::uint16_t client_port = 40000;
constexpr std::uint16_t server_port = 7;

int failures = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        std::printf("tcpfsm single header consumer: FAILED: %s\n", what);
        ++failures;
    }
}

// A segment as the wire carries it: TCP header, options and checksum (no text here).
octets to_wire(const tcpfsm::segment& s, std::uint16_t src_port, std::uint16_t dst_port,
               const tcpfsm::ipv4_address& src, const tcpfsm::ipv4_address& dst) {
    octets out(60);
    std::size_t written = 0;
    const tcpfsm::wire_error e = tcpfsm::serialize_tcp_ipv4(tcpfsm::from_segment(s, src_port, dst_port), src,
                                                            dst, nullptr, 0, out.data(), out.size(), written);
    expect(e == tcpfsm::wire_error::ok, "serialize_tcp_ipv4");
    out.resize(written);
    return out;
}

// Back from the wire: the checksum must hold and the header parse.
tcpfsm::segment from_wire(const octets& in, const tcpfsm::ipv4_address& src, const tcpfsm::ipv4_address& dst) {
    expect(tcpfsm::verify_tcp_checksum_ipv4(src, dst, in.data(), in.size()), "checksum of a segment on the wire");
    tcpfsm::tcp_header h;
    expect(tcpfsm::parse_tcp(in.data(), in.size(), h) == tcpfsm::wire_error::ok, "parse_tcp");
    return tcpfsm::to_segment(h);
}

// The listener's Sink: segments to the client.
struct to_client {
    std::deque<octets>* wire;
    void send(const tcpfsm::four_tuple& /*t*/, const tcpfsm::outgoing_segment& out,
              tcpfsm::connection_handle) noexcept {
        wire->push_back(to_wire(out.header, server_port, client_port, server_ip, client_ip));
    }
};

// The client engine's SegmentIO: segments to the server.
struct to_server {
    std::deque<octets>* wire;
    void send(const tcpfsm::outgoing_segment& out) noexcept {
        wire->push_back(to_wire(out.header, client_port, server_port, client_ip, server_ip));
    }
};

using server_type = tcpfsm::listener<to_client, std::chrono::steady_clock>;
using client_type = tcpfsm::connection<to_server, std::chrono::steady_clock>;

}  // namespace

int main() {
    std::deque<octets> to_server_wire, to_client_wire;
    tcpfsm::listener_config config;
    config.max_connections = 4;
    config.max_time_wait = 4;
    const tcpfsm::listener_secrets secrets{{1, 2}, {3, 4}, {5, 6}};  // a real server: random
    server_type server(config, server_port, secrets, to_client{&to_client_wire});
    client_type client(tcpfsm::default_connection_config, to_server{&to_server_wire}, {}, {},
                       tcpfsm::rfc6528_iss({7, 8}));

    tcpfsm::four_tuple seen_by_server;  // local = the server's side
    seen_by_server.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    seen_by_server.remote = tcpfsm::endpoint_address::ipv4(192, 0, 2, 2);
    seen_by_server.local_port = server_port;
    seen_by_server.remote_port = client_port;

    client.open_active();
    tcpfsm::connection_handle accepted = tcpfsm::no_connection;
    bool client_was_established = false;
    for (int round = 0; round < 8; ++round) {
        for (; !to_server_wire.empty(); to_server_wire.pop_front())
            server.on_segment(seen_by_server, from_wire(to_server_wire.front(), client_ip, server_ip));
        for (; !to_client_wire.empty(); to_client_wire.pop_front())
            client.on_segment(from_wire(to_client_wire.front(), server_ip, client_ip));
        client_was_established |= client.current_state() == tcpfsm::state::established;
        if (!accepted && (accepted = server.accept())) client.close();
        if (server.state_of(accepted) == tcpfsm::state::close_wait) server.close(accepted);
        server.on_timer();
        // The end of the client's turn: the ACK and output it holds back until then.
        if (client.time_to_next_deadline().count() == 0) client.on_timer();
    }
    expect(client_was_established, "the client reached ESTABLISHED (RFC 9293 Figure 6)");
    expect(static_cast<bool>(accepted), "the listener accepted the connection");
    expect(client.current_state() == tcpfsm::state::time_wait, "the client, closing first, waits in TIME-WAIT");
    expect(server.connection_count() == 0, "the server's connection is closed");
    // The core is there too: the table at compile time.
    static_assert(tcpfsm::next(tcpfsm::state::listen, tcpfsm::event::rcv_syn) == tcpfsm::state::syn_received,
                  "RFC 9293 §3.10.7.2: LISTEN + SYN -> SYN-RECEIVED");
    if (failures != 0) return 1;
    std::printf("tcpfsm single header consumer: OK (tcpfsm %s)\n", tcpfsm::version.string);
    return 0;
}
