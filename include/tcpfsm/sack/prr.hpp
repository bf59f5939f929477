// tcpfsm: Proportional Rate Reduction (RFC 6937 §3): how much the sender may send on each
// ACK of a loss recovery, so that the flight falls smoothly from RecoverFS to ssthresh
// instead of stopping and then bursting. The reduction bound is PRR-SSRB (slow-start
// reduction bound, Linux's and the RFC's recommendation) by default, or PRR-CRB (the
// conservative bound). Amounts are octets; no allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_PRR_HPP
#define TCPFSM_SACK_PRR_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {
namespace sack {

// The reduction bound used once pipe has fallen to ssthresh or below (RFC 6937 §3).
enum class prr_bound : std::uint8_t {
    slow_start,    // PRR-SSRB: limit = max(prr_delivered - prr_out, DeliveredData) + MSS
    conservative,  // PRR-CRB:  limit = prr_delivered - prr_out
};

inline constexpr std::size_t prr_bound_count = 2;

// The PRR state of one recovery episode.
template <prr_bound Bound = prr_bound::slow_start>
class basic_prr {
public:
    static constexpr prr_bound bound = Bound;

    // Recovery begins (RFC 6937 §3 "at the beginning of recovery"): ssthresh from the
    // congestion-control policy, RecoverFS = SND.NXT - SND.UNA, prr_delivered = prr_out = 0.
    constexpr void start(std::uint32_t ssthresh, std::uint32_t recover_fs) noexcept {
        ssthresh_ = ssthresh;
        recover_fs_ = recover_fs;
        prr_delivered_ = 0;
        prr_out_ = 0;
    }

    // One ACK during recovery (the one that began it included): `delivered` is its
    // DeliveredData (sack::update_result::delivered), `pipe` RFC 6675's SetPipe() after it,
    // `mss` the sender's MSS. Returns sndcnt: the octets the sender may send now (cwnd =
    // pipe + sndcnt). Never negative: a share already overspent gives 0.
    constexpr std::uint32_t on_ack(std::uint32_t delivered, std::uint32_t pipe, std::uint32_t mss) noexcept {
        prr_delivered_ += delivered;
        std::int64_t sndcnt = 0;
        if (pipe > ssthresh_) {
            // Proportional: CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out.
            const std::uint64_t fs = recover_fs_ == 0 ? 1u : recover_fs_;
            const std::uint64_t num = prr_delivered_ * std::uint64_t{ssthresh_};
            sndcnt = static_cast<std::int64_t>((num + fs - 1) / fs) - static_cast<std::int64_t>(prr_out_);
        } else {
            const std::int64_t owed = static_cast<std::int64_t>(prr_delivered_) - static_cast<std::int64_t>(prr_out_);
            std::int64_t limit = owed;
            if (Bound == prr_bound::slow_start) {
                limit = (owed > std::int64_t{delivered} ? owed : std::int64_t{delivered}) + std::int64_t{mss};
            }
            const std::int64_t room = std::int64_t{ssthresh_} - std::int64_t{pipe};
            sndcnt = room < limit ? room : limit;
        }
        if (sndcnt < 0) return 0;
        return sndcnt > 0xFFFFFFFF ? 0xFFFFFFFFu : static_cast<std::uint32_t>(sndcnt);
    }

    // Any data sent or resent during recovery: prr_out += octets.
    constexpr void on_sent(std::uint32_t octets) noexcept { prr_out_ += octets; }

    constexpr std::uint32_t ssthresh() const noexcept { return ssthresh_; }
    constexpr std::uint32_t recover_fs() const noexcept { return recover_fs_; }
    constexpr std::uint64_t prr_delivered() const noexcept { return prr_delivered_; }
    constexpr std::uint64_t prr_out() const noexcept { return prr_out_; }

private:
    std::uint64_t prr_delivered_ = 0;
    std::uint64_t prr_out_ = 0;
    std::uint32_t ssthresh_ = 0;
    std::uint32_t recover_fs_ = 0;
};

using prr = basic_prr<prr_bound::slow_start>;

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_PRR_HPP
