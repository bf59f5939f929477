// Every tcpfsm::event, in enumeration order, as an X-macro: X(name) once per event. The
// Boost.MSM and Boost.Statechart peers declare one event type per entry and switch over the
// run-time tcpfsm::event with one case per entry; the switches have no default, so an event
// missing here fails the build (-Wswitch, -Werror).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_EVENT_LIST_HPP
#define TCPFSM_BENCH_EVENT_LIST_HPP

#define TCPFSM_BENCH_EVENTS(X)                                                                 \
    X(open_passive) X(open_active) X(send) X(receive) X(close) X(abort) X(status)             \
    X(rcv_unacceptable) X(rcv_rst_unacceptable) X(rcv_rst) X(rcv_rst_passive)                 \
    X(rcv_rst_in_window) X(rcv_syn) X(rcv_syn_passive) X(rcv_syn_ack) X(rcv_syn_reopen)       \
    X(rcv_cookie_ack) X(rcv_no_ack) X(rcv_ack_unacceptable) X(rcv_ack) X(rcv_ack_of_syn)      \
    X(rcv_ack_of_syn_passive) X(rcv_ack_of_fin) X(rcv_data) X(rcv_fin) X(rcv_fin_ack_of_fin) \
    X(timeout_retransmit) X(timeout_retransmit_exhausted)                                     \
    X(timeout_retransmit_exhausted_passive) X(timeout_time_wait) X(timeout_fin_wait_2)        \
    X(timeout_keepalive) X(timeout_keepalive_exhausted) X(timeout_persist)                    \
    X(timeout_delayed_ack) X(timeout_user)

#endif  // TCPFSM_BENCH_EVENT_LIST_HPP
