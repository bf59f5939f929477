// The standard machine as a Boost.MSM state machine (back end msm::back::state_machine,
// functor front end), written the way MSM's documentation recommends for speed: no message
// queue, no exception handling, no deferred events, an empty no_transition (an event without
// a row leaves the state as it is, as in tcpfsm's table, where such cells are self-loops).
//
// The table holds the 68 rows that change the state: tcpfsm's 240 rows minus the self-loops,
// whose only effect is actions (`next` does not run actions). 68 rows are more than the 50
// Boost's preprocessed MPL headers allow, so this header asks MPL to build its vectors with the
// preprocessor (BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS) up to 70 elements, with vector60.hpp and
// vector70.hpp from bench/transition/msm_limits/ on the include path: MSM's documented way past
// 50 rows. It must be the first header of its translation unit.
//
// Events arrive as tcpfsm::event values at run time; dispatch() turns each into its MSM event
// type with a switch, as an MSM user with a run-time event source does.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_MSM_TCP_HPP
#define TCPFSM_BENCH_MSM_TCP_HPP

#if defined(BOOST_MPL_LIMIT_VECTOR_SIZE) && BOOST_MPL_LIMIT_VECTOR_SIZE < 70
#error "msm_tcp.hpp needs BOOST_MPL_LIMIT_VECTOR_SIZE 70: include it first"
#endif
#ifndef BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#endif
#ifndef BOOST_MPL_LIMIT_VECTOR_SIZE
#define BOOST_MPL_LIMIT_VECTOR_SIZE 70
#endif
// Boost 1.74's MSM includes headers that print deprecation notes; they are not ours.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_ALLOW_DEPRECATED_HEADERS

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

// Only tcpfsm's two enumerations (the run-time events and states), not its table.
#include <tcpfsm/event.hpp>
#include <tcpfsm/state.hpp>

#include "event_list.hpp"

namespace tcp_msm {

namespace msm = boost::msm;
namespace msmf = boost::msm::front;
namespace mpl = boost::mpl;

// One type per event of tcpfsm::event.
namespace ev {
#define TCPFSM_BENCH_DECLARE(name) struct name {};
TCPFSM_BENCH_EVENTS(TCPFSM_BENCH_DECLARE)
#undef TCPFSM_BENCH_DECLARE
}  // namespace ev

struct tcp_ : msmf::state_machine_def<tcp_> {
    typedef int no_exception_thrown;  // no try/catch around actions
    typedef int no_message_queue;     // no queue for events sent from actions

    struct Closed : msmf::state<> {};
    struct Listen : msmf::state<> {};
    struct SynSent : msmf::state<> {};
    struct SynReceived : msmf::state<> {};
    struct Established : msmf::state<> {};
    struct CloseWait : msmf::state<> {};
    struct FinWait1 : msmf::state<> {};
    struct Closing : msmf::state<> {};
    struct LastAck : msmf::state<> {};
    struct FinWait2 : msmf::state<> {};
    struct TimeWait : msmf::state<> {};

    typedef Closed initial_state;

    // An event without a row in the current state: the state stays (tcpfsm's self-loops).
    template <class Fsm, class Event>
    void no_transition(Event const&, Fsm&, int) {}

    // clang-format off
    struct transition_table : mpl::vector<
        //        Source       Event                                      Target
        msmf::Row<Closed,      ev::open_passive,                          Listen>,
        msmf::Row<Closed,      ev::open_active,                           SynSent>,
        msmf::Row<Listen,      ev::open_active,                           SynSent>,
        msmf::Row<Listen,      ev::send,                                  SynSent>,
        msmf::Row<Listen,      ev::close,                                 Closed>,
        msmf::Row<Listen,      ev::abort,                                 Closed>,
        msmf::Row<Listen,      ev::rcv_syn,                               SynReceived>,
        msmf::Row<Listen,      ev::rcv_cookie_ack,                        Established>,
        msmf::Row<Listen,      ev::timeout_user,                          Closed>,
        msmf::Row<SynSent,     ev::close,                                 Closed>,
        msmf::Row<SynSent,     ev::abort,                                 Closed>,
        msmf::Row<SynSent,     ev::rcv_rst,                               Closed>,
        msmf::Row<SynSent,     ev::rcv_syn,                               SynReceived>,
        msmf::Row<SynSent,     ev::rcv_syn_ack,                           Established>,
        msmf::Row<SynSent,     ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<SynSent,     ev::timeout_user,                          Closed>,
        msmf::Row<SynReceived, ev::close,                                 FinWait1>,
        msmf::Row<SynReceived, ev::abort,                                 Closed>,
        msmf::Row<SynReceived, ev::rcv_rst,                               Closed>,
        msmf::Row<SynReceived, ev::rcv_rst_passive,                       Listen>,
        msmf::Row<SynReceived, ev::rcv_syn_passive,                       Listen>,
        msmf::Row<SynReceived, ev::rcv_syn_ack,                           Established>,
        msmf::Row<SynReceived, ev::rcv_ack_of_syn,                        Established>,
        msmf::Row<SynReceived, ev::rcv_ack_of_syn_passive,                Established>,
        msmf::Row<SynReceived, ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<SynReceived, ev::timeout_retransmit_exhausted_passive,  Listen>,
        msmf::Row<SynReceived, ev::timeout_user,                          Closed>,
        msmf::Row<Established, ev::close,                                 FinWait1>,
        msmf::Row<Established, ev::abort,                                 Closed>,
        msmf::Row<Established, ev::rcv_rst,                               Closed>,
        msmf::Row<Established, ev::rcv_fin,                               CloseWait>,
        msmf::Row<Established, ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<Established, ev::timeout_keepalive_exhausted,           Closed>,
        msmf::Row<Established, ev::timeout_user,                          Closed>,
        msmf::Row<CloseWait,   ev::close,                                 LastAck>,
        msmf::Row<CloseWait,   ev::abort,                                 Closed>,
        msmf::Row<CloseWait,   ev::rcv_rst,                               Closed>,
        msmf::Row<CloseWait,   ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<CloseWait,   ev::timeout_keepalive_exhausted,           Closed>,
        msmf::Row<CloseWait,   ev::timeout_user,                          Closed>,
        msmf::Row<FinWait1,    ev::abort,                                 Closed>,
        msmf::Row<FinWait1,    ev::rcv_rst,                               Closed>,
        msmf::Row<FinWait1,    ev::rcv_ack_of_fin,                        FinWait2>,
        msmf::Row<FinWait1,    ev::rcv_fin,                               Closing>,
        msmf::Row<FinWait1,    ev::rcv_fin_ack_of_fin,                    TimeWait>,
        msmf::Row<FinWait1,    ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<FinWait1,    ev::timeout_user,                          Closed>,
        msmf::Row<Closing,     ev::abort,                                 Closed>,
        msmf::Row<Closing,     ev::rcv_rst,                               Closed>,
        msmf::Row<Closing,     ev::rcv_ack_of_fin,                        TimeWait>,
        msmf::Row<Closing,     ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<Closing,     ev::timeout_user,                          Closed>,
        msmf::Row<LastAck,     ev::abort,                                 Closed>,
        msmf::Row<LastAck,     ev::rcv_rst,                               Closed>,
        msmf::Row<LastAck,     ev::rcv_ack_of_fin,                        Closed>,
        msmf::Row<LastAck,     ev::timeout_retransmit_exhausted,          Closed>,
        msmf::Row<LastAck,     ev::timeout_user,                          Closed>,
        msmf::Row<FinWait2,    ev::abort,                                 Closed>,
        msmf::Row<FinWait2,    ev::rcv_rst,                               Closed>,
        msmf::Row<FinWait2,    ev::rcv_fin,                               TimeWait>,
        msmf::Row<FinWait2,    ev::timeout_fin_wait_2,                    Closed>,
        msmf::Row<FinWait2,    ev::timeout_keepalive_exhausted,           Closed>,
        msmf::Row<FinWait2,    ev::timeout_user,                          Closed>,
        msmf::Row<TimeWait,    ev::abort,                                 Closed>,
        msmf::Row<TimeWait,    ev::rcv_rst,                               Closed>,
        msmf::Row<TimeWait,    ev::rcv_syn_reopen,                        Closed>,
        msmf::Row<TimeWait,    ev::timeout_time_wait,                     Closed>,
        msmf::Row<TimeWait,    ev::timeout_user,                          Closed>
    > {};
    // clang-format on
};

typedef msm::back::state_machine<tcp_> machine;

// MSM numbers the states in the order they first appear in the table (Closed first).
inline tcpfsm::state to_tcpfsm(int id) noexcept {
    using msm::back::get_state_id;
    typedef machine::stt stt;
    using S = tcpfsm::state;
    if (id == get_state_id<stt, tcp_::Closed>::value) return S::closed;
    if (id == get_state_id<stt, tcp_::Listen>::value) return S::listen;
    if (id == get_state_id<stt, tcp_::SynSent>::value) return S::syn_sent;
    if (id == get_state_id<stt, tcp_::SynReceived>::value) return S::syn_received;
    if (id == get_state_id<stt, tcp_::Established>::value) return S::established;
    if (id == get_state_id<stt, tcp_::CloseWait>::value) return S::close_wait;
    if (id == get_state_id<stt, tcp_::FinWait1>::value) return S::fin_wait_1;
    if (id == get_state_id<stt, tcp_::Closing>::value) return S::closing;
    if (id == get_state_id<stt, tcp_::LastAck>::value) return S::last_ack;
    if (id == get_state_id<stt, tcp_::FinWait2>::value) return S::fin_wait_2;
    return S::time_wait;
}

// A run-time event to its MSM event type.
inline void dispatch(machine& m, tcpfsm::event e) {
    using E = tcpfsm::event;
    switch (e) {
#define TCPFSM_BENCH_CASE(name) \
    case E::name: m.process_event(ev::name()); break;
        TCPFSM_BENCH_EVENTS(TCPFSM_BENCH_CASE)
#undef TCPFSM_BENCH_CASE
    }
}

}  // namespace tcp_msm

#endif  // TCPFSM_BENCH_MSM_TCP_HPP
