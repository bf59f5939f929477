// tcpfsm demo: a client and a server, each a tcpfsm::connection, over the deterministic
// simulator (include/tcpfsm/simulator.hpp) with a little loss. The client sends a request,
// the server answers and the client closes first (RFC 9293 Figure 12); the trace shows every
// segment in the RFC's notation <SEQ=..><ACK=..><CTL=..>, every loss, retransmission and
// state change, with the simulated time.
//
// Usage: tcpfsm_demo [--bottleneck] [seed] [loss]      (defaults: seed 4, loss 0.08 each way)
//
// --bottleneck: each direction also has a bottleneck of 1 Mbit/s (a full segment of 1500
// octets takes 12 ms to leave) behind a drop-tail queue of 2 packets, so the trace shows the
// answer's segments arriving 12 ms apart and the third one lost to the full queue
// ("LOST ... (queue full)"), then retransmitted.
#include <tcpfsm/simulator.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    bool bottleneck = false;
    std::vector<const char*> args;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--bottleneck") == 0) {
            bottleneck = true;
        } else {
            args.push_back(argv[i]);
        }
    }
    tcpfsm::sim::network_config config;
    config.seed = !args.empty() ? std::strtoull(args[0], nullptr, 10) : 4;
    config.link.delay_ms = 20;
    config.link.jitter_ms = 5;
    config.link.loss = args.size() > 1 ? std::strtod(args[1], nullptr) : 0.08;
    if (bottleneck) {
        config.link.rate_bps = 1000000;  // 1 Mbit/s
        config.link.queue_packets = 2;   // drop-tail
    }
    tcpfsm::sim::network net(config);

    auto& client = net.add("client");
    auto& server = net.add("server");
    net.connect(client, server);

    // The request goes once the connection is open; the answer once the request is in.
    const std::string request = "GET /rfc9293.txt HTTP/1.0\r\n\r\n";
    const std::string answer(3000, 'x');
    server.open_passive();
    client.open_active();
    client.send(request);
    bool answered = false, closed = false;
    net.run_until(
        [&] {
            if (!answered && server.received().size() >= request.size()) {
                server.send(answer);
                answered = true;
            }
            if (!closed && client.received().size() >= answer.size()) {
                client.close();  // the client closes first: it will wait in TIME-WAIT
                closed = true;
            }
            if (closed && server.st() == tcpfsm::state::close_wait) server.close();
            return client.st() == tcpfsm::state::closed && server.st() == tcpfsm::state::closed && closed;
        },
        10LL * 60 * 1000);

    std::cout << net.trace_text();
    std::printf("\nclient received %zu of %zu octets, server received %zu of %zu; final states: client %s, "
                "server %s\n",
                client.received().size(), answer.size(), server.received().size(), request.size(),
                tcpfsm::rfc_name(client.st()), tcpfsm::rfc_name(server.st()));
    const bool ok = client.received().size() == answer.size() && server.received().size() == request.size() &&
                    client.st() == tcpfsm::state::closed && server.st() == tcpfsm::state::closed &&
                    net.violations().empty();
    return ok ? 0 : 1;
}
