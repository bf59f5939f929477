// tcpfsm: the connection engine's policies at compile time: one static_assert per policy that
// names what it lacks, and the pack that holds them as empty bases (detail/ebo.hpp), so that
// empty policies take one octet in all. Internal to the engine (connection.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_POLICIES_HPP
#define TCPFSM_DETAIL_CONNECTION_POLICIES_HPP

#include "../congestion/contract.hpp"
#include "../connection_config.hpp"
#include "../iss.hpp"
#include "../policies.hpp"
#include "../reassembly.hpp"
#include "../receive_path.hpp"
#include "../statistics.hpp"
#include "../verify.hpp"
#include "ebo.hpp"

namespace tcpfsm {

namespace detail {

template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
struct connection_policy_checks {
    static_assert(is_segment_io_v<SegmentIO>,
                  "tcpfsm::connection: SegmentIO needs `send(const tcpfsm::outgoing_segment&)`");
    static_assert(is_engine_clock_v<Clock>,
                  "tcpfsm::connection: Clock needs `now()` returning a std::chrono::time_point");
    // The Observer: one static_assert per hook (policies.hpp, observer_check), each naming
    // the hook whose signature does not match null_observer's.
    static_assert(observer_check<Observer>::value, "tcpfsm::connection: Observer");
    static_assert(is_iss_generator_v<IssPolicy>,
                  "tcpfsm::connection: IssPolicy needs `operator()(const four_tuple&, std::uint64_t microseconds)`"
                  " returning std::uint32_t (rfc6528_iss, fixed_iss)");
    // The congestion-control policy: a static_assert naming the first hook it lacks.
    static_assert(congestion::check_policy<typename Profile::congestion>(),
                  "tcpfsm::connection: the profile's congestion-control policy (congestion/contract.hpp)");
    static_assert(check_well_formed(Profile::table).ok() && check_deterministic(Profile::table).ok() &&
                      check_total(Profile::table).ok(),
                  "tcpfsm::connection: the profile's table must be well formed, deterministic and total");
    using statistics = typename profile_statistics<Profile>::type;
    static_assert(is_statistics_policy_v<statistics>,
                  "tcpfsm::connection: the statistics policy needs `on_sent(const segment&, bool)`, "
                  "`on_received(const segment&)` and `on_event(tcpfsm::statistic)` (see no_statistics)");
    static constexpr bool value = true;
};

// The policies, as empty bases of one member of the connection (not of the connection, so that
// their member names never mix with the engine's), with the statistics policy and the
// out-of-order queue (receive_path.hpp: empty, capacity 0, unless the Observer places text).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile,
          class Statistics = typename profile_statistics<Profile>::type,
          class Reassembly = reassembly_queue<engine_reassembly_capacity_v<Observer, Profile>>>
struct connection_policy_pack : ebo<0, SegmentIO>, ebo<1, Clock>, ebo<2, Observer>, ebo<3, IssPolicy>,
                                ebo<5, Statistics>, ebo<6, Reassembly> {
    using reassembly_type = Reassembly;
    connection_policy_pack(SegmentIO io_value, Clock clock_value, Observer observer_value, IssPolicy iss_value)
        : ebo<0, SegmentIO>(static_cast<SegmentIO&&>(io_value)),
          ebo<1, Clock>(static_cast<Clock&&>(clock_value)),
          ebo<2, Observer>(static_cast<Observer&&>(observer_value)),
          ebo<3, IssPolicy>(static_cast<IssPolicy&&>(iss_value)),
          ebo<5, Statistics>(),
          ebo<6, Reassembly>() {}
    SegmentIO& io() noexcept { return ebo<0, SegmentIO>::get(); }
    Clock& clock() noexcept { return ebo<1, Clock>::get(); }
    Observer& observer() noexcept { return ebo<2, Observer>::get(); }
    IssPolicy& iss() noexcept { return ebo<3, IssPolicy>::get(); }
    Statistics& statistics() noexcept { return ebo<5, Statistics>::get(); }
    const Statistics& statistics() const noexcept { return ebo<5, Statistics>::get(); }
    Reassembly& reassembly() noexcept { return ebo<6, Reassembly>::get(); }
    const Reassembly& reassembly() const noexcept { return ebo<6, Reassembly>::get(); }
};

}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_POLICIES_HPP
