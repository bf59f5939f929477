// tcpfsm: a deterministic discrete-event network simulator for connection engines, for
// tests (the library's own scenario and soak tests, and yours). Optional header: it
// allocates and uses the standard library freely; misuse (a call on a crashed endpoint, a
// run that makes no progress) throws std::logic_error / std::runtime_error, or prints and
// aborts where exceptions are off. The engine itself never does either.
//
// A network joins two or more endpoints. Each endpoint is one tcpfsm::connection with the
// buffers its consumer keeps: the send buffer (its front is SND.UNA; the engine's
// on_acked drops octets from it) and the octets received. Segments travel over one-way
// links with a delay, jitter, loss, duplication and reordering drawn from the network's
// own seeded generator (xoshiro256**, no std:: distributions, so a seed gives the same run
// with every standard library), and optionally a bottleneck (a rate and a drop-tail queue)
// and Gilbert-Elliott burst loss (sim_link.hpp). Time is a manual clock (tcpfsm::manual_time,
// from manual_clock.hpp) shared by every endpoint: the API speaks milliseconds (sim_time),
// events are kept in microseconds (now_us()); it jumps from one event (a segment arriving,
// an engine deadline, a scheduled action) to the next.
//
//     tcpfsm::sim::network net({/*seed*/ 7});
//     auto& a = net.add("A");
//     auto& b = net.add("B");
//     net.connect(a, b);                      // default link both ways: 10 ms, no loss
//     b.open_passive();
//     a.open_active();
//     a.send("hello");
//     net.run_until_idle();
//     net.print_trace(std::cout);             // <SEQ=..><ACK=..><CTL=..> lines, states
//
// Every step checks invariants (SND.UNA =< SND.NXT, the send buffer holds exactly the
// octets from SND.UNA to the end of the queued data, each state change is the table's row
// for its event, ...) and records violations in violations().
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIMULATOR_HPP
#define TCPFSM_SIMULATOR_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "connection.hpp"
#include "ladder.hpp"
#include "manual_clock.hpp"
#include "sim_link.hpp"

namespace tcpfsm {
namespace sim {

// The generator (sim::rng, xoshiro256**) and the link model (sim::link_model) live in
// sim_link.hpp.

// ------------------------------------------------------------------------------------------
// Time
// ------------------------------------------------------------------------------------------

// Simulated time: milliseconds since the simulation's epoch.
using sim_time = std::int64_t;
inline constexpr sim_time never = std::numeric_limits<sim_time>::max();

// The engines' Clock policy is tcpfsm::manual_clock (manual_clock.hpp), reading the
// network's manual_time, in microseconds: whole milliseconds unless a bottleneck delivers
// a packet between them (basic_network::now_us()).

// ------------------------------------------------------------------------------------------
// Formatting
// ------------------------------------------------------------------------------------------

// RFC 9293's notation (Figures 6-13): <SEQ=100><ACK=301><CTL=SYN,ACK>. The ACK field only
// when the ACK bit is on; <DATA> when there is text. PSH is not drawn (the figures omit it).
inline std::string format_segment(const segment& s) {
    std::string out = "<SEQ=" + std::to_string(s.seq) + ">";
    if (s.ack_flag()) out += "<ACK=" + std::to_string(s.ack) + ">";
    std::string bits;
    const auto add = [&bits](bool on, const char* label) {
        if (!on) return;
        if (!bits.empty()) bits += ",";
        bits += label;
    };
    add(s.syn(), "SYN");
    add(s.rst(), "RST");
    add(s.fin(), "FIN");
    add(s.ack_flag(), "ACK");
    out += "<CTL=" + bits + ">";
    if (s.text_length > 0) out += "<DATA>";
    return out;
}

// ------------------------------------------------------------------------------------------
// Links, segments on the wire, trace
// ------------------------------------------------------------------------------------------

// One direction of a link. Every random choice is drawn from the network's generator.
struct link_config {
    sim_time delay_ms = 10;   // propagation delay
    sim_time jitter_ms = 0;   // plus uniform 0..jitter_ms (reorders segments too)
    double loss = 0.0;        // probability a copy is lost
    double duplicate = 0.0;   // probability the network delivers a second copy
    double reorder = 0.0;     // probability a copy is held back by an extra delay
    sim_time reorder_ms = 0;  //   of uniform 1..reorder_ms
    // Bottleneck and burst loss (sim_link.hpp's link_model), before the delay: each segment
    // (40 octets of headers, 44 with an MSS option, plus its text) passes the Gilbert-Elliott
    // chain, then a drop-tail queue drained at rate_bps (microseconds: 1500 octets in 120 us).
    std::uint64_t rate_bps = 0;      // 0: no bottleneck, no queue
    std::size_t queue_packets = 0;   // drop-tail limit in packets (0: none)
    std::size_t queue_octets = 0;    // drop-tail limit in octets (0: none)
    gilbert_elliott burst{};         // burst loss (off while burst.p and burst.r are 0)
};

// A segment on the wire, with a copy of its text taken when it was sent.
struct packet {
    static constexpr std::size_t nobody = static_cast<std::size_t>(-1);
    std::uint64_t id = 0;        // in order of sending (a duplicate keeps its original's id)
    sim_time sent_at = 0;
    sim_time arrives_at = 0;
    std::size_t from = nobody;   // endpoint index; nobody for an injected segment
    std::size_t to = nobody;
    segment header;
    std::vector<std::uint8_t> text;
    bool duplicate = false;      // the network's second copy
    bool injected = false;
    sim_time hold_ms = 0;        // a filter may hold a segment back: added to the link's delay
};

// What became of a segment an endpoint sent.
enum class fate : std::uint8_t {
    delivered,   // scheduled for arrival (arrival itself is in the trace)
    lost,        // the link lost it (every copy)
    dropped,     // a drop rule or the filter took it
    no_route,    // the endpoint has no peer
};

inline constexpr std::size_t fate_count = 4;

constexpr const char* name(fate f) noexcept {
    constexpr const char* names[fate_count] = {"delivered", "lost", "dropped", "no_route"};
    return static_cast<std::size_t>(f) < fate_count ? names[static_cast<std::size_t>(f)] : "invalid";
}

// A segment as an endpoint sent it (the wire log), for checking times and contents.
struct wire_record {
    sim_time at = 0;
    std::size_t from = packet::nobody;
    std::size_t to = packet::nobody;
    segment header;
    fate outcome = fate::delivered;
    sim_time arrives_at = never;  // the first copy's arrival; never unless delivered
};

enum class filter_result : std::uint8_t { pass, drop };

inline constexpr std::size_t filter_result_count = 2;

constexpr const char* name(filter_result r) noexcept {
    constexpr const char* names[filter_result_count] = {"pass", "drop"};
    return static_cast<std::size_t>(r) < filter_result_count ? names[static_cast<std::size_t>(r)] : "invalid";
}

enum class trace_kind : std::uint8_t {
    user,       // a user call and its result
    send,       // the engine sent a segment
    receive,    // a segment arrived and was handed to the engine
    lost,       // the link lost a copy
    dropped,    // a drop rule or the filter took a segment
    duplicated, // the link made a second copy
    no_route,   // sent with no peer
    host_down,  // arrived at a crashed endpoint
    inject,     // a segment injected by the test
    timer,      // a deadline came: on_timer()
    state,      // a state change, with its event
    signal,     // a user signal
    data,       // octets delivered (on_data)
    acked,      // octets acknowledged (on_acked)
    drop,       // the engine dropped something (on_drop)
    crash,
    restart,
    action,     // a scheduled action ran
    note,       // a line of the test's own
};

inline constexpr std::size_t trace_kind_count = 19;

// Identifier spelling: "no_route".
constexpr const char* name(trace_kind k) noexcept {
    constexpr const char* names[trace_kind_count] = {
        "user",   "send",   "receive", "lost", "dropped", "duplicated", "no_route", "host_down", "inject", "timer",
        "state",  "signal", "data",    "acked", "drop",   "crash",      "restart",  "action",    "note",
    };
    return static_cast<std::size_t>(k) < trace_kind_count ? names[static_cast<std::size_t>(k)] : "invalid";
}

// The column of the trace text (format_trace_entry): "recv", "LOST", "no-route".
constexpr const char* trace_label(trace_kind k) noexcept {
    switch (k) {
        case trace_kind::user: return "user";
        case trace_kind::send: return "send";
        case trace_kind::receive: return "recv";
        case trace_kind::lost: return "LOST";
        case trace_kind::dropped: return "DROPPED";
        case trace_kind::duplicated: return "dup";
        case trace_kind::no_route: return "no-route";
        case trace_kind::host_down: return "host-down";
        case trace_kind::inject: return "inject";
        case trace_kind::timer: return "timer";
        case trace_kind::state: return "state";
        case trace_kind::signal: return "signal";
        case trace_kind::data: return "data";
        case trace_kind::acked: return "acked";
        case trace_kind::drop: return "drop";
        case trace_kind::crash: return "CRASH";
        case trace_kind::restart: return "restart";
        case trace_kind::action: return "action";
        case trace_kind::note: return "note";
    }
    return "?";
}

struct trace_entry {
    sim_time at = 0;
    std::string who;  // endpoint name ("" for the network)
    trace_kind kind = trace_kind::note;
    std::string text;
};

// "   1.000 s  A      send      <SEQ=100><CTL=SYN> len=0 wnd=65535"
inline std::string format_trace_entry(const trace_entry& e) {
    char head[64];
    const sim_time sec = e.at / 1000;
    const sim_time msec = e.at % 1000 < 0 ? -(e.at % 1000) : e.at % 1000;
    std::snprintf(head, sizeof head, "%8lld.%03lld s  ", static_cast<long long>(sec), static_cast<long long>(msec));
    std::string line = head;
    line += e.who;
    if (e.who.size() < 7) line.append(7 - e.who.size(), ' ');
    line += ' ';
    const std::string kind = trace_label(e.kind);
    line += kind;
    if (kind.size() < 10) line.append(10 - kind.size(), ' ');
    line += e.text;
    return line;
}

struct state_change_record {
    sim_time at = 0;
    state from = state::closed;
    state to = state::closed;
    event on = event::status;
};

struct signal_record {
    sim_time at = 0;
    user_signal signal = user_signal::closed;
};

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

template <class Profile>
class basic_network;

// ------------------------------------------------------------------------------------------
// Endpoints
// ------------------------------------------------------------------------------------------

template <class Profile>
class basic_endpoint;

namespace detail {

// A call the simulator cannot carry out, and a run that makes no progress: exceptions where
// they are on, otherwise a message on stderr and abort().
[[noreturn]] inline void misuse(const std::string& what) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw std::logic_error(what);
#else
    std::fprintf(stderr, "%s\n", what.c_str());
    std::abort();
#endif
}
[[noreturn]] inline void stuck(const std::string& what) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw std::runtime_error(what);
#else
    std::fprintf(stderr, "%s\n", what.c_str());
    std::abort();
#endif
}

template <class Profile>
struct endpoint_io {
    basic_endpoint<Profile>* owner;
    void send(const outgoing_segment& out) { owner->engine_sent(out); }
};

template <class Profile>
struct endpoint_observer : null_observer {
    basic_endpoint<Profile>* owner;
    explicit endpoint_observer(basic_endpoint<Profile>* ep) noexcept : owner(ep) {}
    void on_row(state from, event on, const transition& row) { owner->seen_row(from, on, row); }
    void on_state_change(state from, state to, event on) { owner->seen_state_change(from, to, on); }
    void on_signal(user_signal signal) { owner->seen_signal(signal); }
    void on_data(const std::uint8_t* text, std::uint32_t length) { owner->seen_data(text, length); }
    // The placement hooks (receive_path.hpp): the endpoint holds out-of-order text.
    void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) {
        owner->seen_place(offset, text, length);
    }
    void on_readable(std::uint32_t octets) { owner->seen_readable(octets); }
    void on_acked(std::uint32_t octets) { owner->seen_acked(octets); }
    void on_drop(drop_reason reason) { owner->seen_drop(reason); }
    bool listener_takes(const segment&) { return owner->takes_redirects_; }
    void on_redirect_to_listener(const segment& syn, const std::uint8_t* text, const reopen_numbers&) {
        owner->seen_redirect(syn, text);
    }
};

using iss_function = std::function<std::uint32_t(const four_tuple&, std::uint64_t)>;

struct endpoint_iss {
    const iss_function* fn;
    std::uint32_t operator()(const four_tuple& tuple, std::uint64_t microseconds) const {
        return (*fn)(tuple, microseconds);
    }
};

}  // namespace detail

template <class Profile = default_profile>
class basic_endpoint {
public:
    using engine_type = connection<detail::endpoint_io<Profile>, manual_clock, detail::endpoint_observer<Profile>,
                                   detail::endpoint_iss, Profile>;
    using network_type = basic_network<Profile>;

    basic_endpoint(const basic_endpoint&) = delete;
    basic_endpoint& operator=(const basic_endpoint&) = delete;

    const std::string& name() const noexcept { return name_; }
    std::size_t index() const noexcept { return index_; }
    network_type& net() noexcept { return *net_; }

    // The current engine (a new one after restart()). Calling it directly skips the trace
    // of user calls; the helpers below trace them.
    engine_type& engine() {
        if (!engine_) detail::misuse("tcpfsm::sim: endpoint " + name_ + " is down (crashed)");
        return *engine_;
    }
    bool up() const noexcept { return engine_ != nullptr; }
    // CLOSED while down.
    state st() const noexcept { return engine_ ? engine_->current_state() : state::closed; }
    connection_status snapshot() const noexcept { return engine_ ? engine_->snapshot() : connection_status{}; }
    std::size_t incarnation() const noexcept { return incarnation_; }

    // The configuration the engine reads (through a pointer: changes apply at once).
    connection_config& config() noexcept { return config_; }

    // The ISS policy: a function of the four-tuple and the time in microseconds. The default
    // is RFC 6528's generator keyed from the network's seed.
    void set_iss(detail::iss_function fn) { iss_ = std::move(fn); }
    void set_fixed_iss(std::uint32_t iss) { iss_ = fixed_iss(iss); }

    // Addressing: the four-tuple handed to the engine is (this endpoint, its peer).
    endpoint_address address() const noexcept { return address_; }
    std::uint16_t port() const noexcept { return port_; }
    void set_address(endpoint_address a, std::uint16_t p) noexcept {
        address_ = a;
        port_ = p;
    }
    std::size_t peer() const noexcept { return peer_; }
    four_tuple tuple() const {
        four_tuple t;
        t.local = address_;
        t.local_port = port_;
        if (peer_ != packet::nobody) {
            t.remote = net_->at(peer_).address_;
            t.remote_port = net_->at(peer_).port_;
        }
        return t;
    }

    // ---- user calls, traced; each runs the engine's call and then the step checks ----
    user_error open_passive() { return call("open_passive", [this] { return engine().open_passive(); }); }
    user_error open_active() {
        const four_tuple t = tuple();
        return call("open_active", [this, &t] { return engine().open_active(t); });
    }
    // Appends the octets to the send buffer, then SEND (taken back if SEND fails).
    user_error send(const std::uint8_t* data, std::size_t length) {
        if (length > 0xFFFFFFFFu) detail::misuse("tcpfsm::sim: send of more than 2^32 - 1 octets");
        send_buffer_.insert(send_buffer_.end(), data, data + length);
        sent_total_ += length;
        const four_tuple t = tuple();
        const std::uint32_t n = static_cast<std::uint32_t>(length);
        return call("send(" + std::to_string(length) + ")", [this, &t, n] {
            const user_error e = engine().send(n, t);
            if (e != user_error::none) {  // not queued: the consumer takes the octets back
                send_buffer_.erase(send_buffer_.end() - static_cast<std::ptrdiff_t>(n), send_buffer_.end());
                sent_total_ -= n;
            }
            return e;
        });
    }
    user_error send(const std::vector<std::uint8_t>& data) { return send(data.data(), data.size()); }
    user_error send(const std::string& text) {
        return send(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    }
    // RECEIVE: the user takes `octets` of what was delivered (all of it by default).
    user_error receive(std::uint32_t octets) {
        return call("receive(" + std::to_string(octets) + ")", [this, octets] {
            const user_error e = engine().receive(octets);
            if (e == user_error::none) unread_ -= octets < unread_ ? octets : unread_;
            return e;
        });
    }
    user_error receive_all() { return receive(unread_); }
    user_error close() { return call("close", [this] { return engine().close(); }); }
    user_error release() { return call("release", [this] { return engine().release(); }); }
    user_error abort() { return call("abort", [this] { return engine().abort(); }); }
    user_error status(connection_status& out) { return call("status", [this, &out] { return engine().status(out); }); }

    // Read whatever arrives as soon as it arrives (default). Off: the window closes until
    // receive() is called (zero-window tests).
    void set_auto_receive(bool on) noexcept { auto_receive_ = on; }
    bool auto_receive() const noexcept { return auto_receive_; }
    // TIME-WAIT reopen (RFC 6191): when the engine hands a SYN to "the listener", open
    // passive and give it the SYN (off: the SYN is only recorded).
    void set_takes_redirects(bool on) noexcept { takes_redirects_ = on; }

    // ---- what the consumer holds ----
    const std::deque<std::uint8_t>& send_buffer() const noexcept { return send_buffer_; }
    const std::vector<std::uint8_t>& received() const noexcept { return received_; }
    std::string received_text() const { return std::string(received_.begin(), received_.end()); }
    std::uint32_t unread() const noexcept { return unread_; }
    std::uint64_t sent_total() const noexcept { return sent_total_; }
    std::uint64_t acked_total() const noexcept { return acked_total_; }

    // ---- what happened ----
    const std::vector<signal_record>& signals() const noexcept { return signals_; }
    bool signalled(user_signal s) const noexcept {
        for (const signal_record& r : signals_) {
            if (r.signal == s) return true;
        }
        return false;
    }
    const std::vector<state_change_record>& state_changes() const noexcept { return changes_; }
    // The time of the last change to `s`, or never.
    sim_time entered(state s) const noexcept {
        for (auto it = changes_.rbegin(); it != changes_.rend(); ++it) {
            if (it->to == s) return it->at;
        }
        return never;
    }
    const std::vector<drop_reason>& drops() const noexcept { return drops_; }
    std::size_t count_drops(drop_reason r) const noexcept {
        std::size_t n = 0;
        for (drop_reason d : drops_) n += d == r ? 1u : 0u;
        return n;
    }
    const std::vector<segment>& redirected() const noexcept { return redirected_; }

private:
    friend class basic_network<Profile>;
    friend struct detail::endpoint_io<Profile>;
    friend struct detail::endpoint_observer<Profile>;

    basic_endpoint(network_type* owner, std::size_t idx, std::string label, const connection_config& cfg)
        : net_(owner), index_(idx), name_(std::move(label)), config_(cfg) {}

    void make_engine() {
        engine_ = std::make_unique<engine_type>(config_, detail::endpoint_io<Profile>{this}, net_->time_.clock(),
                                                detail::endpoint_observer<Profile>(this), detail::endpoint_iss{&iss_});
        last_row_ = nullptr;
    }

    template <class F>
    user_error call(const std::string& what, F&& f) {
        if (!engine_) detail::misuse("tcpfsm::sim: user call on endpoint " + name_ + ", which is down");
        const std::size_t line = net_->trace_.size();
        if (net_->config_.trace) net_->log(name_, trace_kind::user, what);
        const user_error e = f();
        if (net_->config_.trace && e != user_error::none) {
            net_->trace_[line].text += std::string(" -> ") + tcpfsm::name(e);
        }
        net_->after_call(*this);
        return e;
    }

    // ---- engine callbacks ----
    void engine_sent(const outgoing_segment& out) { net_->transmit(*this, out); }

    void seen_row(state from, event on, const transition& row) {
        using machine_type = machine<index_for<Profile::table>>;
        const transition& expected = machine_type::step(from, on);
        if (&row != &expected || row.from != from) {
            net_->violation(name_, std::string("on_row: the row for (") + rfc_name(from) + ", " + tcpfsm::name(on) +
                                       ") is not the table's");
        }
        if (engine_ && engine_->current_state() != from) {
            net_->violation(name_, std::string("on_row: from ") + rfc_name(from) + " but the engine is in " +
                                       rfc_name(engine_->current_state()));
        }
        last_row_ = &row;
        if (net_->config_.trace && net_->config_.trace_rows) {
            net_->log(name_, trace_kind::note, std::string("row ") + rfc_name(from) + " --" + tcpfsm::name(on) +
                                                   "--> " + rfc_name(row.to));
        }
    }

    void seen_state_change(state from, state to, event on) {
        using machine_type = machine<index_for<Profile::table>>;
        if (!is_valid(to)) net_->violation(name_, "state change to an invalid state");
        if (machine_type::step(from, on).to != to) {
            net_->violation(name_, std::string("state change ") + rfc_name(from) + " -> " + rfc_name(to) + " on " +
                                       tcpfsm::name(on) + " is not the table's (" +
                                       rfc_name(machine_type::step(from, on).to) + ")");
        }
        if (last_row_ == nullptr || last_row_->to != to || last_row_->on != on || last_row_->from != from) {
            net_->violation(name_, std::string("state change ") + rfc_name(from) + " -> " + rfc_name(to) +
                                       " without on_row for its row");
        }
        changes_.push_back(state_change_record{net_->now(), from, to, on});
        if (to == state::closed || to == state::listen) {
            // The TCB is gone (or back to LISTEN): so is the consumer's data of this connection.
            send_buffer_.clear();
            unread_ = 0;
            placed_.clear();
            placed_mask_.clear();
        }
        if (net_->config_.trace) {
            net_->log(name_, trace_kind::state,
                      std::string(rfc_name(from)) + " --" + tcpfsm::name(on) + "--> " + rfc_name(to));
        }
    }

    void seen_signal(user_signal s) {
        signals_.push_back(signal_record{net_->now(), s});
        if (net_->config_.trace) net_->log(name_, trace_kind::signal, tcpfsm::name(s));
    }

    void seen_data(const std::uint8_t* text, std::uint32_t length) {
        if (length == 0) return;
        if (text == nullptr) {
            net_->violation(name_, "on_data without text");
            received_.insert(received_.end(), length, std::uint8_t{0});
        } else {
            received_.insert(received_.end(), text, text + length);
        }
        unread_ += length;
        if (net_->config_.trace) net_->log(name_, trace_kind::data, std::to_string(length) + " octets delivered");
    }

    // Text placed `offset` octets past RCV.NXT (the readable end): each octet once, never
    // over an octet placed and not yet readable (docs/reassembly.md, "A ring-buffer consumer").
    void seen_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) {
        if (length == 0) return;
        const std::size_t end = std::size_t{offset} + length;
        // RCV.BUFF as the engine reads it: at most the largest window the field can say.
        const std::size_t most = std::size_t{65535u} << (engine_ ? engine_->snapshot().rcv_wscale : 0u);
        const std::size_t buffer = config_.receive_buffer < most ? config_.receive_buffer : most;
        if (std::size_t{unread_} + end > buffer) net_->violation(name_, "on_place beyond the receive buffer");
        if (placed_.size() < end) {
            placed_.resize(end, 0);
            placed_mask_.resize(end, false);
        }
        if (text == nullptr) net_->violation(name_, "on_place without text");
        for (std::uint32_t i = 0; i < length; ++i) {
            if (placed_mask_[offset + i]) net_->violation(name_, "on_place over an octet already placed");
            placed_[offset + i] = text != nullptr ? text[i] : std::uint8_t{0};
            placed_mask_[offset + i] = true;
        }
        if (net_->config_.trace) {
            net_->log(name_, trace_kind::data,
                      std::to_string(length) + " octets placed at RCV.NXT+" + std::to_string(offset));
        }
    }
    // The first `octets` placed octets are readable now.
    void seen_readable(std::uint32_t octets) {
        if (octets > placed_.size()) {
            net_->violation(name_, "on_readable beyond the placed text");
            placed_.resize(octets, 0);
            placed_mask_.resize(octets, false);
        }
        for (std::uint32_t i = 0; i < octets; ++i) {
            if (!placed_mask_[i]) net_->violation(name_, "on_readable over a hole");
        }
        received_.insert(received_.end(), placed_.begin(), placed_.begin() + octets);
        placed_.erase(placed_.begin(), placed_.begin() + octets);
        placed_mask_.erase(placed_mask_.begin(), placed_mask_.begin() + octets);
        unread_ += octets;
        if (net_->config_.trace) net_->log(name_, trace_kind::data, std::to_string(octets) + " octets delivered");
    }

    void seen_acked(std::uint32_t octets) {
        if (octets > send_buffer_.size()) {
            net_->violation(name_, "on_acked(" + std::to_string(octets) + ") with " +
                                       std::to_string(send_buffer_.size()) + " octets in the send buffer");
            send_buffer_.clear();
        } else {
            send_buffer_.erase(send_buffer_.begin(), send_buffer_.begin() + static_cast<std::ptrdiff_t>(octets));
        }
        acked_total_ += octets;
        if (net_->config_.trace) net_->log(name_, trace_kind::acked, std::to_string(octets) + " octets acknowledged");
    }

    void seen_drop(drop_reason r) {
        drops_.push_back(r);
        if (net_->config_.trace) net_->log(name_, trace_kind::drop, tcpfsm::name(r));
    }

    void seen_redirect(const segment& syn, const std::uint8_t* text) {
        redirected_.push_back(syn);
        pending_redirect_ = true;
        redirect_segment_ = syn;
        redirect_text_.assign(text != nullptr ? text : nullptr, text != nullptr ? text + syn.text_length : nullptr);
        if (net_->config_.trace) net_->log(name_, trace_kind::note, "SYN handed to the listener: " + format_segment(syn));
    }

    network_type* net_;
    std::size_t index_;
    std::string name_;
    connection_config config_;
    detail::iss_function iss_;
    std::unique_ptr<engine_type> engine_;
    endpoint_address address_{};
    std::uint16_t port_ = 0;
    std::size_t peer_ = packet::nobody;
    std::size_t incarnation_ = 0;
    bool auto_receive_ = true;
    bool takes_redirects_ = false;

    std::deque<std::uint8_t> send_buffer_;
    std::vector<std::uint8_t> received_;
    std::vector<std::uint8_t> placed_;  // from RCV.NXT on: placed, not yet readable
    std::vector<bool> placed_mask_;     // which of placed_ arrived
    std::uint32_t unread_ = 0;
    std::uint64_t sent_total_ = 0;
    std::uint64_t acked_total_ = 0;

    std::vector<signal_record> signals_;
    std::vector<state_change_record> changes_;
    std::vector<drop_reason> drops_;
    std::vector<segment> redirected_;
    const transition* last_row_ = nullptr;

    bool pending_redirect_ = false;
    segment redirect_segment_{};
    std::vector<std::uint8_t> redirect_text_;
};

// ------------------------------------------------------------------------------------------
// Segment patterns, for drop_next() and sent_by()
// ------------------------------------------------------------------------------------------

enum class text_is : std::uint8_t { any, empty, present };

inline constexpr std::size_t text_is_count = 3;

constexpr const char* name(text_is t) noexcept {
    constexpr const char* names[text_is_count] = {"any", "empty", "present"};
    return static_cast<std::size_t>(t) < text_is_count ? names[static_cast<std::size_t>(t)] : "invalid";
}

// Every bit of `with`, none of `without`, and text as `text` says.
struct segment_pattern {
    std::uint8_t with = 0;
    std::uint8_t without = 0;
    text_is text = text_is::any;

    constexpr bool operator()(const segment& s) const noexcept {
        if ((s.flags & with) != with || (s.flags & without) != 0) return false;
        if (text == text_is::empty) return s.text_length == 0;
        if (text == text_is::present) return s.text_length > 0;
        return true;
    }
};

namespace pattern {
inline constexpr segment_pattern any{};
inline constexpr segment_pattern syn{ctl::syn, ctl::ack | ctl::rst, text_is::any};  // <CTL=SYN>
inline constexpr segment_pattern syn_ack{ctl::syn | ctl::ack, ctl::rst, text_is::any};
inline constexpr segment_pattern fin{ctl::fin, ctl::rst | ctl::syn, text_is::any};
inline constexpr segment_pattern rst{ctl::rst, 0, text_is::any};
// <CTL=ACK> alone: no SYN, FIN, RST, no text.
inline constexpr segment_pattern pure_ack{ctl::ack, ctl::syn | ctl::fin | ctl::rst, text_is::empty};
// Text, without SYN or RST.
inline constexpr segment_pattern data{0, ctl::syn | ctl::rst, text_is::present};
}  // namespace pattern

// A packet predicate: sent by `ep` and matching `p` ("lose the SYN of A":
// net.drop_next(sent_from(a, pattern::syn))).
template <class Profile>
std::function<bool(const packet&)> sent_from(const basic_endpoint<Profile>& ep, segment_pattern p) {
    const std::size_t idx = ep.index();
    return [idx, p](const packet& k) { return k.from == idx && p(k.header); };
}

// The times of the wire records.
inline std::vector<sim_time> times_of(const std::vector<wire_record>& records) {
    std::vector<sim_time> out;
    out.reserve(records.size());
    for (const wire_record& r : records) out.push_back(r.at);
    return out;
}

// ------------------------------------------------------------------------------------------
// The network
// ------------------------------------------------------------------------------------------

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
        ep.set_iss(rfc6528_iss(secret));
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
                const std::size_t octets = 40u + (p.header.mss != 0 ? 4u : 0u) + p.header.text_length;
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
        to.engine_->on_segment(p.header, p.text.empty() ? nullptr : p.text.data(), t);
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

#endif  // TCPFSM_SIMULATOR_HPP
