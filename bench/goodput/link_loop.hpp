// The goodput benchmark's event loop: two endpoints (side 0 sends, side 1 receives) joined by
// two one-way tcpfsm::sim::link_model instances on a microsecond time axis. The stacks hand
// whole IPv4 packets to send(); the loop copies them onto the wire and hands them back to the
// other stack when they arrive. The same loop carries tcpfsm <-> tcpfsm and lwIP <-> lwIP.
//
// Besides the link models' own loss, the loop can drop bursts of exactly `length` consecutive
// packets on the data direction (fixed_burst_loss: a packet outside a burst starts one with
// probability `start`; the Gilbert-Elliott chain of sim_link.hpp gives geometric bursts only).
//
// A Stacks type provides:
//     void deliver(int to_side, const std::uint8_t* packet, std::size_t size);  // a packet arrives
//     std::int64_t next_deadline_us();   // its earliest timer, or -1 for none
//     void on_time();                    // the clock reached that deadline (fire what is due)
//     bool done();                       // every octet arrived at side 1
// and reads the time from the loop's now_us().
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_LINK_LOOP_HPP
#define TCPFSM_BENCH_GOODPUT_LINK_LOOP_HPP

#include <tcpfsm/sim_link.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace tcpfsm_goodput {

using tcpfsm::sim::link_time;

struct wire_packet {
    link_time at;
    std::uint64_t order;  // ties keep the order of sending
    int to;
    std::vector<std::uint8_t> bytes;
    bool operator>(const wire_packet& o) const { return at != o.at ? at > o.at : order > o.order; }
};

enum class loop_result { done, time_limit, stalled };

// Bursts of exactly `length` packets on the data direction (side 0 -> side 1), drawn before
// the link model: a packet outside a burst starts one with probability `start` and is its
// first loss. Per packet: mean loss = length * start / (1 - start + length * start), loss
// events (bursts) = mean loss / length.
struct fixed_burst_loss {
    double start = 0.0;
    std::uint32_t length = 0;

    bool enabled() const noexcept { return start > 0.0 && length > 0; }
    double mean_loss() const noexcept {
        const double l = static_cast<double>(length);
        return enabled() ? l * start / (1.0 - start + l * start) : 0.0;
    }
};

class link_loop {
public:
    // forward: side 0 -> side 1 (the data); reverse: side 1 -> side 0 (the ACKs).
    link_loop(const tcpfsm::sim::link_model_config& forward, const tcpfsm::sim::link_model_config& reverse,
              std::uint64_t seed, fixed_burst_loss bursts = {})
        : links_{tcpfsm::sim::link_model(forward), tcpfsm::sim::link_model(reverse)}, random_(seed), bursts_(bursts) {}

    link_time now_us() const noexcept { return now_; }

    // A stack puts a packet on the wire from `side`.
    void send(int from_side, const std::uint8_t* bytes, std::size_t size) {
        if (from_side == 0 && bursts_.enabled()) {
            if (burst_left_ > 0) {
                --burst_left_;
                ++fixed_burst_losses_;
                return;
            }
            if (random_.chance(bursts_.start)) {
                burst_left_ = bursts_.length - 1;
                ++fixed_burst_losses_;
                return;
            }
        }
        tcpfsm::sim::link_model& link = links_[from_side];
        const tcpfsm::sim::link_admission a = link.admit(size, now_, random_);
        if (a.drop != tcpfsm::sim::link_drop::none) return;
        const int copies = link.duplicates(random_) ? 2 : 1;
        for (int c = 0; c < copies; ++c) {
            wire_packet p{link.arrival(a.departs_us, random_), order_++, 1 - from_side,
                          std::vector<std::uint8_t>(bytes, bytes + size)};
            wire_.push(std::move(p));
        }
    }

    // Runs until stacks.done(), or the clock would pass limit_us, or the loop stops moving.
    template <class Stacks>
    loop_result run(Stacks& stacks, link_time limit_us) {
        std::uint64_t same_instant = 0;
        link_time last = -1;
        while (!stacks.done()) {
            const link_time tw = wire_.empty() ? -1 : wire_.top().at;
            const link_time tt = stacks.next_deadline_us();
            link_time t = tw;
            if (tt >= 0 && (t < 0 || tt < t)) t = tt;
            if (t < 0) return loop_result::stalled;
            if (t < now_) t = now_;
            if (t > limit_us) return loop_result::time_limit;
            if (t == last) {
                if (++same_instant > 1000000) return loop_result::stalled;
            } else {
                same_instant = 0;
                last = t;
            }
            now_ = t;
            if (tw >= 0 && tw <= now_) {
                wire_packet p = wire_.top();
                wire_.pop();
                ++delivered_;
                stacks.deliver(p.to, p.bytes.data(), p.bytes.size());
            } else {
                stacks.on_time();
            }
        }
        return loop_result::done;
    }

    const tcpfsm::sim::link_model& link(int from_side) const noexcept { return links_[from_side]; }
    std::uint64_t delivered() const noexcept { return delivered_; }
    std::uint64_t fixed_burst_losses() const noexcept { return fixed_burst_losses_; }

private:
    tcpfsm::sim::link_model links_[2];
    tcpfsm::sim::rng random_;
    fixed_burst_loss bursts_;
    std::uint32_t burst_left_ = 0;
    std::uint64_t fixed_burst_losses_ = 0;
    link_time now_ = 0;
    std::uint64_t order_ = 0, delivered_ = 0;
    std::priority_queue<wire_packet, std::vector<wire_packet>, std::greater<>> wire_;
};

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_LINK_LOOP_HPP
