// tcpfsm: a listening endpoint with its connections, the way Linux's listen() and accept()
// work since 2.2 (docs/listener.md):
//
//  - a connection table (conn_table.hpp) keyed by the four-tuple, IPv4 and IPv6, of fixed
//    capacity, allocated once; segments for no connection and no listener get the CLOSED
//    state's reply (§3.10.7.1: RST) from a connection engine in CLOSED;
//  - the listener itself, an engine that stays in LISTEN (§3.10.7.2): it answers what no
//    connection takes (RST to an ACK, RST ignored); every SYN makes a child, a connection
//    engine that runs the same table: open_passive(), then the SYN (LISTEN -> SYN-RECEIVED);
//  - the SYN queue (children in SYN-RECEIVED, with their SYN,ACK retransmissions and
//    timeouts) and the accept queue (ESTABLISHED, not yet accepted), `backlog` long; a full
//    accept queue drops the handshake's final ACK (Linux) or answers it with RST
//    (tcp_abort_on_overflow = 1);
//  - SYN cookies (RFC 4987 §3.6, syn_cookie.hpp) when the SYN queue is full (tcp_syncookies =
//    1): the SYN,ACK comes from the LISTEN row run by a scratch engine that is not kept; a
//    valid cookie ACK creates the child directly in ESTABLISHED by the row (LISTEN,
//    rcv_cookie_ack);
//  - TIME-WAIT records (time_wait.hpp) instead of full TCBs, at most max_time_wait of them
//    (tcp_max_tw_buckets), answered by the table's TIME-WAIT rows; a new SYN may reopen one
//    (RFC 6191);
//  - statistics: the TCP lines of `ss -s` (write_ss_summary), connections per state as
//    netstat counts them (write_state_counts), queue overflows, cookies.
//
// No state changes here: every change is a row run by an engine (connection.hpp) or, for a
// TIME-WAIT record, a row looked up from the record (time_wait.hpp). A connection that enters
// TIME-WAIT goes on in TIME-WAIT as a record (as Linux turns a socket into an
// inet_timewait_sock); the cookie SYN,ACK's scratch engine is dropped in SYN-RECEIVED, which is
// what a SYN cookie is (RFC 4987 §3.6: the state is encoded in the ISS, nothing is kept).
//
// Nothing is allocated after construction. Not thread-safe: one listener belongs to one
// thread at a time (its children's policies reach it through a thread_local pointer while one
// of its calls runs). Observer hooks must not call back into the listener except accept()
// and stats().
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_LISTENER_HPP
#define TCPFSM_LISTENER_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "allocator.hpp"
#include "conn_table.hpp"
#include "connection.hpp"
#include "deadline_heap.hpp"
#include "options/segment_options.hpp"
#include "receive_path.hpp"
#include "syn_cookie.hpp"
#include "time_wait.hpp"

namespace tcpfsm {

// net.ipv4.tcp_syncookies: 0, 1 (when the SYN queue is full; Linux's default) or 2 (always).
enum class syn_cookie_mode : std::uint8_t { off = 0, when_syn_queue_full = 1, always = 2 };

inline constexpr std::size_t syn_cookie_mode_count = 3;

constexpr const char* name(syn_cookie_mode m) noexcept {
    constexpr const char* names[syn_cookie_mode_count] = {"off", "when_syn_queue_full", "always"};
    return static_cast<std::size_t>(m) < syn_cookie_mode_count ? names[static_cast<std::size_t>(m)] : "invalid";
}

struct listener_config {
    // listen(fd, backlog): the accept queue's length (Linux since 2.2; capped there by
    // net.core.somaxconn, 4096 since 5.4). Linux lets backlog + 1 in (sk_acceptq_is_full uses
    // >); here at most `backlog` wait.
    std::uint32_t backlog = 128;
    // The SYN queue's length; 0: the backlog (Linux: inet_csk_reqsk_queue_is_full compares
    // the request count with the backlog; tcp_max_syn_backlog limits it further only when
    // cookies are off).
    std::uint32_t syn_backlog = 0;
    syn_cookie_mode syn_cookies = syn_cookie_mode::when_syn_queue_full;
    // net.ipv4.tcp_abort_on_overflow: 0 drops the final ACK when the accept queue is full (the
    // SYN,ACK timer resends, the peer's next ACK may find room); 1 answers it with RST.
    bool abort_on_overflow = false;
    // Capacity of the connection table: connections in every state but TIME-WAIT.
    std::uint32_t max_connections = 1024;
    // net.ipv4.tcp_max_tw_buckets: TIME-WAIT records at most; beyond it a connection entering
    // TIME-WAIT is dropped at once (ABORT's row: CLOSED, no RST) and time_wait_overflows
    // counts it. 0: no TIME-WAIT at all. Linux sizes it from its established hash table.
    std::uint32_t max_time_wait = 1024;
    // Challenge ACKs (RFC 5961) sent by TIME-WAIT records, per second, for the whole listener
    // (net.ipv4.tcp_challenge_ack_limit: 1000 per second, host-wide, since Linux 4.7). 0: unlimited.
    std::uint32_t time_wait_challenge_acks_per_second = 1000;
    // The listening address: any local address when `bound` is false (INADDR_ANY / in6addr_any).
    bool bound = false;
    endpoint_address local_address{};
    // Every child's configuration (its timers: synack_retries, MSL; time_wait_reopen; MSS; ...).
    connection_config child = default_connection_config;
};

// The keys of a listener: the ISS (RFC 6528), the SYN cookies and the table's hash, each 128
// unpredictable bits from the system's random source, different from each other.
struct listener_secrets {
    siphash_key iss;
    siphash_key cookie;
    siphash_key table;
};

// A connection of a listener: its slot in the table and the slot's generation (odd while in
// use), so that a handle of a connection that is gone never names the next one in the slot.
struct connection_handle {
    std::uint32_t slot = 0xFFFFFFFFu;
    std::uint32_t generation = 0;

    constexpr explicit operator bool() const noexcept { return slot != 0xFFFFFFFFu; }
    friend constexpr bool operator==(connection_handle a, connection_handle b) noexcept {
        return a.slot == b.slot && a.generation == b.generation;
    }
    friend constexpr bool operator!=(connection_handle a, connection_handle b) noexcept { return !(a == b); }
};

// No connection: replies of the listener, the CLOSED state or a TIME-WAIT record.
inline constexpr connection_handle no_connection{};

// Counters named after Linux's (`nstat` names in the comments), and what `ss -s` and netstat
// print (ss_summary_of, write_ss_summary, write_state_counts).
struct listener_stats {
    // Connections in each state (index_of(state)): the children, the TIME-WAIT records and
    // the listener itself (one LISTEN). CLOSED is always 0.
    std::uint64_t connections[state_count] = {};
    std::uint32_t syn_queue_length = 0;
    std::uint32_t accept_queue_length = 0;
    std::uint64_t syn_queue_drops = 0;      // SYN dropped, SYN queue full, cookies off (TCPReqQFullDrop)
    std::uint64_t listen_drops = 0;         // SYN dropped, accept queue full (ListenDrops)
    std::uint64_t listen_overflows = 0;     // SYN, final ACK or cookie ACK found the accept queue full (ListenOverflows)
    std::uint64_t table_full_drops = 0;     // SYN or cookie ACK dropped: connection table full
    std::uint64_t syn_received_timeouts = 0;  // SYN,ACK retries exhausted: back to LISTEN, request dropped
    std::uint64_t syn_cookies_sent = 0;       // SyncookiesSent
    std::uint64_t syn_cookies_validated = 0;  // SyncookiesRecv
    std::uint64_t syn_cookies_failed = 0;     // SyncookiesFailed
    std::uint64_t time_wait_overflows = 0;    // TCPTimeWaitOverflow (tcp_max_tw_buckets)
    std::uint64_t time_wait_reopened = 0;     // SYN took a TIME-WAIT four-tuple (RFC 6191; TCP_TW_SYN)
    std::uint64_t time_wait_challenge_acks_limited = 0;
    std::uint64_t closed_replies = 0;         // segments for no connection and no listener (§3.10.7.1)
    std::uint64_t accepted = 0;               // accept() calls that returned a connection
    // For the `ss -s` block (ss_summary_of): the full connections by address family, as
    // /proc/net/sockstat's "TCP: inuse" and sockstat6's "TCP6: inuse" count hashed sockets:
    // the listener itself (IPv6 only when bound to an IPv6 address) and every connection of
    // the table but those in SYN-RECEIVED (Linux's request sockets); TIME-WAIT records are not
    // in them. And "orphan": those of them the user gave up with release().
    std::uint64_t hashed_ipv4 = 0;
    std::uint64_t hashed_ipv6 = 0;
    std::uint64_t orphaned = 0;

    std::uint64_t in(state s) const noexcept { return connections[index_of(s)]; }
};

// The numbers of the TCP part of `ss -s` (iproute2's misc/ss.c, print_summary) for one
// listener, computed from its counters the way ss computes them from /proc/net/sockstat,
// sockstat6 and /proc/net/snmp (docs/listener.md, "ss -s"):
//     TCP:   total (estab E, closed C, orphaned O, timewait W)
//     Transport Total     IP        IPv6
//     TCP       hashed    ipv4      ipv6
struct ss_summary {
    std::uint64_t total = 0;     // alloc + tw: full connections (sockstat "alloc") and TIME-WAIT records
    std::uint64_t estab = 0;     // Tcp CurrEstab: ESTABLISHED and CLOSE-WAIT (RFC 1213 tcpCurrEstab, Linux 6.18)
    std::uint64_t closed = 0;    // alloc - (inuse + inuse6 - tw), as ss computes it
    std::uint64_t orphaned = 0;  // sockstat "orphan"
    std::uint64_t timewait = 0;  // sockstat "tw"
    std::uint64_t hashed = 0;    // Transport TCP "Total": inuse + inuse6
    std::uint64_t ipv4 = 0;      // "IP": sockstat "TCP: inuse"
    std::uint64_t ipv6 = 0;      // "IPv6": sockstat6 "TCP6: inuse"
};

inline ss_summary ss_summary_of(const listener_stats& stats) noexcept {
    ss_summary s;
    // Every full connection of a listener is hashed (its TCB goes when it closes), so alloc =
    // inuse + inuse6.
    const std::uint64_t alloc = stats.hashed_ipv4 + stats.hashed_ipv6;
    s.timewait = stats.in(state::time_wait);
    s.total = alloc + s.timewait;
    s.estab = stats.in(state::established) + stats.in(state::close_wait);
    s.closed = alloc - (stats.hashed_ipv4 + stats.hashed_ipv6 - s.timewait);
    s.orphaned = stats.orphaned;
    s.hashed = stats.hashed_ipv4 + stats.hashed_ipv6;
    s.ipv4 = stats.hashed_ipv4;
    s.ipv6 = stats.hashed_ipv6;
    return s;
}

namespace detail {
// Appends to out[0..size) what snprintf would, counting every character in `n`.
struct text_writer {
    char* out;
    std::size_t size;
    std::size_t n = 0;
    void put(char c) noexcept {
        if (n + 1 < size) out[n] = c;
        ++n;
    }
    void put(const char* text) noexcept {
        for (; *text != '\0'; ++text) put(*text);
    }
    // `width` > 0: left-aligned in a field of that many characters (printf's %-9d).
    void put(std::uint64_t v, std::size_t width = 0) noexcept {
        char digits[20];
        std::size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + static_cast<int>(v % 10u));
            v /= 10u;
        } while (v != 0);
        const std::size_t length = k;
        while (k > 0) put(digits[--k]);
        for (std::size_t pad = length; pad < width; ++pad) put(' ');
    }
    std::size_t finish() noexcept {
        if (size > 0) out[n < size ? n : size - 1] = '\0';
        return n;
    }
};
}  // namespace detail

// The per-state counts as `netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'`
// prints them: one "NAME count" line per state that has connections, netstat's names, in
// the order of enum state. Writes at most `size` - 1 characters and a terminating NUL; returns
// the length the whole text needs (like snprintf).
inline std::size_t write_state_counts(const listener_stats& stats, char* out, std::size_t size) noexcept {
    detail::text_writer w{out, size};
    for (std::size_t i = 0; i < state_count; ++i) {
        if (stats.connections[i] == 0) continue;
        w.put(netstat_name(static_cast<state>(i)));
        w.put(' ');
        w.put(stats.connections[i]);
        w.put('\n');
    }
    return w.finish();
}

// The TCP lines of `ss -s`, as ss prints them (its RAW, UDP, INET and FRAG rows are left out):
//     TCP:   5 (estab 2, closed 1, orphaned 1, timewait 1)
//
//     Transport Total     IP        IPv6
//     TCP<tab>  4         3         1
// (ss's formats: "TCP:   %d (estab %d, closed %d, orphaned %d, timewait %d)\n", a blank line,
// "Transport Total     IP        IPv6\n", "TCP\t  %-9d %-9d %-9d\n".) Writes at most `size` - 1
// characters and a terminating NUL; returns the length the whole text needs (like snprintf).
inline std::size_t write_ss_summary(const listener_stats& stats, char* out, std::size_t size) noexcept {
    const ss_summary s = ss_summary_of(stats);
    detail::text_writer w{out, size};
    w.put("TCP:   ");
    w.put(s.total);
    w.put(" (estab ");
    w.put(s.estab);
    w.put(", closed ");
    w.put(s.closed);
    w.put(", orphaned ");
    w.put(s.orphaned);
    w.put(", timewait ");
    w.put(s.timewait);
    w.put(")\n\nTransport Total     IP        IPv6\nTCP\t  ");
    w.put(s.hashed, 9);
    w.put(' ');
    w.put(s.ipv4, 9);
    w.put(' ');
    w.put(s.ipv6, 9);
    w.put('\n');
    return w.finish();
}

// The hooks of a listener's user; derive from it and hide the ones you want.
struct null_listener_observer {
    void on_state_change(connection_handle, state /*from*/, state /*to*/, event /*on*/) noexcept {}
    void on_signal(connection_handle, user_signal) noexcept {}
    // In-order text of the connection (its receive window shrinks until receive()).
    void on_data(connection_handle, const std::uint8_t* /*text*/, std::uint32_t /*length*/) noexcept {}
    // Octets of the connection's send buffer acknowledged: drop them from its front.
    void on_acked(connection_handle, std::uint32_t /*octets*/) noexcept {}
    // The connection's TCB is gone (CLOSED, the request dropped, or now a TIME-WAIT record):
    // the handle names nothing any more, and the connection's buffers may go.
    void on_released(connection_handle) noexcept {}
    // Two more hooks, not here: an Observer with
    //     void on_place(connection_handle, std::uint32_t offset, const std::uint8_t* text, std::uint32_t length)
    //     void on_readable(connection_handle, std::uint32_t octets)
    // places its connections' text itself, as an engine's Observer with on_place and
    // on_readable does (receive_path.hpp): the children then hold out-of-order text (RFC 9293
    // §3.10.7.4 SHLD-31) in a reassembly queue of the profile's capacity, and text arrives
    // through these two instead of on_data.
};

namespace detail {
template <class O, class = void>
struct listener_observer_has_on_place : std::false_type {};
template <class O>
struct listener_observer_has_on_place<
    O, receive_void_t<decltype(std::declval<O&>().on_place(connection_handle{}, std::uint32_t{},
                                                            static_cast<const std::uint8_t*>(nullptr), std::uint32_t{}))>>
    : std::true_type {};
// Does the engine take a cookie ACK with its options and what the cookie's timestamp kept
// (issue 14 item 5): on_valid_cookie_ack(seg, options, text, tuple, syn_cookie_check)? Only
// then does a cookie SYN,ACK keep Window Scale and SACK-permitted in its TSval; otherwise it
// goes without them, as before.
template <class C, class = void>
struct engine_takes_cookie_options : std::false_type {};
template <class C>
struct engine_takes_cookie_options<
    C, receive_void_t<decltype(std::declval<C&>().on_valid_cookie_ack(
           std::declval<const segment&>(), std::declval<const segment_options&>(),
           static_cast<const std::uint8_t*>(nullptr), std::declval<const four_tuple&>(),
           std::declval<const syn_cookie_check&>()))>> : std::true_type {};

template <class O, class = void>
struct listener_observer_has_on_readable : std::false_type {};
template <class O>
struct listener_observer_has_on_readable<
    O, receive_void_t<decltype(std::declval<O&>().on_readable(connection_handle{}, std::uint32_t{}))>>
    : std::true_type {};
}  // namespace detail

// Does a listener's Observer place its connections' text (on_place and on_readable, each
// with the connection handle first)? Only then do the children hold text above RCV.NXT.
template <class Observer>
inline constexpr bool listener_observer_places_text_v =
    detail::listener_observer_has_on_place<Observer>::value && detail::listener_observer_has_on_readable<Observer>::value;

// When the listener next has timer work (next_deadline); ticks as the engine's.
struct listener_deadline {
    bool armed = false;
    std::uint32_t at = 0;
    constexpr explicit operator bool() const noexcept { return armed; }
    // Milliseconds from `now` until the deadline; 0 if it is due or overdue (or not armed),
    // as timer_deadline::remaining_ms.
    constexpr std::uint32_t remaining_ms(std::uint32_t now) const noexcept {
        return armed && seq_lt(now, at) ? at - now : 0u;
    }
};

namespace detail {
// The listener whose call is running on this thread.
template <class Listener>
struct listener_dispatch {
    static inline thread_local Listener* current = nullptr;
};

// The children's policies: empty, so that a child is the engine's TCB and nothing more; they
// reach the listener running the call.
template <class Listener>
struct child_io {
    void send(const outgoing_segment& out) noexcept { listener_dispatch<Listener>::current->child_send(out); }
};
template <class Listener, class Clock>
struct child_clock {
    decltype(std::declval<Clock&>().now()) now() const noexcept {
        return listener_dispatch<Listener>::current->clock_now();
    }
};
template <class Listener>
struct child_iss {
    std::uint32_t operator()(const four_tuple& t, std::uint64_t microseconds) const noexcept {
        return listener_dispatch<Listener>::current->child_iss(t, microseconds);
    }
    // RFC 7323 §5.4: the TSval offset of a connection on `t`, keyed like its ISS (the
    // listener's ISS generator's timestamp_offset, 0 if it has none). The same for the cookie
    // SYN,ACK's scratch engine and the child made from the cookie, so that the child's TSvals
    // are never below the cookie's (syn_cookie_timestamp).
    std::uint32_t timestamp_offset(const four_tuple& t) const noexcept {
        return listener_dispatch<Listener>::current->child_timestamp_offset(t);
    }
};
// An ISS generator's timestamp_offset(tuple), or 0 without one.
template <class Iss, class = void>
struct iss_offset_of {
    static constexpr std::uint32_t get(const Iss&, const four_tuple&) noexcept { return 0; }
};
template <class Iss>
struct iss_offset_of<Iss, receive_void_t<decltype(std::declval<const Iss&>().timestamp_offset(four_tuple{}))>> {
    static constexpr std::uint32_t get(const Iss& iss, const four_tuple& t) noexcept {
        return static_cast<std::uint32_t>(iss.timestamp_offset(t));
    }
};
// The placement hooks (receive_path.hpp), only when the listener's Observer has them: a
// child without them holds nothing above RCV.NXT (engine_reassembly_capacity_v is 0).
template <class Listener, bool Places>
struct child_placement {};
template <class Listener>
struct child_placement<Listener, true> {
    void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        listener_dispatch<Listener>::current->child_place(offset, text, length);
    }
    void on_readable(std::uint32_t octets) noexcept { listener_dispatch<Listener>::current->child_readable(octets); }
};
template <class Listener, bool Places>
struct child_observer : null_observer, child_placement<Listener, Places> {
    void on_state_change(state from, state to, event on) noexcept {
        listener_dispatch<Listener>::current->child_state_change(from, to, on);
    }
    void on_signal(user_signal s) noexcept { listener_dispatch<Listener>::current->child_signal(s); }
    void on_data(const std::uint8_t* text, std::uint32_t length) noexcept {
        listener_dispatch<Listener>::current->child_data(text, length);
    }
    void on_acked(std::uint32_t octets) noexcept { listener_dispatch<Listener>::current->child_acked(octets); }
    bool listener_takes(const segment& /*syn*/) noexcept { return listener_dispatch<Listener>::current->child_listener_takes(); }
    void on_redirect_to_listener(const segment& syn, const std::uint8_t* text, const reopen_numbers& old) noexcept {
        listener_dispatch<Listener>::current->child_redirect(syn, text, old);
    }
};

// n objects of a trivial type T from an allocator, for the listener's lifetime.
template <class T, class Allocator>
class allocated_array {
    using allocator_type = detail::rebind_allocator_t<Allocator, T>;

public:
    allocated_array(std::size_t n, const Allocator& a) : allocator_(a), n_(n == 0 ? 1 : n) {
        data_ = allocator_.allocate(n_);
        for (std::size_t i = 0; i < n_; ++i) data_[i] = T{};
    }
    ~allocated_array() { allocator_.deallocate(data_, n_); }
    allocated_array(const allocated_array&) = delete;
    allocated_array& operator=(const allocated_array&) = delete;
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    std::size_t size() const noexcept { return n_; }
    std::size_t allocated_bytes() const noexcept { return n_ * sizeof(T); }

private:
    allocator_type allocator_;
    std::size_t n_;
    T* data_ = nullptr;
};
}  // namespace detail

// Sink: `send(const four_tuple& tuple, const outgoing_segment& out, connection_handle from)`:
// one segment to the wire, for `tuple` (seen from us: local = the listener's side). Its text
// (out.header.text_length octets from out.text_offset) is in the send buffer of `from`;
// replies of no connection (`no_connection`) carry none.
// Clock: as the engine's (any std::chrono clock, read through `now()`).
// Observer: the hooks of null_listener_observer.
// Key: tuple_key (IPv4 and IPv6) or ipv4_tuple_key (IPv4 only, 26 octets less per connection).
// Profile: the engine profile of every child (its table also answers the TIME-WAIT records).
// Allocator: where the storage comes from, once, at construction.
template <class Sink, class Clock, class Observer = null_listener_observer, class Key = tuple_key,
          class Profile = default_profile, class Allocator = default_allocator<unsigned char>>
class listener {
public:
    using child_connection = connection<detail::child_io<listener>, detail::child_clock<listener, Clock>,
                                        detail::child_observer<listener, listener_observer_places_text_v<Observer>>,
                                        detail::child_iss<listener>, Profile>;
    // Does a cookie SYN,ACK keep the SYN's Window Scale and SACK-permitted in its TSval
    // (issue 14 item 5)? When the engine takes them back on the cookie ACK
    // (on_valid_cookie_ack with options and the syn_cookie_check).
    static constexpr bool cookie_options_kept = detail::engine_takes_cookie_options<child_connection>::value;

private:
    template <class>
    friend struct detail::child_io;
    template <class, class>
    friend struct detail::child_clock;
    template <class>
    friend struct detail::child_iss;
    template <class, bool>
    friend struct detail::child_observer;
    template <class, bool>
    friend struct detail::child_placement;

    static_assert(time_wait_rows_supported<Profile::table>(),
                  "tcpfsm::listener: a TIME-WAIT row of the profile's table asks for an action a TIME-WAIT record "
                  "cannot carry out");

    enum class queue_mark : std::uint8_t { none, syn_queue, accept_queue, accepted };

    // A slot of the table holds the engine alone; its queue mark and generation are in
    // slot_meta_ (a mark beside the 8-aligned TCB would cost 8 octets).
    struct child_record {
        child_connection tcb;
        explicit child_record(const connection_config& c) noexcept : tcb(c) {}
    };

    using child_map = four_tuple_map<child_record, Key, Allocator>;
    // 12 octets without timestamps in the Profile, 20 with (time_wait.hpp).
    using time_wait_record_type =
        basic_time_wait_record<std::is_same<typename detail::profile_timestamping<Profile>::type, timestamping>::value>;
    using time_wait_map = four_tuple_map<time_wait_record_type, Key, Allocator>;
    static constexpr std::uint32_t none = 0xFFFFFFFFu;

    // What the call into one engine is about.
    struct dispatch_frame {
        std::uint32_t slot = none;  // the child, or none (listener, CLOSED engine, cookie scratch)
        const four_tuple* tuple = nullptr;
        bool scratch = false;  // the cookie SYN,ACK: nothing is kept, nothing is counted
        bool iss_given = false;
        std::uint32_t iss = 0;
        bool redirect = false;  // TIME-WAIT reopen: the SYN goes to the listener afterwards
        segment redirect_segment{};
        const std::uint8_t* redirect_text = nullptr;
        std::uint32_t redirect_iss = 0;  // above the old connection's numbers (reopen_iss)
        // A cookie SYN,ACK answering a SYN with timestamps: its TSval keeps these (the SYN's
        // Window Scale and SACK-permitted; syn_cookie_timestamp).
        bool cookie_in_timestamp = false;
        syn_cookie_options cookie_syn{};
    };

    // Makes this listener the one the children's policies reach, for one public call.
    class dispatch_scope {
    public:
        explicit dispatch_scope(listener* self) noexcept : previous_(detail::listener_dispatch<listener>::current) {
            detail::listener_dispatch<listener>::current = self;
        }
        ~dispatch_scope() { detail::listener_dispatch<listener>::current = previous_; }
        dispatch_scope(const dispatch_scope&) = delete;
        dispatch_scope& operator=(const dispatch_scope&) = delete;

    private:
        listener* previous_;
    };

    class frame_scope {
    public:
        frame_scope(listener& self, dispatch_frame& frame) noexcept : self_(self), previous_(self.frame_) {
            self.frame_ = &frame;
        }
        ~frame_scope() { self_.frame_ = previous_; }
        frame_scope(const frame_scope&) = delete;
        frame_scope& operator=(const frame_scope&) = delete;

    private:
        listener& self_;
        dispatch_frame* previous_;
    };

public:
    // Per connection in the table: the slot (TCB and key), its deadline-heap entry and its
    // generation and queue mark; plus the index's buckets (4 octets each, at least 4/3 per slot).
    static constexpr std::size_t connection_slot_bytes =
        child_map::slot_bytes + deadline_heap<Allocator>::bytes_per_slot + sizeof(std::uint32_t);
    static constexpr std::size_t time_wait_slot_bytes =
        time_wait_map::slot_bytes + deadline_heap<Allocator>::bytes_per_slot;

    listener(const listener_config& config, std::uint16_t local_port, const listener_secrets& secrets,
             Sink sink = Sink(), Clock clock = Clock(), Observer observer = Observer(),
             const Allocator& allocator = Allocator())
        : config_(config),
          port_(local_port),
          sink_(static_cast<Sink&&>(sink)),
          clock_(static_cast<Clock&&>(clock)),
          observer_(static_cast<Observer&&>(observer)),
          iss_(secrets.iss),
          cookies_(secrets.cookie),
          children_(config.max_connections, secrets.table, allocator),
          child_timers_(children_.capacity(), allocator),
          slot_meta_(children_.capacity(), allocator),
          time_wait_(config.max_time_wait, secrets.table, allocator),
          time_wait_timers_(time_wait_.capacity(), allocator),
          accept_ring_(config.backlog, allocator),
          listening_(config_.child),
          closed_(config_.child) {
        const dispatch_scope scope(this);
        dispatch_frame frame;
        const frame_scope in_frame(*this, frame);
        listening_.open_passive();  // the row (CLOSED, open_passive) -> LISTEN
    }

    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    const listener_config& config() const noexcept { return config_; }
    std::uint16_t port() const noexcept { return port_; }
    Sink& sink() noexcept { return sink_; }
    Clock& clock() noexcept { return clock_; }
    Observer& observer() noexcept { return observer_; }
    // The listener's own engine: in LISTEN while the listener exists.
    state listening_state() const noexcept { return listening_.current_state(); }

    // ---- segments ----

    // An arriving segment for `tuple` (seen from us). The connection of the tuple takes it;
    // else its TIME-WAIT record; else the listener, if the tuple is for its port (and address);
    // else the CLOSED state's reply.
    void on_segment(const four_tuple& tuple, const segment& seg, const std::uint8_t* text = nullptr) noexcept {
        on_segment(tuple, seg, no_segment_options, text);
    }
    // The same, with the options the segment carried beside its header (SACK-permitted, SACK
    // blocks, timestamps: options/segment_options.hpp), which reach the connection that
    // takes it; a SYN's create the child that answers it.
    void on_segment(const four_tuple& tuple, const segment& seg, const segment_options& options,
                    const std::uint8_t* text = nullptr) noexcept {
        const dispatch_scope scope(this);
        const segment_options* const outer_options = arriving_options_;
        arriving_options_ = &options;
        dispatch_segment(tuple, seg, options, text);
        arriving_options_ = outer_options;
    }

private:
    void dispatch_segment(const four_tuple& tuple, const segment& seg, const segment_options& options,
                          const std::uint8_t* text) noexcept {
        // One hash for both tables (built with the same secret) and for a new connection.
        const std::uint64_t hash = children_.hash(tuple);
        const std::uint32_t slot = children_.find_with_hash(hash, tuple);
        if (slot != none) {
            to_child(slot, tuple, seg, options, text);
            return;
        }
        const std::uint32_t record = time_wait_.find_with_hash(hash, tuple);
        if (record != none) {
            to_time_wait_record(record, tuple, seg, options, text, hash);
            return;
        }
        // A Key that cannot hold the tuple (IPv6 for ipv4_tuple_key): no listener for it.
        if (listens_on(tuple) && children_.holds(tuple)) {
            to_listener(tuple, seg, options, text, hash);
            return;
        }
        reply_closed(tuple, seg, text);
    }

public:
    // ---- accept and the user's calls on accepted connections ----

    // The oldest connection of the accept queue, or no_connection.
    connection_handle accept() noexcept {
        if (accept_length_ == 0) return no_connection;
        const std::uint32_t slot = accept_ring_[accept_head_];
        accept_head_ = next_in_ring(accept_head_);
        --accept_length_;
        set_queue(slot, queue_mark::accepted);
        ++stats_.accepted;
        return handle_of(slot);
    }

    // Runs f(child_connection&) for a live handle (SEND, RECEIVE, CLOSE, ...), then settles
    // the connection (TIME-WAIT record, release, timers). False if the handle is stale.
    template <class F>
    bool call(connection_handle h, F&& f) noexcept {
        if (!live(h)) return false;
        const dispatch_scope scope(this);
        const four_tuple tuple = children_.tuple_of(h.slot);
        run(h.slot, tuple, f);
        return true;
    }

    user_error send(connection_handle h, std::uint32_t octets) noexcept {
        return user_call(h, [octets](child_connection& c) { return c.send(octets); });
    }
    user_error receive(connection_handle h, std::uint32_t octets) noexcept {
        return user_call(h, [octets](child_connection& c) { return c.receive(octets); });
    }
    user_error close(connection_handle h) noexcept {
        return user_call(h, [](child_connection& c) { return c.close(); });
    }
    user_error release(connection_handle h) noexcept {
        return user_call(h, [](child_connection& c) { return c.release(); });
    }
    user_error abort(connection_handle h) noexcept {
        return user_call(h, [](child_connection& c) { return c.abort(); });
    }

    bool live(connection_handle h) const noexcept {
        return h.slot < children_.capacity() && (h.generation & 1u) != 0 && generation_of(h.slot) == h.generation;
    }
    // The engine of a live handle (read only: current_state(), snapshot()), or nullptr.
    const child_connection* get(connection_handle h) const noexcept {
        return live(h) ? &children_[h.slot].tcb : nullptr;
    }
    state state_of(connection_handle h) const noexcept {
        return live(h) ? children_[h.slot].tcb.current_state() : state::closed;
    }
    // The connection of a four-tuple, or no_connection (a TIME-WAIT record has no handle).
    connection_handle find(const four_tuple& tuple) const noexcept {
        const std::uint32_t slot = children_.find(tuple);
        return slot == none ? no_connection : handle_of(slot);
    }
    bool in_time_wait(const four_tuple& tuple) const noexcept { return time_wait_.find(tuple) != none; }
    // The four-tuple of a live connection; an empty four_tuple for a stale handle or
    // no_connection.
    four_tuple tuple_of(connection_handle h) const noexcept {
        return live(h) ? children_.tuple_of(h.slot) : four_tuple{};
    }

    // ---- time ----

    // Every timer due now: the children's (SYN,ACK and data retransmission, SYN-RECEIVED
    // timeouts, FIN-WAIT-2, keepalive, ...) and the TIME-WAIT records' 2MSL.
    void on_timer() noexcept {
        const dispatch_scope scope(this);
        const std::uint32_t now = ticks();
        // Each child at most a few times per call, whatever it does with its timers.
        std::uint64_t budget = 2u * std::uint64_t{child_timers_.size()} + 16u;
        while (!child_timers_.empty() && !seq_lt(now, child_timers_.top_deadline()) && budget-- > 0) {
            const std::uint32_t slot = child_timers_.top();
            child_timers_.pop();
            const four_tuple tuple = children_.tuple_of(slot);
            run(slot, tuple, [](child_connection& c) { c.on_timer(); });
        }
        while (!time_wait_timers_.empty() && !seq_lt(now, time_wait_timers_.top_deadline())) {
            const std::uint32_t record = time_wait_timers_.top();
            time_wait_timers_.pop();
            const time_wait_reply reply = expire_time_wait<Profile::table>();
            if (reply.to != state::time_wait) {
                erase_time_wait(record);
            } else {
                time_wait_timers_.schedule(record, now + config_.child.timers.time_wait_ms());
            }
        }
    }

    // The earliest deadline of any child or record (ticks: Clock milliseconds modulo 2^32).
    listener_deadline next_deadline() const noexcept {
        listener_deadline d;
        if (!child_timers_.empty()) d = listener_deadline{true, child_timers_.top_deadline()};
        if (!time_wait_timers_.empty() && (!d.armed || seq_lt(time_wait_timers_.top_deadline(), d.at))) {
            d = listener_deadline{true, time_wait_timers_.top_deadline()};
        }
        return d;
    }

    // Time from now until on_timer() has work: zero if a deadline is due or past,
    // std::chrono::milliseconds::max() when no timer is armed (the contract of
    // connection::time_to_next_deadline()).
    std::chrono::milliseconds time_to_next_deadline() noexcept {
        const listener_deadline d = next_deadline();
        if (!d) return std::chrono::milliseconds::max();
        const std::uint32_t now = ticks();
        return std::chrono::milliseconds(seq_lt(now, d.at) ? d.at - now : 0u);
    }

    // Now, in the ticks of next_deadline().
    std::uint32_t ticks() noexcept {
        return static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count());
    }

    // ---- statistics and sizes ----

    const listener_stats& stats() noexcept {
        stats_.syn_queue_length = syn_length_;
        stats_.accept_queue_length = accept_length_;
        return stats_;
    }
    std::uint32_t connection_count() const noexcept { return children_.size(); }
    std::uint32_t time_wait_count() const noexcept { return time_wait_.size(); }
    std::uint32_t syn_queue_length() const noexcept { return syn_length_; }
    std::uint32_t accept_queue_length() const noexcept { return accept_length_; }

    // Everything the listener allocated at construction, and itself.
    std::size_t allocated_bytes() const noexcept {
        return sizeof(*this) + children_.allocated_bytes() + child_timers_.allocated_bytes() +
               slot_meta_.allocated_bytes() + time_wait_.allocated_bytes() + time_wait_timers_.allocated_bytes() +
               accept_ring_.allocated_bytes();
    }

private:
    // -------------------------------------------------------------------- demultiplexing
    bool listens_on(const four_tuple& tuple) const noexcept {
        return tuple.local_port == port_ && (!config_.bound || tuple.local == config_.local_address);
    }

    std::uint32_t syn_limit() const noexcept {
        return config_.syn_backlog != 0 ? config_.syn_backlog : config_.backlog;
    }
    bool accept_queue_full() const noexcept { return accept_length_ >= config_.backlog; }

    void to_child(std::uint32_t slot, const four_tuple& tuple, const segment& seg, const segment_options& options,
                  const std::uint8_t* text) noexcept {
        child_record& r = children_[slot];
        if (queue_of(slot) == queue_mark::syn_queue && accept_queue_full()) {
            // The handshake's final ACK (the row it would run: SYN-RECEIVED, rcv_ack_of_syn_passive)
            // and no room in the accept queue (Linux: tcp_check_req, listen_overflow).
            const classification k = r.tcb.classify_segment(seg);
            if (k.count > 0 && k.events[0] == event::rcv_ack_of_syn_passive) {
                ++stats_.listen_overflows;
                if (config_.abort_on_overflow) {
                    // ABORT's row in SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST> (SND.NXT = SEG.ACK), CLOSED.
                    run(slot, tuple, [](child_connection& c) { c.abort(); });
                }
                return;  // tcp_abort_on_overflow = 0: the ACK is dropped, the child stays in SYN-RECEIVED
            }
        }
        run(slot, tuple, [&](child_connection& c) { c.on_segment(seg, options, text, tuple); });
    }

    // §3.10.7.2, for a segment no connection takes.
    // `hash`: the table's hash of `tuple`.
    void to_listener(const four_tuple& tuple, const segment& seg, const segment_options& options,
                     const std::uint8_t* text, std::uint64_t hash) noexcept {
        if (seg.syn() && !seg.ack_flag() && !seg.rst()) {
            listen_syn(tuple, seg, options, text, hash);
            return;
        }
        if (seg.ack_flag() && !seg.syn() && !seg.rst() && cookies_recently_sent()) {
            const std::uint32_t t = cookie_counter();
            syn_cookie_check c = cookies_.check(tuple, seg.seq - 1u, seg.ack - 1u, t);
            if (c.valid && cookie_options_kept && options.has_timestamps) {
                // The SYN,ACK's TSval, echoed: the options it kept (Linux's cookie_timestamp_decode).
                const syn_cookie_timestamp_check kept = syn_cookie_options_from_timestamp(options.ts_ecr);
                c.valid = kept.valid;
                c.timestamps = kept.valid;
                c.options = kept.options;
            }
            if (c.valid) {
                ++stats_.syn_cookies_validated;
                cookie_child(tuple, seg, options, text, c, hash);
                return;
            }
            ++stats_.syn_cookies_failed;
        }
        listening_reply(tuple, seg, text);  // LISTEN's rows: RST ignored, an ACK answered by RST, the rest dropped
    }

    // `iss`: the ISS to use instead of the ISS generator's (a reopened TIME-WAIT four-tuple).
    // A reopening SYN (`iss` given) is never answered with a cookie and not held to the SYN
    // queue's length: its ISS must lie above the old connection's (RFC 1122 4.2.2.13 (1)), and
    // Linux's tcp_conn_request converts "TW buckets ... to open requests without limitations"
    // (it sends a cookie only when `!isn`).
    void listen_syn(const four_tuple& tuple, const segment& seg, const segment_options& options,
                    const std::uint8_t* text, std::uint64_t hash, const std::uint32_t* iss = nullptr) noexcept {
        if (accept_queue_full()) {  // Linux's tcp_conn_request: sk_acceptq_is_full -> drop
            ++stats_.listen_overflows;  // Linux counts both (LINUX_MIB_LISTENOVERFLOWS, then tcp_listendrop)
            ++stats_.listen_drops;
            return;
        }
        const bool no_room = (iss == nullptr && syn_length_ >= syn_limit()) || children_.full();
        if (iss == nullptr && (config_.syn_cookies == syn_cookie_mode::always ||
                               (no_room && config_.syn_cookies == syn_cookie_mode::when_syn_queue_full))) {
            send_cookie(tuple, seg, options);
            return;
        }
        if (no_room) {
            if (children_.full()) ++stats_.table_full_drops;
            else ++stats_.syn_queue_drops;
            return;
        }
        const std::uint32_t slot = children_.insert_with_hash(hash, tuple, config_.child);
        if (slot == none) return;
        bump_generation(slot);  // odd: in use
        run(
            slot, tuple,
            [&](child_connection& c) {
                c.open_passive();                // (CLOSED, open_passive) -> LISTEN
                c.on_segment(seg, options, text, tuple);  // (LISTEN, rcv_syn) -> SYN-RECEIVED, <SYN,ACK>
            },
            iss);
    }

    // RFC 4987 §3.6: the SYN,ACK with the cookie as ISS, from the LISTEN row of an engine that
    // is not kept.
    void send_cookie(const four_tuple& tuple, const segment& syn, const segment_options& syn_options) noexcept {
        const std::uint32_t t = cookie_counter();
        dispatch_frame frame;
        frame.tuple = &tuple;
        frame.scratch = true;
        frame.iss_given = true;
        frame.iss = cookies_.encode(tuple, syn.seq, syn.mss, t);
        {
            const frame_scope in_frame(*this, frame);
            child_connection scratch(config_.child);
            scratch.open_passive();
            if (cookie_options_kept && syn_options.has_timestamps) {
                // Issue 14 item 5: the SYN,ACK keeps its options; child_send puts the SYN's
                // Window Scale and SACK-permitted in the low bits of its TSval.
                frame.cookie_in_timestamp = true;
                frame.cookie_syn.window_scale = syn.has_window_scale();
                frame.cookie_syn.peer_shift = syn.has_window_scale() ? syn.window_scale : std::uint8_t{0};
                frame.cookie_syn.sack_permitted = syn_options.sack_permitted;
                segment_options without_blocks = syn_options;
                without_blocks.sack = options::sack_block_list{};
                scratch.on_segment(syn, without_blocks, nullptr, tuple);
            } else {
                // Without timestamps the cookie cannot remember the peer's Window Scale (nor
                // SACK-permitted): the SYN,ACK goes without them, so that neither side scales
                // and the child made from the cookie (unscaled) agrees with the peer.
                segment without_options = syn;
                without_options.window_scale = no_window_scale;
                scratch.on_segment(without_options, nullptr, tuple);
            }
        }
        ++stats_.syn_cookies_sent;
        cookie_sent_ = true;
        last_cookie_counter_ = t;
    }

    bool cookies_recently_sent() noexcept {
        // Linux checks cookies only after it sent some lately (tcp_synq_no_recent_overflow).
        return config_.syn_cookies != syn_cookie_mode::off && cookie_sent_ &&
               cookie_counter() - last_cookie_counter_ < syn_cookie_max_age;
    }

    std::uint32_t cookie_counter() noexcept {
        return syn_cookie_counter(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch()).count()));
    }

    void cookie_child(const four_tuple& tuple, const segment& seg, const segment_options& options,
                      const std::uint8_t* text, const syn_cookie_check& cookie, std::uint64_t hash) noexcept {
        if (accept_queue_full()) {
            ++stats_.listen_overflows;
            if (config_.abort_on_overflow) listening_reply(tuple, seg, text);  // LISTEN: an ACK gets RST
            return;
        }
        const std::uint32_t slot = children_.insert_with_hash(hash, tuple, config_.child);
        if (slot == none) {
            ++stats_.table_full_drops;
            return;
        }
        bump_generation(slot);
        run(slot, tuple, [&](child_connection& c) {
            c.open_passive();  // (CLOSED, open_passive) -> LISTEN
            // (LISTEN, rcv_cookie_ack) -> ESTABLISHED
            if constexpr (detail::engine_takes_cookie_options<child_connection>::value) {
                c.on_valid_cookie_ack(seg, options, text, tuple, cookie);
            } else {
                c.on_valid_cookie_ack(seg, text, tuple, cookie.mss);
            }
        });
    }

    void listening_reply(const four_tuple& tuple, const segment& seg, const std::uint8_t* text) noexcept {
        dispatch_frame frame;
        frame.tuple = &tuple;
        const frame_scope in_frame(*this, frame);
        listening_.on_segment(seg, text, tuple);
    }

    // §3.10.7.1: no connection, no listener: the CLOSED state's rows (RST, unless an RST).
    void reply_closed(const four_tuple& tuple, const segment& seg, const std::uint8_t* text) noexcept {
        ++stats_.closed_replies;
        dispatch_frame frame;
        frame.tuple = &tuple;
        const frame_scope in_frame(*this, frame);
        closed_.on_segment(seg, text, tuple);
    }

    // -------------------------------------------------------------------- TIME-WAIT records
    void to_time_wait_record(std::uint32_t record, const four_tuple& tuple, const segment& seg,
                             const segment_options& options, const std::uint8_t* text, std::uint64_t hash) noexcept {
        time_wait_record_type& stored = time_wait_[record];
        const bool listener_takes_syn = config_.child.time_wait_reopen && listens_on(tuple);
        const time_wait_reply reply = answer_in_time_wait<Profile::table>(stored, seg, options, listener_takes_syn);
        if (reply.rows != 0) stored.take_ts_recent(seg, options, reply.events[0]);  // RFC 7323 §4.3
        const time_wait_record_type r = stored;
        if (reply.send_ack) emit(tuple, r, r.ack());
        if (reply.send_challenge_ack) {
            if (challenge_allowed()) emit(tuple, r, r.ack());
            else ++stats_.time_wait_challenge_acks_limited;
        }
        if (reply.send_rst && !seg.rst()) emit(tuple, r, reset_answering(seg));
        if (reply.restart_2msl && reply.to == state::time_wait) {
            time_wait_timers_.schedule(record, ticks() + config_.child.timers.time_wait_ms());
        }
        if (reply.to != state::time_wait) erase_time_wait(record);
        if (reply.redirect_to_listener) {
            // RFC 1122 4.2.2.13 (1): the new connection's ISS above every sequence number of
            // the old one; Linux's tcp_timewait_state_process takes SND.NXT + 65535 + 2.
            ++stats_.time_wait_reopened;
            std::uint32_t iss = r.snd_nxt + 65537u;
            if (iss == 0) iss = 1;
            listen_syn(tuple, seg, options, text, hash, &iss);
        }
    }

    bool challenge_allowed() noexcept {
        const std::uint32_t limit = config_.time_wait_challenge_acks_per_second;
        if (limit == 0) return true;
        const std::uint32_t now = ticks();
        if (challenge_count_ == 0 || now - challenge_window_start_ >= 1000u) {
            challenge_window_start_ = now;
            challenge_count_ = 0;
        }
        if (challenge_count_ >= limit) return false;
        ++challenge_count_;
        return true;
    }

    void erase_time_wait(std::uint32_t record) noexcept {
        time_wait_timers_.cancel(record);
        time_wait_.erase(record);
        --stats_.connections[index_of(state::time_wait)];
    }

    // A TIME-WAIT record's segment, with TSopt when the connection had timestamps (RFC 7323
    // §3.2), its TSval offset the child's (§5.4).
    void emit(const four_tuple& tuple, const time_wait_record_type& r, const segment& s) noexcept {
        const std::uint32_t offset = r.timestamps ? child_timestamp_offset(tuple) : 0u;
        sink_.send(tuple, r.sent(s, ticks(), offset), no_connection);
    }

    // -------------------------------------------------------------------- children
    template <class F>
    void run(std::uint32_t slot, const four_tuple& tuple, F&& f, const std::uint32_t* iss = nullptr) noexcept {
        dispatch_frame frame;
        frame.slot = slot;
        frame.tuple = &tuple;
        if (iss != nullptr) {
            frame.iss_given = true;
            frame.iss = *iss;
        }
        const bool was_orphaned = children_[slot].tcb.orphaned();
        {
            const frame_scope in_frame(*this, frame);
            f(children_[slot].tcb);
        }
        if (children_[slot].tcb.orphaned() != was_orphaned) {
            if (was_orphaned) --stats_.orphaned;
            else ++stats_.orphaned;
        }
        settle(slot, tuple, frame);
    }

    template <class F>
    user_error user_call(connection_handle h, F&& f) noexcept {
        if (!live(h)) return user_error::connection_does_not_exist;
        const dispatch_scope scope(this);
        const four_tuple tuple = children_.tuple_of(h.slot);
        user_error result = user_error::none;
        run(h.slot, tuple, [&](child_connection& c) { result = f(c); });
        return result;
    }

    // After a call into a child: CLOSED (or back to LISTEN: the request dropped) frees it;
    // TIME-WAIT becomes a record; otherwise its next deadline is filed.
    void settle(std::uint32_t slot, const four_tuple& tuple, const dispatch_frame& frame) noexcept {
        child_record& r = children_[slot];
        const state st = r.tcb.current_state();
        if (st == state::closed || st == state::listen) {
            release_child(slot);
        } else if (st == state::time_wait) {
            enter_time_wait(slot, tuple);
        } else {
            dispatch_frame timer_frame;
            timer_frame.slot = slot;
            timer_frame.tuple = &tuple;
            const frame_scope in_frame(*this, timer_frame);
            const timer_deadline d = r.tcb.next_deadline();
            if (d) child_timers_.schedule(slot, d.at);
            else child_timers_.cancel(slot);
        }
        // (TIME-WAIT, rcv_syn_reopen) run by a full TCB: the SYN is the listener's now. (A
        // connection in TIME-WAIT is a record as soon as the call that took it there ends, so
        // this happens only if a TCB in TIME-WAIT gets a SYN within that call.)
        if (frame.redirect) {
            ++stats_.time_wait_reopened;
            const segment syn = frame.redirect_segment;
            const std::uint32_t iss = frame.redirect_iss;
            // The SYN's options: those of the on_segment call that brought it.
            listen_syn(tuple, syn, *arriving_options_, frame.redirect_text, children_.hash(tuple), &iss);
        }
    }

    void enter_time_wait(std::uint32_t slot, const four_tuple& tuple) noexcept {
        child_record& r = children_[slot];
        if (time_wait_.size() < config_.max_time_wait && !time_wait_.full() && time_wait_.holds(tuple)) {
            dispatch_frame frame;
            frame.slot = slot;
            frame.tuple = &tuple;
            timer_deadline d{};
            {
                const frame_scope in_frame(*this, frame);
                d = r.tcb.next_deadline();
            }
            const time_wait_record_type record = time_wait_record_type::from(r.tcb.snapshot());
            release_child(slot);  // the TCB goes; the connection stays in TIME-WAIT as a record
            // The 2MSL the row has just started (time_wait owns the main timer slot).
            const std::uint32_t at =
                d && d.kind == timer_kind::time_wait ? d.at : ticks() + config_.child.timers.time_wait_ms();
            const std::uint32_t index = time_wait_.insert(tuple, record);
            if (index == none) return;
            ++stats_.connections[index_of(state::time_wait)];
            time_wait_timers_.schedule(index, at);
            return;
        }
        // tcp_max_tw_buckets reached: ABORT's row in TIME-WAIT (CLOSED, no RST), as Linux's
        // tcp_time_wait() closes the socket when no inet_timewait_sock can be had.
        ++stats_.time_wait_overflows;
        dispatch_frame frame;
        frame.slot = slot;
        frame.tuple = &tuple;
        {
            const frame_scope in_frame(*this, frame);
            r.tcb.abort();
        }
        release_child(slot);
    }

    void release_child(std::uint32_t slot) noexcept {
        child_record& r = children_[slot];
        if (queue_of(slot) == queue_mark::syn_queue) --syn_length_;
        if (queue_of(slot) == queue_mark::accept_queue) remove_from_accept_queue(slot);
        child_timers_.cancel(slot);
        const state st = r.tcb.current_state();
        if (st != state::closed) --stats_.connections[index_of(st)];
        if (is_hashed(st)) --hashed_count(children_.tuple_of(slot).local.family);
        if (r.tcb.orphaned()) --stats_.orphaned;
        const connection_handle h = handle_of(slot);
        children_.erase(slot);
        bump_generation(slot);  // even: free
        observer_.on_released(h);
    }

    connection_handle handle_of(std::uint32_t slot) const noexcept {
        return connection_handle{slot, generation_of(slot)};
    }

    // slot_meta_: the queue mark in bits 0-1, the generation above (odd while in use).
    std::uint32_t generation_of(std::uint32_t slot) const noexcept { return slot_meta_[slot] >> 2; }
    queue_mark queue_of(std::uint32_t slot) const noexcept { return static_cast<queue_mark>(slot_meta_[slot] & 3u); }
    void set_queue(std::uint32_t slot, queue_mark q) noexcept {
        slot_meta_[slot] = (slot_meta_[slot] & ~3u) | static_cast<std::uint32_t>(q);
    }
    // The next generation, with no queue mark.
    void bump_generation(std::uint32_t slot) noexcept { slot_meta_[slot] = (slot_meta_[slot] & ~3u) + 4u; }

    std::uint32_t next_in_ring(std::uint32_t i) const noexcept {
        return i + 1u < accept_ring_.size() ? i + 1u : 0u;
    }

    void remove_from_accept_queue(std::uint32_t slot) noexcept {
        const auto n = static_cast<std::uint32_t>(accept_ring_.size());
        for (std::uint32_t k = 0; k < accept_length_; ++k) {
            const std::uint32_t i = (accept_head_ + k) % n;
            if (accept_ring_[i] != slot) continue;
            for (std::uint32_t m = k; m + 1u < accept_length_; ++m) {
                accept_ring_[(accept_head_ + m) % n] = accept_ring_[(accept_head_ + m + 1u) % n];
            }
            --accept_length_;
            return;
        }
    }

    // -------------------------------------------------------------------- the children's policies
    auto clock_now() noexcept { return clock_.now(); }

    void child_send(const outgoing_segment& out) noexcept {
        if (frame_->cookie_in_timestamp) {
            send_cookie_syn_ack(out);
            return;
        }
        sink_.send(*frame_->tuple, out, frame_->slot == none ? no_connection : handle_of(frame_->slot));
    }

    // The cookie SYN,ACK of a SYN with timestamps: the options both SYNs carry go in the low
    // bits of its TSval (syn_cookie_timestamp). If it carries no timestamps (the
    // configuration does not offer them), nothing keeps the options: it goes without Window
    // Scale and SACK-permitted, as a cookie SYN,ACK without timestamps always does.
    void send_cookie_syn_ack(const outgoing_segment& out) noexcept {
        outgoing_segment o = out;
        if (o.header.syn() && o.options.has_timestamps) {
            syn_cookie_options kept{};
            kept.window_scale = frame_->cookie_syn.window_scale && o.header.has_window_scale();
            kept.peer_shift = kept.window_scale ? frame_->cookie_syn.peer_shift : std::uint8_t{0};
            kept.sack_permitted = frame_->cookie_syn.sack_permitted && o.options.sack_permitted;
            o.options.ts_val = syn_cookie_timestamp(o.options.ts_val, kept);
        } else {
            o.header.window_scale = no_window_scale;
            o.options.sack_permitted = false;
        }
        sink_.send(*frame_->tuple, o, no_connection);
    }

    std::uint32_t child_iss(const four_tuple& t, std::uint64_t microseconds) const noexcept {
        return frame_->iss_given ? frame_->iss : iss_(t, microseconds);
    }
    std::uint32_t child_timestamp_offset(const four_tuple& t) const noexcept {
        return detail::iss_offset_of<rfc6528_iss>::get(iss_, t);
    }

    // A full connection, as Linux hashes full sockets (sockstat's "inuse"): not a request
    // (SYN-RECEIVED) and not TIME-WAIT (a record).
    static constexpr bool is_hashed(state s) noexcept {
        return s != state::closed && s != state::syn_received && s != state::time_wait;
    }
    std::uint64_t& hashed_count(address_family f) noexcept {
        return f == address_family::ipv6 ? stats_.hashed_ipv6 : stats_.hashed_ipv4;
    }

    void child_state_change(state from, state to, event on) noexcept {
        if (frame_->scratch) return;
        if (from != state::closed) --stats_.connections[index_of(from)];
        if (to != state::closed) ++stats_.connections[index_of(to)];
        // The listener's own engine has no tuple: the family of its address.
        const address_family family = frame_->tuple != nullptr ? frame_->tuple->local.family
                                      : config_.bound                ? config_.local_address.family
                                                                     : address_family::ipv4;
        if (is_hashed(from)) --hashed_count(family);
        if (is_hashed(to)) ++hashed_count(family);
        if (frame_->slot == none) return;
        const std::uint32_t slot = frame_->slot;
        if (from == state::listen && to == state::syn_received) {
            set_queue(slot, queue_mark::syn_queue);
            ++syn_length_;
        } else if (from == state::syn_received && queue_of(slot) == queue_mark::syn_queue) {
            set_queue(slot, queue_mark::none);
            --syn_length_;
            if (on == event::timeout_retransmit_exhausted_passive) ++stats_.syn_received_timeouts;
        }
        observer_.on_state_change(handle_of(frame_->slot), from, to, on);
    }

    void child_signal(user_signal s) noexcept {
        if (frame_->scratch || frame_->slot == none) return;
        const std::uint32_t slot = frame_->slot;
        if (s == user_signal::accepted && queue_of(slot) == queue_mark::none &&
            accept_length_ < accept_ring_.size()) {
            const auto n = static_cast<std::uint32_t>(accept_ring_.size());
            accept_ring_[(accept_head_ + accept_length_) % n] = slot;
            ++accept_length_;
            set_queue(slot, queue_mark::accept_queue);
        }
        observer_.on_signal(handle_of(slot), s);
    }

    void child_data(const std::uint8_t* text, std::uint32_t length) noexcept {
        if (frame_->slot != none && !frame_->scratch) observer_.on_data(handle_of(frame_->slot), text, length);
    }

    // An Observer that places text: where the child's octets go, and when they are in order.
    // The cookie SYN,ACK's scratch engine keeps nothing: its SYN's text is not placed (RFC
    // 4987 §3.6: nothing is kept; the peer sends it again after the cookie ACK).
    void child_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        if (frame_->slot != none && !frame_->scratch) observer_.on_place(handle_of(frame_->slot), offset, text, length);
    }
    void child_readable(std::uint32_t octets) noexcept {
        if (frame_->slot != none && !frame_->scratch) observer_.on_readable(handle_of(frame_->slot), octets);
    }

    void child_acked(std::uint32_t octets) noexcept {
        if (frame_->slot != none && !frame_->scratch) observer_.on_acked(handle_of(frame_->slot), octets);
    }

    bool child_listener_takes() const noexcept { return frame_->tuple != nullptr && listens_on(*frame_->tuple); }
    void child_redirect(const segment& syn, const std::uint8_t* text, const reopen_numbers& old) noexcept {
        frame_->redirect = true;
        frame_->redirect_segment = syn;
        frame_->redirect_text = text;
        frame_->redirect_iss = reopen_iss(old);
    }

    // -------------------------------------------------------------------- members
    listener_config config_;  // first: the children point at config_.child
    std::uint16_t port_;
    Sink sink_;
    Clock clock_;
    Observer observer_;
    rfc6528_iss iss_;
    syn_cookie_codec cookies_;
    child_map children_;
    deadline_heap<Allocator> child_timers_;
    detail::allocated_array<std::uint32_t, Allocator> slot_meta_;
    time_wait_map time_wait_;
    deadline_heap<Allocator> time_wait_timers_;
    detail::allocated_array<std::uint32_t, Allocator> accept_ring_;
    std::uint32_t accept_head_ = 0;
    std::uint32_t accept_length_ = 0;
    std::uint32_t syn_length_ = 0;
    std::uint32_t last_cookie_counter_ = 0;
    bool cookie_sent_ = false;
    std::uint32_t challenge_window_start_ = 0;
    std::uint32_t challenge_count_ = 0;
    listener_stats stats_{};
    dispatch_frame* frame_ = nullptr;
    const segment_options* arriving_options_ = &no_segment_options;  // those of the segment on_segment has
    child_connection listening_;  // LISTEN, for as long as the listener exists
    child_connection closed_;     // CLOSED: the reply to segments for no connection
};

}  // namespace tcpfsm

#endif  // TCPFSM_LISTENER_HPP
