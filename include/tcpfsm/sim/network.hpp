// tcpfsm: the simulator's network: its endpoints, links and event queue, the run loop, the
// trace, the wire log and the invariant checks, and the ladder diagram of a connection.
// Part of the optional simulator (simulator.hpp), whose comment shows its use.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIM_NETWORK_HPP
#define TCPFSM_SIM_NETWORK_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "../connection.hpp"
#include "../ladder.hpp"
#include "../manual_clock.hpp"
#include "../options/option_codec.hpp"
#include "../sim_link.hpp"
#include "endpoint.hpp"
#include "packet.hpp"
#include "trace.hpp"

namespace tcpfsm {
namespace sim {

// ------------------------------------------------------------------------------------------
// The network
// ------------------------------------------------------------------------------------------

struct network_config {
    std::uint64_t seed = 1;
    sim_time start_ms = 0;          // the clock's first reading (the engine's ticks wrap at 2^32 ms)
    link_config link{};             // every link that is not set with set_link()
    bool trace = true;              // keep the trace (off for soaks: no strings are built)
    bool record_wire = true;        // keep the wire log
    bool check_invariants = true;   // after every step
    bool trace_rows = false;        // every row the engines run, not just state changes
    std::uint64_t max_steps_per_instant = 100000;  // more steps at one time: the run fails
};

template <class Profile = default_profile>
class basic_network {
public:
    using endpoint_type = basic_endpoint<Profile>;

    explicit basic_network(const network_config& cfg = network_config{})
        : config_(cfg), random_(cfg.seed), time_(manual_time::time_point(std::chrono::milliseconds(cfg.start_ms))),
          last_instant_(cfg.start_ms * 1000) {}
    basic_network(const basic_network&) = delete;
    basic_network& operator=(const basic_network&) = delete;

    // ---- endpoints and links ----

    // A new endpoint with a fresh engine in CLOSED. Its address is 10.0.0.<n+1>, its port
    // 49152 + n (change them with set_address before opening).
    endpoint_type& add(const std::string& label, const connection_config& cfg = default_connection_config) {
        const std::size_t idx = endpoints_.size();
        endpoints_.push_back(std::unique_ptr<endpoint_type>(new endpoint_type(this, idx, label, cfg)));
        endpoint_type& ep = *endpoints_.back();
        ep.set_address(endpoint_address::ipv4(static_cast<std::uint32_t>(0x0A000001u + idx)),
                       static_cast<std::uint16_t>(49152u + (idx & 0x3FFFu)));
        siphash_key secret{};
        secret.k0 = random_.next();
        secret.k1 = random_.next();
        const rfc6528_iss generator(secret);
        ep.set_iss(generator);
        // RFC 7323 §5.4: a per-connection TSval offset, keyed as the ISS (RFC 6528).
        ep.set_timestamp_offset([generator](const four_tuple& t) { return generator.timestamp_offset(t); });
        ep.make_engine();
        return ep;
    }

    std::size_t size() const noexcept { return endpoints_.size(); }
    endpoint_type& at(std::size_t idx) { return *endpoints_.at(idx); }
    const endpoint_type& at(std::size_t idx) const { return *endpoints_.at(idx); }
    endpoint_type& find(const std::string& label) {
        for (auto& ep : endpoints_) {
            if (ep->name() == label) return *ep;
        }
        detail::misuse("tcpfsm::sim: no endpoint " + label);
    }

    // a and b send to each other; both directions take the default link unless set.
    void connect(endpoint_type& a, endpoint_type& b) {
        a.peer_ = b.index_;
        b.peer_ = a.index_;
    }
    // `from` sends to `to` (one way; e.g. a third endpoint that only injects).
    void route(endpoint_type& from, const endpoint_type& to) { from.peer_ = to.index_; }

    void set_link(const endpoint_type& from, const endpoint_type& to, const link_config& l) {
        links_[{from.index_, to.index_}] = l;
    }
    void set_links(const endpoint_type& a, const endpoint_type& b, const link_config& l) {
        set_link(a, b, l);
        set_link(b, a, l);
    }
    link_config& link(const endpoint_type& from, const endpoint_type& to) {
        auto it = links_.find({from.index_, to.index_});
        if (it == links_.end()) it = links_.emplace(std::make_pair(from.index_, to.index_), config_.link).first;
        return it->second;
    }

    // ---- time ----
    sim_time now() const noexcept {
        return std::chrono::duration_cast<std::chrono::milliseconds>(time_.now().time_since_epoch()).count();
    }
    // The same in microseconds (the queue of events keeps microseconds).
    sim_time now_us() const noexcept { return time_.microseconds(); }
    rng& random() noexcept { return random_; }
    const network_config& config() const noexcept { return config_; }

    // ---- interfering ----

    // Drop the next `count` segments (sent by an endpoint) that `match` accepts, before the
    // link sees them: "lose the SYN", "lose the first FIN".
    void drop_next(std::function<bool(const packet&)> match, std::size_t count = 1) {
        rules_.push_back(drop_rule{std::move(match), count});
    }
    // Every segment an endpoint sends passes the filter first: it may look, change the
    // packet (header, text, destination) or drop it. Do not call the network from it.
    void set_filter(std::function<filter_result(packet&)> filter) { filter_ = std::move(filter); }

    // A segment arrives at `to` at time `when` (default: now), as if from its peer: an old
    // duplicate, a forged RST, ...
    void inject(endpoint_type& to, const segment& header, std::vector<std::uint8_t> text = {},
                sim_time when = never) {
        packet p;
        p.id = next_packet_id_++;
        p.sent_at = now();
        p.arrives_at = when == never ? now() : when;
        p.to = to.index_;
        p.header = header;
        if (text.size() < header.text_length) text.resize(header.text_length);
        p.text = std::move(text);
        p.injected = true;
        if (config_.trace) {
            log(to.name_, trace_kind::inject,
                describe(p.header) + " (arrives at " + std::to_string(p.arrives_at) + " ms)");
        }
        enqueue(when == never ? now_us() : us(when), item{std::move(p), {}, {}});
    }

    // `action` runs at time `when` (between engine calls: it may call user calls).
    void schedule(sim_time when, std::function<void()> action, std::string label = {}) {
        packet none;
        enqueue(us(when), item{std::move(none), std::move(action), std::move(label)});
    }

    // Called after every step (and every traced user call), after the invariant checks.
    void on_step(std::function<void()> hook) { step_hook_ = std::move(hook); }

    // A crash: the endpoint's engine and both its buffers are gone; segments arriving are
    // lost until restart(). Segments it sent before stay on the wire.
    void crash(endpoint_type& ep) {
        ep.engine_.reset();
        ep.send_buffer_.clear();
        ep.unread_ = 0;
        ep.placed_.clear();
        ep.placed_mask_.clear();
        ep.pending_redirect_ = false;
        if (config_.trace) log(ep.name_, trace_kind::crash, "the TCB is lost");
    }
    // Back up with a fresh engine in CLOSED (crash() first if it is up).
    void restart(endpoint_type& ep) {
        if (ep.engine_) crash(ep);
        ep.make_engine();
        ++ep.incarnation_;
        if (config_.trace) log(ep.name_, trace_kind::restart, "fresh engine, CLOSED");
    }

    // ---- running ----

    // The time of the next event: a segment arrival, a scheduled action or an engine
    // deadline; never if there is none.
    sim_time next_event_time() {
        const sim_time t = next_event_us();
        return t == never ? never : t / 1000;
    }
    // The same in microseconds (a bottleneck's packets leave between milliseconds).
    sim_time next_event_us() {
        sim_time t = queue_.empty() ? never : queue_.begin()->first.when;
        for (auto& ep : endpoints_) {
            const sim_time d = deadline_of(*ep);
            if (d < t) t = d;
        }
        return t;
    }

    // One event: the clock moves to it; a segment is delivered, an action runs or an
    // engine's timers fire (a segment or action first when they share the time). False if
    // there is nothing left to happen.
    bool step() {
        const sim_time tq = queue_.empty() ? never : queue_.begin()->first.when;
        sim_time tt = never;
        endpoint_type* who = nullptr;
        for (auto& ep : endpoints_) {
            const sim_time d = deadline_of(*ep);
            if (d < tt) {
                tt = d;
                who = ep.get();
            }
        }
        if (tq == never && tt == never) return false;
        if (tq <= tt) {
            advance_to(tq);
            auto first = queue_.begin();
            item it = std::move(first->second);
            queue_.erase(first);
            if (it.action) {
                if (config_.trace) log("", trace_kind::action, it.label.empty() ? "scheduled action" : it.label);
                it.action();
            } else {
                deliver(it.pkt);
            }
        } else {
            advance_to(tt);
            if (config_.trace) {
                const timer_deadline d = who->engine_->next_deadline();
                log(who->name_, trace_kind::timer, tcpfsm::name(d.kind));
            }
            who->engine_->on_timer();
        }
        after_step();
        return true;
    }

    // Every event up to and including time t, then the clock reads t.
    void run_until(sim_time t) {
        while (next_event_us() <= us(t)) step();
        if (now_us() < us(t)) set_now_us(us(t));
    }
    void run_for(sim_time duration) { run_until(now() + duration); }

    // Until nothing is left to happen (true), or the next event would come after
    // now + max_duration (false; the clock stays at the last event).
    bool run_until_idle(sim_time max_duration = 30LL * 24 * 3600 * 1000) {
        const sim_time limit = us(now() + max_duration);
        for (;;) {
            const sim_time t = next_event_us();
            if (t == never) return true;
            if (t > limit) return false;
            step();
        }
    }

    // Until done() holds (true), or nothing is left, or the next event would come after
    // now + max_duration (false).
    template <class Done>
    bool run_until(Done&& done, sim_time max_duration) {
        const sim_time limit = us(now() + max_duration);
        while (!done()) {
            const sim_time t = next_event_us();
            if (t == never || t > limit) return false;
            step();
        }
        return true;
    }

    // Segments and actions waiting.
    std::size_t pending() const noexcept { return queue_.size(); }

    // ---- what happened ----
    const std::vector<trace_entry>& trace() const noexcept { return trace_; }
    std::string trace_text() const {
        std::string out;
        for (const trace_entry& e : trace_) {
            out += format_trace_entry(e);
            out += '\n';
        }
        return out;
    }
    void print_trace(std::ostream& os) const { os << trace_text(); }
    void note(const std::string& text) {
        if (config_.trace) log("", trace_kind::note, text);
    }
    void clear_trace() { trace_.clear(); }

    const std::vector<wire_record>& wire() const noexcept { return wire_; }
    // The wire records sent by `from` that `match` accepts.
    template <class Match>
    std::vector<wire_record> sent_by(const endpoint_type& from, Match&& match) const {
        std::vector<wire_record> out;
        for (const wire_record& r : wire_) {
            if (r.from == from.index_ && match(r.header)) out.push_back(r);
        }
        return out;
    }

    const std::vector<std::string>& violations() const noexcept { return violations_; }
    std::uint64_t steps() const noexcept { return steps_; }
    std::uint64_t packets_sent() const noexcept { return next_packet_id_; }

private:
    friend class basic_endpoint<Profile>;

    struct key {
        sim_time when;
        std::uint64_t order;
        bool operator<(const key& o) const noexcept { return when != o.when ? when < o.when : order < o.order; }
    };
    struct item {
        packet pkt;
        std::function<void()> action;
        std::string label;
    };
    struct drop_rule {
        std::function<bool(const packet&)> match;
        std::size_t remaining;
    };

    void enqueue(sim_time when, item&& it) { queue_.emplace(key{when, next_order_++}, std::move(it)); }

    void set_now_us(sim_time t) noexcept { time_.set(std::chrono::microseconds(t)); }
    // Milliseconds as microseconds, `never` (and anything that would overflow) as never.
    static constexpr sim_time us(sim_time ms) noexcept { return ms >= never / 1000 ? never : ms * 1000; }

    // t in microseconds.
    void advance_to(sim_time t) {
        if (t > now_us()) set_now_us(t);
        if (now_us() != last_instant_) {
            last_instant_ = now_us();
            steps_at_instant_ = 0;
        }
        if (++steps_at_instant_ > config_.max_steps_per_instant) {
            detail::stuck("tcpfsm::sim: no progress: more than " +
                                     std::to_string(config_.max_steps_per_instant) + " steps at " +
                                     std::to_string(now()) + " ms");
        }
        ++steps_;
    }

    // In microseconds.
    sim_time deadline_of(endpoint_type& ep) {
        if (!ep.engine_) return never;
        const timer_deadline d = ep.engine_->next_deadline();
        if (!d) return never;
        // The engine's deadline is in its millisecond ticks; in microseconds, never before now.
        const sim_time at = (now() + static_cast<sim_time>(d.remaining_ms(static_cast<std::uint32_t>(now())))) * 1000;
        return at < now_us() ? now_us() : at;
    }

    std::string describe(const segment& s) const {
        std::string out = format_segment(s);
        out += " len=" + std::to_string(s.text_length) + " wnd=" + std::to_string(s.window);
        if (s.mss != 0) out += " mss=" + std::to_string(s.mss);
        if (s.has_window_scale()) out += " ws=" + std::to_string(s.window_scale);
        return out;
    }

    void log(const std::string& who, trace_kind kind, std::string text) {
        trace_.push_back(trace_entry{now(), who, kind, std::move(text)});
    }

    // The link model of the link from -> to, made anew when its bottleneck settings change.
    link_model& bottleneck(std::size_t from, std::size_t to, const link_config& l) {
        link_model_config c;
        c.rate_bps = l.rate_bps;
        c.queue_packets = l.queue_packets;
        c.queue_octets = l.queue_octets;
        c.burst = l.burst;
        auto it = bottlenecks_.find({from, to});
        if (it == bottlenecks_.end()) {
            it = bottlenecks_.emplace(std::make_pair(from, to), link_model(c)).first;
        } else {
            const link_model_config& o = it->second.config();
            if (o.rate_bps != c.rate_bps || o.queue_packets != c.queue_packets || o.queue_octets != c.queue_octets ||
                o.burst.p != c.burst.p || o.burst.r != c.burst.r || o.burst.loss_good != c.burst.loss_good ||
                o.burst.loss_bad != c.burst.loss_bad) {
                it->second = link_model(c);
            }
        }
        return it->second;
    }

    void violation(const std::string& who, const std::string& what) {
        violations_.push_back(std::to_string(now()) + " ms " + who + ": " + what);
        if (config_.trace) log(who, trace_kind::note, "VIOLATION: " + what);
    }

    // An endpoint's engine sent a segment.
    void transmit(endpoint_type& from, const outgoing_segment& out) {
        packet p;
        p.id = next_packet_id_++;
        p.sent_at = now();
        p.from = from.index_;
        p.to = from.peer_;
        p.header = out.header;
        p.options = out.options;
        const std::uint32_t length = out.header.text_length;
        if (length > 0) {
            const std::size_t have = from.send_buffer_.size();
            const std::size_t offset = out.text_offset;
            if (offset + length > have) {
                violation(from.name_, "text beyond the send buffer: offset " + std::to_string(offset) + " + length " +
                                          std::to_string(length) + " > " + std::to_string(have));
            }
            p.text.assign(length, std::uint8_t{0});
            for (std::size_t i = 0; i < length && offset + i < have; ++i) {
                p.text[i] = from.send_buffer_[offset + i];
            }
            if (config_.check_invariants && from.engine_ && !out.header.syn()) {
                // The text starts text_offset octets after SND.UNA (policies.hpp).
                const std::uint32_t una = from.engine_->snapshot().snd_una;
                if (out.header.seq - una != out.text_offset) {
                    violation(from.name_, "text_offset " + std::to_string(out.text_offset) + " but SEG.SEQ - SND.UNA = " +
                                              std::to_string(out.header.seq - una));
                }
            }
        }
        if (config_.trace) log(from.name_, trace_kind::send, describe(p.header));
        fate outcome = fate::delivered;
        sim_time arrives = never;
        for (drop_rule& r : rules_) {
            if (r.remaining > 0 && r.match(p)) {
                --r.remaining;
                outcome = fate::dropped;
                break;
            }
        }
        if (outcome == fate::delivered && filter_ && filter_(p) == filter_result::drop) outcome = fate::dropped;
        if (outcome == fate::dropped) {
            if (config_.trace) log(from.name_, trace_kind::dropped, format_segment(p.header));
        } else if (p.to == packet::nobody || p.to >= endpoints_.size()) {
            outcome = fate::no_route;
            if (config_.trace) log(from.name_, trace_kind::no_route, format_segment(p.header));
        } else {
            const link_config& l = link(*endpoints_[p.from], *endpoints_[p.to]);
            // The bottleneck and burst loss first (no draw when neither is set), then the
            // link's own duplication, loss and delays.
            sim_time queued_us = 0;
            bool through = true;
            if (l.rate_bps != 0 || l.burst.enabled()) {
                // 20 octets of IPv4, the TCP header with its options as wire.hpp writes them, the text.
                const std::size_t octets = 20u + tcp_header_length(from_segment(p.header, p.options, 0, 0), p.options.sack) +
                                           p.header.text_length;
                const link_admission a = bottleneck(p.from, p.to, l).admit(octets, now_us(), random_);
                if (a.drop != link_drop::none) {
                    through = false;
                    if (config_.trace) {
                        log(from.name_, trace_kind::lost, format_segment(p.header) +
                                                              (a.drop == link_drop::queue_full ? " (queue full)" : " (burst)"));
                    }
                } else {
                    queued_us = a.departs_us - now_us();
                }
            }
            const bool twice = through && random_.chance(l.duplicate);
            bool any = false;
            sim_time first_arrival = never;
            for (int copy = 0; through && copy < (twice ? 2 : 1); ++copy) {
                if (random_.chance(l.loss)) {
                    if (config_.trace) log(from.name_, trace_kind::lost, format_segment(p.header) + (copy ? " (copy)" : ""));
                    continue;
                }
                sim_time delay = l.delay_ms + p.hold_ms + random_.between(0, l.jitter_ms);
                if (l.reorder_ms > 0 && random_.chance(l.reorder)) delay += random_.between(1, l.reorder_ms);
                packet q = p;
                q.duplicate = copy == 1;
                const sim_time arrival_us = now_us() + queued_us + delay * 1000;
                q.arrives_at = arrival_us / 1000;
                if (config_.trace && copy == 1) {
                    log(from.name_, trace_kind::duplicated, format_segment(p.header) + " (arrives at " +
                                                                 std::to_string(q.arrives_at) + " ms)");
                }
                if (!any) first_arrival = q.arrives_at;
                any = true;
                enqueue(arrival_us, item{std::move(q), {}, {}});
            }
            if (!any) outcome = fate::lost;
            arrives = first_arrival;
        }
        if (config_.record_wire) wire_.push_back(wire_record{now(), p.from, p.to, p.header, outcome, arrives});
    }

    void deliver(const packet& p) {
        if (p.to >= endpoints_.size()) return;
        endpoint_type& to = *endpoints_[p.to];
        if (!to.engine_) {
            if (config_.trace) log(to.name_, trace_kind::host_down, format_segment(p.header));
            return;
        }
        if (config_.trace) {
            log(to.name_, trace_kind::receive,
                describe(p.header) + (p.duplicate ? " (duplicate)" : "") + (p.injected ? " (injected)" : ""));
        }
        four_tuple t = to.tuple();
        if (p.from < endpoints_.size()) {
            t.remote = endpoints_[p.from]->address_;
            t.remote_port = endpoints_[p.from]->port_;
        }
        to.engine_->on_segment(p.header, p.options, p.text.empty() ? nullptr : p.text.data(), t);
        if (to.pending_redirect_) {
            to.pending_redirect_ = false;
            if (to.takes_redirects_ && to.engine_ && to.engine_->current_state() == state::closed) {
                const segment syn = to.redirect_segment_;
                const std::vector<std::uint8_t> text = to.redirect_text_;
                to.engine_->open_passive();
                to.engine_->on_segment(syn, text.empty() ? nullptr : text.data(), t);
            }
        }
    }

    // After every step: the application reads (auto_receive), the checks, the hook.
    void after_step() {
        for (auto& ep : endpoints_) {
            if (ep->engine_ && ep->auto_receive_ && ep->unread_ > 0) {
                const std::uint32_t n = ep->unread_;
                const user_error e = ep->engine_->receive(n);
                if (e == user_error::none) {
                    ep->unread_ = 0;
                    if (config_.trace) log(ep->name_, trace_kind::user, "receive(" + std::to_string(n) + ") [auto]");
                }
            }
        }
        check_all();
        if (step_hook_) step_hook_();
    }
    void after_call(endpoint_type&) {
        check_all();
    }

    void check_all() {
        if (!config_.check_invariants) return;
        for (auto& ep : endpoints_) {
            if (ep->engine_) check(*ep);
        }
    }

    // The invariants of one endpoint between engine calls.
    void check(endpoint_type& ep) {
        const connection_status s = ep.engine_->snapshot();
        if (!is_valid(s.st)) {
            violation(ep.name_, "invalid state");
            return;
        }
        if (!seq_le(s.snd_una, s.snd_nxt)) {
            violation(ep.name_, "SND.UNA " + std::to_string(s.snd_una) + " > SND.NXT " + std::to_string(s.snd_nxt));
        }
        if (s.st == state::closed || s.st == state::listen) return;
        // The send buffer holds exactly the octets from SND.UNA to the end of the queued data.
        const std::uint32_t syn_out = (s.snd_una == s.iss && s.snd_nxt != s.snd_una) ? 1u : 0u;
        const std::uint32_t fin_out = (s.fin_sent && s.snd_nxt != s.snd_una) ? 1u : 0u;
        const std::uint64_t expected = std::uint64_t{s.unsent} + s.unacked - syn_out - fin_out;
        if (expected != ep.send_buffer_.size()) {
            violation(ep.name_, std::string("send buffer holds ") + std::to_string(ep.send_buffer_.size()) +
                                    " octets, the engine counts " + std::to_string(expected) + " from SND.UNA (" +
                                    rfc_name(s.st) + ")");
        }
        if (s.receive_held != ep.unread_) {
            violation(ep.name_, "engine holds " + std::to_string(s.receive_held) + " octets for the user, the user " +
                                    std::to_string(ep.unread_));
        }
        if (std::uint64_t{s.rcv_wnd} > (std::uint64_t{65535u} << s.rcv_wscale)) {
            violation(ep.name_, "RCV.WND above 65535 << Rcv.Wind.Shift");
        }
    }

    network_config config_;
    rng random_;
    manual_time time_;  // the engines' clock: every endpoint reads it
    sim_time last_instant_;
    std::uint64_t steps_at_instant_ = 0;
    std::uint64_t steps_ = 0;
    std::vector<std::unique_ptr<endpoint_type>> endpoints_;
    std::map<std::pair<std::size_t, std::size_t>, link_config> links_;
    std::map<std::pair<std::size_t, std::size_t>, link_model> bottlenecks_;  // links with rate_bps or burst
    std::map<key, item> queue_;
    std::uint64_t next_order_ = 0;
    std::uint64_t next_packet_id_ = 0;
    std::vector<drop_rule> rules_;
    std::function<filter_result(packet&)> filter_;
    std::function<void()> step_hook_;
    std::vector<trace_entry> trace_;
    std::vector<wire_record> wire_;
    std::vector<std::string> violations_;
};

using network = basic_network<>;
using endpoint = basic_endpoint<>;

// The connection between `a` (the left column) and `b` as a ladder diagram (ladder.hpp):
// every segment one sent to the other from the wire log (needs network_config::record_wire;
// a segment the link lost or a rule dropped is drawn lost) and both endpoints' state changes
// (of their current engines). Times in microseconds from the millisecond clock.
//
//     std::string svg = tcpfsm::ladder_svg(tcpfsm::sim::ladder_of(net, a, b));
template <class Profile>
ladder ladder_of(const basic_network<Profile>& net, const basic_endpoint<Profile>& a,
                 const basic_endpoint<Profile>& b) {
    ladder l;
    l.left_name = a.name();
    l.right_name = b.name();
    l.left_initial = a.state_changes().empty() ? a.st() : a.state_changes().front().from;
    l.right_initial = b.state_changes().empty() ? b.st() : b.state_changes().front().from;
    for (const wire_record& r : net.wire()) {
        const bool ab = r.from == a.index() && r.to == b.index();
        const bool ba = r.from == b.index() && r.to == a.index();
        if (!ab && !ba) continue;
        ladder_segment s;
        s.sent_us = r.at * 1000;
        s.from = ab ? ladder_side::left : ladder_side::right;
        s.header = r.header;
        s.lost = r.outcome != fate::delivered || r.arrives_at == never;
        s.arrived_us = s.lost ? 0 : r.arrives_at * 1000;
        l.segments.push_back(s);
    }
    for (const state_change_record& c : a.state_changes()) {
        l.state_changes.push_back(ladder_state_change{c.at * 1000, ladder_side::left, c.to});
    }
    for (const state_change_record& c : b.state_changes()) {
        l.state_changes.push_back(ladder_state_change{c.at * 1000, ladder_side::right, c.to});
    }
    return l;
}

}  // namespace sim
}  // namespace tcpfsm

#endif  // TCPFSM_SIM_NETWORK_HPP
