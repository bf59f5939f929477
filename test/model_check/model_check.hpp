// An exhaustive model check of two tcpfsm::connection engines joined by a lossy channel.
//
// The world: endpoints A and B, each a real engine (the standard table), with fixed ISS
// values: the n-th ISS an endpoint chooses is always the same number, and no two of its
// choices are alike (a SYN-RECEIVED made from LISTEN by an old duplicate SYN gets a new one,
// as RFC 6528's clock would give it; an ISS used twice would let an old duplicate ACK
// complete a connection that the peer no longer has, RFC 9293 §3.4.1); a channel holding at
// most K segments in flight; one clock.
// From every global state, the successors are
//   - the network: each in-flight segment may be delivered now (in any order: the channel
//     is a multiset), dropped, or delivered while a copy stays in flight (at most once per
//     segment: a segment is duplicated at most once). A segment sent while K are in flight
//     is lost (the queue overflows): at most K are ever in flight;
//   - time: the clock jumps to the earliest deadline of either engine and that engine's
//     on_timer() runs (a tie gives both orders);
//   - the users: open_active, open_passive, send(n), receive(n) within the scenario's
//     budgets, and close() and abort() whenever they are not an error (they need no budget:
//     each succeeds at most once per incarnation).
// Breadth-first search over these global states with a visited set; the graph is kept
// (successor lists with the kind of each edge) for the checks that follow.
//
// The state and its canonical key. The key of a global state is: each engine's
// snapshot() numbers (state, passive origin, ISS, SND.UNA, SND.NXT, SND.WND, SND.WL1,
// SND.WL2, MAX.SND.WND, RCV.NXT, RCV.WND, unsent, held, MSS, retransmission count, FIN
// queued/sent), its next_deadline() kind and the time to it *relative to now*, the
// recovery point after an RTO (not in the snapshot: a shadow kept from on_row, see
// shadow_recovery), the budgets left, and the channel as a sorted multiset. Absolute time is
// left out, so the space is finite: two states that differ only in when they happened are
// one. The engine keeps a little more than the snapshot shows; the configuration below makes
// that part irrelevant, so that merged states behave alike:
//   - RTT samples depend on absolute send times: the RTO is pinned at 1 s
//     (rto_config{1000, 1000, 1000}), so no sample and no backoff changes any timer;
//   - the challenge-ACK limiter (RFC 5961 §7, 1 per 500 ms; the duplicate ACKs answering
//     out-of-window segments without text count in it too, Linux's tcp_oow_rate_limited)
//     remembers when its window began: it is shadowed (the count, and the age of the window while it still limits, go
//     into the key; the shadow is checked against the engine's on_drop after every step);
//   - keepalive, delayed ACK and the user timeout are off (their deadlines would share the
//     snapshot-invisible slots; keepalive's idle time lives in its own deadline).
// Every successor is computed from the concrete state that was reached first, so whatever
// is found is real (a reported trace replays exactly); merging can only hide behaviours.
//
// The space is finite because the retry counts are small (syn_retries 1, synack_retries 1,
// retries1 1, retries2 2), MSL is 1 s (TIME-WAIT 2 s), FIN-WAIT-2 times out after 3 s, and
// the user calls are bounded.
//
// Checks (see analyse()):
//   (a) closable: from every reachable state, close() calls, timers and the network can
//       bring both endpoints to CLOSED at once (abort() would make this trivial, so it is
//       not used); and leak-free: with no user call at all, timers and the network take
//       every endpoint out of every transient state (SYN-SENT, SYN-RECEIVED, FIN-WAIT-1,
//       FIN-WAIT-2, CLOSING, LAST-ACK, TIME-WAIT): no state without successors leaves an
//       endpoint in one, and no cycle of timer and network steps keeps an endpoint in one.
//   (b) synchronized: when both are ESTABLISHED and the channel is empty, each RCV.NXT lies
//       in [SND.UNA, SND.NXT] of the other, and equals the other's SND.NXT when neither has
//       anything unacknowledged.
//   (c) the table rows exercised (on_row), and that every state change is the table's.
// Plus, after every step: SND.UNA =< SND.NXT; user calls that the table answers with an
// error change nothing and send nothing.
//
// Out-of-order text (basic_checker<placing_engine>): the engines' Observer places text, so
// receivers hold segments above RCV.NXT (reassembly.hpp); each octet's value is octet_at()
// of its sequence number, and a shadow of each consumer's buffer (consumer_shadow, in the
// key with the queue's blocks and FIN) checks that every octet is placed once, where it
// belongs, made readable only once placed and in order, and that engine and consumer agree
// (check_receive_side).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_MODEL_CHECK_HPP
#define TCPFSM_MODEL_CHECK_HPP

#include <tcpfsm/congestion/unlimited.hpp>
#include <tcpfsm/connection.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace tcpfsm_mc {

// ------------------------------------------------------------------------------------------
// Policies: they write to one global "world" during a step (the checker is single threaded).
// ------------------------------------------------------------------------------------------

struct consumer_shadow;

struct world_type {
    std::int64_t now_ms = 0;
    std::uint32_t iss = 0;                    // the ISS the next choice returns
    unsigned iss_choices = 0;                 // ISSs chosen during the step
    std::vector<tcpfsm::segment> outbox;      // what the engine in the step sent
    std::vector<std::uint64_t>* row_hits = nullptr;
    bool saw_timeout_retransmit = false;
    std::string violation;                    // first table violation seen in the step
    // The challenge-ACK limiter of the engine in the step, shadowed (connection.hpp
    // send_challenge: RFC 5961 §7): the driver loads it before the step and stores it after.
    // The out-of-window duplicate ACKs share it (connection.hpp out_of_window_ack_limited).
    std::uint16_t challenge_limit = 0;
    std::uint16_t oow_limit = 0;
    std::uint32_t challenge_interval_ms = 0;
    std::uint16_t challenge_count = 0;
    std::uint32_t challenge_start = 0;
    unsigned challenge_drops_predicted = 0, challenge_drops_seen = 0;
    const tcpfsm::segment* segment = nullptr;  // the segment being delivered, if any
    consumer_shadow* consumer = nullptr;  // the receive buffer of the engine in the step
    // The out-of-order model's coverage: octets placed above RCV.NXT, and on_readable calls
    // that made held text readable (more than the arriving segment's own text).
    std::size_t placed_out_of_order = 0, readable_with_held = 0;
};

inline world_type world;

// One request to the shadowed limiter with the given limit (0 = unlimited, not counted):
// true when the engine must hold the ACK back.
inline bool shadow_limited(std::uint16_t limit) {
    if (limit == 0) return false;
    const auto now = static_cast<std::uint32_t>(world.now_ms);
    if (world.challenge_count == 0 || now - world.challenge_start >= world.challenge_interval_ms) {
        world.challenge_start = now;
        world.challenge_count = 0;
    }
    if (world.challenge_count >= limit) return true;
    ++world.challenge_count;
    return false;
}

struct manual_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(world.now_ms)); }
};

struct outbox_io {
    void send(const tcpfsm::outgoing_segment& s) noexcept { world.outbox.push_back(s.header); }
};

// The driver sets world.iss before each step: the next ISS of the endpoint in the step.
struct world_iss {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept {
        ++world.iss_choices;
        return world.iss;
    }
};

inline std::size_t row_index(const tcpfsm::transition& row) noexcept {
    return static_cast<std::size_t>(&row - tcpfsm::standard_table.begin());
}

struct checking_observer : tcpfsm::null_observer {
    void on_row(tcpfsm::state from, tcpfsm::event e, const tcpfsm::transition& row) noexcept {
        const std::size_t i = row_index(row);
        if (world.row_hits != nullptr && i < world.row_hits->size()) ++(*world.row_hits)[i];
        if (row.from != from || !tcpfsm::covers(row.on, e)) {
            if (world.violation.empty()) world.violation = std::string("row for ") + tcpfsm::name(from) + "/" + tcpfsm::name(e) + " does not match";
        }
        if (e == tcpfsm::event::timeout_retransmit) world.saw_timeout_retransmit = true;
        if (row.actions.intersects(tcpfsm::action::send_challenge_ack) && shadow_limited(world.challenge_limit)) {
            ++world.challenge_drops_predicted;
        }
        // Step one's ACK for a segment without text (seq_length 0, or a SYN) is limited too.
        if (e == tcpfsm::event::rcv_unacceptable && row.actions.intersects(tcpfsm::action::send_ack) &&
            world.segment != nullptr && (world.segment->seq_length() == 0 || world.segment->syn()) &&
            shadow_limited(world.oow_limit)) {
            ++world.challenge_drops_predicted;
        }
    }
    void on_drop(tcpfsm::drop_reason r) noexcept {
        if (r == tcpfsm::drop_reason::challenge_ack_rate_limited ||
            r == tcpfsm::drop_reason::out_of_window_ack_rate_limited) {
            ++world.challenge_drops_seen;
        }
    }
    void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event e) noexcept {
        if (tcpfsm::step(from, e).to != to && world.violation.empty()) {
            world.violation = std::string("state change ") + tcpfsm::name(from) + " -> " + tcpfsm::name(to) + " on " +
                              tcpfsm::name(e) + " is not the table's";
        }
    }
};

// RFC 6298's estimator with the RTO pinned at 1 s (see the header comment).
inline constexpr tcpfsm::rto_config pinned_rto{1000, 1000, 1000, 1};
using profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::basic_rto_estimator<pinned_rto>>;
using engine = tcpfsm::connection<outbox_io, manual_clock, checking_observer, world_iss, profile>;


// The connection_config of the model: small retry counts and short timers, so that the
// space is finite and small (see the header comment).
inline tcpfsm::connection_config model_config() {
    tcpfsm::connection_config c;
    c.timers.msl_ms = 1000;  // TIME-WAIT 2 s
    c.timers.fin_wait_2_ms = 3000;
    c.timers.fin_wait_2_timeout = true;
    c.timers.syn_retries = 1;
    c.timers.synack_retries = 1;
    c.timers.retries1 = 1;
    c.timers.retries2 = 2;
    c.timers.keepalive = false;
    c.timers.delayed_ack = false;
    c.ack_per_turn = false;  // every ACK at once, as rfc_reference_config: no turn timer in every state
    c.timers.user_timeout_ms = 0;
    return c;
}

// ------------------------------------------------------------------------------------------
// Out-of-order text: an Observer that places text (receive_path.hpp), so that the engine
// holds text above RCV.NXT in its reassembly queue, and the consumer it serves.
// ------------------------------------------------------------------------------------------

// The octet with sequence number `seq`, whoever sends it: a retransmission carries the same
// octets, and any 256 consecutive numbers have different values (131 is odd), so an octet
// placed at the wrong offset shows.
inline std::uint8_t octet_at(std::uint32_t seq) noexcept { return static_cast<std::uint8_t>(seq * 131u + 7u); }

// The consumer's receive buffer, as the model keeps it: the sequence number of its next
// in-order octet (its own RCV.NXT, from the peer's SYN: IRS + 1), the octets placed above it
// (bit i: next + i), and what is readable and not yet taken by receive(). It learns nothing
// from the engine but on_place and on_readable, so that it can disagree with it.
struct consumer_shadow {
    bool valid = false;
    std::uint32_t next = 0;
    std::uint32_t placed = 0;
    std::uint32_t held = 0;
    std::uint32_t delivered = 0;  // readable octets so far in this incarnation
};

inline void consumer_violation(const std::string& what) {
    if (world.violation.empty()) world.violation = what;
}

struct placing_observer : checking_observer {
    // §3.10.7.4 seventh step, with the queue: each never-seen octet once, where it belongs.
    void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        consumer_shadow* c = world.consumer;
        if (c == nullptr || !c->valid) return consumer_violation("on_place before the peer's SYN was taken");
        for (std::uint32_t j = 0; j < length; ++j) {
            const std::uint32_t at = offset + j;
            if (at >= 32) return consumer_violation("on_place beyond the model's 32 octets above RCV.NXT");
            if ((c->placed >> at) & 1u) return consumer_violation("an octet placed twice (offset " + std::to_string(at) + ")");
            if (at > 0) ++world.placed_out_of_order;
            if (text == nullptr || text[j] != octet_at(c->next + at))
                return consumer_violation("an octet placed at the wrong offset (" + std::to_string(at) + ")");
            c->placed |= 1u << at;
        }
    }
    // The first `octets` placed octets are in order: every one of them was placed.
    void on_readable(std::uint32_t octets) noexcept {
        consumer_shadow* c = world.consumer;
        if (c == nullptr || !c->valid) return consumer_violation("on_readable before the peer's SYN was taken");
        if (octets >= 32 || (c->placed & ((1u << octets) - 1u)) != ((1u << octets) - 1u))
            return consumer_violation("on_readable over octets never placed");
        if (world.segment != nullptr && octets > world.segment->text_length) ++world.readable_with_held;
        c->placed >>= octets;
        c->next += octets;
        c->held += octets;
        c->delivered += octets;
    }
};

// Congestion control is congestion::unlimited here: its state would be more that the key
// leaves out (CUBIC's epoch is an absolute time), and it is not what this model explores.
using placing_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::basic_rto_estimator<pinned_rto>,
                                               tcpfsm::congestion::unlimited>;
using placing_engine = tcpfsm::connection<outbox_io, manual_clock, placing_observer, world_iss, placing_profile>;
static_assert(placing_engine::reassembly_type::capacity == tcpfsm::default_reassembly_capacity,
              "the placing model's engine holds out-of-order text");
static_assert(engine::reassembly_type::capacity == 0, "the core model's engine takes in-order text only");

// The configuration of the out-of-order model: the core model's, with an MSS of one octet,
// so that one send(n) is n segments that the channel can reorder.
inline tcpfsm::connection_config placing_model_config() {
    tcpfsm::connection_config c = model_config();
    c.mss = 1;
    c.min_snd_mss = 1;
    return c;
}

// ------------------------------------------------------------------------------------------
// Scenarios and states
// ------------------------------------------------------------------------------------------

inline constexpr unsigned max_k = 4;

struct endpoint_budget {
    bool start_listening = false;  // open_passive() before the search starts
    std::uint8_t active_opens = 0;
    std::uint8_t passive_opens = 0;
    std::uint8_t sends = 0;        // send(send_size) calls
    std::uint8_t send_size = 1;    // octets per send
    bool duplicated = true;        // the network may duplicate segments to this endpoint
    std::uint8_t receives = 0;     // receive(all held) calls
    bool may_close = true;    // close(): RFC 9293's CLOSE (the user may still receive)
    bool may_release = false; // release(): CLOSE and the user reads no more (Linux's close())
    bool may_abort = true;
};

struct scenario {
    const char* name;
    endpoint_budget ep[2];
};

struct channel_entry {
    tcpfsm::segment h;
    std::uint8_t to = 0;        // the receiving endpoint
    std::uint8_t dup_used = 0;  // already duplicated once
};

template <class Engine>
struct basic_global_state {
    Engine ep[2];
    std::int64_t now = 0;
    std::uint8_t n = 0;
    channel_entry ch[max_k];
    std::uint8_t iss_chosen[2] = {0, 0};  // ISSs each endpoint has chosen so far
    std::uint8_t active_left[2] = {0, 0}, passive_left[2] = {0, 0}, sends_left[2] = {0, 0},
                 receives_left[2] = {0, 0};
    // Shadow of the engine's RTO recovery point (connection.hpp timer_event / acknowledge):
    // set at a retransmission timeout to the SND.NXT of that moment, cleared once SND.UNA
    // reaches it or the TCB is forgotten.
    bool recovery[2] = {false, false};
    std::uint32_t recover[2] = {0, 0};
    // Shadow of the challenge-ACK limiter (see world_type).
    std::uint16_t challenge_count[2] = {0, 0};
    std::uint32_t challenge_start[2] = {0, 0};
    // Shadow of the engine's orphan mark (connection::release(): the user reads no more;
    // only then does FIN-WAIT-2 time out).
    bool orphan[2] = {false, false};
    // The consumers' receive buffers (placing_engine only).
    consumer_shadow consumer[2] = {};
};

inline bool entry_less(const channel_entry& x, const channel_entry& y) noexcept {
    if (x.to != y.to) return x.to < y.to;
    if (x.h.seq != y.h.seq) return x.h.seq < y.h.seq;
    if (x.h.ack != y.h.ack) return x.h.ack < y.h.ack;
    if (x.h.flags != y.h.flags) return x.h.flags < y.h.flags;
    if (x.h.text_length != y.h.text_length) return x.h.text_length < y.h.text_length;
    if (x.h.window != y.h.window) return x.h.window < y.h.window;
    if (x.h.mss != y.h.mss) return x.h.mss < y.h.mss;
    return x.dup_used < y.dup_used;
}

enum class act : std::uint8_t { deliver, drop, duplicate, timer, open_active, open_passive, send, receive, close, release, abort };

// The kind of an edge, for the analyses.
enum class edge_kind : std::uint8_t { network, timer, close, other_user };

inline edge_kind kind_of(act a) noexcept {
    switch (a) {
        case act::deliver:
        case act::drop:
        case act::duplicate:
            return edge_kind::network;
        case act::timer:
            return edge_kind::timer;
        case act::close:
        case act::release:
            return edge_kind::close;
        default:
            return edge_kind::other_user;
    }
}

struct action {
    act what;
    std::uint8_t arg;  // channel index (network) or endpoint (timer, user calls)
};

inline const char* act_name(act a) noexcept {
    switch (a) {
        case act::deliver: return "deliver";
        case act::drop: return "drop";
        case act::duplicate: return "duplicate";
        case act::timer: return "timer";
        case act::open_active: return "open_active";
        case act::open_passive: return "open_passive";
        case act::send: return "send";
        case act::receive: return "receive";
        case act::close: return "close";
        case act::release: return "release";
        case act::abort: return "abort";
    }
    return "?";
}

inline std::string notation(const tcpfsm::segment& s) {
    std::string out = "<SEQ=" + std::to_string(s.seq) + ">";
    if (s.ack_flag()) out += "<ACK=" + std::to_string(s.ack) + ">";
    std::string c;
    const auto add = [&](bool on, const char* nm) {
        if (!on) return;
        if (!c.empty()) c += ",";
        c += nm;
    };
    add(s.syn(), "SYN");
    add(s.rst(), "RST");
    add(s.fin(), "FIN");
    add(s.ack_flag(), "ACK");
    out += "<CTL=" + c + ">";
    if (s.text_length > 0) out += "<DATA " + std::to_string(s.text_length) + ">";
    return out;
}

// ------------------------------------------------------------------------------------------
// The checker
// ------------------------------------------------------------------------------------------

struct key128 {
    std::uint64_t a, b;
    bool operator==(const key128& o) const noexcept { return a == o.a && b == o.b; }
};
// The visited set: open addressing, linear probing, keys of 128 bits to state ids.
class visited_set {
public:
    visited_set() { rehash(1u << 16); }
    // The id of `k`, or `fresh` (and then `k` is recorded with that id).
    std::uint32_t find_or_insert(const key128& k, std::uint32_t fresh) {
        if (2 * (count_ + 1) > ids_.size()) rehash(ids_.size() * 2);
        std::size_t i = static_cast<std::size_t>(k.a) & (ids_.size() - 1);
        while (ids_[i] != empty) {
            if (keys_[i] == k) return ids_[i];
            i = (i + 1) & (ids_.size() - 1);
        }
        keys_[i] = k;
        ids_[i] = fresh;
        ++count_;
        return fresh;
    }

private:
    static constexpr std::uint32_t empty = 0xFFFFFFFFu;
    void rehash(std::size_t size) {
        std::vector<key128> keys(size);
        std::vector<std::uint32_t> ids(size, empty);
        for (std::size_t j = 0; j < ids_.size(); ++j) {
            if (ids_[j] == empty) continue;
            std::size_t i = static_cast<std::size_t>(keys_[j].a) & (size - 1);
            while (ids[i] != empty) i = (i + 1) & (size - 1);
            keys[i] = keys_[j];
            ids[i] = ids_[j];
        }
        keys_.swap(keys);
        ids_.swap(ids);
    }
    std::vector<key128> keys_;
    std::vector<std::uint32_t> ids_;
    std::size_t count_ = 0;
};

struct result {
    std::string scenario;
    unsigned k = 0;
    std::size_t states = 0, edges = 0;
    std::size_t overflow_losses = 0;    // segments lost because K were in flight
    std::size_t both_closed_states = 0;
    std::size_t not_closable = 0;       // (a) states from which close/timers/network cannot reach CLOSED/CLOSED
    std::size_t leak_states = 0;        // (a) dead ends or cycles keeping an endpoint in a transient state
    std::size_t transient_ack_loops = 0;  // loops of network steps alone in a transient state, a timer running
    std::size_t ack_loops = 0;          // loops of network steps alone (any states), for information
    std::size_t desync_states = 0;      // (b)
    std::size_t synchronized_checks = 0;  // (b) states where both are ESTABLISHED and nothing is in flight
    std::size_t invariant_failures = 0; // table / SND.UNA =< SND.NXT / error rows
    bool truncated = false;             // hit the state cap
    std::size_t placed_out_of_order = 0;  // out-of-order model: octets placed above RCV.NXT (steps)
    std::size_t readable_with_held = 0;   // out-of-order model: steps that made held text readable
    std::size_t fin_held_states = 0;      // out-of-order model: states with a FIN held above RCV.NXT
    double seconds = 0;
    std::vector<std::string> messages;  // first few failures with traces
};

// Engine: `engine` (in-order text only, on_data) or `placing_engine` (out-of-order text held
// and placed; the consumers are shadowed and checked after every step).
template <class Engine>
class basic_checker {
    using engine = Engine;
    using global_state = basic_global_state<Engine>;
    static constexpr bool places = tcpfsm::observer_places_text_v<typename Engine::observer_type>;

public:
    basic_checker(const scenario& sc, unsigned k, std::vector<std::uint64_t>& row_hits, std::size_t state_cap = 20000000,
                  const tcpfsm::connection_config& config = places ? placing_model_config() : model_config())
        : sc_(sc), k_(k < max_k ? k : max_k), row_hits_(&row_hits), cap_(state_cap), config_(config) {}

    result run() {
        const auto t0 = std::chrono::steady_clock::now();
        world.row_hits = row_hits_;
        res_ = result{};
        res_.scenario = sc_.name;
        res_.k = k_;
        world.placed_out_of_order = world.readable_with_held = 0;
        explore();
        res_.placed_out_of_order = world.placed_out_of_order;
        res_.readable_with_held = world.readable_with_held;
        if (!res_.truncated) analyse();
        res_.states = parent_.size();
        res_.edges = succ_.size();
        res_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        world.row_hits = nullptr;
        return res_;
    }

private:
    // ---------------------------------------------------------------- the initial state
    global_state initial() {
        global_state s{{engine(config_), engine(config_)}, 0, 0, {}};
        s.now = 0;
        world.now_ms = 0;
        for (int e = 0; e < 2; ++e) {
            const endpoint_budget& b = sc_.ep[e];
            s.active_left[e] = b.active_opens;
            s.passive_left[e] = b.passive_opens;
            s.sends_left[e] = b.sends;
            s.receives_left[e] = b.receives;
            if (b.start_listening) {
                s.ep[e].open_passive();
            }
        }
        return s;
    }

    static std::uint32_t iss_for(int e, unsigned n) noexcept {
        // A's n-th ISS: 1000 + 100000 n; B's: 5000 + 100000 n (a later one lies above an
        // earlier one, as RFC 6528's clock would make it).
        return (e == 0 ? 1000u : 5000u) + 100000u * n;
    }

    // ---------------------------------------------------------------- keys
    // The canonical encoding goes into a fixed buffer (the search spends most of its time
    // here, and a Debug build must stay fast).
    struct key_buffer {
        std::uint32_t w[160];
        unsigned n = 0;
        void put(std::uint32_t x) noexcept { w[n++] = x; }
    };

    static void put_engine(key_buffer& key, engine& en, bool recovery, std::uint32_t recover, bool orphan,
                           std::uint32_t now_ticks) {
        const tcpfsm::connection_status s = en.snapshot();
        const tcpfsm::timer_deadline d = en.next_deadline();
        key.put(static_cast<std::uint32_t>(s.st) | (s.passive_origin ? 1u << 8 : 0u) | (s.fin_queued ? 1u << 9 : 0u) |
                (s.fin_sent ? 1u << 10 : 0u) | (recovery ? 1u << 11 : 0u) | (orphan ? 1u << 12 : 0u) |
                (static_cast<std::uint32_t>(d.kind) << 16));
        if (s.st == tcpfsm::state::closed) return;  // forgotten: nothing else to tell
        key.put(s.iss);
        key.put(s.snd_una);
        key.put(s.snd_nxt);
        key.put(s.snd_wnd);
        key.put(s.snd_wl1);
        key.put(s.snd_wl2);
        key.put(s.max_snd_wnd);
        key.put(s.rcv_nxt);
        key.put(s.rcv_wnd);
        key.put(s.unsent);
        key.put(s.receive_held);
        key.put(static_cast<std::uint32_t>(s.snd_mss) | (static_cast<std::uint32_t>(s.retransmits) << 16));
        key.put(s.window_probes);
        key.put(d.remaining_ms(now_ticks));
        key.put(recovery ? recover : 0u);
    }

    // The out-of-order model: what the queue holds (blocks, FIN) and the consumer's buffer.
    static void put_receive_side(key_buffer& key, engine& en, const consumer_shadow& c) {
        const auto& q = en.reassembly();
        key.put(static_cast<std::uint32_t>(q.held_count()) | (q.fin_held() ? 1u << 8 : 0u) | (c.valid ? 1u << 9 : 0u));
        for (std::size_t i = 0; i < q.held_count() && i < 4; ++i) {
            key.put(q.held(i).left);
            key.put(q.held(i).right);
        }
        if (q.fin_held()) key.put(q.fin_seq());
        if (!c.valid) return;
        key.put(c.next);
        key.put(c.placed);
        key.put(c.held);
        key.put(c.delivered);
    }

    key128 key_of(global_state& s) {
        key_buffer key;
        world.now_ms = s.now;
        const auto ticks = static_cast<std::uint32_t>(s.now);
        for (int e = 0; e < 2; ++e) {
            put_engine(key, s.ep[e], s.recovery[e], s.recover[e], s.orphan[e], ticks);
            key.put(static_cast<std::uint32_t>(s.iss_chosen[e]) | (static_cast<std::uint32_t>(s.active_left[e]) << 8) |
                    (static_cast<std::uint32_t>(s.passive_left[e]) << 16) |
                    (static_cast<std::uint32_t>(s.sends_left[e]) << 24));
            key.put(s.receives_left[e]);
            const std::uint32_t age = ticks - s.challenge_start[e];
            const bool limiting = s.challenge_count[e] != 0 && age < config_.challenge_ack_interval_ms;
            key.put(limiting ? s.challenge_count[e] : 0u);
            key.put(limiting ? age : 0u);
            if constexpr (places) put_receive_side(key, s.ep[e], s.consumer[e]);
        }
        key.put(s.n);
        for (unsigned i = 0; i < s.n; ++i) {
            const channel_entry& c = s.ch[i];
            key.put(static_cast<std::uint32_t>(c.to) | (static_cast<std::uint32_t>(c.dup_used) << 8) |
                    (static_cast<std::uint32_t>(c.h.flags) << 16));
            key.put(c.h.seq);
            key.put(c.h.ack);
            key.put(c.h.text_length);
            key.put(static_cast<std::uint32_t>(c.h.window) | (static_cast<std::uint32_t>(c.h.mss) << 16));
        }
        // Two independent 64-bit hashes of the words: a collision needs both to collide.
        std::uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x243f6a8885a308d3ull;
        for (unsigned i = 0; i < key.n; ++i) {
            h1 = (h1 ^ key.w[i]) * 0x100000001b3ull;
            h2 = (h2 ^ key.w[i]) * 0x9e3779b97f4a7c15ull;
            h2 ^= h2 >> 29;
        }
        return key128{mix(h1 ^ key.n), mix(h2)};
    }

    static std::uint64_t mix(std::uint64_t z) noexcept {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    // ---------------------------------------------------------------- successors
    static std::uint32_t remaining(engine& en, std::int64_t now) {
        world.now_ms = now;
        const tcpfsm::timer_deadline d = en.next_deadline();
        if (!d) return 0xFFFFFFFFu;
        return d.remaining_ms(static_cast<std::uint32_t>(now));
    }

    void enumerate(global_state& s, std::vector<action>& out) {
        out.clear();
        // The network.
        for (unsigned i = 0; i < s.n; ++i) {
            // Identical entries give identical successors: only the first of a run.
            if (i > 0 && !entry_less(s.ch[i - 1], s.ch[i]) && !entry_less(s.ch[i], s.ch[i - 1])) continue;
            const auto idx = static_cast<std::uint8_t>(i);
            out.push_back({act::deliver, idx});
            out.push_back({act::drop, idx});
            if (!s.ch[i].dup_used && sc_.ep[s.ch[i].to].duplicated) out.push_back({act::duplicate, idx});
        }
        // Time: the earliest deadline (both, when they tie).
        const std::uint32_t r0 = remaining(s.ep[0], s.now), r1 = remaining(s.ep[1], s.now);
        const std::uint32_t r = r0 < r1 ? r0 : r1;
        if (r != 0xFFFFFFFFu) {
            if (r0 == r) out.push_back({act::timer, 0});
            if (r1 == r) out.push_back({act::timer, 1});
        }
        // The users.
        for (std::uint8_t e = 0; e < 2; ++e) {
            const tcpfsm::state st = s.ep[e].current_state();
            const endpoint_budget& b = sc_.ep[e];
            const auto ok = [&](tcpfsm::event ev) { return tcpfsm::step(st, ev).error == tcpfsm::user_error::none; };
            if (s.active_left[e] > 0 && ok(tcpfsm::event::open_active)) out.push_back({act::open_active, e});
            if (s.passive_left[e] > 0 && ok(tcpfsm::event::open_passive)) out.push_back({act::open_passive, e});
            // SEND in LISTEN is an active OPEN (Figure 5).
            if (s.sends_left[e] > 0 && (tcpfsm::can_send(st) || st == tcpfsm::state::listen) && ok(tcpfsm::event::send))
                out.push_back({act::send, e});
            if (s.receives_left[e] > 0 && s.ep[e].snapshot().receive_held > 0) out.push_back({act::receive, e});
            if (b.may_close && ok(tcpfsm::event::close)) out.push_back({act::close, e});
            if (b.may_release && !s.orphan[e] &&
                (ok(tcpfsm::event::close) || st == tcpfsm::state::fin_wait_1 || st == tcpfsm::state::fin_wait_2 ||
                 st == tcpfsm::state::closing || st == tcpfsm::state::time_wait)) {
                out.push_back({act::release, e});
            }
            if (b.may_abort && ok(tcpfsm::event::abort)) out.push_back({act::abort, e});
        }
    }

    void remove_entry(global_state& s, unsigned i) {
        for (unsigned j = i + 1; j < s.n; ++j) s.ch[j - 1] = s.ch[j];
        --s.n;
    }

    // Runs one action on `s`; the engines' output goes into the channel.
    void apply(global_state& s, action a) {
        world.outbox.clear();
        world.iss_choices = 0;
        world.saw_timeout_retransmit = false;
        world.now_ms = s.now;
        world.challenge_drops_predicted = world.challenge_drops_seen = 0;
        world.challenge_limit = config_.challenge_ack_limit;
        world.oow_limit = config_.out_of_window_ack_limit;
        world.challenge_interval_ms = config_.challenge_ack_interval_ms;
        int actor = -1;  // the engine that ran
        if (a.what == act::deliver || a.what == act::duplicate) actor = s.ch[a.arg].to;
        else if (a.what != act::drop) actor = a.arg;
        bool closed_before = false;
        if (actor >= 0) {
            world.challenge_count = s.challenge_count[actor];
            world.challenge_start = s.challenge_start[actor];
            closed_before = s.ep[actor].current_state() == tcpfsm::state::closed;
        }
        tcpfsm::connection_status before{};
        world.consumer = actor >= 0 ? &s.consumer[actor] : nullptr;
        switch (a.what) {
            case act::deliver:
            case act::duplicate: {
                const channel_entry c = s.ch[a.arg];
                if (a.what == act::deliver) remove_entry(s, a.arg);
                else s.ch[a.arg].dup_used = 1;
                // The text: octet_at() of each octet's sequence number (the SYN's is SEG.SEQ).
                std::uint8_t text[64] = {};
                const std::uint32_t first = c.h.seq + (c.h.syn() ? 1u : 0u);
                for (std::uint32_t j = 0; j < c.h.text_length && j < 64; ++j) text[j] = octet_at(first + j);
                if constexpr (places) {
                    // The peer's SYN (LISTEN, SYN-SENT): the consumer's stream starts at IRS + 1.
                    const tcpfsm::state st = s.ep[actor].current_state();
                    if (c.h.syn() && (st == tcpfsm::state::listen || st == tcpfsm::state::syn_sent)) {
                        s.consumer[actor] = consumer_shadow{};
                        s.consumer[actor].valid = true;
                        s.consumer[actor].next = c.h.seq + 1u;
                    }
                }
                world.segment = &c.h;
                s.ep[actor].on_segment(c.h, c.h.text_length > 0 ? text : nullptr);
                world.segment = nullptr;
                break;
            }
            case act::drop:
                remove_entry(s, a.arg);
                break;
            case act::timer: {
                s.now += remaining(s.ep[actor], s.now);
                world.now_ms = s.now;
                before = s.ep[actor].snapshot();
                s.ep[actor].on_timer();
                break;
            }
            default: {
                engine& en = s.ep[actor];
                switch (a.what) {
                    case act::open_active:
                        --s.active_left[actor];
                        en.open_active();
                        break;
                    case act::open_passive:
                        --s.passive_left[actor];
                        en.open_passive();
                        break;
                    case act::send:
                        --s.sends_left[actor];
                        en.send(sc_.ep[actor].send_size);
                        break;
                    case act::receive: {
                        --s.receives_left[actor];
                        const std::uint32_t n = en.snapshot().receive_held;
                        // The consumer gives back what it read, unless RECEIVE was refused
                        // (CLOSING, LAST-ACK, TIME-WAIT: "error: connection closing").
                        if (en.receive(n) == tcpfsm::user_error::none)
                            s.consumer[actor].held = s.consumer[actor].held >= n ? s.consumer[actor].held - n : 0u;
                        break;
                    }
                    case act::close:
                        en.close();
                        break;
                    case act::release:
                        if (en.release() == tcpfsm::user_error::none) s.orphan[actor] = true;
                        break;
                    case act::abort:
                        en.abort();
                        break;
                    default:
                        break;
                }
                break;
            }
        }
        if (actor >= 0) {
            s.iss_chosen[actor] = static_cast<std::uint8_t>(s.iss_chosen[actor] + world.iss_choices);
            // An endpoint without a TCB answers a segment with RST, or says nothing (§3.10.7.1).
            if (closed_before && (a.what == act::deliver || a.what == act::duplicate || a.what == act::timer)) {
                for (const tcpfsm::segment& seg : world.outbox) {
                    if (!seg.rst() && world.violation.empty()) world.violation = "CLOSED sent " + notation(seg);
                }
            }
            s.challenge_count[actor] = world.challenge_count;
            s.challenge_start[actor] = world.challenge_start;
            if (world.challenge_drops_predicted != world.challenge_drops_seen && world.violation.empty()) {
                world.violation = "the challenge-ACK limiter shadow disagrees with the engine";
            }
            const auto to = static_cast<std::uint8_t>(1 - actor);
            for (const tcpfsm::segment& seg : world.outbox) {
                if (s.n < k_) {
                    s.ch[s.n].h = seg;
                    s.ch[s.n].to = to;
                    s.ch[s.n].dup_used = 0;
                    ++s.n;
                } else {
                    ++res_.overflow_losses;
                }
            }
            // The shadow of the RTO recovery point.
            if (a.what == act::timer && world.saw_timeout_retransmit && !s.recovery[actor]) {
                s.recovery[actor] = true;
                s.recover[actor] = before.snd_nxt;
            }
        }
        world.consumer = nullptr;
        if constexpr (places) check_receive_side(s);
        for (int e = 0; e < 2; ++e) {
            const tcpfsm::connection_status st = s.ep[e].snapshot();
            if (st.st == tcpfsm::state::closed || st.st == tcpfsm::state::listen) {
                // The TCB is forgotten (connection.hpp forget_connection).
                s.recovery[e] = false;
                s.recover[e] = 0;
                s.orphan[e] = false;
                s.challenge_count[e] = 0;
                s.challenge_start[e] = 0;
            } else if (s.recovery[e] && !tcpfsm::seq_lt(st.snd_una, s.recover[e])) {
                s.recovery[e] = false;
                s.recover[e] = 0;
            }
        }
        std::sort(s.ch, s.ch + s.n, entry_less);
    }

    // The out-of-order model, after every step: the engine and its consumer agree. RCV.NXT is
    // the consumer's next octet (one more after the peer's FIN: CLOSE-WAIT, CLOSING, LAST-ACK,
    // TIME-WAIT), what the engine counts as held for the user is what the consumer holds, and
    // the queue holds exactly the octets placed above RCV.NXT. With on_place's and
    // on_readable's own checks: every octet is delivered once, in order, as sent.
    void check_receive_side(global_state& s) {
        for (int e = 0; e < 2; ++e) {
            consumer_shadow& c = s.consumer[e];
            const tcpfsm::connection_status st = s.ep[e].snapshot();
            if (st.st == tcpfsm::state::closed || st.st == tcpfsm::state::listen || st.st == tcpfsm::state::syn_sent) {
                c = consumer_shadow{};  // no connection, or not synchronized yet: nothing received
                continue;
            }
            const std::string who = e == 0 ? "A" : "B";
            if (!c.valid) {
                consumer_violation(who + " is synchronized without having taken a SYN");
                continue;
            }
            const bool fin_in = st.st == tcpfsm::state::close_wait || st.st == tcpfsm::state::closing ||
                                st.st == tcpfsm::state::last_ack || st.st == tcpfsm::state::time_wait;
            if (st.rcv_nxt != c.next + (fin_in ? 1u : 0u))
                consumer_violation(who + ": RCV.NXT " + std::to_string(st.rcv_nxt) + " is not the consumer's next octet " +
                                   std::to_string(c.next) + (fin_in ? " + 1 (FIN)" : ""));
            if (st.receive_held != c.held)
                consumer_violation(who + ": the engine counts " + std::to_string(st.receive_held) +
                                   " octets held for the user, the consumer holds " + std::to_string(c.held));
            const auto& q = s.ep[e].reassembly();
            if (!q.consistent_with(st.rcv_nxt)) consumer_violation(who + ": the reassembly queue is inconsistent");
            std::uint32_t queued = 0;
            for (std::size_t i = 0; i < q.held_count(); ++i) {
                for (std::uint32_t x = q.held(i).left; x != q.held(i).right; ++x) {
                    const std::uint32_t at = x - c.next;
                    if (at < 32) queued |= 1u << at;
                }
            }
            if (queued != c.placed)
                consumer_violation(who + ": the queue holds other octets than the consumer placed above RCV.NXT");
        }
    }

    // The ISS the engine in the step would choose next (an active OPEN, or a SYN arriving in
    // LISTEN during on_segment, whose receiver apply() only learns from the channel): set here
    // for every action; apply() counts the choices made.
    void prepare(global_state& s, action a) {
        int actor = -1;
        if (a.what == act::deliver || a.what == act::duplicate) actor = s.ch[a.arg].to;
        else if (a.what != act::drop) actor = a.arg;
        if (actor >= 0) world.iss = iss_for(actor, s.iss_chosen[actor] + 1u);
    }

    // ---------------------------------------------------------------- per-state checks
    void check_state(global_state& s, std::uint32_t id) {
        tcpfsm::connection_status st[2];
        if constexpr (places) {
            if (s.ep[0].reassembly().fin_held() || s.ep[1].reassembly().fin_held()) ++res_.fin_held_states;
        }
        for (int e = 0; e < 2; ++e) {
            st[e] = s.ep[e].snapshot();
            if (!tcpfsm::is_valid(st[e].st)) {
                ++res_.invariant_failures;
                fail(id, "invalid state");
            }
            if (!tcpfsm::seq_le(st[e].snd_una, st[e].snd_nxt)) {
                ++res_.invariant_failures;
                fail(id, std::string("SND.UNA > SND.NXT at ") + (e == 0 ? "A" : "B"));
            }
        }
        if (st[0].st == tcpfsm::state::closed && st[1].st == tcpfsm::state::closed) ++res_.both_closed_states;
        // (b)
        if (st[0].st == tcpfsm::state::established && st[1].st == tcpfsm::state::established && s.n == 0) {
            ++res_.synchronized_checks;
            bool ok = true;
            for (int e = 0; e < 2; ++e) {
                const tcpfsm::connection_status& me = st[e];
                const tcpfsm::connection_status& peer = st[1 - e];
                if (!tcpfsm::seq_in_closed(me.snd_una, peer.rcv_nxt, me.snd_nxt)) ok = false;
            }
            if (st[0].snd_una == st[0].snd_nxt && st[1].snd_una == st[1].snd_nxt &&
                (st[0].rcv_nxt != st[1].snd_nxt || st[1].rcv_nxt != st[0].snd_nxt)) {
                ok = false;
            }
            if (!ok) {
                ++res_.desync_states;
                fail(id, "(b) ESTABLISHED on both sides, channel empty, sequence numbers disagree");
            }
        }
    }

    // User calls the table answers with an error: the first time a (state, call) pair is
    // seen, run it on a copy and check that nothing changed and nothing was sent. STATUS too.
    void probe_error_rows(global_state& s, std::uint32_t id) {
        static const tcpfsm::event calls[] = {tcpfsm::event::open_passive, tcpfsm::event::open_active, tcpfsm::event::send,
                                              tcpfsm::event::receive,      tcpfsm::event::close,       tcpfsm::event::abort,
                                              tcpfsm::event::status};
        for (int e = 0; e < 2; ++e) {
            const tcpfsm::state st = s.ep[e].current_state();
            for (tcpfsm::event ev : calls) {
                const tcpfsm::transition& row = tcpfsm::step(st, ev);
                const bool probe = row.error != tcpfsm::user_error::none || ev == tcpfsm::event::status ||
                                   (ev == tcpfsm::event::receive && s.ep[e].snapshot().receive_held == 0);
                if (!probe) continue;
                bool& seen = probed_[tcpfsm::index_of(st)][tcpfsm::index_of(ev)];
                if (seen) continue;
                seen = true;
                global_state copy = s;
                const key128 k0 = key_of(copy);
                world.outbox.clear();
                world.now_ms = copy.now;
                engine& en = copy.ep[e];
                tcpfsm::user_error err = tcpfsm::user_error::none;
                tcpfsm::connection_status out{};
                switch (ev) {
                    case tcpfsm::event::open_passive: err = en.open_passive(); break;
                    case tcpfsm::event::open_active: err = en.open_active(); break;
                    case tcpfsm::event::send: err = en.send(1); break;
                    case tcpfsm::event::receive: err = en.receive(0); break;
                    case tcpfsm::event::close: err = en.close(); break;
                    case tcpfsm::event::abort: err = en.abort(); break;
                    default: err = en.status(out); break;
                }
                const bool changed = !world.outbox.empty() || !(key_of(copy) == k0);
                const std::string violation = world.violation;
                world.violation.clear();
                // §3.10.3: RECEIVE in CLOSE-WAIT with nothing on hand is "error: connection
                // closing" (the engine's answer beyond the row, see connection::receive).
                const tcpfsm::user_error expected = (ev == tcpfsm::event::receive && st == tcpfsm::state::close_wait)
                                                        ? tcpfsm::user_error::connection_closing
                                                        : row.error;
                if (!violation.empty()) {
                    ++res_.invariant_failures;
                    fail(id, "invariant: " + violation);
                }
                if (err != expected) {
                    ++res_.invariant_failures;
                    fail(id, std::string("user call ") + tcpfsm::name(ev) + " in " + tcpfsm::name(st) + " returned " +
                                 tcpfsm::name(err) + ", expected " + tcpfsm::name(expected));
                }
                if (changed) {
                    ++res_.invariant_failures;
                    fail(id, std::string("user call ") + tcpfsm::name(ev) + " in " + tcpfsm::name(st) +
                                 " changed the connection or sent a segment");
                }
            }
        }
    }

    // ---------------------------------------------------------------- exploration
    std::uint32_t intern(global_state& s, std::uint32_t parent, std::uint16_t how, bool& fresh) {
        const key128 k = key_of(s);
        const auto id = static_cast<std::uint32_t>(parent_.size());
        const std::uint32_t found = ids_.find_or_insert(k, id);
        fresh = found == id;
        if (!fresh) return found;
        parent_.push_back(parent);
        how_.push_back(how);
        std::uint32_t flags = 0;
        for (int e = 0; e < 2; ++e) {
            flags |= static_cast<std::uint32_t>(s.ep[e].current_state()) << (4 * e);
            if (s.orphan[e]) flags |= static_cast<std::uint32_t>(orphan_a_bit) << e;
            world.now_ms = s.now;
            if (s.ep[e].next_deadline()) flags |= timer_bit;
        }
        if (s.n == 0) flags |= empty_bit;
        summary_.push_back(static_cast<std::uint16_t>(flags));
        return id;
    }

    static std::uint16_t pack(action a) noexcept {
        return static_cast<std::uint16_t>((static_cast<unsigned>(a.what) << 8) | a.arg);
    }
    static action unpack(std::uint16_t p) noexcept {
        return action{static_cast<act>(p >> 8), static_cast<std::uint8_t>(p & 0xFFu)};
    }

    void explore() {
        std::deque<global_state> frontier;
        global_state init = initial();
        bool fresh = false;
        init_ = init;
        intern(init, 0xFFFFFFFFu, 0, fresh);
        check_state(init, 0);
        frontier.push_back(init);
        std::vector<action> acts;
        std::uint32_t next = 0;
        while (!frontier.empty()) {
            global_state cur = frontier.front();
            frontier.pop_front();
            const std::uint32_t id = next++;
            offset_.push_back(static_cast<std::uint32_t>(succ_.size()));
            probe_error_rows(cur, id);
            enumerate(cur, acts);
            for (const action& a : acts) {
                global_state s = cur;
                prepare(s, a);
                apply(s, a);
                if (!world.violation.empty()) {
                    const std::string what = "invariant: " + world.violation;
                    world.violation.clear();
                    ++res_.invariant_failures;
                    fail(id, what + " (the trace to the state before, then the step)", {pack(a)});
                }
                const std::uint32_t t = intern(s, id, pack(a), fresh);
                succ_.push_back(t);
                kind_.push_back(static_cast<std::uint8_t>(kind_of(a.what)));
                label_.push_back(pack(a));
                if (fresh) {
                    check_state(s, t);
                    if (parent_.size() >= cap_) {
                        res_.truncated = true;
                        fail(t, "state cap reached: the space is larger than " + std::to_string(cap_));
                        offset_.push_back(static_cast<std::uint32_t>(succ_.size()));
                        return;
                    }
                    frontier.push_back(s);
                }
            }
        }
        offset_.push_back(static_cast<std::uint32_t>(succ_.size()));
    }

    // ---------------------------------------------------------------- analyses
    // summary_ of a state: A's state (bits 0-3), B's (4-7), the channel empty (8), a timer
    // running (9), A orphaned (10), B orphaned (11).
    static constexpr std::uint16_t empty_bit = 1u << 8, timer_bit = 1u << 9, orphan_a_bit = 1u << 10;
    tcpfsm::state state_of(std::uint32_t id, int e) const noexcept {
        return static_cast<tcpfsm::state>((summary_[id] >> (4 * e)) & 0xFu);
    }
    // The states an endpoint must leave through timers and the network alone: SYN-SENT,
    // SYN-RECEIVED, FIN-WAIT-1, CLOSING, LAST-ACK, TIME-WAIT, and FIN-WAIT-2 once the user
    // has released the connection (after close() alone, FIN-WAIT-2 waits for the peer's FIN:
    // RFC 9293's simplex close, where the user may still receive).
    bool transient_at(std::uint32_t id, int e) const noexcept {
        const tcpfsm::state st = state_of(id, e);
        if (st == tcpfsm::state::fin_wait_2) return (summary_[id] & (orphan_a_bit << e)) != 0;
        return tcpfsm::transient_states_strict.contains(st);
    }

    void analyse() {
        const std::size_t n = parent_.size();
        // (a) closable: backward reachability of CLOSED/CLOSED over close, timer and network edges.
        {
            std::vector<std::uint32_t> rev_off(n + 1, 0), rev;
            for (std::size_t v = 0; v < n; ++v)
                for (std::uint32_t i = offset_[v]; i < offset_[v + 1]; ++i)
                    if (kind_[i] != static_cast<std::uint8_t>(edge_kind::other_user)) ++rev_off[succ_[i] + 1];
            for (std::size_t v = 0; v < n; ++v) rev_off[v + 1] += rev_off[v];
            rev.resize(rev_off[n]);
            std::vector<std::uint32_t> fill(rev_off.begin(), rev_off.end() - 1);
            for (std::size_t v = 0; v < n; ++v)
                for (std::uint32_t i = offset_[v]; i < offset_[v + 1]; ++i)
                    if (kind_[i] != static_cast<std::uint8_t>(edge_kind::other_user)) rev[fill[succ_[i]]++] = static_cast<std::uint32_t>(v);
            std::vector<std::uint8_t> good(n, 0);
            std::vector<std::uint32_t> queue;
            for (std::size_t v = 0; v < n; ++v) {
                if (state_of(static_cast<std::uint32_t>(v), 0) == tcpfsm::state::closed &&
                    state_of(static_cast<std::uint32_t>(v), 1) == tcpfsm::state::closed) {
                    good[v] = 1;
                    queue.push_back(static_cast<std::uint32_t>(v));
                }
            }
            for (std::size_t qi = 0; qi < queue.size(); ++qi) {
                const std::uint32_t v = queue[qi];
                for (std::uint32_t i = rev_off[v]; i < rev_off[v + 1]; ++i) {
                    if (!good[rev[i]]) {
                        good[rev[i]] = 1;
                        queue.push_back(rev[i]);
                    }
                }
            }
            for (std::size_t v = 0; v < n; ++v) {
                if (!good[v]) {
                    if (res_.not_closable == 0) fail(static_cast<std::uint32_t>(v), "(a) CLOSED/CLOSED cannot be reached with close(), timers and the network");
                    ++res_.not_closable;
                }
            }
        }
        // (a) leak-free: over timer and network edges only (no user call). Dead ends first.
        const auto passive_edge = [&](std::uint32_t i) {
            return kind_[i] == static_cast<std::uint8_t>(edge_kind::network) ||
                   kind_[i] == static_cast<std::uint8_t>(edge_kind::timer);
        };
        const auto network_edge = [&](std::uint32_t i) {
            return kind_[i] == static_cast<std::uint8_t>(edge_kind::network);
        };
        std::vector<std::uint8_t> leak(n, 0), mark(n, 0);
        for (std::uint32_t v = 0; v < n; ++v) {
            bool any = false;
            for (std::uint32_t i = offset_[v]; i < offset_[v + 1] && !any; ++i) any = passive_edge(i);
            if (!any && (transient_at(v, 0) || transient_at(v, 1))) {
                if (res_.leak_states == 0) fail(v, "(a) no timer runs and nothing is in flight, but an endpoint is in a transient state");
                ++res_.leak_states;
                leak[v] = 1;
            }
        }
        // Cycles: for each endpoint, the strongly connected components of the timer/network
        // graph restricted to the states where that endpoint is in one transient state. With
        // a timer step inside, time passes for ever and the endpoint stays: a leak. With
        // network steps only, no time passes: segments answer each other (an ACK loop); if
        // a timer runs there, it ends the loop once time goes on (timers are fair), so this is
        // reported, not a leak; if none runs, nothing ever ends it: a leak.
        for (int e = 0; e < 2; ++e) {
            const auto follow = [&](std::uint32_t u, std::uint32_t i) {
                return passive_edge(i) && state_of(u, e) == state_of(succ_[i], e);
            };
            tarjan([&](std::uint32_t v) { return transient_at(v, e); }, follow,
                   [&](const std::vector<std::uint32_t>& comp, bool cyclic) {
                       if (!cyclic) return;
                       for (std::uint32_t v : comp) mark[v] = 1;
                       bool timed = false, timer_runs = false;
                       for (std::uint32_t v : comp) {
                           if (summary_[v] & timer_bit) timer_runs = true;
                           for (std::uint32_t i = offset_[v]; i < offset_[v + 1]; ++i)
                               if (kind_[i] == static_cast<std::uint8_t>(edge_kind::timer) && mark[succ_[i]] && follow(v, i)) timed = true;
                       }
                       for (std::uint32_t v : comp) mark[v] = 0;
                       const std::string who = std::string(e == 0 ? "A" : "B") + " in " + tcpfsm::rfc_name(state_of(comp[0], e));
                       if (timed || !timer_runs) {
                           if (res_.leak_states < 3 || res_.messages.size() < 2) {
                               fail(comp[0], std::string("(a) a cycle of ") + (timed ? "timer and network" : "network") +
                                                 " steps keeps " + who + " for ever (" + std::to_string(comp.size()) +
                                                 " states); the trace to it, then the cycle:",
                                    cycle_in(comp, comp[0], follow));
                           }
                           for (std::uint32_t v : comp) {
                               if (!leak[v]) ++res_.leak_states;
                               leak[v] = 1;
                           }
                       } else {
                           if (res_.transient_ack_loops == 0) {
                               info_.push_back("(info) network steps alone (no time passes) keep " + who + " in a loop of " +
                                               std::to_string(comp.size()) + " states, until a timer fires; the trace to it, then the loop:\n" +
                                               trace(comp[0], cycle_in(comp, comp[0], follow)));
                           }
                           ++res_.transient_ack_loops;
                       }
                   });
        }
        // For information: every loop of network steps alone, whatever the states.
        tarjan([](std::uint32_t) { return true; }, [&](std::uint32_t, std::uint32_t i) { return network_edge(i); },
               [&](const std::vector<std::uint32_t>&, bool cyclic) {
                   if (cyclic) ++res_.ack_loops;
               });
        for (const std::string& m : info_) res_.messages.push_back(m);
    }

    // Iterative Tarjan over the states where `in(v)`, following edges where `follow(v, edge)`.
    template <class In, class Follow, class Emit>
    void tarjan(In in, Follow follow, Emit emit) {
        const std::size_t n = parent_.size();
        constexpr std::uint32_t unvisited = 0xFFFFFFFFu;
        std::vector<std::uint32_t> index(n, unvisited), low(n, 0);
        std::vector<std::uint8_t> on_stack(n, 0);
        std::vector<std::uint32_t> stack, comp;
        struct frame {
            std::uint32_t v, edge;
        };
        std::vector<frame> call;
        std::uint32_t counter = 0;
        for (std::uint32_t root = 0; root < n; ++root) {
            if (index[root] != unvisited || !in(root)) continue;
            call.push_back({root, offset_[root]});
            index[root] = low[root] = counter++;
            stack.push_back(root);
            on_stack[root] = 1;
            while (!call.empty()) {
                frame& f = call.back();
                const std::uint32_t v = f.v;
                if (f.edge < offset_[v + 1]) {
                    const std::uint32_t i = f.edge++;
                    const std::uint32_t w = succ_[i];
                    if (!in(w) || !follow(v, i)) continue;
                    if (index[w] == unvisited) {
                        index[w] = low[w] = counter++;
                        stack.push_back(w);
                        on_stack[w] = 1;
                        call.push_back({w, offset_[w]});
                    } else if (on_stack[w]) {
                        low[v] = std::min(low[v], index[w]);
                    }
                    continue;
                }
                call.pop_back();
                if (!call.empty()) low[call.back().v] = std::min(low[call.back().v], low[v]);
                if (low[v] == index[v]) {
                    comp.clear();
                    std::uint32_t w = 0;
                    do {
                        w = stack.back();
                        stack.pop_back();
                        on_stack[w] = 0;
                        comp.push_back(w);
                    } while (w != v);
                    bool cyclic = comp.size() > 1;
                    if (!cyclic) {
                        for (std::uint32_t i = offset_[v]; i < offset_[v + 1]; ++i)
                            if (succ_[i] == v && follow(v, i)) cyclic = true;
                    }
                    emit(comp, cyclic);
                }
            }
        }
    }

    // ---------------------------------------------------------------- traces
    std::string describe(const global_state& s) const {
        std::ostringstream o;
        for (int e = 0; e < 2; ++e) {
            const tcpfsm::connection_status st = s.ep[e].snapshot();
            o << (e == 0 ? "A " : "  B ") << tcpfsm::rfc_name(st.st);
            if (st.st != tcpfsm::state::closed && st.st != tcpfsm::state::listen)
                o << " una=" << st.snd_una << " nxt=" << st.snd_nxt << " rcv=" << st.rcv_nxt;
        }
        o << "  t=" << s.now << " ms, in flight:";
        for (unsigned i = 0; i < s.n; ++i) o << " " << (s.ch[i].to == 1 ? "A>B" : "B>A") << notation(s.ch[i].h);
        return o.str();
    }

    // A cycle through `start` inside the component `comp` (edges that `follow` allows), as
    // the actions along it.
    template <class Follow>
    std::vector<std::uint16_t> cycle_in(const std::vector<std::uint32_t>& comp, std::uint32_t start, Follow follow) {
        std::unordered_map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> from;  // state -> (previous, edge)
        std::unordered_map<std::uint32_t, bool> in;
        for (std::uint32_t v : comp) in[v] = true;
        std::vector<std::uint32_t> queue{start};
        for (std::size_t qi = 0; qi < queue.size(); ++qi) {
            const std::uint32_t u = queue[qi];
            for (std::uint32_t i = offset_[u]; i < offset_[u + 1]; ++i) {
                const std::uint32_t w = succ_[i];
                if (!in.count(w) || !follow(u, i)) continue;
                if (w == start) {
                    std::vector<std::uint32_t> edges{i};
                    for (std::uint32_t x = u; x != start; x = from[x].first) edges.push_back(from[x].second);
                    std::reverse(edges.begin(), edges.end());
                    std::vector<std::uint16_t> out;
                    for (std::uint32_t e : edges) out.push_back(label_[e]);
                    return out;
                }
                if (from.count(w)) continue;
                from[w] = {u, i};
                queue.push_back(w);
            }
        }
        return {};
    }

public:
    // The actions from the initial state to `id`, replayed, one line per step; then `more`.
    std::string trace(std::uint32_t id, const std::vector<std::uint16_t>& more = {}) {
        std::vector<std::uint16_t> path;
        for (std::uint32_t v = id; v != 0 && v != 0xFFFFFFFFu; v = parent_[v]) path.push_back(how_[v]);
        std::reverse(path.begin(), path.end());
        const std::size_t prefix = path.size();
        path.insert(path.end(), more.begin(), more.end());
        global_state s = init_;
        std::vector<std::uint64_t>* saved = world.row_hits;
        world.row_hits = nullptr;
        const std::size_t saved_losses = res_.overflow_losses;
        std::ostringstream o;
        o << "  start: " << describe(s) << "\n";
        for (std::size_t step = 0; step < path.size(); ++step) {
            if (step == prefix && !more.empty()) o << "  ---- the cycle: ----\n";
            const action a = unpack(path[step]);
            if ((a.what == act::deliver || a.what == act::drop || a.what == act::duplicate) && a.arg >= s.n) {
                // A cycle's edges come from the states it merges (the key leaves out, e.g., the
                // sender's duplicate-ACK count): its replay may reach a different channel.
                o << "  (the replay of the cycle diverges here: no segment " << unsigned{a.arg} << " in flight)\n";
                break;
            }
            std::string what = act_name(a.what);
            if (a.what == act::deliver || a.what == act::drop || a.what == act::duplicate) {
                what += std::string(" ") + (s.ch[a.arg].to == 1 ? "A>B " : "B>A ") + notation(s.ch[a.arg].h);
            } else {
                what += a.arg == 0 ? " A" : " B";
            }
            prepare(s, a);
            apply(s, a);
            o << "  " << what << "\n      -> " << describe(s) << "\n";
        }
        world.violation.clear();
        res_.overflow_losses = saved_losses;
        world.row_hits = saved;
        return o.str();
    }

private:
    void fail(std::uint32_t id, const std::string& what, const std::vector<std::uint16_t>& more = {}) {
        if (res_.messages.size() >= 6) return;
        if (id >= parent_.size() || replaying_) {
            res_.messages.push_back(what);
            return;
        }
        replaying_ = true;
        res_.messages.push_back(what + "\n" + trace(id, more));
        replaying_ = false;
    }

    const scenario sc_;
    unsigned k_;
    std::vector<std::uint64_t>* row_hits_;
    std::size_t cap_;
    tcpfsm::connection_config config_;
    result res_;
    global_state init_{{engine(config_), engine(config_)}, 0, 0, {}};
    visited_set ids_;
    std::vector<std::uint32_t> parent_;
    std::vector<std::uint16_t> how_;
    std::vector<std::uint16_t> summary_;  // A's state, B's state, channel empty
    std::vector<std::uint32_t> offset_, succ_;
    std::vector<std::uint8_t> kind_;
    std::vector<std::uint16_t> label_;  // the action of each edge
    std::vector<std::string> info_;
    bool probed_[tcpfsm::state_count][tcpfsm::event_count] = {};
    bool replaying_ = false;
};

// The core model (in-order text only) and the out-of-order one.
using checker = basic_checker<engine>;
using placing_checker = basic_checker<placing_engine>;

}  // namespace tcpfsm_mc

#endif  // TCPFSM_MODEL_CHECK_HPP
