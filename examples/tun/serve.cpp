// --mode serve: a tcpfsm::listener on the TUN device (many connections, a SYN queue and an
// accept queue, SYN cookies under a flood; docs/listener.md) with one application per
// accepted connection: echo, discard, source (N octets of `seq 0 N` text, then CLOSE) or a
// minimal HTTP/1.0 file server (GET and PUT under --root). Each connection has a send ring
// (front = SND.UNA: an ACK drops octets in O(1)), a ring where out-of-order text is placed
// until it is in order (on_place, on_readable), and a receive ring holding the text the
// application has not taken yet (the engine's window shrinks by what it holds). The
// listener's hooks only record; the application runs after each call into the listener.
// SPDX-License-Identifier: MIT
#include "modes.hpp"
#include "tun_device.hpp"
#include "byte_ring.hpp"
#include "http.hpp"
#include "sha256.hpp"

#include <tcpfsm/listener.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace tun {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t send_ring_octets = 256 * 1024;  // well above the 64 KiB window
constexpr std::size_t receive_ring_octets = 65536;     // RCV.BUFF (65535): never overflows
constexpr std::size_t max_http_head = 16 * 1024;

// The source application's text: "0\n1\n2\n...", the output of `seq 0 N`, cut at N octets
// (so a test can make the expected file with `seq 0 N | head -c N`).
class seq_text {
public:
    std::size_t fill(std::uint8_t* out, std::size_t n) {
        std::size_t done = 0;
        while (done < n) {
            if (pos_ == len_) {
                len_ = static_cast<std::size_t>(std::snprintf(line_, sizeof line_, "%llu\n", next_++));
                pos_ = 0;
            }
            std::size_t run = len_ - pos_;
            if (run > n - done) run = n - done;
            std::memcpy(out + done, line_ + pos_, run);
            pos_ += run;
            done += run;
        }
        return done;
    }

private:
    unsigned long long next_ = 0;
    char line_[24] = {};
    std::size_t len_ = 0;
    std::size_t pos_ = 0;
};

enum class http_phase { head, body, respond, done };

struct session {
    tcpfsm::connection_handle handle{};
    bool live = false;
    bool accepted = false;
    bool dirty = false;
    bool close_called = false;
    bool peer_fin = false;
    unsigned long long id = 0;
    tcpfsm::four_tuple tuple{};
    long long started_ms = 0;
    byte_ring tx;  // the send buffer, front = SND.UNA
    byte_ring rx;  // delivered text the application has not taken (echo, http)
    byte_ring held;  // text placed above RCV.NXT (on_place), until on_readable
    std::uint32_t unreceived = 0;  // delivered octets not yet given back by receive()
    sha256 rx_hash;
    sha256 tx_hash;
    // source
    std::uint64_t source_left = 0;
    seq_text source;
    // http
    http_phase phase = http_phase::head;
    std::string head;
    int file_fd = -1;  // GET: the file read; PUT: the file written
    std::uint64_t body_left = 0;
    std::string request_line;
    int status = 0;
    bool file_failed = false;
    // Segments with text sent again (below the highest sequence number sent).
    bool sent_any = false;
    std::uint32_t snd_max = 0;
    unsigned long retransmitted = 0;
};

template <class Profile>
class server;

template <class Profile>
struct sink_policy {
    server<Profile>* owner;
    void send(const tcpfsm::four_tuple& t, const tcpfsm::outgoing_segment& out, tcpfsm::connection_handle from) noexcept {
        owner->segment_out(t, out, from);
    }
};

template <class Profile>
struct observer_policy : tcpfsm::null_listener_observer {
    server<Profile>* owner;
    explicit observer_policy(server<Profile>* s) : owner(s) {}
    void on_state_change(tcpfsm::connection_handle h, tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept {
        owner->state_change(h, from, to, on);
    }
    void on_signal(tcpfsm::connection_handle h, tcpfsm::user_signal s) noexcept { owner->signal(h, s); }
    void on_data(tcpfsm::connection_handle h, const std::uint8_t* text, std::uint32_t n) noexcept {
        owner->data(h, text, n);
    }
    // The placement hooks (listener_observer_places_text_v): the connections hold
    // out-of-order text in the session's `held` ring, so a lost segment costs its own
    // retransmission, not the rest of the window's.
    void on_place(tcpfsm::connection_handle h, std::uint32_t offset, const std::uint8_t* text, std::uint32_t n) noexcept {
        owner->place(h, offset, text, n);
    }
    void on_readable(tcpfsm::connection_handle h, std::uint32_t n) noexcept { owner->readable(h, n); }
    void on_acked(tcpfsm::connection_handle h, std::uint32_t n) noexcept { owner->acked(h, n); }
    void on_released(tcpfsm::connection_handle h) noexcept { owner->released(h); }
};

template <class Profile>
class server {
public:
    using listener_type = tcpfsm::listener<sink_policy<Profile>, clock_type, observer_policy<Profile>, tcpfsm::tuple_key,
                                           tcpfsm::engine_profile<tcpfsm::standard_table, typename Profile::rto>>;

    server(options& o, const setup& s)
        : opts_(o),
          fd_(s.fd),
          writer_(s.fd),
          sessions_(o.listener.max_connections),
          listener_(o.listener, o.local_port, s.listener_secrets, sink_policy<Profile>{this}, clock_type{},
                    observer_policy<Profile>{this}) {
        scratch_.resize(65536);
    }

    bool open_root() {
        if (opts_.app != application::http) return true;
        root_fd_ = ::open(opts_.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd_ < 0) {
            log_line("ERROR open --root %s: %s", opts_.root.c_str(), std::strerror(errno));
            return false;
        }
        return true;
    }

    int run();

    // ---- the listener's hooks: they only record ----
    void segment_out(const tcpfsm::four_tuple& t, const tcpfsm::outgoing_segment& out, tcpfsm::connection_handle from) {
        tcpfsm::segment header = out.header;
        const std::uint8_t* text = nullptr;
        if (header.text_length != 0) {
            session* s = from ? &sessions_[from.slot] : nullptr;
            if (s == nullptr || !s->tx.allocated() || out.text_offset > s->tx.size() ||
                header.text_length > s->tx.size() - out.text_offset) {
                log_line("BUG text beyond the send buffer offset=%u len=%u", out.text_offset, header.text_length);
                header.text_length = 0;
            } else {
                s->tx.copy_out(out.text_offset, header.text_length, scratch_.data());  // one segment, not the queue
                text = scratch_.data();
                // Text below the highest sequence number sent: a retransmission.
                const std::uint32_t end = header.seq + header.text_length;
                if (s->sent_any && tcpfsm::seq_lt(header.seq, s->snd_max)) ++s->retransmitted;
                if (!s->sent_any || tcpfsm::seq_gt(end, s->snd_max)) s->snd_max = end;
                s->sent_any = true;
            }
        }
        TUN_TRACE("SEG-OUT %s peer=%s", describe(header, out.options).c_str(),
                  format_endpoint(t.remote, t.remote_port).c_str());
        writer_.send(t, header, out.options, text);
    }
    void state_change(tcpfsm::connection_handle h, tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) {
        session& s = at(h);
        TUN_TRACE("STATE id=%llu %s -> %s event=%s", s.id, tcpfsm::rfc_name(from), tcpfsm::rfc_name(to),
                  tcpfsm::name(on));
    }
    void signal(tcpfsm::connection_handle h, tcpfsm::user_signal sig) {
        session& s = at(h);
        TUN_TRACE("SIGNAL id=%llu %s", s.id, tcpfsm::name(sig));
        if (sig == tcpfsm::user_signal::closing) s.peer_fin = true;
        mark(s);
    }
    void data(tcpfsm::connection_handle h, const std::uint8_t* text, std::uint32_t n) {
        session& s = at(h);
        s.unreceived += n;
        if (text == nullptr || n == 0) return;
        s.rx_hash.update(text, n);
        TUN_TRACE("DATA id=%llu n=%u total=%llu", s.id, n, static_cast<unsigned long long>(s.rx_hash.length()));
        if (opts_.app == application::echo || opts_.app == application::http) {
            if (!s.rx.allocated()) s.rx.reset(receive_ring_octets);
            if (s.rx.push(text, n) != n) log_line("BUG receive ring overflow id=%llu", s.id);
        }
        mark(s);
    }
    // Text `offset` octets past RCV.NXT (the back of `held`): written in place; appended and
    // handed to data() when on_readable says it is in order.
    void place(tcpfsm::connection_handle h, std::uint32_t offset, const std::uint8_t* text, std::uint32_t n) {
        session& s = at(h);
        if (!s.held.allocated()) s.held.reset(receive_ring_octets);
        if (text == nullptr || std::size_t{offset} + n > s.held.space()) {
            log_line("BUG on_place id=%llu offset=%u n=%u with %zu octets of room", s.id, offset, n, s.held.space());
            return;
        }
        s.held.place(offset, text, n);
        TUN_TRACE("PLACED id=%llu offset=%u n=%u", s.id, offset, n);
    }
    void readable(tcpfsm::connection_handle h, std::uint32_t n) {
        session& s = at(h);
        if (!s.held.allocated()) s.held.reset(receive_ring_octets);
        s.held.commit(n);
        std::size_t left = n;
        while (left > 0) {
            std::size_t run = 0;
            const std::uint8_t* p = s.held.read_region(run);
            if (run > left) run = left;
            data(h, p, static_cast<std::uint32_t>(run));
            s.held.drop(run);
            left -= run;
        }
    }
    void acked(tcpfsm::connection_handle h, std::uint32_t n) {
        session& s = at(h);
        s.tx.drop(n);  // O(1)
        TUN_TRACE("ACKED id=%llu n=%u unacked=%zu", s.id, n, s.tx.size());
        mark(s);
    }
    void released(tcpfsm::connection_handle h) {
        session& s = sessions_[h.slot];
        if (!s.live || s.handle != h) return;
        if (s.accepted) {
            ++ended_;
            TUN_EVENT("CONN-END id=%llu peer=%s received=%llu received_sha256=%s sent=%llu sent_sha256=%s "
                      "retransmitted=%lu ms=%lld",
                      s.id, format_endpoint(s.tuple.remote, s.tuple.remote_port).c_str(),
                      static_cast<unsigned long long>(s.rx_hash.length()), s.rx_hash.hex().c_str(),
                      static_cast<unsigned long long>(s.tx_hash.length()), s.tx_hash.hex().c_str(), s.retransmitted,
                      elapsed_ms() - s.started_ms);
        }
        if (s.file_fd >= 0) ::close(s.file_fd);
        // Keep the rings' storage for the slot's next connection.
        byte_ring tx = std::move(s.tx), rx = std::move(s.rx), held = std::move(s.held);
        tx.clear();
        rx.clear();
        held.clear();
        s = session{};
        s.tx = std::move(tx);
        s.rx = std::move(rx);
        s.held = std::move(held);
    }

private:
    session& at(tcpfsm::connection_handle h) {
        session& s = sessions_[h.slot];
        if (!s.live || s.handle != h) {
            // A new connection in this slot.
            s.live = true;
            s.handle = h;
            s.tuple = listener_.tuple_of(h);
            s.id = ++next_id_;
        }
        return s;
    }
    void mark(session& s) {
        if (s.dirty || !s.accepted) return;
        s.dirty = true;
        dirty_.push_back(s.handle);
    }

    void service();
    void run_app(session& s);
    void echo(session& s);
    void source(session& s);
    void http(session& s);
    void http_start(session& s);
    void http_respond(session& s, int status, const std::string& extra_headers, std::uint64_t length);
    std::size_t queue_text(session& s, const std::uint8_t* p, std::size_t n);
    bool give_back(session& s, std::uint32_t n);
    bool close_once(session& s);
    void read_packets();

    options& opts_;
    int fd_;
    tun_writer writer_;
    std::vector<session> sessions_;
    listener_type listener_;
    std::vector<tcpfsm::connection_handle> dirty_;
    std::vector<tcpfsm::connection_handle> work_;
    std::vector<std::uint8_t> scratch_;
    int root_fd_ = -1;
    unsigned long long next_id_ = 0;
    unsigned long long ended_ = 0;
    unsigned long ignored_ = 0;
    bool cookies_logged_ = false;
};

// Appends to the send ring and tells the engine (SEND); returns the octets queued.
template <class Profile>
std::size_t server<Profile>::queue_text(session& s, const std::uint8_t* p, std::size_t n) {
    if (!s.tx.allocated()) s.tx.reset(send_ring_octets);
    n = s.tx.push(p, n);
    if (n == 0) return 0;
    s.tx_hash.update(p, n);
    listener_.send(s.handle, static_cast<std::uint32_t>(n));
    return n;
}

// RECEIVE: the application took n octets; the window opens. False if the connection is gone.
template <class Profile>
bool server<Profile>::give_back(session& s, std::uint32_t n) {
    if (n == 0) return listener_.live(s.handle);
    s.unreceived -= n;
    listener_.receive(s.handle, n);
    return listener_.live(s.handle);
}

template <class Profile>
bool server<Profile>::close_once(session& s) {
    if (s.close_called) return listener_.live(s.handle);
    s.close_called = true;
    const tcpfsm::connection_handle h = s.handle;
    const tcpfsm::user_error e = listener_.close(h);
    TUN_TRACE("USER id=%llu close result=%s", s.id, tcpfsm::name(e));
    return listener_.live(h);
}

template <class Profile>
void server<Profile>::echo(session& s) {
    // What arrived goes back, as far as the send ring has room; the rest waits in the
    // receive ring (and keeps the window shut by as much).
    for (int guard = 0; guard < 4 && !s.rx.empty(); ++guard) {
        std::size_t n = 0;
        const std::uint8_t* p = s.rx.read_region(n);
        if (!s.tx.allocated()) s.tx.reset(send_ring_octets);
        if (n > s.tx.space()) n = s.tx.space();
        if (n == 0) break;
        queue_text(s, p, n);
        if (!listener_.live(s.handle)) return;
        s.rx.drop(n);
        if (!give_back(s, static_cast<std::uint32_t>(n))) return;
    }
    if (s.peer_fin && s.rx.empty()) close_once(s);
}

template <class Profile>
void server<Profile>::source(session& s) {
    if (!give_back(s, s.unreceived)) return;  // whatever arrives is dropped
    if (!s.tx.allocated()) s.tx.reset(send_ring_octets);
    while (s.source_left > 0 && s.tx.space() > 0) {
        std::size_t room = 0;
        std::uint8_t* at = s.tx.write_region(room);
        if (room > s.source_left) room = static_cast<std::size_t>(s.source_left);
        s.source.fill(at, room);
        s.tx_hash.update(at, room);
        s.tx.commit(room);
        s.source_left -= room;
        listener_.send(s.handle, static_cast<std::uint32_t>(room));
        if (!listener_.live(s.handle)) return;
    }
    if (s.source_left == 0) close_once(s);
}

template <class Profile>
void server<Profile>::http_respond(session& s, int status, const std::string& extra_headers, std::uint64_t length) {
    s.status = status;
    std::string head = "HTTP/1.0 " + std::to_string(status) + " " + http_reason(status) + "\r\n";
    head += "Server: tcpfsm_tun\r\nConnection: close\r\n" + extra_headers;
    std::string body;
    if (status >= 400) {
        body = std::to_string(status) + " " + http_reason(status) + "\n";
        length = body.size();
        head += "Content-Type: text/plain\r\n";
    }
    head += "Content-Length: " + std::to_string(length) + "\r\n\r\n" + body;
    queue_text(s, reinterpret_cast<const std::uint8_t*>(head.data()), head.size());  // fits: the ring is empty
    TUN_EVENT("HTTP id=%llu \"%s\" status=%d length=%llu", s.id, s.request_line.c_str(), status,
              static_cast<unsigned long long>(length));
}

// The head is complete: decide.
template <class Profile>
void server<Profile>::http_start(session& s) {
    const std::size_t head_length = http_head_length(s.head);
    const std::string head = s.head.substr(0, head_length);
    const std::string rest = s.head.substr(head_length);  // the body's first octets (PUT)
    s.head.clear();
    s.request_line = head.substr(0, head.find_first_of("\r\n"));
    http_request r;
    int status = parse_http_head(head, r);
    if (status == 0 && r.method != "GET" && r.method != "HEAD" && r.method != "PUT") status = 405;
    if (status != 0) {
        http_respond(s, status, status == 405 ? "Allow: GET, HEAD, PUT\r\n" : "", 0);
        s.phase = http_phase::done;
        return;
    }
    if (r.method == "PUT") {
        if (!r.has_content_length) status = 411;
        else if (r.content_length > opts_.max_put) status = 413;
        if (status == 0) {
            const int fd = open_beneath(root_fd_, r.path, true);
            if (fd < 0) status = -fd;
            else s.file_fd = fd;
        }
        if (status != 0) {
            http_respond(s, status, "", 0);
            s.phase = http_phase::done;
            return;
        }
        s.body_left = r.content_length;
        s.phase = http_phase::body;
        if (r.http11 && r.expect_continue) {
            // RFC 9110 §10.1.1: the client waits for this before the body.
            const std::string go = "HTTP/1.1 100 Continue\r\n\r\n";
            queue_text(s, reinterpret_cast<const std::uint8_t*>(go.data()), go.size());
        }
        if (!rest.empty()) {
            const std::size_t n = rest.size() < s.body_left ? rest.size() : static_cast<std::size_t>(s.body_left);
            if (::write(s.file_fd, rest.data(), n) != static_cast<ssize_t>(n)) s.file_failed = true;
            s.body_left -= n;
        }
        return;
    }
    const int fd = open_beneath(root_fd_, r.path, false);
    if (fd < 0) {
        http_respond(s, -fd, "", 0);
        s.phase = http_phase::done;
        return;
    }
    struct stat st {};
    ::fstat(fd, &st);
    http_respond(s, 200, "Content-Type: application/octet-stream\r\n", static_cast<std::uint64_t>(st.st_size));
    if (r.method == "HEAD") {
        ::close(fd);
        s.phase = http_phase::done;
    } else {
        s.file_fd = fd;
        s.phase = http_phase::respond;
    }
}

template <class Profile>
void server<Profile>::http(session& s) {
    // Take what arrived: the head (into s.head), the body (into the file), or nothing.
    while (!s.rx.empty()) {
        std::size_t n = 0;
        const std::uint8_t* p = s.rx.read_region(n);
        if (s.phase == http_phase::head) {
            if (s.head.size() + n > max_http_head) n = max_http_head - s.head.size();
            s.head.append(reinterpret_cast<const char*>(p), n);
        } else if (s.phase == http_phase::body) {
            // Octets beyond Content-Length are dropped (HTTP/1.0: one request per connection).
            const std::size_t body = n < s.body_left ? n : static_cast<std::size_t>(s.body_left);
            if (body != 0 && ::write(s.file_fd, p, body) != static_cast<ssize_t>(body)) s.file_failed = true;
            s.body_left -= body;
        }  // respond, done: dropped
        s.rx.drop(n);
        if (!give_back(s, static_cast<std::uint32_t>(n))) return;
        if (s.phase == http_phase::head) {
            if (http_head_length(s.head) != 0) {
                http_start(s);
                if (!listener_.live(s.handle)) return;
            } else if (s.head.size() >= max_http_head) {
                s.request_line = "(head too long)";
                http_respond(s, 400, "", 0);
                s.phase = http_phase::done;
            }
        }
        if (n == 0) break;
    }
    if (s.phase == http_phase::body && s.body_left == 0) {
        ::close(s.file_fd);
        s.file_fd = -1;
        http_respond(s, s.file_failed ? 500 : 201, "", 0);
        s.phase = http_phase::done;
    }
    if (s.phase == http_phase::body && s.body_left != 0 && s.peer_fin && s.rx.empty()) {
        // The client closed before Content-Length octets came: the file keeps what arrived.
        ::close(s.file_fd);
        s.file_fd = -1;
        s.request_line += " (body cut short)";
        http_respond(s, 400, "", 0);
        s.phase = http_phase::done;
    }
    if (s.phase == http_phase::head && s.peer_fin) {
        s.request_line = "(incomplete head)";
        http_respond(s, 400, "", 0);
        s.phase = http_phase::done;
    }
    if (s.phase == http_phase::respond) {
        // The file, as the send ring frees room (read straight into the ring).
        while (s.tx.space() > 0) {
            std::size_t room = 0;
            std::uint8_t* at = s.tx.write_region(room);
            const ssize_t r = ::read(s.file_fd, at, room);
            if (r <= 0) {
                ::close(s.file_fd);
                s.file_fd = -1;
                s.phase = http_phase::done;
                break;
            }
            s.tx_hash.update(at, static_cast<std::size_t>(r));
            s.tx.commit(static_cast<std::size_t>(r));
            listener_.send(s.handle, static_cast<std::uint32_t>(r));
            if (!listener_.live(s.handle)) return;
        }
    }
    if (s.phase == http_phase::done) close_once(s);
}

template <class Profile>
void server<Profile>::run_app(session& s) {
    switch (opts_.app) {
        case application::echo: echo(s); break;
        case application::discard:
            if (give_back(s, s.unreceived) && s.peer_fin) close_once(s);
            break;
        case application::source: source(s); break;
        case application::http: http(s); break;
    }
}

// After every call into the listener: take the accepted connections, then run the
// applications of the connections something happened to.
template <class Profile>
void server<Profile>::service() {
    for (tcpfsm::connection_handle h = listener_.accept(); h; h = listener_.accept()) {
        session& s = at(h);
        s.accepted = true;
        s.started_ms = elapsed_ms();
        s.source_left = opts_.source_octets;
        TUN_EVENT("ACCEPT id=%llu peer=%s", s.id, format_endpoint(s.tuple.remote, s.tuple.remote_port).c_str());
        mark(s);
    }
    for (int round = 0; round < 4 && !dirty_.empty(); ++round) {
        work_.swap(dirty_);
        for (const tcpfsm::connection_handle h : work_) {
            session& s = sessions_[h.slot];
            if (!s.live || s.handle != h) continue;
            s.dirty = false;
            if (listener_.live(h)) run_app(s);
        }
        work_.clear();
    }
}

template <class Profile>
void server<Profile>::read_packets() {
    static std::uint8_t packet[65536];
    for (int count = 0; count < 64; ++count) {
        const ssize_t n = ::read(fd_, packet, sizeof packet);
        if (n < 0) {
            const int e = errno;
            if (e != EAGAIN && e != EINTR) log_line("READ-ERROR %s (%s)", errno_name(e), std::strerror(e));
            return;
        }
        inbound in;
        const tcpfsm::wire_error e = parse_inbound(packet, static_cast<std::size_t>(n), in);
        if (e != tcpfsm::wire_error::ok) {
            ++ignored_;
            TUN_TRACE("IGNORED reason=\"%s\" len=%zd", tcpfsm::description(e), n);
            continue;
        }
        if (in.tuple.local != opts_.local) {  // for another host on the device's subnet
            ++ignored_;
            TUN_TRACE("IGNORED reason=other-address %s", format_endpoint(in.tuple.local, in.tuple.local_port).c_str());
            continue;
        }
        TUN_TRACE("SEG-IN %s peer=%s", describe(in.seg, in.options).c_str(),
                  format_endpoint(in.tuple.remote, in.tuple.remote_port).c_str());
        listener_.on_segment(in.tuple, in.seg, in.options, in.text);
        service();
        if (!cookies_logged_ && listener_.stats().syn_cookies_sent != 0) {
            cookies_logged_ = true;
            TUN_EVENT("COOKIES first SYN cookie sent: the SYN queue is full (%u requests)",
                      listener_.syn_queue_length());
        }
    }
}

template <class Profile>
int server<Profile>::run() {
    const bool has_deadline = opts_.deadline_ms != 0;
    const auto deadline = clock_type::now() + std::chrono::milliseconds(opts_.deadline_ms);
    TUN_EVENT("LISTEN local=%s app=%s backlog=%u", format_endpoint(opts_.local, opts_.local_port).c_str(),
              app_name(opts_.app), opts_.listener.backlog);
    int status = 0;
    for (;;) {
        if (stop_requested != 0) break;
        if (has_deadline && clock_type::now() >= deadline) {
            log_line("DEADLINE");
            status = 2;
            break;
        }
        tcpfsm::listener_deadline d = listener_.next_deadline();
        if (d && static_cast<std::int32_t>(d.at - listener_.ticks()) <= 0) {
            listener_.on_timer();
            service();
            d = listener_.next_deadline();
        }
        if (opts_.connections != 0 && ended_ >= opts_.connections) break;
        int wait = 100;
        if (d) {
            const std::int32_t left = static_cast<std::int32_t>(d.at - listener_.ticks());
            wait = left < 0 ? 0 : left < 100 ? left : 100;
        }
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, wait);
        if (r < 0 && errno != EINTR) {
            log_line("POLL-ERROR %s", std::strerror(errno));
            ::usleep(10000);
        }
        if (r > 0 && (p.revents & POLLIN) != 0) read_packets();
    }
    const tcpfsm::listener_stats& st = listener_.stats();
    char counts[512];
    tcpfsm::write_state_counts(st, counts, sizeof counts);
    for (char* c = counts; *c != '\0'; ++c) {
        if (*c == '\n') *c = ',';
    }
    log_line("STATS accepted=%llu ended=%llu syn_cookies_sent=%llu syn_cookies_validated=%llu "
             "syn_cookies_failed=%llu syn_queue_drops=%llu listen_drops=%llu syn_received_timeouts=%llu "
             "time_wait_overflows=%llu states=%s",
             static_cast<unsigned long long>(st.accepted), ended_,
             static_cast<unsigned long long>(st.syn_cookies_sent),
             static_cast<unsigned long long>(st.syn_cookies_validated),
             static_cast<unsigned long long>(st.syn_cookies_failed),
             static_cast<unsigned long long>(st.syn_queue_drops), static_cast<unsigned long long>(st.listen_drops),
             static_cast<unsigned long long>(st.syn_received_timeouts),
             static_cast<unsigned long long>(st.time_wait_overflows), counts);
    log_line("EXIT status=%d ignored=%lu write_errors=%lu", status, ignored_, writer_.write_errors());
    return status;
}

template <class Profile>
int serve_with(options& o, const setup& s) {
    static server<Profile> srv(o, s);
    if (!srv.open_root()) return 1;
    return srv.run();
}

}  // namespace

int run_serve(options& o, const setup& s) {
    return with_rto_choice(o.rto, [&](auto choice) { return serve_with<decltype(choice)>(o, s); });
}

}  // namespace tun
