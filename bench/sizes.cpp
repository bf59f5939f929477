// Sizes, as JSON on stdout: the TCB (tcpfsm::connection) with empty policies for each ready
// congestion policy, with and without an Observer that places text (reassembly capacity 8),
// against issue 13's budgets (the compact profile fixes its configuration at compile time:
// with_static_config); the standard table, and its dense index (what
// dispatch::table_lookup reads).
// SPDX-License-Identifier: MIT
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
#include <tcpfsm/connection.hpp>
#include <tcpfsm/tcpfsm.hpp>

#include "empty_policies.hpp"

#include <cstdio>

// The TCB with empty policies, the type the unit test "the TCB with empty policies" measures.
using tcpfsm_test::empty_tcb;

namespace {
namespace cc = tcpfsm::congestion;
template <class Profile, class Observer>
using tcb_of = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, Observer, tcpfsm_test::empty_iss,
                                  Profile>;
template <class CC>
using profile_with = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC>;
using compact_cc = tcpfsm_test::compact_profile::congestion;

// The TCB of `Profile` with empty policies, without and with an Observer that places text.
template <class Profile>
void print_profile(const char* name, const char* policy, bool last = false) {
    std::printf("    {\"profile\": \"%s\", \"congestion\": \"%s\", \"bytes\": %zu, \"with_placing_observer_bytes\": %zu}%s\n",
                name, policy, sizeof(tcb_of<Profile, tcpfsm::null_observer>),
                sizeof(tcb_of<Profile, tcpfsm_test::empty_placing_observer>), last ? "" : ",");
}
}  // namespace

int main() {
    using index_type = tcpfsm::table_index<tcpfsm::standard_row_count>;
    const auto& index = tcpfsm::index_for<tcpfsm::standard_table>;
    std::printf("{\n");
    std::printf("  \"tcb_empty_policies_bytes\": %zu,\n", sizeof(empty_tcb));
    // Issue 13: the default profile at most 256 octets, a compact one at most 128.
    std::printf("  \"tcb_budget_default_bytes\": 256,\n");
    std::printf("  \"tcb_budget_compact_bytes\": 128,\n");
    std::printf("  \"tcb_profiles\": [\n");
    print_profile<tcpfsm_test::compact_profile>(
        "compact", "newreno<abc_slow_start<>, newreno_smallest_options>, with_static_config, no timestamps, no SACK");
    print_profile<profile_with<compact_cc>>("compact_config_pointer", "newreno<abc_slow_start<>, newreno_smallest_options>");
    print_profile<profile_with<cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>>>(
        "newreno_compact", "newreno<abc_slow_start<>, newreno_compact_options>");
    print_profile<profile_with<cc::unlimited>>("unlimited (not MUST-19)", "unlimited");
    print_profile<profile_with<cc::newreno<>>>("newreno", "newreno<>");
    print_profile<profile_with<cc::newreno<cc::hystart_pp<>>>>("newreno_hystart", "newreno<hystart_pp<>>");
    print_profile<profile_with<cc::cubic<cc::abc_slow_start<>>>>("cubic_abc", "cubic<abc_slow_start<>>");
    print_profile<tcpfsm::with_sack<tcpfsm::with_timestamps<tcpfsm::default_profile, false>, false>>(
        "default_without_options", "cubic<> (HyStart++), with_timestamps<P, false>, with_sack<P, false>");
    print_profile<tcpfsm::with_timestamps<tcpfsm::default_profile, false>>("default_without_timestamps",
                                                                          "cubic<> (HyStart++), with_timestamps<P, false>");
    print_profile<tcpfsm::with_sack<tcpfsm::default_profile, false>>("default_without_sack",
                                                                     "cubic<> (HyStart++), with_sack<P, false>");
    print_profile<tcpfsm::with_rack_records<tcpfsm::default_profile, 16>>(
        "default_rack_16", "cubic<> (HyStart++), timestamps, SACK, RACK-TLP log of 16 records");
    print_profile<tcpfsm::with_rack_records<tcpfsm::default_profile, 64>>(
        "default_rack_64", "cubic<> (HyStart++), timestamps, SACK, RACK-TLP log of 64 records");
    print_profile<tcpfsm::default_profile>("default", "cubic<> (HyStart++), timestamps, SACK, RACK-TLP log of 32", true);
    std::printf("  ],\n");
    std::printf("  \"reassembly_queue_8_bytes\": %zu,\n", sizeof(tcpfsm::reassembly_queue<8>));
    std::printf("  \"selective_acknowledgment_bytes\": %zu,\n", sizeof(tcpfsm::selective_acknowledgment<>));
    std::printf("  \"rtt_probes_8_bytes\": %zu,\n", sizeof(tcpfsm::detail::rtt_probes<8>));
    std::printf("  \"rto_estimator_bytes\": %zu,\n", sizeof(tcpfsm::rto_estimator));
    std::printf("  \"timestamping_bytes\": %zu,\n", sizeof(tcpfsm::timestamping));
    std::printf("  \"standard_table_rows\": %zu,\n", tcpfsm::standard_row_count);
    std::printf("  \"standard_table_bytes\": %zu,\n", sizeof(tcpfsm::standard_table));
    std::printf("  \"transition_row_bytes\": %zu,\n", sizeof(tcpfsm::transition));
    std::printf("  \"dense_index_cells\": %zu,\n", tcpfsm::state_count * tcpfsm::event_count);
    std::printf("  \"dense_index_cell_bytes\": %zu,\n", sizeof(index_type::cell_type));
    std::printf("  \"dense_index_next_state_bytes\": %zu,\n", sizeof(index.next_states));
    std::printf("  \"dense_index_bytes\": %zu,\n", index_type::size_bytes());
    std::printf("  \"dense_index_object_bytes\": %zu,\n", sizeof(index));
    std::printf("  \"hand_table_bytes\": %zu\n", tcpfsm::state_count * tcpfsm::event_count * sizeof(tcpfsm::state));
    std::printf("}\n");
    return 0;
}
