// tcpfsm: the SACK blocks a receiver sends (RFC 2018 §3-4) with D-SACK (RFC 2883 §4), from
// the out-of-order ranges its reassembly queue holds, and how many fit the option space.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_SACK_BLOCKS_HPP
#define TCPFSM_OPTIONS_SACK_BLOCKS_HPP

#include <cstddef>
#include <cstdint>

#include "../reassembly.hpp"
#include "negotiation.hpp"

namespace tcpfsm {
namespace options {

// RFC 2018 §2: SACK-permitted goes on SYNs only; SACK blocks are sent only on a connection
// where both SYNs carried it (tcpfsm, as Linux, offers it on a SYN,ACK only in answer).
using sack_permitted_negotiation = syn_option_negotiation;

// RFC 9293 §3.1: Data Offset allows 40 octets of options.
inline constexpr std::size_t option_space = 40;
// Timestamps on a segment that is not a SYN: NOP, NOP, kind 8, length 10 (RFC 7323 Appendix A).
inline constexpr std::size_t timestamps_option_octets = 12;
// RFC 2018 §3: a SACK option of n blocks is 2 + 8n octets (Linux puts two NOPs before it).
inline constexpr std::size_t sack_option_header_octets = 2;
inline constexpr std::size_t sack_block_octets = 8;
// 2 + 8 * 4 = 34 <= 40 < 2 + 8 * 5 = 42.
inline constexpr std::size_t max_sack_blocks = (option_space - sack_option_header_octets) / sack_block_octets;

// How many blocks fit beside `other_option_octets` of other options: (40 - other - 2) / 8,
// so 4 alone and 3 beside timestamps (RFC 2018 §3: "a SACK option that specifies n blocks
// will have a length of 8*n+2 bytes, so the 40 bytes available for TCP options can specify a
// maximum of 4 blocks ... It is expected that SACK will often be used in conjunction with the
// Timestamp option ... which takes an additional 10 bytes (plus two bytes of padding); thus a
// maximum of 3 SACK blocks will be allowed in this case").
constexpr std::size_t sack_blocks_that_fit(std::size_t other_option_octets) noexcept {
    if (other_option_octets + sack_option_header_octets + sack_block_octets > option_space) return 0;
    return (option_space - other_option_octets - sack_option_header_octets) / sack_block_octets;
}
constexpr std::size_t sack_blocks_that_fit(bool with_timestamps) noexcept {
    return sack_blocks_that_fit(with_timestamps ? timestamps_option_octets : std::size_t{0});
}

// The blocks of one SACK option, in the order they go on the wire.
struct sack_block_list {
    seq_block blocks[max_sack_blocks] = {};
    std::size_t count = 0;
    bool dsack = false;  // blocks[0] reports a duplicate (RFC 2883), not held data

    constexpr bool empty() const noexcept { return count == 0; }
};

namespace detail {
// `inner` lies within `outer` (modulo 2^32).
constexpr bool seq_block_within(const seq_block& inner, const seq_block& outer) noexcept {
    const std::uint32_t l = inner.left - outer.left, r = inner.right - outer.left;
    return l <= r && r <= outer.length();
}
}  // namespace detail

// The SACK option for the ACK about to be sent, from the held blocks in `held[0..held_count)`
// most recently updated first (reassembly_queue::held's order) and this segment's duplicate
// run `dsack` (reassembly_result::dsack; empty when none), at most `max_blocks` (capped at 4;
// sack_blocks_that_fit tells how many fit).
//   - RFC 2883 §4: a duplicate is reported in the first block; "If the D-SACK block reports
//     a duplicate contiguous sequence from a (possibly larger) block of data in the
//     receiver's data queue above the cumulative acknowledgement, then the second SACK block
//     in that SACK option should specify that (possibly larger) block of data." A duplicate
//     below RCV.NXT has no such block. The D-SACK block is not kept: the next ACK's
//     duplicate, if any, is its own, so each duplicate is reported once.
//   - RFC 2018 §4: then the held blocks, the most recent first. The first held block holds
//     the segment that triggered this ACK unless that segment advanced RCV.NXT (the queue
//     puts the block a segment touched first); then "the most recently reported SACK blocks
//     ... that are not subsets of a SACK block already included" (held blocks never overlap,
//     and the one that contains the D-SACK block is not repeated).
constexpr sack_block_list sack_blocks_to_send(const seq_block* held, std::size_t held_count, seq_block dsack,
                                              std::size_t max_blocks) noexcept {
    sack_block_list out{};
    const std::size_t limit = max_blocks < max_sack_blocks ? max_blocks : max_sack_blocks;
    if (limit == 0) return out;
    if (held == nullptr) held_count = 0;
    std::size_t container = held_count;  // none
    if (!dsack.empty()) {
        out.blocks[out.count++] = dsack;
        out.dsack = true;
        for (std::size_t i = 0; i < held_count; ++i) {
            if (detail::seq_block_within(dsack, held[i])) {
                container = i;
                break;
            }
        }
        if (container < held_count && out.count < limit) out.blocks[out.count++] = held[container];
    }
    for (std::size_t i = 0; i < held_count && out.count < limit; ++i) {
        if (i == container || held[i].empty()) continue;
        out.blocks[out.count++] = held[i];
    }
    return out;
}

// The same, from a reassembly queue.
template <std::size_t Capacity>
constexpr sack_block_list sack_blocks_to_send(const reassembly_queue<Capacity>& queue, seq_block dsack,
                                              std::size_t max_blocks) noexcept {
    seq_block held[max_sack_blocks + 1] = {};  // the D-SACK container is among the first 4 + 1 if kept at all
    std::size_t n = 0;
    if (!dsack.empty()) {
        // The containing block may be anywhere in the queue: move it to the front.
        for (std::size_t i = 0; i < queue.held_count(); ++i) {
            if (detail::seq_block_within(dsack, queue.held(i))) {
                held[n++] = queue.held(i);
                break;
            }
        }
    }
    const std::size_t first = n;
    for (std::size_t i = 0; i < queue.held_count() && n < max_sack_blocks + 1; ++i) {
        const seq_block b = queue.held(i);
        if (first == 1 && b.left == held[0].left && b.right == held[0].right) continue;
        held[n++] = b;
    }
    return sack_blocks_to_send(held, n, dsack, max_blocks);
}

}  // namespace options
}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_SACK_BLOCKS_HPP
