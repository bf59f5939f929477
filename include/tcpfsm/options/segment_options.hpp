// tcpfsm: the options a segment carries beside its header fields (segment.hpp): SACK-permitted
// (RFC 2018 §2), SACK blocks (RFC 2018 §3, RFC 2883) and timestamps (RFC 7323 §3.2). The
// engine takes them on arrival (connection::on_segment's overload) and fills them on every
// segment it sends (outgoing_segment::options). They travel beside `segment`, not in it, so
// code that has no options (the conformance matrix, the table's traces) stays as it was.
// MSS and Window Scale stay in `segment` (they fit its padding and every SYN needs them).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_SEGMENT_OPTIONS_HPP
#define TCPFSM_OPTIONS_SEGMENT_OPTIONS_HPP

#include <cstdint>

#include "sack_blocks.hpp"

namespace tcpfsm {

struct segment_options {
    bool sack_permitted = false;  // RFC 2018 §2: on a SYN only
    bool has_timestamps = false;  // RFC 7323 §3.2: TSval and TSecr below are meaningful
    std::uint32_t ts_val = 0;     // TSval
    std::uint32_t ts_ecr = 0;     // TSecr
    // SACK blocks (RFC 2018 §3) in wire order; sack.dsack: blocks[0] is a D-SACK (RFC 2883).
    options::sack_block_list sack{};

    constexpr bool empty() const noexcept { return !sack_permitted && !has_timestamps && sack.empty(); }
};

// The options of a segment that carries none (what on_segment without options passes).
inline constexpr segment_options no_segment_options{};

}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_SEGMENT_OPTIONS_HPP
