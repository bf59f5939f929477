// Boost.MSM as a peer: one msm::back::state_machine per connection (msm_tcp.hpp).
// SPDX-License-Identifier: MIT
#include "msm_tcp.hpp"  // first: it configures MPL

#include "scenarios.hpp"

namespace tcpfsm_bench {

namespace {

class msm_peer final : public peer {
public:
    void reset(std::size_t connections) override {
        machines_.assign(connections, tcp_msm::machine());
        for (tcp_msm::machine& m : machines_) m.start();
    }

    void run(const event* events, std::size_t n) noexcept override {
        if (machines_.size() == 1) {
            tcp_msm::machine& m = machines_[0];
            for (std::size_t i = 0; i < n; ++i) tcp_msm::dispatch(m, events[i]);
        } else {
            tcp_msm::machine* const ms = machines_.data();
            const std::size_t mask = machines_.size() - 1;
            for (std::size_t i = 0; i < n; ++i) tcp_msm::dispatch(ms[i & mask], events[i]);
        }
    }

    state state_of(std::size_t connection) const override {
        return tcp_msm::to_tcpfsm(machines_[connection].current_state()[0]);
    }

private:
    std::vector<tcp_msm::machine> machines_;
};

}  // namespace

std::unique_ptr<peer> make_boost_msm() { return std::make_unique<msm_peer>(); }

}  // namespace tcpfsm_bench
