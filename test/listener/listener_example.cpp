// A listener on port 7 and one client engine, joined by an in-memory wire: the client
// connects, the server accepts, the client closes, then the server. The server's
// connections by state are printed as netstat's awk one-liner counts them.
#include <tcpfsm/listener.hpp>

#include <chrono>
#include <cstdio>
#include <deque>

// The listener's Sink: every segment it sends, for the four-tuple `t` (seen from the server).
struct to_client {
    std::deque<tcpfsm::segment>* wire;
    void send(const tcpfsm::four_tuple& /*t*/, const tcpfsm::outgoing_segment& out,
              tcpfsm::connection_handle) noexcept {
        wire->push_back(out.header);  // no text in this example
    }
};

// The client engine's SegmentIO.
struct to_server {
    std::deque<tcpfsm::segment>* wire;
    void send(const tcpfsm::outgoing_segment& out) noexcept { wire->push_back(out.header); }
};

using server_type = tcpfsm::listener<to_client, std::chrono::steady_clock>;
using client_type = tcpfsm::connection<to_server, std::chrono::steady_clock>;

int main() {
    std::deque<tcpfsm::segment> to_server_wire, to_client_wire;
    tcpfsm::listener_config config;  // backlog 128, SYN cookies when the SYN queue is full, ...
    config.max_connections = 1000;   // storage for 1000 connections and
    config.max_time_wait = 1000;     // 1000 TIME-WAIT records, allocated now
    // In a real server: 3 x 16 random bytes from the system (getrandom()), never constants.
    const tcpfsm::listener_secrets secrets{{1, 2}, {3, 4}, {5, 6}};
    server_type server(config, 7, secrets, to_client{&to_client_wire});
    client_type client(tcpfsm::default_connection_config, to_server{&to_server_wire}, {}, {},
                       tcpfsm::rfc6528_iss({7, 8}));

    tcpfsm::four_tuple seen_by_server;  // local = the server's side
    seen_by_server.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    seen_by_server.remote = tcpfsm::endpoint_address::ipv4(192, 0, 2, 2);
    seen_by_server.local_port = 7;
    seen_by_server.remote_port = 40000;

    client.open_active();
    tcpfsm::connection_handle accepted = tcpfsm::no_connection;
    for (int round = 0; round < 8; ++round) {
        for (; !to_server_wire.empty(); to_server_wire.pop_front()) {
            server.on_segment(seen_by_server, to_server_wire.front());
        }
        for (; !to_client_wire.empty(); to_client_wire.pop_front()) client.on_segment(to_client_wire.front());
        if (!accepted && (accepted = server.accept())) client.close();
        if (server.state_of(accepted) == tcpfsm::state::close_wait) server.close(accepted);
        server.on_timer();  // in a real loop: when server.next_deadline() is due
        // The end of the client's turn: the ACK and output it holds back until then.
        if (client.time_to_next_deadline().count() == 0) client.on_timer();
    }
    char counts[256];
    tcpfsm::write_state_counts(server.stats(), counts, sizeof counts);
    std::printf("client: %s\nserver connections by state:\n%s", tcpfsm::rfc_name(client.current_state()), counts);
    return client.current_state() == tcpfsm::state::time_wait && server.connection_count() == 0 ? 0 : 1;
}
