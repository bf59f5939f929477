// Sizes, as JSON on stdout: the TCB (tcpfsm::connection) with empty policies for each ready
// congestion policy, with and without an Observer that places text (reassembly capacity 8),
// against issue 13's budgets; the standard table, and its dense index (what
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
template <class CC>
using placing_tcb_with = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock,
                                            tcpfsm_test::empty_placing_observer, tcpfsm_test::empty_iss,
                                            tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC>>;
using compact_cc = tcpfsm_test::compact_profile::congestion;

template <class CC>
void print_profile(const char* name, const char* policy, bool last = false) {
    std::printf("    {\"profile\": \"%s\", \"congestion\": \"%s\", \"bytes\": %zu, \"with_placing_observer_bytes\": %zu}%s\n",
                name, policy, sizeof(tcpfsm_test::empty_tcb_with<CC>), sizeof(placing_tcb_with<CC>), last ? "" : ",");
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
    print_profile<compact_cc>("compact", "newreno<abc_slow_start<>, newreno_compact_options>");
    print_profile<cc::unlimited>("unlimited (not MUST-19)", "unlimited");
    print_profile<cc::newreno<>>("newreno", "newreno<>");
    print_profile<cc::newreno<cc::hystart_pp<>>>("newreno_hystart", "newreno<hystart_pp<>>");
    print_profile<cc::cubic<cc::abc_slow_start<>>>("cubic_abc", "cubic<abc_slow_start<>>");
    print_profile<cc::cubic<>>("default", "cubic<> (HyStart++)", true);
    std::printf("  ],\n");
    std::printf("  \"reassembly_queue_8_bytes\": %zu,\n", sizeof(tcpfsm::reassembly_queue<8>));
    std::printf("  \"rtt_probes_8_bytes\": %zu,\n", sizeof(tcpfsm::detail::rtt_probes<8>));
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
