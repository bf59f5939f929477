// tcpfsm: SACK in the engine (RFC 2018, RFC 2883, RFC 6675, RFC 6937): the connection's
// SACK-permitted negotiation (§2), the receiver's last duplicate range for D-SACK (RFC 2883)
// and the blocks each ACK carries (§4: options/sack_blocks.hpp), and the sender's scoreboard
// with RFC 6675 recovery and PRR (sack/sender.hpp). A per-Profile component of the TCB, like
// window_scaling.hpp: with_sack<Profile, false> compiles it out (no octet in the TCB).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SELECTIVE_ACKNOWLEDGMENT_HPP
#define TCPFSM_SELECTIVE_ACKNOWLEDGMENT_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "detail/ebo.hpp"
#include "options/negotiation.hpp"
#include "options/sack_blocks.hpp"
#include "options/segment_options.hpp"
#include "reassembly.hpp"
#include "sack/sender.hpp"

namespace tcpfsm {

// The scoreboard's bound in the engine: 8 ranges (holes with SACKed data above them) per
// connection, 64 octets; see sack::scoreboard's "Bound" for what is forgotten beyond it.
inline constexpr std::size_t engine_sack_ranges = 8;
// RACK-TLP's segment log in the engine (RFC 8985 §5.2): 32 records of 12 octets, one per
// data segment in flight; past it segments are untracked (sack::segment_log's bound, and
// sack::sender for what covers them). 32, not 64, by measurement (docs/sack.md "The bound"):
// with the spurious-retransmission undo on, the goodput grid is within a few percent.
inline constexpr std::size_t engine_rack_records = 32;

// One connection's SACK state.
template <std::size_t MaxRanges = engine_sack_ranges, std::size_t RackRecords = engine_rack_records>
class selective_acknowledgment {
public:
    using sender_type = sack::sender<MaxRanges, sack::prr_bound::slow_start, RackRecords>;
    static constexpr bool compiled_in = true;

    // Our SYN (`passive` false) or SYN,ACK (`passive` true) is being built: whether it
    // carries SACK-permitted (RFC 2018 §2; a SYN,ACK only if the peer's SYN did). `want`:
    // connection_config::sack.
    constexpr bool offer(bool passive, bool want) noexcept {
        return negotiation_.offer(passive ? options::open_side::passive : options::open_side::active, want);
    }
    // The peer's SYN or SYN,ACK (the engine calls this for those only: SACK-permitted on any
    // other segment is ignored, RFC 2018 §2 "MUST NOT be sent on non-SYN segments").
    constexpr void on_peer_syn(bool sack_permitted) noexcept { negotiation_.on_peer_segment(true, sack_permitted); }
    // Both SYNs carried SACK-permitted.
    constexpr bool enabled() const noexcept { return negotiation_.enabled(); }

    // RFC 2883: a segment brought octets already received (below RCV.NXT, or held): the
    // next ACK reports them in its first block. The latest duplicate counts.
    constexpr void note_duplicate(const seq_block& b) noexcept {
        if (enabled() && !b.empty()) dsack_ = b;
    }
    // The SACK option of an ACK about to be sent (RFC 2018 §4: the held blocks, the most
    // recently changed first, after the D-SACK block), `max_blocks` at most. The D-SACK block
    // is reported once (kept for the next ACK when `max_blocks` is 0: a full data segment).
    template <class Queue>
    constexpr options::sack_block_list blocks_for_ack(const Queue& queue, std::size_t max_blocks) noexcept {
        options::sack_block_list l{};
        blocks_for_ack(l, queue, max_blocks);
        return l;
    }
    // The same into `out`, which is left as it is when there is nothing to report (the
    // engine's every ACK of in-order data: no copy of an empty list built on the stack).
    template <class Queue>
    constexpr void blocks_for_ack(options::sack_block_list& out, const Queue& queue, std::size_t max_blocks) noexcept {
        if (!enabled() || max_blocks == 0 || (dsack_.empty() && queue.held_count() == 0)) return;
        out = options::sack_blocks_to_send(queue, dsack_, max_blocks);
        dsack_ = seq_block{};
    }

    // ---- the sender (sack/sender.hpp), as the engine calls it ----
    // An acceptable ACK before SND.UNA moves: its blocks (`o.sack`) to the scoreboard, RFC
    // 6675's entry into or end of recovery; with `rack` (connection_config::rack) RACK-TLP
    // (RFC 8985, sack::sender) when `rack.use`. Nothing without SACK.
    constexpr sack::sender_ack on_ack(std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                      const segment_options& o, std::uint32_t smss,
                                      const sack::rack_input& rack = {}) noexcept {
        if (!enabled()) return {};
        return sender_.on_ack(ack, snd_una, snd_nxt, o.sack.blocks, o.sack.count, smss, rack.use ? &rack : nullptr);
    }
    // RACK-TLP is in use: SACK is, and the ACKs so far came with a rack_input.
    constexpr bool rack_on() const noexcept { return enabled() && sender_.rack_on(); }
    // A data segment went out (RFC 8985 §6.1: its transmit time), with `rack` on.
    constexpr void on_transmitted(std::uint32_t seq, std::uint32_t length, bool retransmission, std::uint64_t now_us,
                                  bool rack) noexcept {
        if (enabled() && rack) sender_.loss_detector().on_sent(seq, length, retransmission, now_us);
    }
    constexpr sack::recovery_step on_reordering_timeout(std::uint64_t now_us, std::uint32_t snd_una,
                                                        std::uint32_t snd_nxt, std::uint32_t smss) noexcept {
        return sender_.on_reordering_timeout(now_us, snd_una, snd_nxt, smss);
    }
    constexpr typename sender_type::rack_type& loss_detector() noexcept { return sender_.loss_detector(); }
    constexpr const typename sender_type::rack_type& loss_detector() const noexcept { return sender_.loss_detector(); }
    constexpr void start_recovery(std::uint32_t ssthresh, std::uint32_t recover_fs) noexcept {
        sender_.start_recovery(ssthresh, recover_fs);
    }
    constexpr void after_ack(const sack::sender_ack& a, std::uint32_t snd_una, std::uint32_t snd_nxt,
                             std::uint32_t smss) noexcept {
        sender_.after_ack(a, snd_una, snd_nxt, smss);
    }
    constexpr sack::segment_choice next_segment(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss,
                                                std::uint32_t sendable_new) const noexcept {
        return sender_.next_segment(snd_una, snd_nxt, smss, sendable_new);
    }
    constexpr void on_sent(const sack::segment_choice& c) noexcept { sender_.on_sent(c); }
    constexpr void on_retransmission_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        sender_.on_retransmission_timeout(snd_una, snd_nxt);
    }
    constexpr sack::segment_choice unsacked_part(std::uint32_t seq, std::uint32_t length) const noexcept {
        return sender_.unsacked_part(seq, length);
    }
    // The recovery in progress was spurious: it ends now (sack::sender::undo_recovery).
    constexpr void undo_recovery(std::uint32_t snd_una) noexcept { sender_.undo_recovery(snd_una); }
    constexpr bool in_recovery() const noexcept { return sender_.in_recovery(); }
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss) const noexcept {
        return sender_.pipe(snd_una, snd_nxt, smss);
    }
    // ssthresh as the policy gave it when the last recovery began.
    constexpr std::uint32_t recovery_ssthresh() const noexcept { return sender_.rate().ssthresh(); }
    constexpr std::uint32_t sacked_octets() const noexcept { return sender_.board().sacked_octets(); }
    const sender_type& sender() const noexcept { return sender_; }

    // A new connection: nothing offered or received, nothing SACKed.
    constexpr void reset() noexcept {
        negotiation_.reset();
        dsack_ = seq_block{};
        sender_.reset();
    }

private:
    // The D-SACK block and the negotiation sit in the sender's tail padding: 128 octets in all.
    TCPFSM_NO_UNIQUE_ADDRESS sender_type sender_{};
    seq_block dsack_{};
    options::sack_permitted_negotiation negotiation_{};
};

// The same interface for a profile without SACK: empty, never offers it, never enabled.
class no_selective_acknowledgment {
public:
    static constexpr bool compiled_in = false;
    constexpr bool offer(bool, bool) noexcept { return false; }
    constexpr void on_peer_syn(bool) noexcept {}
    constexpr bool enabled() const noexcept { return false; }
    constexpr void note_duplicate(const seq_block&) noexcept {}
    template <class Queue>
    constexpr options::sack_block_list blocks_for_ack(const Queue&, std::size_t) noexcept {
        return {};
    }
    template <class Queue>
    constexpr void blocks_for_ack(options::sack_block_list&, const Queue&, std::size_t) noexcept {}
    constexpr sack::sender_ack on_ack(std::uint32_t, std::uint32_t, std::uint32_t, const segment_options&,
                                      std::uint32_t, const sack::rack_input& = {}) noexcept {
        return {};
    }
    constexpr bool rack_on() const noexcept { return false; }
    constexpr void on_transmitted(std::uint32_t, std::uint32_t, bool, std::uint64_t, bool) noexcept {}
    constexpr sack::recovery_step on_reordering_timeout(std::uint64_t, std::uint32_t, std::uint32_t,
                                                        std::uint32_t) noexcept {
        return {};
    }
    constexpr void start_recovery(std::uint32_t, std::uint32_t) noexcept {}
    constexpr void after_ack(const sack::sender_ack&, std::uint32_t, std::uint32_t, std::uint32_t) noexcept {}
    constexpr sack::segment_choice next_segment(std::uint32_t, std::uint32_t, std::uint32_t,
                                                std::uint32_t) const noexcept {
        return {};
    }
    constexpr void on_sent(const sack::segment_choice&) noexcept {}
    constexpr void on_retransmission_timeout(std::uint32_t, std::uint32_t) noexcept {}
    constexpr void undo_recovery(std::uint32_t) noexcept {}
    // Go-back-N resends all of it.
    constexpr sack::segment_choice unsacked_part(std::uint32_t seq, std::uint32_t length) const noexcept {
        return {seq, length, sack::nextseg_rule::none};
    }
    constexpr bool in_recovery() const noexcept { return false; }
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t) const noexcept {
        return snd_nxt - snd_una;
    }
    constexpr std::uint32_t recovery_ssthresh() const noexcept { return 0; }
    constexpr std::uint32_t sacked_octets() const noexcept { return 0; }
    constexpr void reset() noexcept {}
};

// A profile with SACK compiled in (`true`, the default for a profile without
// `sack_enabled`) or out (`false`), e.g. with_sack<default_profile, false>.
template <class Profile, bool Enabled>
struct with_sack : Profile {
    static constexpr bool sack_enabled = Enabled;
};

// A profile whose RACK-TLP segment log holds `Records` (1 to 65535) records instead of
// engine_rack_records: 12 octets a record in the TCB (fewer: RACK tracks fewer segments of a
// large flight; RFC 6675 covers the rest, sack::sender).
template <class Profile, std::size_t Records>
struct with_rack_records : Profile {
    static constexpr std::size_t rack_records = Records;
};

// A profile whose SACK scoreboard holds `Ranges` (1 to 255) ranges instead of
// engine_sack_ranges: 8 octets a range in the TCB (sack::scoreboard's "Bound" for what is
// forgotten past it).
template <class Profile, std::size_t Ranges>
struct with_sack_ranges : Profile {
    static constexpr std::size_t sack_ranges = Ranges;
};

namespace detail {
template <class...>
using sack_void_t = void;

template <class Profile, class = void>
struct profile_rack_records : std::integral_constant<std::size_t, engine_rack_records> {};
template <class Profile>
struct profile_rack_records<Profile, sack_void_t<decltype(Profile::rack_records)>>
    : std::integral_constant<std::size_t, Profile::rack_records> {};

template <class Profile, class = void>
struct profile_sack_ranges : std::integral_constant<std::size_t, engine_sack_ranges> {};
template <class Profile>
struct profile_sack_ranges<Profile, sack_void_t<decltype(Profile::sack_ranges)>>
    : std::integral_constant<std::size_t, Profile::sack_ranges> {};

template <class Profile>
using profile_selective_acknowledgment =
    selective_acknowledgment<profile_sack_ranges<Profile>::value, profile_rack_records<Profile>::value>;

template <class Profile, class = void>
struct profile_sack {
    using type = profile_selective_acknowledgment<Profile>;
};
template <class Profile>
struct profile_sack<Profile, sack_void_t<decltype(Profile::sack_enabled)>> {
    using type = typename std::conditional<Profile::sack_enabled, profile_selective_acknowledgment<Profile>,
                                           no_selective_acknowledgment>::type;
};
}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_SELECTIVE_ACKNOWLEDGMENT_HPP
