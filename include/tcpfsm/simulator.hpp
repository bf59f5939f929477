// tcpfsm: a deterministic discrete-event network simulator for connection engines, for
// tests (the library's own scenario and soak tests, and yours). Optional header: it
// allocates and uses the standard library freely; misuse (a call on a crashed endpoint, a
// run that makes no progress) throws std::logic_error / std::runtime_error, or prints and
// aborts where exceptions are off. The engine itself never does either.
//
// A network joins two or more endpoints. Each endpoint is one tcpfsm::connection with the
// buffers its consumer keeps: the send buffer (its front is SND.UNA; the engine's
// on_acked drops octets from it) and the octets received. Segments travel over one-way
// links with a delay, jitter, loss, duplication and reordering drawn from the network's
// own seeded generator (xoshiro256**, no std:: distributions, so a seed gives the same run
// with every standard library), and optionally a bottleneck (a rate and a drop-tail queue)
// and Gilbert-Elliott burst loss (sim_link.hpp). Time is a manual clock (tcpfsm::manual_time,
// from manual_clock.hpp) shared by every endpoint: the API speaks milliseconds (sim_time),
// events are kept in microseconds (now_us()); it jumps from one event (a segment arriving,
// an engine deadline, a scheduled action) to the next.
//
//     tcpfsm::sim::network net({/*seed*/ 7});
//     auto& a = net.add("A");
//     auto& b = net.add("B");
//     net.connect(a, b);                      // default link both ways: 10 ms, no loss
//     b.open_passive();
//     a.open_active();
//     a.send("hello");
//     net.run_until_idle();
//     net.print_trace(std::cout);             // <SEQ=..><ACK=..><CTL=..> lines, states
//
// Every step checks invariants (SND.UNA =< SND.NXT, the send buffer holds exactly the
// octets from SND.UNA to the end of the queued data, each state change is the table's row
// for its event, ...) and records violations in violations().
//
// The parts, one concern each, in include/tcpfsm/sim/: packet.hpp (time, link settings, the
// wire log, segment patterns), trace.hpp (the trace and its text), endpoint.hpp (an endpoint)
// and network.hpp (the network and its run loop); the link model is sim_link.hpp.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIMULATOR_HPP
#define TCPFSM_SIMULATOR_HPP

#include "sim/packet.hpp"
#include "sim/trace.hpp"
#include "sim/endpoint.hpp"
#include "sim/network.hpp"

#endif  // TCPFSM_SIMULATOR_HPP
