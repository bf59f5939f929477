// One connection on the TUN device: client (active OPEN), server (one passive OPEN) or
// simultaneous open. It sends --send TEXT or a file/stdin (--in) through an O(1) ring
// buffer, writes what arrives to --out, closes as --close-when says, and exits once the
// connection is CLOSED. Every state change, signal and user call is logged; with --trace
// also every segment, row, DATA and ACKED (test/interop reads these lines).
// SPDX-License-Identifier: MIT
#include "modes.hpp"
#include "tun_device.hpp"
#include "byte_ring.hpp"
#include "sha256.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace tun {
namespace {

using clock_type = std::chrono::steady_clock;

// The send buffer: far more than the 64 KiB window (no window scaling), so the engine
// always finds the text it may send.
constexpr std::size_t send_buffer_octets = 256 * 1024;
// The receive window is at most 65535 octets (no window scaling), and readable text leaves
// the ring at once, so 64 KiB hold everything placed above RCV.NXT.
constexpr std::size_t receive_ring_octets = 64 * 1024;

template <class Profile>
class endpoint;

// SegmentIO: queues the segment; the loop writes the queue after each engine call.
template <class Profile>
struct io_policy {
    endpoint<Profile>* owner;
    void send(const tcpfsm::outgoing_segment& out) noexcept { owner->queue_segment(out); }
};

// Observer: logs, hands text on, frees acknowledged octets.
template <class Profile>
struct observer_policy : tcpfsm::null_observer {
    endpoint<Profile>* owner;
    explicit observer_policy(endpoint<Profile>* e) : owner(e) {}
    void on_row(tcpfsm::state from, tcpfsm::event on, const tcpfsm::transition& r) noexcept {
        TUN_TRACE("ROW %s %s -> %s", tcpfsm::rfc_name(from), tcpfsm::name(on), tcpfsm::rfc_name(r.to));
    }
    void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept {
        TUN_EVENT("STATE %s -> %s event=%s", tcpfsm::rfc_name(from), tcpfsm::rfc_name(to), tcpfsm::name(on));
        owner->state_changed(to);
    }
    void on_signal(tcpfsm::user_signal s) noexcept { owner->signal(s); }
    void on_data(const std::uint8_t* text, std::uint32_t length) noexcept { owner->data(text, length); }
    // The placement hooks (tcpfsm/receive_path.hpp): out-of-order text is held in the
    // endpoint's receive ring, so the engine keeps it instead of asking for it again.
    void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        owner->place(offset, text, length);
    }
    void on_readable(std::uint32_t octets) noexcept { owner->readable(octets); }
    void on_acked(std::uint32_t octets) noexcept { owner->acked(octets); }
    void on_drop(tcpfsm::drop_reason r) noexcept { TUN_TRACE("ENGINE-DROP %s", tcpfsm::name(r)); }
};

struct out_packet {
    std::vector<std::uint8_t> bytes;
    tcpfsm::segment header;
    tcpfsm::segment_options options;  // for the log
};

template <class Profile>
class endpoint {
public:
    using engine = tcpfsm::connection<io_policy<Profile>, clock_type, observer_policy<Profile>, tcpfsm::rfc6528_iss,
                                      tcpfsm::engine_profile<tcpfsm::standard_table, typename Profile::rto>>;

    endpoint(options& o, const setup& s)
        : opts_(o),
          fd_(s.fd),
          writer_(s.fd),
          conn_(s.config, io_policy<Profile>{this}, clock_type{}, observer_policy<Profile>{this},
                tcpfsm::rfc6528_iss(s.iss_secret)),
          send_buffer_(send_buffer_octets),
          receive_ring_(s.config.receive_buffer > receive_ring_octets ? s.config.receive_buffer
                                                                      : receive_ring_octets) {
        tuple_.local = o.local;
        tuple_.local_port = o.local_port;
        if (o.have_remote) {
            tuple_.remote = o.remote;
            tuple_.remote_port = o.remote_port;
            remote_known_ = true;
        }
        for (unsigned i = 0; i < o.send_repeat; ++i) payload_ += o.send_text;
        if (o.have_expect) {
            for (unsigned i = 0; i < o.expect_repeat; ++i) expected_ += o.expect_text;
        }
        holds_ = o.holds;
        scratch_.resize(65536);
    }

    // Opens --in and --out; false (logged) if one cannot be opened.
    bool open_files() {
        if (opts_.input_path == "-") {
            input_fd_ = 0;
        } else if (!opts_.input_path.empty()) {
            input_fd_ = ::open(opts_.input_path.c_str(), O_RDONLY | O_CLOEXEC);
            if (input_fd_ < 0) {
                log_line("ERROR open --in %s: %s", opts_.input_path.c_str(), std::strerror(errno));
                return false;
            }
        } else {
            source_done_ = payload_.empty();
        }
        if (opts_.output_path == "-") {
            output_fd_ = 1;
        } else if (!opts_.output_path.empty()) {
            output_fd_ = ::open(opts_.output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (output_fd_ < 0) {
                log_line("ERROR open --out %s: %s", opts_.output_path.c_str(), std::strerror(errno));
                return false;
            }
        }
        return true;
    }

    int run();

    // ---- called by the policies ----
    void queue_segment(const tcpfsm::outgoing_segment& out);
    void state_changed(tcpfsm::state to) {
        if (to == tcpfsm::state::established) {
            const tcpfsm::connection_status st = conn_.snapshot();
            TUN_EVENT("WSCALE on=%d snd=%u rcv=%u", st.window_scaling ? 1 : 0, static_cast<unsigned>(st.snd_wscale),
                      static_cast<unsigned>(st.rcv_wscale));
        }
        // CLOSED (or back to LISTEN): what is left in the send buffer belongs to no connection.
        if (to == tcpfsm::state::closed || to == tcpfsm::state::listen) {
            send_buffer_.clear();
            receive_ring_.clear();
        }
    }
    // Text placed `offset` octets past RCV.NXT (the ring's back): written in place, appended
    // when on_readable says it is in order.
    void place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) {
        if (text == nullptr || std::size_t{offset} + length > receive_ring_.space()) {
            log_line("BUG on_place offset=%u n=%u with %zu octets of room", offset, length, receive_ring_.space());
            return;
        }
        receive_ring_.place(offset, text, length);
        TUN_TRACE("PLACED offset=%u n=%u", offset, length);
    }
    // The first `octets` placed octets are in order: to the application, then out of the ring.
    void readable(std::uint32_t octets) {
        receive_ring_.commit(octets);
        std::size_t left = octets;
        while (left > 0) {
            std::size_t run = 0;
            const std::uint8_t* p = receive_ring_.read_region(run);
            if (run > left) run = left;
            data(p, static_cast<std::uint32_t>(run));
            receive_ring_.drop(run);
            left -= run;
        }
    }
    void signal(tcpfsm::user_signal s) {
        TUN_EVENT("SIGNAL %s state=%s", tcpfsm::name(s), tcpfsm::rfc_name(conn_.current_state()));
        if (s == tcpfsm::user_signal::closing) peer_fin_ = true;
    }
    void data(const std::uint8_t* text, std::uint32_t length) {
        pending_receive_ += length;
        if (text == nullptr || length == 0) return;
        received_hash_.update(text, length);
        if (opts_.have_expect && received_.size() <= expected_.size()) {
            const std::size_t keep = expected_.size() + 1 - received_.size();
            received_.append(reinterpret_cast<const char*>(text), length < keep ? length : keep);
        } else if (received_.size() < 64) {
            received_.append(reinterpret_cast<const char*>(text), length < 64 ? length : 64);
        }
        TUN_TRACE("DATA n=%u total=%llu text=\"%s\"", length,
                  static_cast<unsigned long long>(received_hash_.length()), escaped(text, length).c_str());
        if (output_fd_ >= 0 && !output_failed_) write_all(output_fd_, text, length);
    }
    void acked(std::uint32_t octets) {
        if (octets > send_buffer_.size()) {
            log_line("BUG on_acked n=%u but only %zu octets are buffered", octets, send_buffer_.size());
        }
        send_buffer_.drop(octets);  // O(1): the ring's front moves
        TUN_TRACE("ACKED n=%u unacked=%zu", octets, send_buffer_.size());
    }

private:
    void write_all(int fd, const std::uint8_t* p, std::size_t n) {
        while (n > 0) {
            const ssize_t w = ::write(fd, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN) {
                    pollfd q{fd, POLLOUT, 0};
                    ::poll(&q, 1, 100);
                    continue;
                }
                log_line("ERROR write --out: %s", std::strerror(errno));
                output_failed_ = true;
                return;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }
    bool sending_state() const {
        const tcpfsm::state s = conn_.current_state();
        return s == tcpfsm::state::established || s == tcpfsm::state::close_wait;
    }
    bool received_point() const {
        if (!sending_state()) return false;
        return source_done_ && send_buffer_.empty() && received_hash_.length() >= expected_.size();
    }
    bool point_reached(const std::string& p) const {
        if (p == "received") return received_point();
        if (p == "peer-fin") return peer_fin_;
        if (p == "peer-syn") return have_stash_;
        return p == tcpfsm::rfc_name(conn_.current_state());
    }
    bool wants_input() const {
        return input_fd_ >= 0 && !source_done_ && !close_called_ && sending_state() && send_buffer_.space() > 0;
    }
    bool holding();
    bool script_step();
    bool pump_source(bool input_readable);
    void after_engine_call();
    void flush();
    void read_packets();
    void process(const inbound& in);
    bool finished() const {
        if (!opened_) return false;
        const tcpfsm::state s = conn_.current_state();
        return s == tcpfsm::state::closed || (opts_.exit_at_time_wait && s == tcpfsm::state::time_wait);
    }

    options& opts_;
    int fd_;
    tun_writer writer_;
    engine conn_;
    tcpfsm::four_tuple tuple_{};
    bool remote_known_ = false;
    byte_ring send_buffer_;  // octets from SND.UNA on
    byte_ring receive_ring_;  // from RCV.NXT on: text placed ahead of the readable end
    std::string payload_;    // --send TEXT x K
    std::size_t payload_sent_ = 0;
    int input_fd_ = -1;
    int output_fd_ = -1;
    bool output_failed_ = false;
    bool input_failed_ = false;
    bool source_done_ = false;  // everything to send is in the send buffer
    std::string expected_;
    std::string received_;  // up to expected_.size() + 1 octets (64 without --expect)
    sha256 received_hash_;
    sha256 sent_hash_;
    std::uint32_t pending_receive_ = 0;  // delivered by on_data, not yet given back by receive()
    std::vector<out_packet> out_queue_;
    std::size_t out_count_ = 0;
    std::vector<std::uint8_t> scratch_;
    std::vector<hold_point> holds_;
    bool opened_ = false;
    bool close_called_ = false;
    bool peer_fin_ = false;
    bool dropped_last_ack_ = false;
    long long established_at_ = -1;
    // Simultaneous open: the peer's SYN, held back until our own SYN is out.
    bool have_stash_ = false;
    bool stash_fed_ = false;
    std::vector<std::uint8_t> stash_packet_;
    unsigned long ignored_ = 0;
    bool sent_any_ = false;
    std::uint32_t snd_max_ = 0;
    std::uint32_t max_in_flight_ = 0;  // the most SND.NXT - SND.UNA seen when sending
    unsigned long retransmitted_ = 0;
    // Segments with SACK blocks (RFC 2018 §3) and timestamps (RFC 7323 §3.2), each way.
    unsigned long sack_segments_in_ = 0, sack_blocks_in_ = 0, sack_segments_out_ = 0, sack_blocks_out_ = 0;
    unsigned long ts_segments_in_ = 0, ts_segments_out_ = 0;
};

template <class Profile>
void endpoint<Profile>::queue_segment(const tcpfsm::outgoing_segment& out) {
    tcpfsm::segment header = out.header;
    if (!remote_known_) {
        log_line("BUG segment to send with no peer address flags=%s", flag_letters(header.flags).c_str());
        return;
    }
    if (out.text_offset > send_buffer_.size() || header.text_length > send_buffer_.size() - out.text_offset) {
        log_line("BUG text beyond the send buffer offset=%u len=%u buffered=%zu", out.text_offset, header.text_length,
                 send_buffer_.size());
        header.text_length = 0;
    }
    // The text may wrap around the ring's end: one copy of at most one segment.
    if (header.text_length > scratch_.size()) scratch_.resize(header.text_length);
    send_buffer_.copy_out(out.text_offset, header.text_length, scratch_.data());
    if (header.text_length != 0) {
        // Text below the highest sequence number sent: a retransmission.
        const std::uint32_t end = header.seq + header.text_length;
        if (sent_any_ && tcpfsm::seq_lt(header.seq, snd_max_)) ++retransmitted_;
        if (!sent_any_ || tcpfsm::seq_gt(end, snd_max_)) snd_max_ = end;
        const std::uint32_t flight = conn_.snapshot().unacked;  // SND.NXT - SND.UNA, this segment included
        if (flight > max_in_flight_) max_in_flight_ = flight;
        sent_any_ = true;
    }
    if (out_count_ == out_queue_.size()) out_queue_.emplace_back();
    out_packet& p = out_queue_[out_count_];
    p.header = header;
    p.options = out.options;
    if (!out.options.sack.empty()) {
        ++sack_segments_out_;
        sack_blocks_out_ += out.options.sack.count;
    }
    if (out.options.has_timestamps) ++ts_segments_out_;
    // The SYNs with their options at the events level (with --trace, SEG-OUT shows them).
    if (header.syn() && !tracing()) TUN_EVENT("SYN-OUT %s", describe(header, out.options).c_str());
    if (writer_.build(tuple_, header, out.options, header.text_length != 0 ? scratch_.data() : nullptr, p.bytes)) ++out_count_;
}

// After every engine call: give delivered text back (receive() reopens the window; it is a
// call into the engine, so never from inside an observer hook), then write what it sent.
template <class Profile>
void endpoint<Profile>::after_engine_call() {
    for (int guard = 0; guard < 4 && pending_receive_ != 0; ++guard) {
        const std::uint32_t n = pending_receive_;
        pending_receive_ = 0;
        conn_.receive(n);
    }
    flush();
}

template <class Profile>
void endpoint<Profile>::flush() {
    for (std::size_t i = 0; i < out_count_; ++i) {
        const out_packet& p = out_queue_[i];
        const tcpfsm::segment& s = p.header;
        if (opts_.drop_last_ack && !dropped_last_ack_ && s.flags == tcpfsm::ctl::ack && s.text_length == 0 &&
            conn_.current_state() == tcpfsm::state::time_wait) {
            dropped_last_ack_ = true;
            TUN_EVENT("DROP-OUT %s reason=drop-last-ack", describe(s).c_str());
            continue;
        }
        TUN_TRACE("SEG-OUT %s", describe(s, p.options).c_str());
        writer_.write_packet(p.bytes.data(), p.bytes.size());
    }
    out_count_ = 0;
}

template <class Profile>
bool endpoint<Profile>::holding() {
    for (hold_point& h : holds_) {
        if (h.released) continue;
        if (!h.active) {
            if (!point_reached(h.point)) continue;
            h.active = true;
            h.since = clock_type::now();
            TUN_EVENT("HOLD point=%s file=%s state=%s", h.point.c_str(), h.file.c_str(),
                      tcpfsm::rfc_name(conn_.current_state()));
        }
        if (file_exists(h.file)) {
            h.released = true;
            TUN_EVENT("RELEASE point=%s reason=file", h.point.c_str());
            continue;
        }
        if (clock_type::now() - h.since > std::chrono::milliseconds(opts_.hold_max_ms)) {
            h.released = true;
            TUN_EVENT("RELEASE point=%s reason=hold-max", h.point.c_str());
            continue;
        }
        return true;
    }
    return false;
}

// Moves what the source has into the send buffer and tells the engine (SEND). True if it
// called the engine.
template <class Profile>
bool endpoint<Profile>::pump_source(bool input_readable) {
    if (source_done_ || close_called_ || !sending_state()) return false;
    std::size_t added = 0;
    if (input_fd_ < 0) {
        const std::size_t n = send_buffer_.push(reinterpret_cast<const std::uint8_t*>(payload_.data()) + payload_sent_,
                                                payload_.size() - payload_sent_);
        sent_hash_.update(reinterpret_cast<const std::uint8_t*>(payload_.data()) + payload_sent_, n);
        payload_sent_ += n;
        added = n;
        if (payload_sent_ == payload_.size()) source_done_ = true;
    } else if (input_readable) {
        // One read per turn: poll() said it will not block.
        std::size_t room = 0;
        std::uint8_t* at = send_buffer_.write_region(room);
        if (room != 0) {
            const ssize_t r = ::read(input_fd_, at, room);
            if (r > 0) {
                sent_hash_.update(at, static_cast<std::size_t>(r));
                send_buffer_.commit(static_cast<std::size_t>(r));
                added = static_cast<std::size_t>(r);
            } else if (r == 0) {
                source_done_ = true;
                TUN_EVENT("EOF --in sent=%llu", static_cast<unsigned long long>(sent_hash_.length()));
            } else if (errno != EINTR && errno != EAGAIN) {
                log_line("ERROR read --in: %s", std::strerror(errno));
                input_failed_ = true;
                source_done_ = true;
            }
        }
    }
    if (added == 0) return false;
    const tcpfsm::user_error e = conn_.send(static_cast<std::uint32_t>(added));
    if (input_fd_ < 0 || e != tcpfsm::user_error::none) {
        TUN_EVENT("USER send n=%zu result=%s", added, tcpfsm::name(e));
    } else {
        TUN_TRACE("USER send n=%zu result=%s", added, tcpfsm::name(e));
    }
    after_engine_call();
    return true;
}

// The scripted user calls, one per call (holds are checked between them).
template <class Profile>
bool endpoint<Profile>::script_step() {
    const tcpfsm::state st = conn_.current_state();
    if (!opened_) {
        if (opts_.mode == run_mode::server) {
            TUN_EVENT("USER open_passive local=%s", format_endpoint(tuple_.local, tuple_.local_port).c_str());
            conn_.open_passive();
        } else if (opts_.mode == run_mode::client || have_stash_) {
            TUN_EVENT("USER open_active local=%s remote=%s", format_endpoint(tuple_.local, tuple_.local_port).c_str(),
                      format_endpoint(tuple_.remote, tuple_.remote_port).c_str());
            conn_.open_active(tuple_);
        } else {
            return false;  // simultaneous open: wait for the peer's SYN first
        }
        opened_ = true;
        after_engine_call();
        return true;
    }
    if (have_stash_ && !stash_fed_ && st == tcpfsm::state::syn_sent) {
        // Our SYN is out; now the peer's SYN that crossed it (RFC 9293 Figure 7).
        stash_fed_ = true;
        TUN_EVENT("STASH-FEED peer SYN now");
        inbound in;
        if (parse_inbound(stash_packet_.data(), stash_packet_.size(), in) == tcpfsm::wire_error::ok) process(in);
        return true;
    }
    if (sending_state() && established_at_ < 0) established_at_ = elapsed_ms();
    if (input_fd_ < 0 && pump_source(false)) return true;
    if (!close_called_ && opts_.close_when != close_trigger::never && sending_state()) {
        bool now = false;
        switch (opts_.close_when) {
            case close_trigger::eof: now = source_done_; break;
            case close_trigger::received: now = received_point(); break;
            case close_trigger::peer_fin: now = received_point() && peer_fin_; break;
            case close_trigger::never: break;
        }
        if (now) {
            close_called_ = true;
            const tcpfsm::user_error e = opts_.abort_instead_of_close ? conn_.abort() : conn_.close();
            TUN_EVENT("USER %s result=%s", opts_.abort_instead_of_close ? "abort" : "close", tcpfsm::name(e));
            after_engine_call();
            return true;
        }
    }
    return false;
}

template <class Profile>
void endpoint<Profile>::process(const inbound& in) {
    TUN_TRACE("SEG-IN %s", describe(in.seg, in.options).c_str());
    if (!in.options.sack.empty()) {
        ++sack_segments_in_;
        sack_blocks_in_ += in.options.sack.count;
    }
    if (in.options.has_timestamps) ++ts_segments_in_;
    if (in.seg.syn() && !tracing()) TUN_EVENT("SYN-IN %s", describe(in.seg, in.options).c_str());
    conn_.on_segment(in.seg, in.options, in.text, tuple_);
    after_engine_call();
}

// Reads what the device holds (at most 64 packets) and hands ours to the engine.
template <class Profile>
void endpoint<Profile>::read_packets() {
    static std::uint8_t packet[65536];
    for (int count = 0; count < 64; ++count) {
        if (holding() || finished()) return;
        const ssize_t n = ::read(fd_, packet, sizeof packet);
        if (n < 0) {
            const int e = errno;
            if (e != EAGAIN && e != EINTR) log_line("READ-ERROR %s (%s)", errno_name(e), std::strerror(e));
            return;
        }
        inbound in;
        const tcpfsm::wire_error e = parse_inbound(packet, static_cast<std::size_t>(n), in);
        if (e != tcpfsm::wire_error::ok) {
            // Not TCP (IPv6 router solicitations, MLD reports, ...) or malformed: not ours.
            ++ignored_;
            TUN_EVENT("IGNORED reason=\"%s\" ipv%u proto=%u len=%zd", tcpfsm::description(e),
                      static_cast<unsigned>(packet[0] >> 4),
                      in.parsed.ip_version == 6 ? static_cast<unsigned>(in.parsed.ip6.next_header)
                                                : static_cast<unsigned>(in.parsed.ip4.protocol),
                      n);
            continue;
        }
        const bool to_us = in.tuple.local == tuple_.local && in.tuple.local_port == tuple_.local_port;
        const bool from_peer =
            remote_known_ && in.tuple.remote == tuple_.remote && in.tuple.remote_port == tuple_.remote_port;
        const tcpfsm::state st = conn_.current_state();
        if (!to_us || (!from_peer && !(opts_.mode == run_mode::server && st == tcpfsm::state::listen))) {
            ++ignored_;
            TUN_EVENT("IGNORED reason=other-tuple %s -> %s flags=%s",
                      format_endpoint(in.tuple.remote, in.tuple.remote_port).c_str(),
                      format_endpoint(in.tuple.local, in.tuple.local_port).c_str(), flag_letters(in.seg.flags).c_str());
            continue;
        }
        if (opts_.mode == run_mode::simultaneous && !opened_) {
            // Hold the peer's SYN: it is fed to the engine after our own SYN has gone out.
            if (!have_stash_ && in.seg.syn() && !in.seg.ack_flag()) {
                have_stash_ = true;
                stash_packet_.assign(packet, packet + n);
                TUN_EVENT("STASH peer SYN seq=%u mss=%u", in.seg.seq, static_cast<unsigned>(in.seg.mss));
            } else {
                ++ignored_;
                TUN_EVENT("IGNORED reason=before-open flags=%s seq=%u", flag_letters(in.seg.flags).c_str(), in.seg.seq);
            }
            return;
        }
        if (st == tcpfsm::state::listen) {
            // A listener: the segment names the peer. Kept if the engine leaves LISTEN.
            tuple_.remote = in.tuple.remote;
            tuple_.remote_port = in.tuple.remote_port;
            remote_known_ = true;
        }
        process(in);
        if (conn_.current_state() == tcpfsm::state::listen && opts_.mode == run_mode::server) remote_known_ = false;
        // The scripted calls (a hold may start) come between packets.
        while (!holding() && script_step()) {
            if (finished()) return;
        }
    }
}

template <class Profile>
int endpoint<Profile>::run() {
    const bool has_deadline = opts_.deadline_ms != 0;
    const auto deadline = clock_type::now() + std::chrono::milliseconds(opts_.deadline_ms);
    int status = 0;
    bool input_readable = false;
    for (;;) {
        if (stop_requested != 0) {
            log_line("STOP signal state=%s", tcpfsm::rfc_name(conn_.current_state()));
            status = 2;
            break;
        }
        if (has_deadline && clock_type::now() >= deadline) {
            log_line("DEADLINE state=%s", tcpfsm::rfc_name(conn_.current_state()));
            status = 2;
            break;
        }
        if (opened_ && conn_.time_to_next_deadline() == std::chrono::milliseconds::zero()) {
            conn_.on_timer();
            after_engine_call();
        }
        if (finished()) break;
        if (input_readable && !holding()) pump_source(true);
        while (!holding() && script_step()) {
            if (finished()) break;
        }
        if (finished()) break;
        const bool held = holding();
        // Sleep until the next timer, the deadline, a packet or input; while held, look at
        // the hold files every 10 ms.
        std::chrono::milliseconds wait = opened_ ? conn_.time_to_next_deadline() : std::chrono::milliseconds(100);
        if (has_deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            if (wait > left) wait = left;
        }
        if (wait > std::chrono::milliseconds(100)) wait = std::chrono::milliseconds(100);
        if (held && wait > std::chrono::milliseconds(10)) wait = std::chrono::milliseconds(10);
        if (wait < std::chrono::milliseconds::zero()) wait = std::chrono::milliseconds::zero();
        pollfd p[2] = {{fd_, static_cast<short>(held ? 0 : POLLIN), 0}, {input_fd_, POLLIN, 0}};
        const nfds_t count = !held && wants_input() ? 2 : 1;
        const int r = ::poll(p, count, static_cast<int>(wait.count()));
        if (r < 0 && errno != EINTR) {
            log_line("POLL-ERROR %s", std::strerror(errno));
            ::usleep(10000);
        }
        input_readable = r > 0 && count == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        if (!held && r > 0 && (p[0].revents & POLLIN) != 0) read_packets();
    }
    const long long now = elapsed_ms();
    const long long ms = established_at_ >= 0 ? now - established_at_ : 0;
    bool content_ok = true;
    if (opts_.have_expect) {
        content_ok = received_ == expected_;
        log_line("RECEIVED n=%llu %s text=\"%s\"", static_cast<unsigned long long>(received_hash_.length()),
                 content_ok ? "ok" : "MISMATCH",
                 escaped(reinterpret_cast<const std::uint8_t*>(received_.data()), received_.size()).c_str());
    }
    log_line("WINDOW max_in_flight=%u", max_in_flight_);
    log_line("OPTIONS sack_segments_in=%lu sack_blocks_in=%lu sack_segments_out=%lu sack_blocks_out=%lu "
             "ts_segments_in=%lu ts_segments_out=%lu",
             sack_segments_in_, sack_blocks_in_, sack_segments_out_, sack_blocks_out_, ts_segments_in_,
             ts_segments_out_);
    log_line("TRANSFER sent=%llu sent_sha256=%s received=%llu received_sha256=%s retransmitted=%lu ms=%lld",
             static_cast<unsigned long long>(sent_hash_.length()), sent_hash_.hex().c_str(),
             static_cast<unsigned long long>(received_hash_.length()), received_hash_.hex().c_str(), retransmitted_,
             ms);
    if (status == 0 && !content_ok) status = 3;
    if (status == 0 && (input_failed_ || output_failed_)) status = 4;
    if (output_fd_ > 2) ::close(output_fd_);
    log_line("EXIT status=%d state=%s ignored=%lu write_errors=%lu", status, tcpfsm::rfc_name(conn_.current_state()),
             ignored_, writer_.write_errors());
    return status;
}

template <class Profile>
int run_with(options& o, const setup& s) {
    static endpoint<Profile> e(o, s);  // large: static storage, not the stack
    if (!e.open_files()) return 1;
    return e.run();
}

}  // namespace

int run_one_connection(options& o, const setup& s) {
    return with_rto_choice(o.rto, [&](auto choice) { return run_with<decltype(choice)>(o, s); });
}

}  // namespace tun
