// tcpfsm: the TCP connection state machine of RFC 9293, as a header-only C++17 library.
// This is the umbrella header: one include gives the whole library.
//
//   by default       the core (vocabulary, standard table and its variants, O(1) lookup,
//                    compile-time verification, sequence numbers), the connection engine
//                    (connection, policies, classify, rto, timers, iss, segment), the
//                    listener (listener, allocator, conn_table, deadline_heap, syn_cookie,
//                    siphash, time_wait) and the wire codec. No <memory>, <ostream>, <string>
//                    or <map>; allocation only in the listener's constructor; the engine's
//                    clock API needs <chrono>.
//   TCPFSM_CORE_ONLY       the core alone (no engine, listener or wire codec).
//   TCPFSM_WITH_OSTREAM    adds operator<< for the core's types (ostream.hpp; <ostream>).
//   TCPFSM_WITH_DIAGRAM    adds DOT and Mermaid export (diagram.hpp; <string>, <vector>).
//   TCPFSM_WITH_LADDER     adds ladder diagrams of one connection as SVG or text (ladder.hpp;
//                          <string>, <vector>). The simulator includes it too.
//   TCPFSM_WITH_SIMULATOR  adds the network simulator for tests (simulator.hpp; allocates,
//                          uses <map>, <string>, <ostream>, ...). Needs the engine: an
//                          error together with TCPFSM_CORE_ONLY.
//
// Define the macros before the first include of this header (or on the command line): the
// include guard makes a later include with other macros a no-op. The same applies to the
// single-header edition, single_include/tcpfsm/tcpfsm.hpp, generated from this file by
// tools/amalgamate.py with every section inlined. The split headers stay includable one by
// one from include/ (`#include <tcpfsm/ostream.hpp>`).
//
// Every header in include/tcpfsm/ must be reachable from here, by default or through one
// of the sections above (test headers.reachable_from_umbrella).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TCPFSM_HPP
#define TCPFSM_TCPFSM_HPP

// The core.
#include "core.hpp"
#include "variants.hpp"

#ifndef TCPFSM_CORE_ONLY
// The connection engine.
#include "segment.hpp"
#include "classify.hpp"
#include "policies.hpp"
#include "iss.hpp"
#include "rto.hpp"
#include "timers.hpp"
#include "ack_timing.hpp"
#include "invalid_ack_limiter.hpp"
#include "send_path.hpp"
#include "timestamping.hpp"
#include "window_scaling.hpp"
#include "selective_acknowledgment.hpp"
#include "connection.hpp"
#include "manual_clock.hpp"
// Data-path components (issue 13), each its own concern.
#include "reassembly.hpp"
#include "receive_path.hpp"
#include "loss_recovery.hpp"
#include "spurious_retransmission.hpp"
#include "congestion/newreno.hpp"
#include "congestion/cubic.hpp"
#include "congestion/unlimited.hpp"
// TCP options (issue 14): window scale, timestamps and PAWS, the receiver's SACK blocks.
#include "options/negotiation.hpp"
#include "options/window_scale.hpp"
#include "options/timestamps.hpp"
#include "options/sack_blocks.hpp"
#include "options/option_codec.hpp"
// The SACK sender (issue 14): scoreboard, RFC 6675 recovery, PRR (in the engine through
// sack/sender.hpp and selective_acknowledgment.hpp), RACK-TLP (sack/rack_detector.hpp).
#include "sack/scoreboard.hpp"
#include "sack/rfc6675.hpp"
#include "sack/prr.hpp"
#include "sack/sender.hpp"
#include "sack/segment_log.hpp"
#include "sack/rack.hpp"
#include "sack/tlp.hpp"
#include "sack/rack_detector.hpp"
// The listener.
#include "allocator.hpp"
#include "siphash.hpp"
#include "syn_cookie.hpp"
#include "conn_table.hpp"
#include "deadline_heap.hpp"
#include "time_wait.hpp"
#include "listener.hpp"
// The wire codec.
#include "wire.hpp"
// The passive tracker (issue 15).
#include "tracker/tracker_key.hpp"
#include "tracker/tracker_map.hpp"
#include "tracker/anomaly.hpp"
#include "tracker/tracker_table.hpp"
#include "tracker/tracker.hpp"

#ifdef TCPFSM_WITH_SIMULATOR
#include "simulator.hpp"
#endif  // TCPFSM_WITH_SIMULATOR
#elif defined(TCPFSM_WITH_SIMULATOR)
#error "tcpfsm: TCPFSM_WITH_SIMULATOR needs the connection engine, which TCPFSM_CORE_ONLY leaves out"
#endif  // TCPFSM_CORE_ONLY

#ifdef TCPFSM_WITH_OSTREAM
#include "ostream.hpp"
#endif  // TCPFSM_WITH_OSTREAM

#ifdef TCPFSM_WITH_DIAGRAM
#include "diagram.hpp"
#endif  // TCPFSM_WITH_DIAGRAM

#ifdef TCPFSM_WITH_LADDER
#include "ladder.hpp"
#endif  // TCPFSM_WITH_LADDER

#endif  // TCPFSM_TCPFSM_HPP
