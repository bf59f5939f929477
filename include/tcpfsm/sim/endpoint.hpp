// tcpfsm: a simulator endpoint: one connection engine with the buffers its consumer keeps,
// its user calls, and the checks of what the engine reports (rows, state changes, text).
// Its network is sim::basic_network (sim/network.hpp). Part of the optional simulator
// (simulator.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIM_ENDPOINT_HPP
#define TCPFSM_SIM_ENDPOINT_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../connection.hpp"
#include "../manual_clock.hpp"
#include "packet.hpp"
#include "trace.hpp"

namespace tcpfsm {
namespace sim {

template <class Profile>
class basic_network;

// ------------------------------------------------------------------------------------------
// Endpoints
// ------------------------------------------------------------------------------------------

template <class Profile>
class basic_endpoint;

namespace detail {

// A failure of the simulator's run: an Exception where exceptions are on, otherwise a message
// on stderr and abort().
template <class Exception>
[[noreturn]] void fail_with(const std::string& what) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
    throw Exception(what);
#else
    std::fprintf(stderr, "%s\n", what.c_str());
    std::abort();
#endif
}
// A call the simulator cannot carry out, and a run that makes no progress.
[[noreturn]] inline void misuse(const std::string& what) { fail_with<std::logic_error>(what); }
[[noreturn]] inline void stuck(const std::string& what) { fail_with<std::runtime_error>(what); }

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
using timestamp_offset_function = std::function<std::uint32_t(const four_tuple&)>;

// The engine's IssPolicy: the ISS and (RFC 7323 §5.4) the TSval offset of a four-tuple.
struct endpoint_iss {
    const iss_function* fn;
    const timestamp_offset_function* offset;
    std::uint32_t operator()(const four_tuple& tuple, std::uint64_t microseconds) const {
        return (*fn)(tuple, microseconds);
    }
    std::uint32_t timestamp_offset(const four_tuple& tuple) const { return *offset ? (*offset)(tuple) : 0u; }
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
    // The TSval offset of a four-tuple (RFC 7323 §5.4), added to every TSval the engine
    // sends. The default is rfc6528_iss::timestamp_offset under the same key as the ISS; an
    // empty function gives offset 0. set_iss and set_fixed_iss leave it as it is.
    void set_timestamp_offset(detail::timestamp_offset_function fn) { timestamp_offset_ = std::move(fn); }

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
                                                detail::endpoint_observer<Profile>(this), detail::endpoint_iss{&iss_, &timestamp_offset_});
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
    detail::timestamp_offset_function timestamp_offset_;
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

// A packet predicate: sent by `ep` and matching `p` ("lose the SYN of A":
// net.drop_next(sent_from(a, pattern::syn))).
template <class Profile>
std::function<bool(const packet&)> sent_from(const basic_endpoint<Profile>& ep, segment_pattern p) {
    const std::size_t idx = ep.index();
    return [idx, p](const packet& k) { return k.from == idx && p(k.header); };
}

}  // namespace sim
}  // namespace tcpfsm

#endif  // TCPFSM_SIM_ENDPOINT_HPP
