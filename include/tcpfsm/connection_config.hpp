// tcpfsm: what the connection engine is given and what it reports: connection_config (the
// run-time choices of one connection), engine_profile (the compile-time ones: table, RTO
// estimator, congestion control, statistics) and connection_status (STATUS, §3.10.6).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONNECTION_CONFIG_HPP
#define TCPFSM_CONNECTION_CONFIG_HPP

#include <cstdint>

#include "congestion/cubic.hpp"
#include "congestion/unlimited.hpp"
#include "core.hpp"
#include "loss_recovery.hpp"
#include "options/timestamps.hpp"
#include "options/window_scale.hpp"
#include "rto.hpp"
#include "statistics.hpp"
#include "timers.hpp"

namespace tcpfsm {

// Everything about one connection that is chosen at run time. One object may serve many
// connections (they keep a pointer to it: it must outlive them).
// The most text one arriving segment can carry (on_segment's contract): the IPv4 total
// length and the IPv6 payload length are 16-bit fields (RFC 2675 jumbograms not supported).
inline constexpr std::uint32_t max_segment_text = 65535;

inline constexpr std::uint32_t max_send_buffer_limit = 0x7FFFFFFEu;  // 2^31 - 2

struct connection_config {
    timer_config timers = default_timer_config;

    // MSS we advertise on SYN and SYN,ACK, and the largest segment we send (§3.7.1).
    // 1460: an Ethernet MTU of 1500 minus 40 octets of IPv4 and TCP headers.
    std::uint16_t mss = 1460;
    // The smallest send MSS: a peer's MSS option below it is raised to it (but never above
    // `mss`). 48, as Linux's net.ipv4.tcp_min_snd_mss since CVE-2019-11479: an MSS of 1
    // would make every octet a segment of its own (40 octets of headers each).
    std::uint16_t min_snd_mss = 48;
    // SEND (§3.10.2): at most this many octets queued and unacknowledged, else "error:
    // insufficient resources" and nothing queued. The default is the most sequence numbers
    // compared modulo 2^32 allow (they order only numbers less than 2^31 apart): data and FIN
    // below 2^31 octets, 2^31 - 2 of data. Larger values are read as that.
    std::uint32_t send_buffer_limit = max_send_buffer_limit;
    // RCV.BUFF: octets the user can hold between on_data and receive(). Without window
    // scaling the advertised window is at most 65535 (§3.1 "Window: 16 bits"); with it (both
    // SYNs carried the option), up to 65,535 << Rcv.Wind.Shift, the shift chosen from this
    // buffer at the SYN (window_shift()).
    std::uint32_t receive_buffer = 65535;
    // RFC 7323 §2: offer the Window Scale option on our SYN and SYN,ACK (the SYN,ACK only if
    // the peer's SYN carried it); on, as Linux's net.ipv4.tcp_window_scaling. Scaling is in
    // effect only when both SYNs carried it. Off: no option sent, windows never scaled.
    bool window_scaling = true;
    // ---- RFC 7323 §3-5: timestamps (timestamping.hpp) ----
    // Offer the Timestamps option on our SYN and SYN,ACK (the SYN,ACK only if the peer's SYN
    // carried it); on, as Linux's net.ipv4.tcp_timestamps. In use only when both SYNs carried
    // it: then every segment carries TSval and TSecr, PAWS checks arrivals and RTT samples
    // come from TSecr. A profile may compile it out (with_timestamps<Profile, false>).
    bool timestamps = true;
    // A non-RST segment without TSopt on a connection that uses timestamps: processed
    // (`accept`, Linux's tcp_validate_incoming) or silently dropped (`drop`, §3.2's SHOULD).
    options::missing_timestamp_policy missing_timestamp = options::missing_timestamp_policy::accept;
    // ---- end of timestamps ----
    // RFC 2018 §2: offer SACK-permitted on our SYN and SYN,ACK (the SYN,ACK only if the peer's
    // SYN carried it); on, as Linux's net.ipv4.tcp_sack. With both SYNs carrying it, every ACK
    // carries SACK blocks (and D-SACK, RFC 2883) and the sender recovers by RFC 6675 with PRR
    // (RFC 6937); otherwise NewReno (RFC 6582). A profile can compile it out (with_sack).
    bool sack = true;
    // Undo of spurious retransmissions beyond F-RTO (spurious_retransmission.hpp): Eifel
    // detection with timestamps (RFC 3522) and D-SACK detection (RFC 3708) end an episode of
    // loss recovery found needless and restore cwnd and ssthresh (the policy's
    // on_spurious_undo; RFC 4015's response to a timeout). On, as Linux; off: F-RTO alone.
    bool spurious_retransmission_undo = true;
    // RFC 8985 RACK-TLP as the loss detection of a SACK connection (Linux's
    // net.ipv4.tcp_recovery = 1): RACK's time-based marking and the tail loss probe. Off:
    // RFC 6675's DupThresh and IsLost(). Nothing without SACK (NewReno).
    bool rack = true;
    // TLP's max ack delay (RFC 8985 §7.2, WCDelAckT): added to the PTO when one segment is
    // in flight. 200 ms, Linux's TCP_DELACK_MAX.
    std::uint32_t tlp_max_ack_delay_ms = 200;
    // Nagle's algorithm (§3.7.4, SHLD-7; MUST-17: it can be turned off, TCP_NODELAY). On, as
    // in Linux.
    bool nagle = true;
    // SO_LINGER with a zero timeout: CLOSE aborts (RST, straight to CLOSED).
    bool abortive_close = false;
    // TIME-WAIT: a new SYN above RCV.NXT goes to a listener on the port, if the Observer's
    // listener_takes(syn) says one takes it (RFC 6191, RFC 1122 4.2.2.13; Linux's TCP_TW_SYN).
    // Otherwise, and when off, TIME-WAIT stays (MUST-13) and the SYN earns an ACK (the
    // challenge ACK of RFC 5961 §4). MAY-2 condition (2), going back to TIME-WAIT when the
    // SYN turns out to be an old duplicate, is not done (nor by Linux).
    bool time_wait_reopen = true;
    // RFC 5961 §7 challenge-ACK throttling: at most `challenge_ack_limit` challenge ACKs per
    // `challenge_ack_interval_ms` on this connection (0 = unlimited; any value up to 65535
    // counts as it is). Linux limits each
    // socket to one per net.ipv4.tcp_invalid_ratelimit = 500 ms (tcp_oow_rate_limited).
    std::uint16_t challenge_ack_limit = 1;
    std::uint32_t challenge_ack_interval_ms = 500;
    // The ACK answering an unacceptable segment without text (pure ACK, SYN; §3.10.7.4 first
    // step) counts with the challenge ACKs, sent while the count in the window is below this
    // (0 = unlimited): Linux's tcp_oow_rate_limited shares last_oow_ack_time with the
    // challenge ACKs. With text or a FIN it is always sent (a zero-window probe, say).
    std::uint16_t out_of_window_ack_limit = 1;
    // One segment per turn: an ACK or window update owed at the end of on_segment() or a
    // user call is not sent then but at the end of the consumer's turn, through the
    // delayed-ACK timer armed at "now" (next_deadline() is due at once: call on_timer() when
    // the turn's work is done); until then the turn's output (data, FIN) waits too, so that
    // it goes in as few segments as possible and carries the ACK (docs/engine.md, "ACK
    // timing"). Only where the state's timeout_delayed_ack row sends an ACK (ESTABLISHED to
    // LAST-ACK); elsewhere (before the handshake ends, TIME-WAIT) it goes at once. On by default, as lwIP's output at the
    // end of input; rfc_reference_config turns it off (exact RFC 9293 §3.10 replies).
    bool ack_per_turn = true;
    // The initial congestion window in segments (RFC 6928: 10, Linux's TCP_INIT_CWND;
    // send_path.hpp initial_window()). One segment when the SYN or SYN,ACK was retransmitted.
    std::uint16_t initial_window_segments = 10;
};

inline constexpr connection_config default_connection_config{};

// §3.7.1: the send MSS is the peer's MSS option, 536 when absent (MUST-15), never more than
// our own. An option of 0 counts as absent (Linux's tcp_parse_options ignores it); a value
// below min_snd_mss is raised to it (Linux's tcp_min_snd_mss, CVE-2019-11479).
constexpr std::uint16_t send_mss(const connection_config& c, std::uint16_t peer_option) noexcept {
    std::uint16_t peer = peer_option != 0 ? peer_option : std::uint16_t{536};
    if (peer < c.min_snd_mss) peer = c.min_snd_mss;
    return peer < c.mss ? peer : c.mss;
}

// RFC 7323 §2.3: the shift we offer, the smallest for which receive_buffer fits the 16-bit
// window field (65,535 << shift), at most 14: Linux's tcp_select_initial_window. 0 for the
// default 65,535-octet buffer.
constexpr std::uint8_t window_shift(const connection_config& c) noexcept {
    return options::window_shift_for(c.receive_buffer);
}

// The RFC 9293 §3.10 reference: every ACK goes at once, after the call that owes it, as the
// RFC's event processing writes it (no delayed ACK, timer_config::delayed_ack off; no
// per-turn deferral, ack_per_turn off). With rfc_reference_profile (no congestion cap) the
// engine's replies are exactly §3.10's: the conformance matrix and the figure traces run so.
inline constexpr connection_config rfc_reference_config = [] {
    connection_config c{};
    c.timers.delayed_ack = false;
    c.ack_per_turn = false;
    c.sack = false;  // no options beside the header: §3.10's segments exactly
    return c;
}();

// Compile-time choices: the transition table (a variant changes transitions, and is verified
// like the standard one), the RTO estimator (its rto_config; RFC 6298's, 1 s minimum, by
// default, linux_rto_estimator the alternative), the congestion-control policy (RFC 9293
// MUST-19; congestion/contract.hpp: CUBIC with HyStart++ by default, as Linux; newreno<>;
// congestion::unlimited for tests that pin "no congestion cap") and the statistics policy
// (statistics.hpp: no_statistics, or counting_statistics).
template <const auto& Table = standard_table, class Rto = rto_estimator, class Congestion = congestion::cubic<>,
          class Statistics = no_statistics>
struct engine_profile {
    static constexpr const auto& table = Table;
    using rto = Rto;
    using congestion = Congestion;
    using statistics = Statistics;
};

using default_profile = engine_profile<>;

// The profile of the §3.10 reference: the standard table and RFC 6298's RTO, with no
// congestion cap (congestion::unlimited), so that no cwnd holds back what §3.10 sends.
using rfc_reference_profile = engine_profile<standard_table, rto_estimator, congestion::unlimited>;

// A profile whose connection_config is fixed at compile time (`Config`, an object of static
// storage duration): the engine keeps no pointer to it, 8 octets less in the TCB (docs/
// engine.md, "TCB size"). The constructors then default to `Config`, and one given a
// configuration must be given `Config` itself (TCPFSM_ASSERT).
template <class Profile, const connection_config& Config>
struct with_static_config : Profile {
    static constexpr const connection_config& static_config = Config;
};

namespace detail {
template <class...>
using config_void_t = void;
// Where the engine finds its configuration: a pointer, or the Profile's static_config.
template <class Profile, class = void>
class config_holder {
public:
    explicit config_holder(const connection_config& config) noexcept : config_(&config) {}
    const connection_config& get() const noexcept { return *config_; }
    static constexpr bool is_static = false;
    static constexpr const connection_config& default_config() noexcept { return default_connection_config; }

private:
    const connection_config* config_;
};
template <class Profile>
class config_holder<Profile, config_void_t<decltype(Profile::static_config)>> {
public:
    explicit config_holder(const connection_config&) noexcept {}
    static constexpr const connection_config& get() noexcept { return Profile::static_config; }
    static constexpr bool is_static = true;
    static constexpr const connection_config& default_config() noexcept { return Profile::static_config; }
};
}  // namespace detail

// STATUS (§3.10.6): a snapshot in the spirit of Linux's struct tcp_info.
struct connection_status {
    state st = state::closed;
    bool passive_origin = false;
    std::uint32_t iss = 0;
    std::uint32_t snd_una = 0, snd_nxt = 0, snd_wnd = 0, snd_wl1 = 0, snd_wl2 = 0, max_snd_wnd = 0;
    std::uint32_t rcv_nxt = 0, rcv_wnd = 0;
    std::uint32_t unacked = 0;       // octets of sequence space in flight (SND.NXT - SND.UNA)
    std::uint32_t unsent = 0;        // octets queued by SEND, not yet sent
    std::uint32_t receive_held = 0;  // octets delivered, not yet taken by receive()
    // The effective send MSS: the text octets of a full segment, the peer's MSS less 12 on a
    // timestamp connection (RFC 6691; Linux's tcpi_snd_mss, tcp_current_mss).
    std::uint16_t snd_mss = 0;
    // RFC 7323 §2 (Linux's tcpi_snd_wscale, tcpi_rcv_wscale): Snd.Wind.Shift and
    // Rcv.Wind.Shift, both 0 unless window scaling is in effect.
    std::uint8_t snd_wscale = 0, rcv_wscale = 0;
    bool window_scaling = false;     // both SYNs carried the Window Scale option
    // RFC 7323 §3.2 (Linux's TCPI_OPT_TIMESTAMPS): both SYNs carried the Timestamps option;
    // ts_recent: TS.Recent (§4.3), 0 without timestamps.
    bool timestamps = false;
    std::uint32_t ts_recent = 0;
    // RFC 2018 (Linux's TCPI_OPT_SACK, tcpi_sacked): both SYNs carried SACK-permitted; the
    // octets the scoreboard holds as SACKed above SND.UNA.
    bool sack = false;
    std::uint32_t sacked = 0;
    std::uint32_t srtt_ms = 0, rttvar_ms = 0, rto_ms = 0;
    std::uint16_t retransmits = 0;   // retransmissions of the current segment, or unanswered probes
    std::uint16_t window_probes = 0; // zero-window probes since the window closed (stops at 65535)
    std::uint16_t backoff = 0;       // RTO doublings since the last RTT sample
    bool fin_queued = false, fin_sent = false;
    // Congestion control and loss recovery (send_path.hpp; not RFC 9293 states): the window
    // sent with (the recovery component's in fast recovery), the policy's ssthresh
    // (0xFFFFFFFF before the first loss), the sender's recovery state.
    std::uint32_t cwnd = 0, ssthresh = 0;
    recovery_state recovery = recovery_state::open;
};

}  // namespace tcpfsm

#endif  // TCPFSM_CONNECTION_CONFIG_HPP
