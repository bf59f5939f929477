// tcpfsm's own machine under each dispatch policy: `tcpfsm::next<Dispatch>(s, e)`, exactly
// as a user calls it.
// SPDX-License-Identifier: MIT
#include "scenarios.hpp"

namespace tcpfsm_bench {

struct tcpfsm_table_lookup {
    static state next(state s, event e) noexcept { return tcpfsm::next<tcpfsm::dispatch::table_lookup>(s, e); }
};

struct tcpfsm_branch {
    static state next(state s, event e) noexcept { return tcpfsm::next<tcpfsm::dispatch::branch>(s, e); }
};

std::unique_ptr<peer> make_tcpfsm_table_lookup() { return std::make_unique<byte_state_peer<tcpfsm_table_lookup>>(); }
std::unique_ptr<peer> make_tcpfsm_branch() { return std::make_unique<byte_state_peer<tcpfsm_branch>>(); }

}  // namespace tcpfsm_bench
