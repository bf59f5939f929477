// lwIP as an in-process TCP peer of tcpfsm: for the interoperability tests (test/lwip/) and,
// later, as the peer of a benchmark. Single-threaded, deterministic, no sockets, no threads.
//
// The lwIP it runs is Debian's liblwip-dev 2.1.3 (liblwip.so). That build is made for an OS
// (NO_SYS=0, LWIP_TCPIP_CORE_LOCKING=1, see /usr/include/lwip/lwipopts.h), but its raw API
// works from one thread as long as tcpip_init() is never called: lwip_peer calls
// lwip_init() (once per process), adds one netif of its own, feeds packets with ip4_input()
// and runs lwIP's timers with sys_check_timeouts(). lwip_peer.cpp defines sys_now(), which
// takes the place of the library's own (the library calls it through its PLT), so lwIP's
// timers run on manual_clock: the same clock the engine reads.
//
// API
// ---
// manual_clock       Clock policy of the engine and lwIP's sys_now(): milliseconds that move
//                    only when the pump (or a test) moves them. Process-wide, never goes back.
//
// lwip_peer          lwIP with one netif, `lwip_address/prefix`, mtu 1500.
//   - lwIP -> tcpfsm: the netif's output copies each IPv4 packet into a ring of fixed-size
//     slots (no allocation per packet once the ring has grown); pop_for_tcpfsm() parses the
//     oldest with wire.hpp (IPv4 header checksum, TCP checksum over the pseudo-header) into
//     an lwip_packet: the tcpfsm::segment, its text and the raw bytes.
//   - tcpfsm -> lwIP: send_to_lwip(segment, text, ports) serializes a 20-octet IPv4 header
//     and the TCP header, options and text (wire.hpp, both checksums) straight into one pbuf
//     and queues it; deliver_to_lwip() hands the oldest to ip4_input().
//   - time: run_lwip_timers() (sys_check_timeouts), lwip_next_timer() (from
//     sys_timeouts_sleeptime). lwIP's cyclic timers (IGMP and MLD 100 ms, ARP, IP
//     reassembly and ND6 1 s) always run; its TCP timer (tcp_tmr, TCP_TMR_INTERVAL 250 ms)
//     runs while a pcb is active or in TIME-WAIT.
//   - the pump, for a Side (the tcpfsm end; tcpfsm_endpoint is one):
//         void on_lwip_packet(const lwip_packet&);            a segment lwIP sent
//         bool next_deadline(manual_clock::time_point& at);   false when no timer runs
//         void on_timer();                                    the clock reached it
//     run_until_idle(side, step): moves packets both ways (one each way in turn, FIFO), no
//     time passes, until no packet is queued.
//     run_until(side, t, step) / run_for(side, d, step): as run_until_idle, then moves the
//     clock to the earliest deadline (lwIP's next timer or the side's), fires what is due
//     there, and again, until the clock reaches t (timers due at t have fired).
//     `step()` is called after every packet and every timer step; it may act on both sides
//     (close, send, ...) and returns true to stop the pump (pump_result::stopped).
//   - state of a pcb by its four-tuple (pcb_state), valid after lwIP freed the pcb
//     (lwip_state::closed): lwIP frees pcbs without telling the application (LAST-ACK to
//     CLOSED, the end of TIME-WAIT), so a pcb pointer cannot be kept.
//   - one lwip_peer at a time (lwIP is global state); its destructor aborts every pcb left.
//
// lwip_socket        the application on the lwIP side (raw API): listen(port) accepting one
//                    connection, or connect(local, remote); send() queues octets and writes
//                    as much as lwIP takes (tcp_write, tcp_output; the rest when `sent`
//                    frees room); received octets, tcp_recved() at once (auto_recved off:
//                    the window closes until recved()); keep_received off only counts
//                    them; fin_received(); close() (tcp_close after the queued octets);
//                    abort(); connection_state() by four-tuple; trace(): every state seen.
//
// tcpfsm_endpoint    one tcpfsm::connection wired to the peer, the Side of the pump: its
//                    SegmentIO calls send_to_lwip, its observer keeps the send buffer
//                    (on_acked) and the received octets (on_data; receive() after each
//                    segment unless auto_receive is off; keep_received off only counts
//                    them) and every state change (trace()).
//
//     tcpfsm_lwip::lwip_peer peer;                       // lwIP at 192.0.2.1, tcpfsm at .2
//     tcpfsm_lwip::lwip_socket server(peer);
//     server.listen(80);
//     tcpfsm_lwip::tcpfsm_endpoint client(peer, 40000, 80, /*iss*/ 1000);
//     client.open_active();
//     peer.run_until_idle(client);                       // ESTABLISHED on both sides
//     client.send(data, n);
//     peer.run_for(client, std::chrono::seconds(10), [&] { return server.received().size() == n; });
//
// Per segment, the driver itself allocates nothing once its rings have grown: tcpfsm ->
// lwIP is one pbuf_alloc (lwIP's own, MEM_LIBC_MALLOC: malloc) filled in place; lwIP ->
// tcpfsm is two copies of at most one mtu (into the ring in the netif's output, out of it
// when popped). received() vectors grow unless keep_received is off.
//
// CMake: include(test/support/lwip_peer.cmake) defines the static library tcpfsm_lwip_peer
// (this header, lwip_peer.cpp with sys_now(), liblwip) when liblwip-dev is installed.
//
// Set TCPFSM_LWIP_TRACE=1 in the environment to print every packet (both ways) to stderr.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_LWIP_PEER_HPP
#define TCPFSM_TEST_LWIP_PEER_HPP

#include <tcpfsm/connection.hpp>
#include <tcpfsm/wire.hpp>
#include <tcpfsm/options/option_codec.hpp>
#include <tcpfsm/options/segment_options.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <ratio>
#include <string>
#include <vector>

struct tcp_pcb;
struct pbuf;
struct netif;

namespace tcpfsm_lwip {

// ------------------------------------------------------------------------------------------
// The clock
// ------------------------------------------------------------------------------------------

namespace detail {
inline std::int64_t manual_clock_ms = 0;
}

struct manual_clock {
    using rep = std::int64_t;
    using period = std::milli;
    using duration = std::chrono::milliseconds;
    using time_point = std::chrono::time_point<manual_clock, duration>;
    static constexpr bool is_steady = true;

    static time_point now() noexcept { return time_point(duration(detail::manual_clock_ms)); }
    // Moves the clock to `t`; a time in the past is ignored (the clock never goes back).
    static void set(time_point t) noexcept {
        if (t.time_since_epoch().count() > detail::manual_clock_ms) detail::manual_clock_ms = t.time_since_epoch().count();
    }
    static void advance(duration d) noexcept { set(now() + d); }
};

// ------------------------------------------------------------------------------------------
// lwIP's configuration, as compiled into the library's headers
// ------------------------------------------------------------------------------------------

// lwIP's enum tcp_state, value for value (checked in lwip_peer.cpp).
enum class lwip_state : int {
    closed = 0,
    listen = 1,
    syn_sent = 2,
    syn_rcvd = 3,
    established = 4,
    fin_wait_1 = 5,
    fin_wait_2 = 6,
    close_wait = 7,
    closing = 8,
    last_ack = 9,
    time_wait = 10,
};

// lwIP's own name of a state (tcp_debug_state_str: "TIME_WAIT", ...).
const char* name(lwip_state s) noexcept;

// Constants from lwIP's headers (lwip/priv/tcp_priv.h, lwipopts.h, opt.h).
struct lwip_constants {
    std::uint32_t tcp_msl_ms;            // TCP_MSL: TIME-WAIT is 2 * TCP_MSL
    std::uint32_t tcp_tmr_interval_ms;   // TCP_TMR_INTERVAL: tcp_tmr() period
    std::uint32_t tcp_slow_interval_ms;  // TCP_SLOW_INTERVAL: tcp_slowtmr() period
    std::uint32_t tcp_fin_wait_timeout_ms;
    std::uint32_t tcp_wnd;               // TCP_WND
    std::uint32_t tcp_mss;               // TCP_MSS
    std::uint32_t tcp_snd_buf;           // TCP_SND_BUF
    int no_sys;                          // NO_SYS
    int wnd_scale;                       // LWIP_WND_SCALE
    int tcp_rcv_scale;                   // TCP_RCV_SCALE
};
const lwip_constants& lwip_config() noexcept;

// ------------------------------------------------------------------------------------------
// Packets
// ------------------------------------------------------------------------------------------

// One IPv4 packet lwIP sent, parsed. Valid until the next pop_for_tcpfsm().
struct lwip_packet {
    tcpfsm::tcp_packet parsed;             // IPv4 and TCP headers, options
    tcpfsm::segment seg;                   // what the engine sees
    tcpfsm::segment_options options;       // beside it: SACK-permitted, SACK blocks, timestamps
    const std::uint8_t* text = nullptr;    // seg.text_length octets
    const std::uint8_t* bytes = nullptr;   // the whole packet
    std::size_t size = 0;
};

enum class pump_result {
    idle,      // run_until_idle: no packet queued either way
    deadline,  // run_until: the clock reached the deadline
    stopped,   // step() returned true
    stalled,   // timers due again and again with no time passing (a bug somewhere)
};
const char* name(pump_result r) noexcept;

struct no_step {
    bool operator()() const noexcept { return false; }
};

class lwip_socket;

// ------------------------------------------------------------------------------------------
// lwip_peer
// ------------------------------------------------------------------------------------------

struct lwip_peer_config {
    tcpfsm::ipv4_address lwip_address{{192, 0, 2, 1}};    // TEST-NET-1 (RFC 5737): never leaves the process
    tcpfsm::ipv4_address tcpfsm_address{{192, 0, 2, 2}};
    std::uint8_t prefix_length = 24;
    std::uint16_t mtu = 1500;
    std::size_t initial_slots = 128;  // ring capacity, lwIP -> tcpfsm (grows when full)
};

class lwip_peer {
public:
    using config = lwip_peer_config;

    struct counters {
        std::uint64_t to_tcpfsm_packets = 0, to_tcpfsm_text = 0;
        std::uint64_t to_lwip_packets = 0, to_lwip_text = 0;
        std::uint64_t wire_errors = 0;     // lwIP sent a packet wire.hpp rejects (checksum, ...)
        std::uint64_t not_ipv4 = 0;        // lwIP sent IPv6 (MLD, ND): dropped
        std::uint64_t oversize = 0;        // larger than the mtu: dropped
        std::uint64_t serialize_errors = 0;
        std::uint64_t pbuf_failures = 0;
        std::uint64_t input_errors = 0;    // ip4_input did not return ERR_OK
    };

    lwip_peer() : lwip_peer(config{}) {}
    explicit lwip_peer(const config& c);
    ~lwip_peer();
    lwip_peer(const lwip_peer&) = delete;
    lwip_peer& operator=(const lwip_peer&) = delete;

    const config& settings() const noexcept { return config_; }
    const counters& stats() const noexcept { return counters_; }

    // The four-tuple as the tcpfsm side sees it (for its ISS and open_active).
    tcpfsm::four_tuple tcpfsm_tuple(std::uint16_t tcpfsm_port, std::uint16_t lwip_port) const noexcept;

    // ---- tcpfsm -> lwIP ----
    // Serializes (IPv4 + TCP with `options`, checksums) into a pbuf and queues it. False if
    // lwIP had no pbuf or the segment does not fit the mtu.
    bool send_to_lwip(const tcpfsm::segment& seg, const std::uint8_t* text, std::uint16_t src_port,
                      std::uint16_t dst_port,
                      const tcpfsm::segment_options& options = tcpfsm::no_segment_options) noexcept;
    std::size_t pending_to_lwip() const noexcept { return to_lwip_count_; }
    // ip4_input() of the oldest queued packet; false when none is queued.
    bool deliver_to_lwip() noexcept;

    // ---- lwIP -> tcpfsm ----
    std::size_t pending_to_tcpfsm() const noexcept { return to_tcpfsm_count_; }
    // The oldest packet lwIP sent, parsed; packets wire.hpp rejects are counted and skipped.
    bool pop_for_tcpfsm(lwip_packet& out) noexcept;

    // Drops every queued packet, both ways.
    void discard_pending() noexcept;

    // ---- time ----
    void run_lwip_timers() noexcept;                          // sys_check_timeouts()
    manual_clock::time_point lwip_next_timer() const noexcept;  // max() when none
    // lwIP's timers follow manual_clock (checked once, at lwip_init).
    static bool uses_manual_clock() noexcept;

    // ---- lwIP's pcbs ----
    // The state of lwIP's pcb with this local and remote port (remote 0: any), from lwIP's
    // lists; closed when lwIP holds none. Listening pcbs are not connections: see
    // listener_exists().
    lwip_state pcb_state(std::uint16_t local_port, std::uint16_t remote_port) const noexcept;
    bool listener_exists(std::uint16_t port) const noexcept;
    // pcbs lwIP holds: active (SYN-SENT .. LAST-ACK), TIME-WAIT, listening, bound.
    std::size_t pcb_count() const noexcept;
    // lwIP's tcp_ticks (tcp_slowtmr() calls so far).
    static std::uint32_t lwip_tcp_ticks() noexcept;

    // Samples the state of every lwip_socket (their trace). The pump calls it after every
    // lwIP event; call it after acting on lwIP directly.
    void after_lwip_event() noexcept;

    // ---- the pump ----
    template <class Side, class Step = no_step>
    pump_result run_until_idle(Side& side, Step&& step = Step{}) {
        for (;;) {
            bool moved = false;
            if (deliver_to_lwip()) {
                moved = true;
                after_lwip_event();
                if (step()) return pump_result::stopped;
            }
            if (pop_for_tcpfsm(scratch_)) {
                moved = true;
                side.on_lwip_packet(scratch_);
                after_lwip_event();  // the side may have acted on lwIP
                if (step()) return pump_result::stopped;
            }
            // The end of the tcpfsm side's turn: what is due now goes (the ACK and output that
            // one segment per turn defers, connection_config::ack_per_turn).
            manual_clock::time_point ours{};
            if (!moved && side.next_deadline(ours) && ours <= manual_clock::now()) {
                moved = true;
                side.on_timer();
                after_lwip_event();
                if (step()) return pump_result::stopped;
            }
            if (!moved) return pump_result::idle;
        }
    }

    template <class Side, class Step = no_step>
    pump_result run_until(Side& side, manual_clock::time_point until, Step&& step = Step{}) {
        std::size_t same_time = 0;
        for (;;) {
            if (run_until_idle(side, step) == pump_result::stopped) return pump_result::stopped;
            const manual_clock::time_point now = manual_clock::now();
            manual_clock::time_point next = lwip_next_timer();
            manual_clock::time_point ours{};
            if (side.next_deadline(ours) && ours < next) next = ours;
            if (next > until) {
                manual_clock::set(until);
                return pump_result::deadline;
            }
            if (next <= now) {
                if (++same_time > 10000) return pump_result::stalled;
            } else {
                same_time = 0;
                manual_clock::set(next);
            }
            run_lwip_timers();
            after_lwip_event();
            if (side.next_deadline(ours) && ours <= manual_clock::now()) side.on_timer();
            after_lwip_event();
            if (step()) return pump_result::stopped;
        }
    }

    template <class Side, class Step = no_step>
    pump_result run_for(Side& side, manual_clock::duration d, Step&& step = Step{}) {
        return run_until(side, manual_clock::now() + d, static_cast<Step&&>(step));
    }

private:
    friend class lwip_socket;
    struct impl;
    struct slot {
        std::uint16_t length;
        std::uint8_t bytes[1600];
    };

    void link(lwip_socket* s) noexcept;
    void unlink(lwip_socket* s) noexcept;
    // Called by the netif's output (lwip_peer.cpp).
    void take_from_lwip(struct pbuf* p) noexcept;
    void log_packet(const char* direction, const std::uint8_t* bytes, std::size_t size) const noexcept;

    config config_;
    counters counters_;
    std::unique_ptr<struct netif> netif_;
    std::uint16_t ip_id_ = 0;
    bool log_ = false;

    // lwIP -> tcpfsm: a ring of slots.
    std::vector<slot> to_tcpfsm_;
    std::size_t to_tcpfsm_head_ = 0, to_tcpfsm_count_ = 0;
    // tcpfsm -> lwIP: a ring of pbufs.
    std::vector<struct pbuf*> to_lwip_;
    std::size_t to_lwip_head_ = 0, to_lwip_count_ = 0;

    slot current_;  // the packet popped last (lwip_packet points into it)

    lwip_socket* sockets_ = nullptr;
    lwip_packet scratch_;
};

// ------------------------------------------------------------------------------------------
// lwip_socket: the lwIP application
// ------------------------------------------------------------------------------------------

struct lwip_trace_entry {
    std::int64_t at_ms;
    lwip_state st;
};

class lwip_socket {
public:
    explicit lwip_socket(lwip_peer& peer);
    ~lwip_socket();  // detaches from the pcb (lwIP keeps closing it), closes a listener
    lwip_socket(const lwip_socket&) = delete;
    lwip_socket& operator=(const lwip_socket&) = delete;

    // tcp_new, tcp_bind(lwip_address, port), tcp_listen_with_backlog(1), tcp_accept.
    bool listen(std::uint16_t port);
    // tcp_new, tcp_bind(lwip_address, local_port), tcp_connect(tcpfsm_address, remote_port).
    bool connect(std::uint16_t local_port, std::uint16_t remote_port);

    // Queues octets; what lwIP's send buffer takes is written now (when the connection is
    // ESTABLISHED or CLOSE-WAIT), the rest as acknowledgments free room.
    void send(const std::uint8_t* data, std::size_t n);
    std::size_t unwritten() const noexcept { return pending_.size() - pending_head_; }

    // tcp_close once every queued octet is written (at once if none is). Closes the
    // listener too. Returns lwIP's error (ERR_OK = 0).
    int close();
    // tcp_abort of the connection (RST).
    void abort();

    // tcp_recved() for every octet as it arrives, so lwIP's window stays open (default).
    // Off: the window closes as octets arrive, until recved() reopens it.
    bool auto_recved = true;
    void recved();  // tcp_recved() for every octet received and not yet reported
    // Keep the received octets in received() (default); off: only count them (benchmarks).
    bool keep_received = true;
    std::uint64_t received_count() const noexcept { return received_count_; }

    bool connected() const noexcept { return connected_; }  // connect: ESTABLISHED; listen: accepted
    bool closed_by_app() const noexcept { return close_requested_; }
    bool fin_received() const noexcept { return fin_received_; }
    bool error_seen() const noexcept { return error_seen_; }
    int error() const noexcept { return error_; }  // from tcp_err (ERR_RST, ERR_ABRT, ...)
    const std::vector<std::uint8_t>& received() const noexcept { return received_; }
    std::uint64_t acked() const noexcept { return acked_; }  // octets the peer acknowledged

    std::uint16_t local_port() const noexcept { return local_port_; }
    std::uint16_t remote_port() const noexcept { return remote_port_; }  // 0 until a SYN came (listen)
    // The connection's state by four-tuple (lwIP's lists): closed once lwIP freed its pcb.
    lwip_state connection_state() const noexcept;
    bool listening() const noexcept;
    // Every state the connection was seen in, with the time (sampled after every lwIP event).
    const std::vector<lwip_trace_entry>& trace() const noexcept { return trace_; }
    std::string trace_string(std::int64_t since_ms = 0) const;
    void sample() noexcept;

private:
    friend class lwip_peer;
    struct callbacks;
    void push() noexcept;
    void detach() noexcept;
    int finish_close() noexcept;

    lwip_peer& peer_;
    lwip_socket* next_ = nullptr;
    struct tcp_pcb* listener_ = nullptr;
    struct tcp_pcb* pcb_ = nullptr;  // the connection, while the application owns it
    std::uint16_t local_port_ = 0, remote_port_ = 0;
    bool connected_ = false, close_requested_ = false, closed_ = false;
    bool fin_received_ = false, error_seen_ = false;
    int error_ = 0;
    std::vector<std::uint8_t> pending_;
    std::size_t pending_head_ = 0;
    std::vector<std::uint8_t> received_;
    std::uint64_t acked_ = 0, received_count_ = 0;
    std::size_t unrecved_ = 0;
    std::vector<lwip_trace_entry> trace_;
};

// ------------------------------------------------------------------------------------------
// tcpfsm_endpoint: one tcpfsm connection as the pump's Side
// ------------------------------------------------------------------------------------------

struct tcpfsm_trace_entry {
    std::int64_t at_ms;
    tcpfsm::state from, to;
    tcpfsm::event on;
};

class tcpfsm_endpoint {
public:
    struct io_policy {
        tcpfsm_endpoint* self;
        void send(const tcpfsm::outgoing_segment& out) noexcept { self->transmit(out); }
    };
    struct observer_policy : tcpfsm::null_observer {
        tcpfsm_endpoint* self;
        void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept {
            self->trace_.push_back(tcpfsm_trace_entry{manual_clock::now().time_since_epoch().count(), from, to, on});
        }
        void on_signal(tcpfsm::user_signal s) noexcept { self->signals_.push_back(s); }
        void on_data(const std::uint8_t* text, std::uint32_t length) noexcept {
            if (self->keep_received && text != nullptr) self->received_.insert(self->received_.end(), text, text + length);
            self->received_count_ += length;
            self->held_ += length;
        }
        void on_acked(std::uint32_t octets) noexcept { self->drop_acked(octets); }
        void on_drop(tcpfsm::drop_reason) noexcept { ++self->drops_; }
    };
    using connection_type = tcpfsm::connection<io_policy, manual_clock, observer_policy, tcpfsm::fixed_iss>;

    tcpfsm_endpoint(lwip_peer& peer, std::uint16_t local_port, std::uint16_t remote_port, std::uint32_t iss,
                    const tcpfsm::connection_config& config = tcpfsm::default_connection_config)
        : peer_(peer),
          config_(config),
          local_port_(local_port),
          remote_port_(remote_port),
          listen_remote_port_(remote_port),
          conn_(config_, io_policy{this}, manual_clock{}, observer_policy{{}, this}, tcpfsm::fixed_iss(iss)) {}
    tcpfsm_endpoint(const tcpfsm_endpoint&) = delete;
    tcpfsm_endpoint& operator=(const tcpfsm_endpoint&) = delete;

    connection_type& connection() noexcept { return conn_; }
    tcpfsm::state state() const noexcept { return conn_.current_state(); }
    tcpfsm::four_tuple tuple() const noexcept { return peer_.tcpfsm_tuple(local_port_, remote_port_); }

    tcpfsm::user_error open_passive() noexcept { return conn_.open_passive(); }
    tcpfsm::user_error open_active() noexcept { return conn_.open_active(tuple()); }
    // Appends to the send buffer and calls SEND.
    tcpfsm::user_error send(const std::uint8_t* data, std::size_t n) {
        send_buffer_.insert(send_buffer_.end(), data, data + n);
        return conn_.send(static_cast<std::uint32_t>(n), tuple());
    }
    tcpfsm::user_error close() noexcept { return conn_.close(); }
    tcpfsm::user_error abort() noexcept { return conn_.abort(); }

    // RECEIVE after every segment for what on_data delivered (on by default).
    bool auto_receive = true;
    // Keep the received octets in received() (default); off: only count them (benchmarks).
    bool keep_received = true;
    std::uint64_t received_count() const noexcept { return received_count_; }
    // RECEIVE for what is held now (when auto_receive is off).
    void receive_held() noexcept {
        if (held_ == 0) return;
        const std::uint32_t n = held_;
        held_ = 0;
        conn_.receive(n);
    }

    // ---- the pump's Side ----
    void on_lwip_packet(const lwip_packet& p) noexcept {
        if (p.parsed.tcp.dst_port != local_port_ || (remote_port_ != 0 && p.parsed.tcp.src_port != remote_port_)) {
            ++foreign_;
            return;
        }
        if (remote_port_ == 0) remote_port_ = p.parsed.tcp.src_port;  // LISTEN: the SYN names the peer
        const tcpfsm::four_tuple t = tuple();
        conn_.on_segment(p.seg, p.options, p.text, t);
        if (auto_receive) receive_held();
        if (state() == tcpfsm::state::listen) remote_port_ = listen_remote_port_;  // back to LISTEN: any peer
    }
    bool next_deadline(manual_clock::time_point& at) noexcept {
        const std::chrono::milliseconds left = conn_.time_to_next_deadline();
        if (left == std::chrono::milliseconds::max()) return false;
        at = manual_clock::now() + left;
        return true;
    }
    void on_timer() noexcept { conn_.on_timer(); }

    // ---- results ----
    const std::vector<std::uint8_t>& received() const noexcept { return received_; }
    std::size_t unacknowledged() const noexcept { return send_buffer_.size() - send_head_; }
    const std::vector<tcpfsm_trace_entry>& trace() const noexcept { return trace_; }
    const std::vector<tcpfsm::user_signal>& signals() const noexcept { return signals_; }
    bool signalled(tcpfsm::user_signal s) const noexcept {
        for (tcpfsm::user_signal x : signals_)
            if (x == s) return true;
        return false;
    }
    std::uint64_t foreign_packets() const noexcept { return foreign_; }
    std::uint64_t drops() const noexcept { return drops_; }
    std::string trace_string(std::int64_t since_ms = 0) const;

private:
    void transmit(const tcpfsm::outgoing_segment& out) noexcept {
        const std::uint8_t* text =
            out.header.text_length != 0 ? send_buffer_.data() + send_head_ + out.text_offset : nullptr;
        peer_.send_to_lwip(out.header, text, local_port_, remote_port_, out.options);
    }
    void drop_acked(std::uint32_t octets) noexcept {
        send_head_ += octets;
        if (send_head_ >= send_buffer_.size()) {
            send_buffer_.clear();  // keeps the capacity
            send_head_ = 0;
        } else if (send_head_ >= 65536 && send_head_ * 2 >= send_buffer_.size()) {
            send_buffer_.erase(send_buffer_.begin(), send_buffer_.begin() + static_cast<std::ptrdiff_t>(send_head_));
            send_head_ = 0;
        }
    }

    lwip_peer& peer_;
    tcpfsm::connection_config config_;
    std::uint16_t local_port_, remote_port_;
    std::uint16_t listen_remote_port_;  // as constructed: 0 = any peer (LISTEN)
    std::vector<std::uint8_t> send_buffer_;  // from SND.UNA on, from send_head_
    std::size_t send_head_ = 0;
    std::vector<std::uint8_t> received_;
    std::uint32_t held_ = 0;
    std::vector<tcpfsm_trace_entry> trace_;
    std::vector<tcpfsm::user_signal> signals_;
    std::uint64_t foreign_ = 0, drops_ = 0, received_count_ = 0;
    connection_type conn_;
};

}  // namespace tcpfsm_lwip

#endif  // TCPFSM_TEST_LWIP_PEER_HPP
