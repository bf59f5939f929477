// Sizes, as JSON on stdout: the TCB (tcpfsm::connection) with empty policies, the standard
// table, and its dense index (what dispatch::table_lookup reads).
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>
#include <tcpfsm/tcpfsm.hpp>

#include "empty_policies.hpp"

#include <cstdio>

// The TCB with empty policies, the type the unit test "the TCB with empty policies" measures.
using tcpfsm_test::empty_tcb;

int main() {
    using index_type = tcpfsm::table_index<tcpfsm::standard_row_count>;
    const auto& index = tcpfsm::index_for<tcpfsm::standard_table>;
    std::printf("{\n");
    std::printf("  \"tcb_empty_policies_bytes\": %zu,\n", sizeof(empty_tcb));
    std::printf("  \"tcb_target_bytes\": 64,\n");
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
