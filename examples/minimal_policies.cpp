// A complete minimal use of tcpfsm::connection with policies written by the user: two
// endpoints joined by an in-memory wire, a client that sends a greeting and closes, a server
// that reads it and closes. The clock is std::chrono::steady_clock.
#include <tcpfsm/connection.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

// What travels on the wire: the header and a copy of the text.
struct packet {
    tcpfsm::segment header;
    std::vector<std::uint8_t> text;
};

// The send buffer: a ring of fixed capacity whose front is SND.UNA. An ACK moves the front
// (O(1)); nothing is moved, whatever is queued behind it.
struct send_ring {
    std::array<std::uint8_t, 4096> bytes{};
    std::size_t front = 0;  // where SND.UNA's octet is
    std::size_t size = 0;   // octets from SND.UNA on
    bool append(const std::string& text) {
        if (text.size() > bytes.size() - size) return false;
        for (const char c : text) bytes[(front + size++) % bytes.size()] = static_cast<std::uint8_t>(c);
        return true;
    }
    std::uint8_t at(std::size_t offset) const { return bytes[(front + offset) % bytes.size()]; }
    void drop(std::size_t n) {
        front = (front + n) % bytes.size();
        size -= n;
    }
};

// The user's side of one endpoint: its send buffer and what it received.
struct endpoint_buffers {
    send_ring send_buffer;
    std::string received;
};

// SegmentIO: copies the header and the text (from the send buffer at text_offset; it may
// wrap around the ring's end) to the wire.
struct wire_io {
    std::deque<packet>* wire;
    endpoint_buffers* buffers;
    void send(const tcpfsm::outgoing_segment& out) noexcept {
        packet p{out.header, std::vector<std::uint8_t>(out.header.text_length)};
        for (std::size_t i = 0; i < p.text.size(); ++i) p.text[i] = buffers->send_buffer.at(out.text_offset + i);
        wire->push_back(p);
    }
};

// Observer: keeps the text, frees acknowledged octets, prints state changes. Hooks it does
// not write come from null_observer.
struct app_observer : tcpfsm::null_observer {
    const char* name;
    endpoint_buffers* buffers;
    void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept {
        std::printf("%-6s %-12s --%s--> %s\n", name, tcpfsm::rfc_name(from), tcpfsm::name(on), tcpfsm::rfc_name(to));
    }
    void on_data(const std::uint8_t* text, std::uint32_t length) noexcept {
        buffers->received.append(reinterpret_cast<const char*>(text), length);
    }
    void on_acked(std::uint32_t octets) noexcept { buffers->send_buffer.drop(octets); }
};

using connection = tcpfsm::connection<wire_io, std::chrono::steady_clock, app_observer, tcpfsm::rfc6528_iss>;

int main() {
    std::deque<packet> to_server, to_client;
    endpoint_buffers client_buffers, server_buffers;
    // The ISS secret: in a real stack, random bytes from the system at start-up (RFC 6528 §3).
    const tcpfsm::siphash_key secret{0x243f6a8885a308d3ull, 0x13198a2e03707344ull};

    connection client(tcpfsm::default_connection_config, wire_io{&to_server, &client_buffers}, {},
                      app_observer{{}, "client", &client_buffers}, tcpfsm::rfc6528_iss(secret));
    connection server(tcpfsm::default_connection_config, wire_io{&to_client, &server_buffers}, {},
                      app_observer{{}, "server", &server_buffers}, tcpfsm::rfc6528_iss(secret));

    tcpfsm::four_tuple tuple{};
    tuple.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    tuple.remote = tcpfsm::endpoint_address::ipv4(192, 0, 2, 2);
    tuple.local_port = 40000;
    tuple.remote_port = 7;

    server.open_passive();
    client.open_active(tuple);
    const std::string greeting = "hello, tcpfsm";
    if (client_buffers.send_buffer.append(greeting)) {
        client.send(static_cast<std::uint32_t>(greeting.size()));  // sent once ESTABLISHED
    }

    // The end of a side's turn: what is due now goes (the ACK and output that one segment per
    // turn holds back until the consumer has acted; any other timer due).
    const auto end_turn = [](auto& side) {
        if (side.time_to_next_deadline().count() == 0) side.on_timer();
    };
    // The wire delivers everything at once, in order, until both sides are quiet.
    while (!to_server.empty() || !to_client.empty()) {
        while (!to_server.empty()) {
            const packet p = to_server.front();
            to_server.pop_front();
            server.on_segment(p.header, p.text.data());
        }
        while (!to_client.empty()) {
            const packet p = to_client.front();
            to_client.pop_front();
            client.on_segment(p.header, p.text.data());
        }
        // CLOSE in SYN-SENT would delete the TCB (§3.10.4): close once ESTABLISHED; the FIN
        // goes after the queued data.
        if (client.current_state() == tcpfsm::state::established) client.close();
        if (server.current_state() == tcpfsm::state::close_wait) {
            server.receive(static_cast<std::uint32_t>(server_buffers.received.size()));
            server.close();
        }
        end_turn(server);
        end_turn(client);
    }
    std::printf("server received: %s\n", server_buffers.received.c_str());
    std::printf("client: %s (for 2 MSL: call on_timer() at next_deadline()), server: %s\n",
                tcpfsm::rfc_name(client.current_state()), tcpfsm::rfc_name(server.current_state()));
    return server_buffers.received == greeting && server.current_state() == tcpfsm::state::closed ? 0 : 1;
}
