// Boost.Statechart as a peer: one sc::state_machine per connection, one sc::simple_state per
// TCP state, its transitions as the `reactions` list (only the 68 that change the state; an
// event without a reaction is discarded, so the state stays, as in tcpfsm's self-loops).
// Written as Statechart's documentation advises for speed ("Performance"): events on the
// stack (never deferred or posted), and the states, which Statechart creates and destroys on
// every transition, allocated from a pool (boost::fast_pool_allocator, without a mutex:
// one connection belongs to one thread) instead of the heap.
// SPDX-License-Identifier: MIT
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_ALLOW_DEPRECATED_HEADERS
#include <boost/mpl/list.hpp>
#include <boost/pool/pool_alloc.hpp>
#include <boost/statechart/event.hpp>
#include <boost/statechart/simple_state.hpp>
#include <boost/statechart/state_machine.hpp>
#include <boost/statechart/transition.hpp>

#include "event_list.hpp"
#include "scenarios.hpp"

namespace tcpfsm_bench {

// Not in an unnamed namespace: Statechart names its event types in declarations of its own
// that clang rejects for types without linkage.
namespace tcp_statechart {

namespace sc = boost::statechart;
namespace mpl = boost::mpl;

// One type per event of tcpfsm::event.
namespace ev {
#define TCPFSM_BENCH_DECLARE(name) struct name : sc::event<name> {};
TCPFSM_BENCH_EVENTS(TCPFSM_BENCH_DECLARE)
#undef TCPFSM_BENCH_DECLARE
}  // namespace ev

using pool = boost::fast_pool_allocator<void, boost::default_user_allocator_new_delete,
                                         boost::details::pool::null_mutex>;

struct Closed;
struct machine : sc::state_machine<machine, Closed, pool> {};

struct Listen;
struct SynSent;
struct SynReceived;
struct Established;
struct CloseWait;
struct FinWait1;
struct Closing;
struct LastAck;
struct FinWait2;
struct TimeWait;

struct Closed : sc::simple_state<Closed, machine> {
    typedef mpl::list<
        sc::transition<ev::open_passive, Listen>,
        sc::transition<ev::open_active, SynSent>
    > reactions;
};
struct Listen : sc::simple_state<Listen, machine> {
    typedef mpl::list<
        sc::transition<ev::open_active, SynSent>,
        sc::transition<ev::send, SynSent>,
        sc::transition<ev::close, Closed>,
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_syn, SynReceived>,
        sc::transition<ev::rcv_cookie_ack, Established>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct SynSent : sc::simple_state<SynSent, machine> {
    typedef mpl::list<
        sc::transition<ev::close, Closed>,
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_syn, SynReceived>,
        sc::transition<ev::rcv_syn_ack, Established>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct SynReceived : sc::simple_state<SynReceived, machine> {
    typedef mpl::list<
        sc::transition<ev::close, FinWait1>,
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_rst_passive, Listen>,
        sc::transition<ev::rcv_syn_passive, Listen>,
        sc::transition<ev::rcv_syn_ack, Established>,
        sc::transition<ev::rcv_ack_of_syn, Established>,
        sc::transition<ev::rcv_ack_of_syn_passive, Established>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_retransmit_exhausted_passive, Listen>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct Established : sc::simple_state<Established, machine> {
    typedef mpl::list<
        sc::transition<ev::close, FinWait1>,
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_fin, CloseWait>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_keepalive_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct CloseWait : sc::simple_state<CloseWait, machine> {
    typedef mpl::list<
        sc::transition<ev::close, LastAck>,
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_keepalive_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct FinWait1 : sc::simple_state<FinWait1, machine> {
    typedef mpl::list<
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_ack_of_fin, FinWait2>,
        sc::transition<ev::rcv_fin, Closing>,
        sc::transition<ev::rcv_fin_ack_of_fin, TimeWait>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct Closing : sc::simple_state<Closing, machine> {
    typedef mpl::list<
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_ack_of_fin, TimeWait>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct LastAck : sc::simple_state<LastAck, machine> {
    typedef mpl::list<
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_ack_of_fin, Closed>,
        sc::transition<ev::timeout_retransmit_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct FinWait2 : sc::simple_state<FinWait2, machine> {
    typedef mpl::list<
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_fin, TimeWait>,
        sc::transition<ev::timeout_fin_wait_2, Closed>,
        sc::transition<ev::timeout_keepalive_exhausted, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};
struct TimeWait : sc::simple_state<TimeWait, machine> {
    typedef mpl::list<
        sc::transition<ev::abort, Closed>,
        sc::transition<ev::rcv_rst, Closed>,
        sc::transition<ev::rcv_syn_reopen, Closed>,
        sc::transition<ev::timeout_time_wait, Closed>,
        sc::transition<ev::timeout_user, Closed>
    > reactions;
};

// A run-time event to its Statechart event type (constructed on the stack, as usual).
inline void dispatch(machine& m, event e) {
    using E = event;
    switch (e) {
#define TCPFSM_BENCH_CASE(name) \
    case E::name: m.process_event(ev::name()); break;
        TCPFSM_BENCH_EVENTS(TCPFSM_BENCH_CASE)
#undef TCPFSM_BENCH_CASE
    }
}

inline state to_tcpfsm(const machine& m) {
    const machine::state_base_type& s = *m.state_begin();
    using S = state;
    if (s.dynamic_type() == Closed::static_type()) return S::closed;
    if (s.dynamic_type() == Listen::static_type()) return S::listen;
    if (s.dynamic_type() == SynSent::static_type()) return S::syn_sent;
    if (s.dynamic_type() == SynReceived::static_type()) return S::syn_received;
    if (s.dynamic_type() == Established::static_type()) return S::established;
    if (s.dynamic_type() == CloseWait::static_type()) return S::close_wait;
    if (s.dynamic_type() == FinWait1::static_type()) return S::fin_wait_1;
    if (s.dynamic_type() == Closing::static_type()) return S::closing;
    if (s.dynamic_type() == LastAck::static_type()) return S::last_ack;
    if (s.dynamic_type() == FinWait2::static_type()) return S::fin_wait_2;
    if (s.dynamic_type() == TimeWait::static_type()) return S::time_wait;
    return S::closed;
}

}  // namespace tcp_statechart

namespace {

using tcp_statechart::machine;

class statechart_peer final : public peer {
public:
    void reset(std::size_t connections) override {
        machines_.clear();
        for (std::size_t c = 0; c < connections; ++c) {
            machines_.push_back(std::make_unique<machine>());
            machines_.back()->initiate();
        }
    }

    void run(const event* events, std::size_t n) noexcept override {
        if (machines_.size() == 1) {
            machine& m = *machines_[0];
            for (std::size_t i = 0; i < n; ++i) tcp_statechart::dispatch(m, events[i]);
        } else {
            const std::unique_ptr<machine>* const ms = machines_.data();
            const std::size_t mask = machines_.size() - 1;
            for (std::size_t i = 0; i < n; ++i) tcp_statechart::dispatch(*ms[i & mask], events[i]);
        }
    }

    state state_of(std::size_t connection) const override { return tcp_statechart::to_tcpfsm(*machines_[connection]); }

private:
    std::vector<std::unique_ptr<machine>> machines_;
};

}  // namespace

std::unique_ptr<peer> make_boost_statechart() { return std::make_unique<statechart_peer>(); }

}  // namespace tcpfsm_bench
