// tcpfsm demo: a client and a server, each a tcpfsm::connection, over the deterministic
// simulator (include/tcpfsm/simulator.hpp) with a little loss. The client sends a request,
// the server answers and the client closes first (RFC 9293 Figure 12); the trace shows every
// segment in the RFC's notation <SEQ=..><ACK=..><CTL=..>, every loss, retransmission and
// state change, with the simulated time.
//
// Usage: tcpfsm_demo [seed] [loss]      (defaults: seed 4, loss 0.08 each way)
#include <tcpfsm/simulator.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    tcpfsm::sim::network_config config;
    config.seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4;
    config.link.delay_ms = 20;
    config.link.jitter_ms = 5;
    config.link.loss = argc > 2 ? std::strtod(argv[2], nullptr) : 0.08;
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
