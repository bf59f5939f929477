// tcpfsm: a passive tracker of both endpoints' RFC 9293 states from observed segments.
//
// Each segment seen at a tap (either direction) drives, through the tracker's table
// (tracker_table.hpp, the standard rows plus the pickup row):
//  - the sender's rows for the calls its segment reveals: a SYN without ACK is an active
//    OPEN, a FIN is CLOSE, an RST is ABORT, text is SEND (RFC 9293 §3.10.1-§3.10.5);
//  - the receiver's rows for the events classify() finds for the segment against the
//    receiver's TCB as an observer infers it (receive_context, classify.hpp).
// A receiver's transition is "deduced" (the segment may be lost after the tap) until the
// receiver's own segment acknowledges it; a sender's transition is "observed". When the
// receiver's next SYN, FIN or RST shows it had not yet received the segment (crossing FINs,
// simultaneous open, a SYN refused), its deduced transition is taken back and the rows run
// again in the order the endpoint met the events: its call first, then the segment.
// TIME-WAIT ends by capture time (2MSL, tracker_config::time_wait_ns). docs/tracker.md.
//
// Nothing is allocated after construction (tracker_map.hpp: slots with IPv4 tuples inline,
// a side table for IPv6 ones). Not thread-safe.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACKER_TRACKER_HPP
#define TCPFSM_TRACKER_TRACKER_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../allocator.hpp"
#include "../classify.hpp"
#include "../conn_table.hpp"
#include "../listener.hpp"
#include "../segment.hpp"
#include "../seq.hpp"
#include "anomaly.hpp"
#include "tracker_key.hpp"
#include "tracker_map.hpp"
#include "tracker_table.hpp"

namespace tcpfsm {

// Which rule tells a retransmission from an out-of-order segment (docs/tracker.md,
// "Anomalies" and "Compared with Wireshark"). Both look at a segment that starts below the
// highest sequence number seen from its sender.
enum class tracker_sequence_rule : std::uint8_t {
    // A retransmission: its octets were seen from the sender before; out-of-order: it fills a
    // hole, first time seen (RFC 6298, RFC 5681: what the sender did).
    sequence_seen,
    // Wireshark's (epan/dissectors/packet-tcp.c): out-of-order when it comes less than the
    // connection's first RTT (the first ACK after the last SYN; 3 ms if unknown) after the
    // sender's highest sequence number last advanced and does not end there; otherwise a
    // retransmission, spurious first, then fast. Costs 32 octets per slot beside the table.
    wireshark_timing,
};

// Capacity, 2MSL and the idle timeouts (nanoseconds of capture time). The idle defaults are
// Linux conntrack's nf_conntrack_tcp_timeout_* (net/netfilter/nf_conntrack_proto_tcp.c).
struct tracker_config {
    // ipv6_capacity's default: capacity / 16 (at least 1).
    static constexpr std::uint32_t ipv6_capacity_sixteenth = 0xFFFFFFFFu;

    std::uint32_t capacity = 65536;
    // Connections whose tuple is not IPv4 (IPv6) at once: entries of the side table that
    // holds their tuples (38 octets each; at most `capacity`; 0: IPv6 is not tracked). When it
    // is full, a new IPv6 connection evicts an IPv6 record as `capacity` does (tracker,
    // "Bounded"; docs/tracker.md, "Memory").
    std::uint32_t ipv6_capacity = ipv6_capacity_sixteenth;
    std::uint64_t time_wait_ns = 60'000'000'000ull;  // 2MSL: Linux TCP_TIMEWAIT_LEN (RFC 9293: 2 x 2 min)
    std::uint64_t syn_sent_idle_ns = 120'000'000'000ull;         // conntrack syn_sent 120 s
    std::uint64_t syn_received_idle_ns = 60'000'000'000ull;      // syn_recv 60 s
    std::uint64_t established_idle_ns = 432'000'000'000'000ull;  // established 5 days
    std::uint64_t fin_wait_idle_ns = 120'000'000'000ull;         // fin_wait 120 s (FIN-WAIT-1/2, CLOSING)
    std::uint64_t close_wait_idle_ns = 60'000'000'000ull;        // close_wait 60 s
    std::uint64_t last_ack_idle_ns = 30'000'000'000ull;          // last_ack 30 s
    std::uint64_t time_wait_idle_ns = 120'000'000'000ull;        // time_wait 120 s
    std::uint64_t closed_idle_ns = 10'000'000'000ull;            // close 10 s (both CLOSED or LISTEN)
    tracker_sequence_rule sequence_rule = tracker_sequence_rule::sequence_seen;

    // The idle timeout of an endpoint state.
    constexpr std::uint64_t idle_ns(state s) const noexcept {
        switch (s) {
            case state::syn_sent: return syn_sent_idle_ns;
            case state::syn_received: return syn_received_idle_ns;
            case state::established: return established_idle_ns;
            case state::fin_wait_1:
            case state::fin_wait_2:
            case state::closing: return fin_wait_idle_ns;
            case state::close_wait: return close_wait_idle_ns;
            case state::last_ack: return last_ack_idle_ns;
            case state::time_wait: return time_wait_idle_ns;
            default: return closed_idle_ns;
        }
    }
};

// What the tracker knows of one endpoint. Packed (docs/tracker.md, "Memory"): sequence
// numbers and windows as 32 bits, states and counters as one octet, flags as bits, the time
// its state holds since as ticks of the tracker's clock (tracker::since_ns).
struct tracked_endpoint {
    std::uint32_t iss = 0;         // ISS (the peer's IRS)
    std::uint32_t snd_nxt = 0;     // highest SEQ + SEG.LEN seen from it
    std::uint32_t snd_contig = 0;  // end of what was seen from it without a hole
    std::uint32_t ooo_start = 0;   // start of the octets seen beyond the hole (has_ooo)
    std::uint32_t ack = 0;         // highest SEG.ACK from it
    std::uint32_t rcv_nxt = 0;     // RCV.NXT as inferred: in-order octets from the peer, or its own ACK
    std::uint32_t max_window = 0;  // largest window it advertised (MAX.SND.WND of the peer)
    // A deduced transition not yet acknowledged (`pending`): the segment that caused it
    // (pending_segment()); once acknowledged, `pending_ack` holds the SEG.SEQ of its segment
    // that acknowledged it (confirmed_by_seq()).
    std::uint32_t pending_seq = 0;
    std::uint32_t pending_ack = 0;
    std::uint32_t pending_length = 0;  // its text length
    std::uint32_t since_ticks = 0;     // capture time st holds since, in ticks of the tracker's clock
    std::uint16_t raw_window = 0;      // its last SEG.WND as sent
    bool deduced : 1;          // st was inferred from a segment it received (not yet acknowledged)
    bool passive_origin : 1;   // SYN-RECEIVED entered from LISTEN (MUST-11)
    bool iss_known : 1;        // its SYN was seen: iss holds its ISS
    bool sent_any : 1;         // a segment from it was seen
    bool ack_seen : 1;         // an ACK from it was seen: ack holds the highest
    bool fin_sent : 1;         // its FIN was seen
    bool has_ooo : 1;          // octets beyond a hole were seen from it (ooo_start)
    bool pending : 1;          // a deduced transition not yet acknowledged (prior, pending_segment())
    bool window_of_syn : 1;    // raw_window came with a SYN (never scaled, RFC 7323 §2.2)
    bool picked_up : 1;        // its connection was first seen mid-stream
    bool pending_syn : 1;      // the pending segment's SYN, FIN, ACK and RST bits
    bool pending_fin : 1;
    bool pending_ack_flag : 1;
    bool pending_rst : 1;
    state st = state::closed;
    state prior = state::closed;      // the state before the pending transition
    std::uint8_t dup_acks = 0;        // duplicate ACKs in a row from it
    std::int8_t window_scale = -1;    // shift (RFC 7323) its windows carry; -1: unknown (SYNs not seen)

    constexpr tracked_endpoint() noexcept
        : deduced(false), passive_origin(false), iss_known(false), sent_any(false), ack_seen(false),
          fin_sent(false), has_ooo(false), pending(false), window_of_syn(false), picked_up(false),
          pending_syn(false), pending_fin(false), pending_ack_flag(false), pending_rst(false) {}

    // The scale is known (both SYNs seen).
    constexpr bool scale_known() const noexcept { return window_scale >= 0; }
    // Its last window, scaled when the scale is known (a SYN's never is).
    constexpr std::uint32_t window() const noexcept {
        const int shift = window_of_syn ? 0 : window_scale > 0 ? window_scale : 0;
        return std::uint32_t{raw_window} << shift;
    }
    // The segment of the pending transition (its window is not kept).
    constexpr segment pending_segment() const noexcept {
        segment p{};
        p.seq = pending_seq;
        p.ack = pending_ack;
        p.text_length = pending_length;
        p.flags = static_cast<std::uint8_t>((pending_syn ? ctl::syn : 0) | (pending_fin ? ctl::fin : 0) |
                                            (pending_ack_flag ? ctl::ack : 0) | (pending_rst ? ctl::rst : 0));
        return p;
    }
    // SEG.SEQ of its segment that acknowledged the last deduced transition.
    constexpr std::uint32_t confirmed_by_seq() const noexcept { return pending_ack; }
    constexpr void set_pending_segment(const segment& p) noexcept {
        pending_seq = p.seq;
        pending_ack = p.ack;
        pending_length = p.text_length;
        pending_syn = p.syn();
        pending_fin = p.fin();
        pending_ack_flag = p.ack_flag();
        pending_rst = p.rst();
    }
};

// One tracked connection: its two endpoints, side a and side b of the canonical tuple, and
// when it was last seen. 108 octets on x86-64 (g++ 12, clang 14; static_asserts below). Times
// are 1 ms ticks of the tracker's clock (tracker::since_ns, tracker::last_seen_ns), which
// starts at the first segment the tracker sees and moves forward before the ticks overflow.
struct tracked_connection {
    static constexpr std::uint64_t tick_ns = 1'000'000;

    tracked_endpoint endpoints[2];
    std::uint32_t last_ticks : 31;  // capture time of its last segment, in ticks
    std::uint32_t referenced : 1;   // seen since the eviction hand last passed (tracker, "Bounded")

    constexpr tracked_connection() noexcept : last_ticks(0), referenced(0) {}

    constexpr const tracked_endpoint& side(tracker_side s) const noexcept { return endpoints[index_of(s)]; }
    constexpr tracked_endpoint& side(tracker_side s) noexcept { return endpoints[index_of(s)]; }
    // First seen mid-stream.
    constexpr bool picked_up() const noexcept { return endpoints[0].picked_up; }
};

// The record: two 52-octet endpoints and 4 octets of time and reference bit; 4-aligned, so
// that with the slot's 12-octet key (tracker_map.hpp) a slot is 120 octets (docs/tracker.md,
// "Memory").
static_assert(sizeof(tracked_endpoint) <= 52, "tcpfsm::tracked_endpoint: 52 octets");
static_assert(sizeof(tracked_connection) <= 108, "tcpfsm::tracked_connection: 108 octets");
static_assert(alignof(tracked_connection) == 4, "tcpfsm::tracked_connection: 4-aligned");

namespace detail {
// Every row of the tracker's table that restarts the TIME-WAIT timer leads from TIME-WAIT to
// TIME-WAIT (the tracker's run_row looks for one there only).
constexpr bool restarts_2msl_in_time_wait_only() noexcept {
    for (std::size_t i = 0; i < tracker_table.size(); ++i) {
        const transition& r = tracker_table[i];
        if (r.actions.contains(action::restart_time_wait_timer) && (r.from != state::time_wait || r.to != state::time_wait))
            return false;
    }
    return true;
}
}  // namespace detail
static_assert(detail::restarts_2msl_in_time_wait_only(), "tcpfsm::tracker: 2MSL restarts only in TIME-WAIT");

// What the wireshark_timing rule keeps per connection, beside the table (nanoseconds of
// capture time; 0: not yet).
struct tracker_sequence_timing {
    std::uint64_t advanced_ns[2] = {0, 0};  // per side: when its highest SEQ + SEG.LEN last advanced
    std::uint64_t syn_ns = 0;               // the last SYN without ACK
    std::uint64_t first_rtt_ns = 0;         // from it to the first ACK without SYN after it
};

// What one observed segment did.
struct tracker_observation {
    bool tracked = false;         // false: no slot for a new connection (stats().untracked)
    bool new_connection = false;  // a record was created (or renewed by port reuse)
    tracker_side sender = tracker_side::a;
    std::uint32_t slot = 0xFFFFFFFFu;
    state before[2] = {state::closed, state::closed};  // per side, before the segment
    state after[2] = {state::closed, state::closed};   // per side, after it
    classification receiver_events{};                  // what classify() found at the receiver
    tracker_anomaly_set anomalies{};
    // Every state each side entered with this segment, in order (the last is `after`): the
    // states a row passes through on the way (a FIN,ACK takes FIN-WAIT-1 through FIN-WAIT-2
    // to TIME-WAIT), and a deduced state taken back (the state restored, then the rows run
    // again). Empty for a side whose state did not change.
    static constexpr std::size_t path_capacity = 8;
    state path[2][path_capacity] = {};
    std::uint8_t path_length[2] = {0, 0};
};

// Counters.
struct tracker_stats {
    std::uint64_t segments = 0;             // observe() calls
    std::uint64_t connections = 0;          // records created
    std::uint64_t untracked = 0;            // segments of new connections dropped: no slot
    std::uint64_t evicted_idle = 0;         // records removed by an idle timeout
    std::uint64_t evicted_full = 0;         // records removed to make room (least recently seen)
    std::uint64_t evicted_ipv6 = 0;         // of those two, removed to make room in the IPv6 side table
    std::uint64_t evicted_in[state_count] = {};  // removed records by the later state of their two endpoints
    std::uint64_t time_wait_expired = 0;    // TIME-WAIT ended by capture time (2MSL)
    std::uint64_t anomalies[tracker_anomaly_count] = {};  // segments flagged, per anomaly
};

// Key: tuple_key tracks IPv4 and IPv6 (IPv6 tuples in a side table of
// tracker_config::ipv6_capacity entries); ipv4_tuple_key tracks IPv4 only (no side table;
// an IPv6 segment is not tracked). Either way a slot keeps a 12-octet key (tracker_map.hpp).
template <class Allocator = default_allocator<unsigned char>, class Key = tuple_key>
class tracker {
    using map_type = detail::tracker_map<tracked_connection, Allocator>;
    static_assert(std::is_same<Key, tuple_key>::value || std::is_same<Key, ipv4_tuple_key>::value,
                  "tcpfsm::tracker: Key is tuple_key or ipv4_tuple_key");
    using timing_allocator = detail::rebind_allocator_t<Allocator, tracker_sequence_timing>;

public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    explicit tracker(const tracker_config& config = tracker_config{}, const siphash_key& hash_secret = siphash_key{},
                     const Allocator& allocator = Allocator())
        : config_(config), map_(config.capacity, ipv6_capacity_of(config), hash_secret, allocator),
          timing_allocator_(allocator) {
        if (config_.sequence_rule == tracker_sequence_rule::wireshark_timing) {
            timing_ = timing_allocator_.allocate(map_.capacity());
            for (std::uint32_t i = 0; i < map_.capacity(); ++i) ::new (static_cast<void*>(timing_ + i)) tracker_sequence_timing();
        }
    }
    ~tracker() {
        if (timing_ != nullptr) timing_allocator_.deallocate(timing_, map_.capacity());
    }

    tracker(const tracker&) = delete;
    tracker& operator=(const tracker&) = delete;

    // One segment seen at the tap. `sender_to_receiver`: local = the sender, remote = the
    // receiver. `time_ns`: capture time, non-decreasing. `window_scale_option`: the Window
    // Scale option's shift when the segment (a SYN) carries one, else -1 (RFC 7323 §2).
    tracker_observation observe(const four_tuple& sender_to_receiver, const segment& seg, std::uint64_t time_ns,
                                int window_scale_option = -1) noexcept {
        tracker_observation out;
        ++stats_.segments;
        const std::uint32_t now_ticks = advance_clock(time_ns);
        const tracker_key key = tracker_key::of(sender_to_receiver);
        out.sender = key.sender;
        const std::uint64_t h = map_.hash(key.tuple);
        std::uint32_t slot = map_.find_with_hash(h, key.tuple);
        if (slot == npos) {
            if (map_.full()) evict_one(now_ticks, false);
            // An IPv6 tuple needs a side-table entry too.
            if (!map_type::inline_tuple(key.tuple) && map_.side_capacity() > 0 && map_.side_full()) evict_one(now_ticks, true);
            slot = map_.insert_with_hash(h, key.tuple);
            if (slot == npos) {
                ++stats_.untracked;
                return out;
            }
            ++stats_.connections;
            out.new_connection = true;
        }
        out.tracked = true;
        out.slot = slot;
        tracked_connection& c = map_[slot];
        c.last_ticks = now_ticks & 0x7FFFFFFFu;
        c.referenced = 1;
        tracker_sequence_timing* timing = timing_ == nullptr ? nullptr : timing_ + slot;
        if (timing != nullptr && out.new_connection) *timing = tracker_sequence_timing{};
        end_time_wait(c, time_ns);
        const std::uint32_t now = now_ticks;
        tracked_endpoint* s = &c.side(key.sender);
        tracked_endpoint* r = &c.side(other_side(key.sender));

        // Port reuse (RFC 6191): a new SYN on a four-tuple whose endpoints are both CLOSED or in
        // TIME-WAIT. A receiver in TIME-WAIT meets the SYN through its rows (rcv_syn_reopen when
        // it is above RCV.NXT); the record then starts over as a new connection.
        const auto done = [](state st) { return st == state::closed || st == state::time_wait; };
        if (!out.new_connection && seg.syn() && !seg.ack_flag() && !seg.rst() && done(s->st) && done(r->st) &&
            (s->sent_any || r->sent_any)) {
            out.anomalies.add(tracker_anomaly::port_reuse);
            if (r->st == state::time_wait) deliver(*r, *s, seg, now, true);
            c = tracked_connection{};
            c.last_ticks = now_ticks & 0x7FFFFFFFu;
            c.referenced = 1;
            if (timing != nullptr) *timing = tracker_sequence_timing{};
            out.new_connection = true;
            ++stats_.connections;
        }
        for (std::size_t i = 0; i < 2; ++i) out.before[i] = c.endpoints[i].st;
        recording_ = &out;
        recording_connection_ = &c;

        const bool fresh = !s->sent_any && !r->sent_any && s->st == state::closed && r->st == state::closed;
        if (fresh && seg.ack_flag() && !seg.syn() && !seg.rst()) {
            // Mid-stream pickup: the tracker table's row (CLOSED, rcv_ack) -> ESTABLISHED for both.
            s->picked_up = r->picked_up = true;
            run_row(*s, event::rcv_ack, now, true);
            run_row(*r, event::rcv_ack, now, true);
            s->snd_nxt = s->snd_contig = seg.seq;
            r->snd_nxt = r->snd_contig = seg.ack;
            r->rcv_nxt = seg.seq;
            s->rcv_nxt = seg.ack;
        } else if (fresh && seg.syn() && seg.ack_flag() && !seg.rst()) {
            // The SYN,ACK of a SYN the tap did not see: the peer's active OPEN and this one's
            // passive OPEN are deduced, and the SYN delivered as SEG.SEQ = SEG.ACK - 1.
            run_row(*r, event::open_active, now, true);
            r->iss = seg.ack - 1u;
            r->iss_known = true;
            r->snd_nxt = r->snd_contig = seg.ack;
            run_row(*s, event::open_passive, now, true);
            segment syn{};
            syn.seq = seg.ack - 1u;
            syn.flags = ctl::syn;
            deliver(*s, *r, syn, now, false);
            s->pending = false;
        }

        // One direction only, or a lost segment: an ACK (no SYN) from an endpoint in SYN-SENT
        // shows that the peer's SYN,ACK reached it. It is delivered as <SEQ=SEG.ACK-1>
        // <ACK=SND.NXT><CTL=SYN,ACK> (deduced).
        if (s->st == state::syn_sent && seg.ack_flag() && !seg.syn() && !seg.rst()) {
            segment syn_ack{};
            syn_ack.seq = seg.ack - 1u;
            syn_ack.ack = s->snd_nxt;
            syn_ack.flags = static_cast<std::uint8_t>(ctl::syn | ctl::ack);
            deliver(*s, *r, syn_ack, now, false);
            s->pending = false;
        }
        // A receiver never seen sending has sent at least what it is acknowledged for (deduced):
        // its ISS, when it is in SYN-RECEIVED, is SEG.ACK - 1.
        if (seg.ack_flag() && !seg.rst() && !r->sent_any) {
            if (!r->iss_known && (r->st == state::syn_received || r->st == state::syn_sent)) {
                r->iss = seg.ack - 1u;
                r->snd_nxt = r->snd_contig = seg.ack;
            }
            if (seq_gt(seg.ack, r->snd_nxt)) r->snd_nxt = r->snd_contig = seg.ack;
        }

        if (timing != nullptr) wireshark_anomalies(*s, *r, seg, *timing, index_of(key.sender), time_ns, out);
        else anomalies_before(*s, *r, seg, out);
        const std::uint32_t snd_nxt_before = s->snd_nxt;
        const bool first_from_sender = !s->sent_any;
        sender_side(*s, *r, seg, now, out);

        // The receiver of a first SYN is taken to be listening (deduced; its RST says otherwise).
        if (seg.syn() && !seg.ack_flag() && !seg.rst() && r->st == state::closed && !r->sent_any) {
            r->prior = state::closed;
            run_row(*r, event::open_passive, now, true);
        }
        // What the receiver's rows make of it (challenge ACK rows leave the state).
        const state receiver_before = r->st;
        const bool was_pending = r->pending;
        const state prior = r->prior;
        out.receiver_events = deliver(*r, *s, seg, now, false);
        if (receiver_before == state::listen && !was_pending && r->pending) r->prior = prior;

        const classification& ev = out.receiver_events;
        for (std::uint8_t i = 0; i < ev.count; ++i) {
            if (ev[i] == event::rcv_rst_in_window) out.anomalies.add(tracker_anomaly::blind_rst);
            if (ev[i] == event::rcv_syn && is_synchronized(receiver_before)) out.anomalies.add(tracker_anomaly::blind_syn);
            if (ev[i] == event::rcv_ack_unacceptable && is_synchronized(receiver_before))
                out.anomalies.add(tracker_anomaly::blind_data);
            if (ev[i] == event::rcv_rst && receiver_before == state::syn_sent)
                out.anomalies.add(tracker_anomaly::connection_refused);
        }
        learn_from_sender(*s, *r, seg, window_scale_option);
        if (timing != nullptr) learn_timing(*timing, index_of(key.sender), seg, first_from_sender || seq_gt(s->snd_nxt, snd_nxt_before), time_ns);
        // Octets (and a FIN) seen out of order (beyond a hole) are taken when the hole fills,
        // as the receiver's reassembly takes them (§3.10.7.4 seventh and eighth steps): the
        // octets after RCV.NXT, with the FIN if one was sent, are delivered as one segment
        // (a tail loss probe of new data, RFC 8985 §7.3, goes beyond a hole without a FIN).
        const std::uint32_t data_end = s->fin_sent ? s->snd_nxt - 1u : s->snd_nxt;
        if (!seg.rst() && is_synchronized(r->st) && !has_received_fin(r->st) && seq_ge(s->snd_contig, s->snd_nxt) &&
            !seg.fin() && (s->fin_sent ? seq_lt(r->rcv_nxt, s->snd_nxt) : seq_lt(r->rcv_nxt, data_end))) {
            segment rest{};
            rest.seq = r->rcv_nxt;
            rest.ack = s->ack;
            rest.flags = static_cast<std::uint8_t>((s->fin_sent ? ctl::fin : 0) | (s->ack_seen ? ctl::ack : 0));
            rest.text_length = data_end - r->rcv_nxt;
            deliver(*r, *s, rest, now, false);
        }

        recording_ = nullptr;
        recording_connection_ = nullptr;
        for (std::size_t i = 0; i < 2; ++i) out.after[i] = c.endpoints[i].st;
        // Most segments have none: the counters are walked only for one that has.
        if (!out.anomalies.empty()) {
            for (std::size_t a = 0; a < tracker_anomaly_count; ++a) {
                if (out.anomalies.contains(static_cast<tracker_anomaly>(a))) ++stats_.anomalies[a];
            }
        }
        return out;
    }

    // Ends TIME-WAIT whose 2MSL has passed and removes records idle past their timeout, as of
    // capture time `now_ns`. Returns the number of records removed. Walks every record.
    std::uint32_t expire(std::uint64_t now_ns) noexcept {
        if (map_.size() == 0) return 0;
        advance_clock(now_ns);
        return map_.erase_if([&](std::uint32_t slot) {
            tracked_connection& c = map_[slot];
            end_time_wait(c, now_ns);
            if (now_ns - last_seen_ns(c) < idle_limit(c)) return false;
            ++stats_.evicted_idle;
            count_removed(c);
            return true;
        });
    }

    // Capture time the side's state holds since (to the tick below it).
    std::uint64_t since_ns(const tracked_connection& c, tracker_side s) const noexcept {
        return time_of(c.side(s).since_ticks);
    }
    // Capture time of the connection's last segment (to the tick below it).
    std::uint64_t last_seen_ns(const tracked_connection& c) const noexcept {
        return time_of(static_cast<std::uint32_t>(c.last_ticks));
    }
    // Capture time tick 0 of the tracker's clock stands for: the first segment's at first; it
    // moves forward by 2^29 ticks (6.2 days) whenever the ticks would pass 2^30, and times
    // before it then read as it (docs/tracker.md, "Memory").
    std::uint64_t clock_origin_ns() const noexcept { return origin_ns_; }

    // The record of a connection, given either direction's tuple; nullptr if none.
    const tracked_connection* find(const four_tuple& either_direction) const noexcept {
        const tracker_key k = tracker_key::of(either_direction);
        const std::uint32_t slot = map_.find(k.tuple);
        return slot == npos ? nullptr : &map_[slot];
    }
    // Which side `endpoint`/`port` is in the record of `either_direction`.
    static constexpr tracker_side side_of(const four_tuple& either_direction) noexcept {
        return tracker_key::of(either_direction).sender;
    }

    // f(const four_tuple& canonical, const tracked_connection&) for every record.
    template <class F>
    void for_each(F&& f) const {
        map_.for_each([&](std::uint32_t slot) { f(map_.tuple_of(slot), map_[slot]); });
    }

    const tracked_connection& at(std::uint32_t slot) const noexcept { return map_[slot]; }
    four_tuple tuple_of(std::uint32_t slot) const noexcept { return map_.tuple_of(slot); }

    std::uint32_t size() const noexcept { return map_.size(); }
    std::uint32_t capacity() const noexcept { return map_.capacity(); }
    // Entries of the IPv6 side table, and how many are in use.
    std::uint32_t ipv6_capacity() const noexcept { return map_.side_capacity(); }
    std::uint32_t ipv6_size() const noexcept { return map_.side_size(); }
    const tracker_stats& stats() const noexcept { return stats_; }
    const tracker_config& config() const noexcept { return config_; }
    // Everything the tracker allocated (at construction).
    std::size_t allocated_bytes() const noexcept {
        return map_.allocated_bytes() +
               (timing_ == nullptr ? 0u : std::size_t{map_.capacity()} * sizeof(tracker_sequence_timing));
    }
    static constexpr std::size_t slot_bytes = map_type::slot_bytes;
    static constexpr std::size_t ipv6_entry_bytes = map_type::side_entry_bytes;
    static_assert(slot_bytes == sizeof(tracked_connection) + sizeof(detail::tracker_slot_key),
                  "tcpfsm::tracker: the key fills the slot's tail, no padding");

    // Both endpoints of every record counted as `ss` on their hosts would count them, for
    // ss_summary_of / write_ss_summary / write_state_counts (listener.hpp). CLOSED endpoints
    // are not counted.
    listener_stats ss_stats() const noexcept {
        listener_stats s{};
        for_each([&](const four_tuple& t, const tracked_connection& c) {
            for (const tracked_endpoint& e : c.endpoints) {
                if (e.st == state::closed) continue;
                ++s.connections[index_of(e.st)];
                if (e.st == state::time_wait) continue;
                if (t.local.family == address_family::ipv6) ++s.hashed_ipv6;
                else ++s.hashed_ipv4;
            }
        });
        return s;
    }

private:
    // Runs the row for (ep.st, e); stamps the time when the state changes.
    void run_row(tracked_endpoint& ep, event e, std::uint32_t now, bool deduced) noexcept {
        // The next state (one load; the row's actions are not needed): of the rows that leave
        // the state as it is, only TIME-WAIT's may restart 2MSL (detail::restarts_2msl_in_time_wait_only).
        const state to = tracker_machine::next(ep.st, e);
        if (to != ep.st) {
            // The row for a FIN,ACK in FIN-WAIT-1 is the fifth step (FIN-WAIT-2) and the
            // eighth (TIME-WAIT) of §3.10.7.4 at once: the path shows both.
            if (e == event::rcv_fin_ack_of_fin && ep.st == state::fin_wait_1) record(ep, state::fin_wait_2);
            record(ep, to);
            if (ep.st == state::listen && to == state::syn_received) ep.passive_origin = true;
            else if (to != state::syn_received) ep.passive_origin = ep.passive_origin && to != state::closed;
            ep.st = to;
            ep.since_ticks = now;
            ep.deduced = deduced;
        } else if (ep.st == state::time_wait &&
                   tracker_machine::step(ep.st, e).actions.contains(action::restart_time_wait_timer)) {
            ep.since_ticks = now;  // a retransmitted FIN restarts 2MSL (§3.10.7.4 eighth step)
        }
    }

    // Appends `entered` to the observation's path of `ep`'s side (observe()).
    void record(const tracked_endpoint& ep, state entered) noexcept {
        if (recording_ == nullptr) return;
        const std::size_t i = &ep == &recording_connection_->endpoints[0] ? 0u : 1u;
        if (recording_->path_length[i] < tracker_observation::path_capacity)
            recording_->path[i][recording_->path_length[i]++] = entered;
    }

    // The receiver's TCB as an observer infers it.
    static receive_context context_of(const tracked_endpoint& receiver, const tracked_endpoint& sender) noexcept {
        receive_context c;
        c.st = receiver.st;
        c.passive_origin = receiver.passive_origin;
        c.fin_sent = receiver.fin_sent;
        c.iss = receiver.iss;
        c.snd_una = sender.ack_seen ? sender.ack : receiver.iss;
        c.snd_nxt = receiver.snd_nxt;
        c.max_snd_wnd = sender.max_window;
        c.rcv_nxt = receiver.rcv_nxt;
        // A receiver never seen, or whose window scale is unknown: its window is not known;
        // the largest window RFC 7323 allows stands in (nothing is judged out of window).
        c.rcv_wnd = (receiver.sent_any && receiver.scale_known()) ? receiver.window() : (1u << 30);
        return c;
    }

    // Delivers `seg` to `receiver` (classify + rows). Returns the events.
    classification deliver(tracked_endpoint& receiver, const tracked_endpoint& sender, const segment& seg,
                           std::uint32_t now, bool listener_takes_syn) noexcept {
        receive_context c = context_of(receiver, sender);
        c.listener_takes_syn = listener_takes_syn;
        const classification events = classify(c, seg);
        const state before = receiver.st;
        for (std::uint8_t i = 0; i < events.count; ++i) {
            const event e = events[i];
            run_row(receiver, e, now, true);
            if (e == event::rcv_syn || e == event::rcv_syn_ack || e == event::rcv_syn_passive) {
                if (receiver.st == state::syn_received || receiver.st == state::established)
                    receiver.rcv_nxt = seg.seq + 1;
            }
        }
        // RCV.NXT moves over text and FIN taken in order.
        if (seq_le(seg.seq + (seg.syn() ? 1u : 0u), receiver.rcv_nxt) && is_synchronized(receiver.st)) {
            receiver.rcv_nxt = seq_max(receiver.rcv_nxt, seg.seq + seg.seq_length());
        }
        if (receiver.st != before && !receiver.pending) {
            receiver.pending = true;
            receiver.prior = before;
            receiver.set_pending_segment(seg);
        } else if (receiver.st != before) {
            // The earlier one counts as delivered: taking back now undoes this one only.
            receiver.prior = before;
            receiver.set_pending_segment(seg);
        }
        return events;
    }

    // The tracker's clock: ticks of tracked_connection::tick_ns since origin_ns_, kept below
    // 2^30 (the 31 bits of last_ticks) by moving the origin forward 2^29 ticks at a time:
    // every record's ticks go down as much (those before the new origin become 0).
    static constexpr std::uint32_t rebase_ticks = 1u << 29;
    std::uint32_t advance_clock(std::uint64_t t) noexcept {
        if (!clock_started_) {
            origin_ns_ = t;
            clock_started_ = true;
        }
        if (t < origin_ns_) return 0;
        while ((t - origin_ns_) / tracked_connection::tick_ns >= 2u * rebase_ticks) {
            origin_ns_ += std::uint64_t{rebase_ticks} * tracked_connection::tick_ns;
            const auto down = [](std::uint32_t k) { return k > rebase_ticks ? k - rebase_ticks : 0u; };
            map_.for_each([&](std::uint32_t slot) {
                tracked_connection& c = map_[slot];
                c.last_ticks = down(static_cast<std::uint32_t>(c.last_ticks)) & 0x7FFFFFFFu;
                for (tracked_endpoint& e : c.endpoints) e.since_ticks = down(e.since_ticks);
            });
        }
        return ticks_of(t);
    }
    // Capture time `t` in ticks (call advance_clock(t) first); times before the origin are 0.
    std::uint32_t ticks_of(std::uint64_t t) const noexcept {
        return t <= origin_ns_ ? 0u : static_cast<std::uint32_t>((t - origin_ns_) / tracked_connection::tick_ns);
    }
    std::uint64_t time_of(std::uint32_t ticks) const noexcept {
        return origin_ns_ + std::uint64_t{ticks} * tracked_connection::tick_ns;
    }

    // Room for a new record in a full table (CLOCK, second chance): the hand walks the slots
    // (all taken), clearing the reference bit of each record seen since the hand last passed
    // it, and evicts the first record not seen since. Constant time on average; at most one
    // turn (capacity + 1 slots). Idle past its timeout, the record counts as idle.
    // `ipv6_only`: room in the full side table: the hand passes over free slots and IPv4
    // records (their bits untouched); at most two turns (one IPv6 record at least exists).
    void evict_one(std::uint32_t now_ticks, bool ipv6_only) noexcept {
        for (;;) {
            const std::uint32_t slot = hand_;
            hand_ = hand_ + 1u >= map_.capacity() ? 0u : hand_ + 1u;
            if (ipv6_only && !(map_.occupied(slot) && map_.in_side_table(slot))) continue;
            tracked_connection& c = map_[slot];
            if (c.referenced != 0) {
                c.referenced = 0;
                continue;
            }
            const std::uint64_t idle = std::uint64_t{now_ticks - static_cast<std::uint32_t>(c.last_ticks)} * tracked_connection::tick_ns;
            if (idle >= idle_limit(c)) ++stats_.evicted_idle;
            else ++stats_.evicted_full;
            if (ipv6_only) ++stats_.evicted_ipv6;
            count_removed(c);
            map_.erase(slot);
            return;
        }
    }
    void count_removed(const tracked_connection& c) noexcept {
        const state later = c.endpoints[0].st > c.endpoints[1].st ? c.endpoints[0].st : c.endpoints[1].st;
        ++stats_.evicted_in[index_of(later)];
    }
    // TIME-WAIT ends by capture time: the standard row timeout_time_wait.
    void end_time_wait(tracked_connection& c, std::uint64_t now) noexcept {
        for (tracker_side side : {tracker_side::a, tracker_side::b}) {
            tracked_endpoint& e = c.side(side);
            const std::uint64_t since = since_ns(c, side);
            if (e.st == state::time_wait && now - since >= config_.time_wait_ns) {
                run_row(e, event::timeout_time_wait, ticks_of(since + config_.time_wait_ns), false);
                ++stats_.time_wait_expired;
            }
        }
    }
    std::uint64_t idle_limit(const tracked_connection& c) const noexcept {
        const std::uint64_t a = config_.idle_ns(c.endpoints[0].st), b = config_.idle_ns(c.endpoints[1].st);
        return a > b ? a : b;
    }

    // The calls the sender's segment reveals, after taking back a deduced transition the segment
    // shows had not happened yet.
    void sender_side(tracked_endpoint& s, tracked_endpoint& r, const segment& seg,
                     std::uint32_t now, tracker_observation& out) noexcept {
        bool redeliver = false;
        segment pending{};
        if (s.pending) {
            const segment p = s.pending_segment();
            const std::uint32_t pending_end = p.seq + p.seq_length();
            const bool acknowledged = seg.ack_flag() && seq_ge(seg.ack, pending_end);
            // A SYN was refused: the endpoint taken as listening answers it with RST (§3.10.7.1).
            const bool refused = seg.rst() && s.st == state::syn_received && s.passive_origin && !s.iss_known;
            // It retransmits its FIN or text that the pending segment, a pure ACK, acknowledged
            // (a lost final ACK: its FIN again from LAST-ACK, §3.10.7.4): the ACK was lost after
            // the tap. Taken back, not delivered again (the peer's next ACK is). Not a SYN: in a
            // simultaneous open (Figure 7) a SYN,ACK answers the peer's SYN, not a lost ACK.
            const bool lost_after_tap = p.ack_flag() && p.seq_length() == 0 && !seg.rst() && !seg.syn() &&
                                        seg.seq_length() > 0 &&
                                        seq_lt(seg.seq, s.snd_nxt) && seq_le(seg.seq + seg.seq_length(), p.ack) &&
                                        !out.anomalies.contains(tracker_anomaly::keepalive);
            if (lost_after_tap) {
                record(s, s.prior);
                s.st = s.prior;
                s.pending = false;
                s.deduced = false;
            } else if (refused || (!acknowledged && (seg.syn() || seg.fin()))) {
                // The endpoint had not received the segment when it sent this one: its deduced
                // transition is taken back, and the segment delivered after the call.
                if (refused) out.anomalies.add(tracker_anomaly::connection_refused);
                record(s, s.prior);
                s.st = s.prior;
                s.passive_origin = false;
                s.pending = false;
                pending = p;
                redeliver = true;
            } else if (acknowledged) {
                s.pending = false;
                s.deduced = false;  // its ACK shows it received the segment
                s.pending_ack = seg.seq;  // confirmed_by_seq()
            }
        } else if (seg.fin() && !seg.rst() && !s.fin_sent && s.st == state::close_wait && s.prior == state::established &&
                   s.pending_fin && seq_lt(seg.seq + seg.text_length, s.confirmed_by_seq())) {
            // Its first FIN seen is older than the segment with which it acknowledged the
            // peer's FIN (SEG.SEQ beyond this FIN): the FIN was sent before the peer's
            // arrived, and lost before the tap. It closed in ESTABLISHED: taken back, the
            // CLOSE first, then the peer's FIN (CLOSING, Figure 13).
            record(s, s.prior);
            s.st = s.prior;
            pending = s.pending_segment();
            redeliver = true;
        }
        // SYN without ACK: active OPEN (a second one from SYN-SENT is a retransmission).
        if (seg.syn() && !seg.ack_flag() && !seg.rst() && (s.st == state::closed || s.st == state::listen)) {
            run_row(s, event::open_active, now, false);
        }
        if (seg.rst() && s.st != state::closed && s.st != state::listen) run_row(s, event::abort, now, false);
        if (seg.text_length > 0 && !seg.rst()) run_row(s, event::send, now, false);
        if (seg.fin() && !seg.rst() && !s.fin_sent) run_row(s, event::close, now, false);
        if (redeliver) {
            // RCV.NXT back to before the segment, so that it is taken again.
            if (pending.syn()) s.rcv_nxt = pending.seq;
            else if (seq_ge(s.rcv_nxt, pending.seq + pending.seq_length())) s.rcv_nxt = pending.seq + pending.text_length;
            deliver(s, r, pending, now, false);
            s.pending = false;
            s.deduced = false;
        }
    }
    // The wireshark_timing rule: as anomalies_before(), but a segment that starts below the
    // sender's highest sequence number is classified as Wireshark does (tracker_sequence_rule).
    static void wireshark_anomalies(const tracked_endpoint& s, const tracked_endpoint& r, const segment& seg,
                                    const tracker_sequence_timing& timing, std::size_t sender, std::uint64_t now,
                                    tracker_observation& out) noexcept {
        anomalies_before(s, r, seg, out);
        const std::uint32_t len = seg.seq_length();
        const std::uint32_t end = seg.seq + len;
        if (!s.sent_any || seg.rst() || len == 0 || !seq_lt(seg.seq, s.snd_nxt) ||
            out.anomalies.contains(tracker_anomaly::keepalive))
            return;
        tracker_anomaly_set& a = out.anomalies;
        const tracker_anomaly sequence_flags[] = {tracker_anomaly::retransmission, tracker_anomaly::out_of_order,
                                                  tracker_anomaly::fast_retransmission,
                                                  tracker_anomaly::spurious_retransmission};
        for (tracker_anomaly f : sequence_flags) a.bits &= ~(1u << index_of(f));
        // More than one octet starting one below the highest: new data (after a probe).
        const bool advances = seg.text_length > 1 && seg.seq == s.snd_nxt - 1u;
        const std::uint64_t threshold = timing.first_rtt_ns != 0 ? timing.first_rtt_ns : 3'000'000u;
        if (seg.text_length > 0 && r.ack_seen && seq_le(seg.seq + seg.text_length, r.ack)) {
            a.add(tracker_anomaly::retransmission);
            a.add(tracker_anomaly::spurious_retransmission);
        } else if (advances) {
            return;
        } else if (r.ack_seen && r.dup_acks >= 2 && seg.seq == r.ack) {
            a.add(tracker_anomaly::retransmission);
            a.add(tracker_anomaly::fast_retransmission);
        } else if (now - timing.advanced_ns[sender] < threshold && end != s.snd_nxt) {
            a.add(tracker_anomaly::out_of_order);
        } else {
            a.add(tracker_anomaly::retransmission);
        }
    }
    // What the wireshark_timing rule learns from a segment: when the sender's highest sequence
    // number advanced, the last SYN, and the first RTT.
    static void learn_timing(tracker_sequence_timing& timing, std::size_t sender, const segment& seg, bool advanced,
                             std::uint64_t now) noexcept {
        if (advanced) timing.advanced_ns[sender] = now;
        if (seg.syn() && !seg.ack_flag()) timing.syn_ns = now;
        else if (!seg.syn() && seg.ack_flag() && timing.syn_ns != 0 && timing.first_rtt_ns == 0)
            timing.first_rtt_ns = now - timing.syn_ns;
    }

    static void anomalies_before(const tracked_endpoint& s, const tracked_endpoint& r, const segment& seg,
                                 tracker_observation& out) noexcept {
        const std::uint32_t len = seg.seq_length();
        const std::uint32_t end = seg.seq + len;
        const bool control = seg.syn() || seg.fin() || seg.rst();
        if (s.sent_any && !seg.rst()) {
            const bool keepalive =
                seg.text_length <= 1 && !seg.syn() && !seg.fin() && seg.seq == s.snd_nxt - 1u && seg.ack_flag();
            if (keepalive) {
                out.anomalies.add(tracker_anomaly::keepalive);
            } else if (len > 0 && seq_lt(seg.seq, s.snd_nxt)) {
                if (seq_lt(seg.seq, s.snd_contig) || seq_le(end, s.snd_contig) || seg.syn()) {
                    out.anomalies.add(tracker_anomaly::retransmission);
                    if (seg.syn() && !seg.ack_flag() && s.st == state::syn_sent)
                        out.anomalies.add(tracker_anomaly::syn_without_answer);
                    if (r.ack_seen && r.dup_acks >= 2 && seg.seq == r.ack)
                        out.anomalies.add(tracker_anomaly::fast_retransmission);
                    if (r.ack_seen && seq_le(end, r.ack)) out.anomalies.add(tracker_anomaly::spurious_retransmission);
                } else {
                    out.anomalies.add(tracker_anomaly::out_of_order);
                }
            } else if (len > 0 && seq_gt(seg.seq, s.snd_nxt)) {
                out.anomalies.add(tracker_anomaly::previous_segment_lost);
            }
            if (seg.text_length == 1 && seg.seq == s.snd_nxt && r.sent_any && r.raw_window == 0)
                out.anomalies.add(tracker_anomaly::window_probe);
            if (seg.ack_flag() && seg.text_length == 0 && !control && s.ack_seen && seg.ack == s.ack &&
                seg.window == s.raw_window && seq_lt(seg.ack, r.snd_nxt) && !keepalive)
                out.anomalies.add(tracker_anomaly::duplicate_ack);
        }
        if (seg.window == 0 && !control) out.anomalies.add(tracker_anomaly::zero_window);
        if (seg.ack_flag() && r.sent_any && seq_gt(seg.ack, r.snd_nxt)) out.anomalies.add(tracker_anomaly::ack_unsent);
        // RFC 9293 Table 6 at the receiver, beyond the right edge (below the left edge is a
        // retransmission, flagged as such); only where the receiver's window is known.
        if (is_synchronized(r.st) && r.sent_any && r.scale_known() && len > 0 && !seg.rst()) {
            const std::uint32_t right = r.rcv_nxt + r.window();
            const bool zero_probe = r.window() == 0 && seg.seq == r.rcv_nxt;
            if (!zero_probe && seq_ge(seg.seq, right) && seq_gt(end, right))
                out.anomalies.add(tracker_anomaly::out_of_window);
        }
        // Half-open (§3.5.2): a synchronized endpoint sends to one that has no connection any more.
        if (r.st == state::closed && r.sent_any && is_synchronized(s.st) && !seg.rst())
            out.anomalies.add(tracker_anomaly::half_open);
    }
    // What the sender's segment tells about the sender: ISS, SND.NXT, its ACK, window and scale.
    static void learn_from_sender(tracked_endpoint& s, tracked_endpoint& r, const segment& seg, int wscale) noexcept {
        const std::uint32_t end = seg.seq + seg.seq_length();
        if (seg.syn() && !seg.rst()) {
            if (!s.iss_known) {
                s.iss = seg.seq;
                s.iss_known = true;
                s.snd_nxt = s.snd_contig = seg.seq;
            }
            // RFC 7323 §2.2: the scale holds only when both SYNs carry the option. -2: this
            // SYN carried none; once both SYNs are seen, both shifts are final (0 if either lacks it).
            s.window_scale = static_cast<std::int8_t>(wscale < 0 ? -2 : wscale > 14 ? 14 : wscale);
            if (r.window_scale != -1) {
                if (s.window_scale < 0 || r.window_scale < 0) s.window_scale = r.window_scale = 0;
            }
        }
        if (!seg.rst()) {
            if (!s.sent_any) s.snd_nxt = s.snd_contig = s.iss_known ? s.snd_nxt : seg.seq;
            if (seq_gt(end, s.snd_nxt)) s.snd_nxt = end;
            // One hole at a time: octets beyond it are taken as one block up to SND.NXT.
            if (seg.seq_length() > 0 && seq_gt(seg.seq, s.snd_contig) &&
                (!s.has_ooo || seq_lt(seg.seq, s.ooo_start))) {
                s.ooo_start = seg.seq;
                s.has_ooo = true;
            }
            if (seq_le(seg.seq, s.snd_contig) && seq_gt(end, s.snd_contig)) s.snd_contig = end;
            if (s.has_ooo && seq_ge(s.snd_contig, s.ooo_start)) {
                s.snd_contig = s.snd_nxt;
                s.has_ooo = false;
            }
            if (seg.fin()) s.fin_sent = true;
        }
        if (seg.ack_flag() && !seg.rst()) {
            if (s.ack_seen && seg.ack == s.ack && seg.text_length == 0 && !seg.syn() && !seg.fin() &&
                seg.window == s.raw_window) {
                if (s.dup_acks < 255) ++s.dup_acks;
            } else if (!s.ack_seen || seq_gt(seg.ack, s.ack)) {
                s.dup_acks = 0;
            }
            if (!s.ack_seen || seq_gt(seg.ack, s.ack)) s.ack = seg.ack;
            s.ack_seen = true;
            // Its ACK tells what it has received (a segment lost after the tap shows here).
            if (seq_gt(seg.ack, s.rcv_nxt) || !is_synchronized(s.st)) s.rcv_nxt = seq_max(s.rcv_nxt, seg.ack);
            // A receiver never seen sending: its SND.NXT is at least what it was acknowledged for.
            if (!r.sent_any && seq_gt(seg.ack, r.snd_nxt)) r.snd_nxt = r.snd_contig = seg.ack;
        }
        if (!seg.rst()) {
            s.raw_window = seg.window;
            // The window of a SYN is never scaled (RFC 7323 §2.2).
            s.window_of_syn = seg.syn();
            if (s.window() > s.max_window) s.max_window = s.window();
        }
        s.sent_any = true;
    }

    static constexpr std::uint32_t ipv6_capacity_of(const tracker_config& config) noexcept {
        if (!std::is_same<Key, tuple_key>::value) return 0;
        if (config.ipv6_capacity != tracker_config::ipv6_capacity_sixteenth) return config.ipv6_capacity;
        return config.capacity / 16u > 0 ? config.capacity / 16u : 1u;
    }

    tracker_config config_;
    map_type map_;
    timing_allocator timing_allocator_;
    tracker_sequence_timing* timing_ = nullptr;  // per slot, with tracker_sequence_rule::wireshark_timing
    tracker_stats stats_{};
    std::uint64_t origin_ns_ = 0;     // the clock's tick 0 (advance_clock)
    bool clock_started_ = false;
    std::uint32_t hand_ = 0;          // the eviction hand (evict_one)
    // The observation observe() is filling in, and its record (path).
    tracker_observation* recording_ = nullptr;
    const tracked_connection* recording_connection_ = nullptr;
};

}  // namespace tcpfsm

#endif  // TCPFSM_TRACKER_TRACKER_HPP
