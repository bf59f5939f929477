// The machine written by hand, twice, the way C and C++ programmers write a TCP state
// machine without a library: a switch on the state and then on the event (only the cells
// that change the state; every other event leaves it), and a dense table of next states.
// Both are checked against tcpfsm::next on all 396 cells before anything is timed.
// SPDX-License-Identifier: MIT
#include "scenarios.hpp"

namespace tcpfsm_bench {

namespace {
using S = state;
using E = event;
}  // namespace

// ---- A switch on the state, then on the event ----
struct hand_switch {
    static state next(state s, event e) noexcept {
        switch (s) {
            case S::closed:
                switch (e) {
                    case E::open_passive: return S::listen;
                    case E::open_active: return S::syn_sent;
                    default: return s;
                }
            case S::listen:
                switch (e) {
                    case E::open_active: return S::syn_sent;
                    case E::send: return S::syn_sent;
                    case E::close: return S::closed;
                    case E::abort: return S::closed;
                    case E::rcv_syn: return S::syn_received;
                    case E::rcv_cookie_ack: return S::established;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::syn_sent:
                switch (e) {
                    case E::close: return S::closed;
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_syn: return S::syn_received;
                    case E::rcv_syn_ack: return S::established;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::syn_received:
                switch (e) {
                    case E::close: return S::fin_wait_1;
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_rst_passive: return S::listen;
                    case E::rcv_syn_passive: return S::listen;
                    case E::rcv_syn_ack: return S::established;
                    case E::rcv_ack_of_syn: return S::established;
                    case E::rcv_ack_of_syn_passive: return S::established;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_retransmit_exhausted_passive: return S::listen;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::established:
                switch (e) {
                    case E::close: return S::fin_wait_1;
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_fin: return S::close_wait;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_keepalive_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::close_wait:
                switch (e) {
                    case E::close: return S::last_ack;
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_keepalive_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::fin_wait_1:
                switch (e) {
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_ack_of_fin: return S::fin_wait_2;
                    case E::rcv_fin: return S::closing;
                    case E::rcv_fin_ack_of_fin: return S::time_wait;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::closing:
                switch (e) {
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_ack_of_fin: return S::time_wait;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::last_ack:
                switch (e) {
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_ack_of_fin: return S::closed;
                    case E::timeout_retransmit_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::fin_wait_2:
                switch (e) {
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_fin: return S::time_wait;
                    case E::timeout_fin_wait_2: return S::closed;
                    case E::timeout_keepalive_exhausted: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
            case S::time_wait:
                switch (e) {
                    case E::abort: return S::closed;
                    case E::rcv_rst: return S::closed;
                    case E::rcv_syn_reopen: return S::closed;
                    case E::timeout_time_wait: return S::closed;
                    case E::timeout_user: return S::closed;
                    default: return s;
                }
        }
        return s;
    }
};

// ---- A dense table: one byte per (state, event) ----
namespace {
constexpr S CL = S::closed, LI = S::listen, SS = S::syn_sent, SR = S::syn_received, ES = S::established,
            CW = S::close_wait, F1 = S::fin_wait_1, CG = S::closing, LA = S::last_ack, F2 = S::fin_wait_2,
            TW = S::time_wait;

// Columns: the 7 user calls, the 19 segment events, the 10 timeouts, in the order of
// enum class event.
constexpr S next_state[tcpfsm::state_count][tcpfsm::event_count] = {
    /* CLOSED       */ {LI,SS,CL,CL,CL,CL,CL,  CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,CL,  CL,CL,CL,CL,CL,CL,CL,CL,CL,CL},
    /* LISTEN       */ {LI,SS,SS,LI,CL,CL,LI,  LI,LI,LI,LI,LI,SR,LI,LI,LI,ES,LI,LI,LI,LI,LI,LI,LI,LI,LI,  LI,LI,LI,LI,LI,LI,LI,LI,LI,CL},
    /* SYN-SENT     */ {SS,SS,SS,SS,CL,CL,SS,  SS,SS,CL,SS,SS,SR,SS,ES,SS,SS,SS,SS,SS,SS,SS,SS,SS,SS,SS,  SS,CL,SS,SS,SS,SS,SS,SS,SS,CL},
    /* SYN-RECEIVED */ {SR,SR,SR,SR,F1,CL,SR,  SR,SR,CL,LI,SR,SR,LI,ES,SR,SR,SR,SR,SR,ES,ES,SR,SR,SR,SR,  SR,CL,LI,SR,SR,SR,SR,SR,SR,CL},
    /* ESTABLISHED  */ {ES,ES,ES,ES,F1,CL,ES,  ES,ES,CL,ES,ES,ES,ES,ES,ES,ES,ES,ES,ES,ES,ES,ES,ES,CW,ES,  ES,CL,ES,ES,ES,ES,CL,ES,ES,CL},
    /* CLOSE-WAIT   */ {CW,CW,CW,CW,LA,CL,CW,  CW,CW,CL,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,CW,  CW,CL,CW,CW,CW,CW,CL,CW,CW,CL},
    /* FIN-WAIT-1   */ {F1,F1,F1,F1,F1,CL,F1,  F1,F1,CL,F1,F1,F1,F1,F1,F1,F1,F1,F1,F1,F1,F1,F2,F1,CG,TW,  F1,CL,F1,F1,F1,F1,F1,F1,F1,CL},
    /* CLOSING      */ {CG,CG,CG,CG,CG,CL,CG,  CG,CG,CL,CG,CG,CG,CG,CG,CG,CG,CG,CG,CG,CG,CG,TW,CG,CG,CG,  CG,CL,CG,CG,CG,CG,CG,CG,CG,CL},
    /* LAST-ACK     */ {LA,LA,LA,LA,LA,CL,LA,  LA,LA,CL,LA,LA,LA,LA,LA,LA,LA,LA,LA,LA,LA,LA,CL,LA,LA,LA,  LA,CL,LA,LA,LA,LA,LA,LA,LA,CL},
    /* FIN-WAIT-2   */ {F2,F2,F2,F2,F2,CL,F2,  F2,F2,CL,F2,F2,F2,F2,F2,F2,F2,F2,F2,F2,F2,F2,F2,F2,TW,F2,  F2,F2,F2,F2,CL,F2,CL,F2,F2,CL},
    /* TIME-WAIT    */ {TW,TW,TW,TW,TW,CL,TW,  TW,TW,CL,TW,TW,TW,TW,TW,CL,TW,TW,TW,TW,TW,TW,TW,TW,TW,TW,  TW,TW,TW,CL,TW,TW,TW,TW,TW,CL},
};
}  // namespace

struct hand_table {
    static state next(state s, event e) noexcept {
        return next_state[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)];
    }
};

std::unique_ptr<peer> make_hand_switch() { return std::make_unique<byte_state_peer<hand_switch>>(); }
std::unique_ptr<peer> make_hand_table() { return std::make_unique<byte_state_peer<hand_table>>(); }

}  // namespace tcpfsm_bench
