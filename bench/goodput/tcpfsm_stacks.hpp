// tcpfsm -> tcpfsm for the goodput benchmark: two tcpfsm::connection engines of one Profile,
// each behind the wire codec (wire.hpp: IPv4 and TCP headers, both checksums, on send and on
// receive), on the loop's microsecond clock (tcpfsm::manual_time).
// Options (SACK-permitted, SACK blocks, timestamps) travel in the TCP header as on a real
// wire; Sack sets connection_config::sack for both engines (the columns with and without it).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_TCPFSM_STACKS_HPP
#define TCPFSM_BENCH_GOODPUT_TCPFSM_STACKS_HPP

#include <tcpfsm/connection.hpp>
#include <tcpfsm/manual_clock.hpp>
#include <tcpfsm/wire.hpp>
#include <tcpfsm/options/option_codec.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "link_loop.hpp"
#include "transfer.hpp"

namespace tcpfsm_goodput {

template <class Profile, bool Sack = false>
class tcpfsm_stacks {
    struct side;

    struct io {
        side* owner;
        void send(const tcpfsm::outgoing_segment& out) noexcept { owner->transmit(out); }
    };
    struct observer : tcpfsm::null_observer {
        side* owner;
        explicit observer(side* s) noexcept : owner(s) {}
        void on_data(const std::uint8_t* text, std::uint32_t length) noexcept {
            if (owner->check != nullptr) owner->check->take(text, length);
            owner->unread += length;
        }
        // The receiver places text itself, so the engine holds out-of-order text (RFC 9293
        // SHLD-31; receive_path.hpp): as lwIP does, which the lwIP columns run with.
        void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
            if (owner->check != nullptr) owner->check->place(offset, text, length);
        }
        void on_readable(std::uint32_t octets) noexcept {
            if (owner->check != nullptr) owner->check->readable(octets);
            owner->unread += octets;
        }
        void on_acked(std::uint32_t octets) noexcept { owner->acked += octets; }
    };
    struct iss {
        std::uint32_t value;
        std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return value; }
    };
    using engine = tcpfsm::connection<io, tcpfsm::manual_clock, observer, iss, Profile>;

    struct side {
        tcpfsm_stacks* world = nullptr;
        int index = 0;
        tcpfsm::four_tuple tuple{};
        tcpfsm::ipv4_address local{}, remote{};
        const std::vector<std::uint8_t>* payload = nullptr;  // the sender's send buffer
        payload_check* check = nullptr;                      // the receiver's application
        std::uint64_t acked = 0;                             // octets before SND.UNA
        std::uint32_t unread = 0;
        std::unique_ptr<engine> conn;

        void transmit(const tcpfsm::outgoing_segment& out) noexcept {
            // The options are written only when the engine sent some.
            const bool with_options = !out.options.empty();
            const tcpfsm::tcp_header h =
                with_options ? tcpfsm::from_segment(out.header, out.options, tuple.local_port, tuple.remote_port)
                             : tcpfsm::from_segment(out.header, tuple.local_port, tuple.remote_port);
            const std::size_t length = out.header.text_length;
            const std::size_t total =
                20 + (with_options ? tcpfsm::tcp_header_length(h, out.options.sack) : tcpfsm::tcp_header_length(h)) +
                length;
            const std::uint8_t* text = nullptr;
            if (length != 0) {
                if (payload == nullptr || acked + out.text_offset + length > payload->size()) {
                    ++world->errors_;
                    return;
                }
                text = payload->data() + acked + out.text_offset;
            }
            std::uint8_t* buffer = world->scratch_;
            tcpfsm::ipv4_header ip;
            ip.total_length = static_cast<std::uint16_t>(total);
            ip.flags = 0x2;  // DF
            ip.ttl = 64;
            ip.protocol = tcpfsm::ip_protocol_tcp;
            ip.src = local;
            ip.dst = remote;
            std::size_t written = 0;
            if (total > sizeof world->scratch_ ||
                tcpfsm::serialize_ipv4(ip, buffer, total, written) != tcpfsm::wire_error::ok ||
                (with_options ? tcpfsm::serialize_tcp_ipv4(h, out.options.sack, ip.src, ip.dst, text, length, buffer + 20,
                                                           total - 20, written)
                              : tcpfsm::serialize_tcp_ipv4(h, ip.src, ip.dst, text, length, buffer + 20, total - 20,
                                                           written)) !=
                    tcpfsm::wire_error::ok) {
                ++world->errors_;
                return;
            }
            world->loop_->send(index, buffer, total);
        }
    };

public:
    tcpfsm_stacks(link_loop& loop, const std::vector<std::uint8_t>& payload, const tcpfsm::connection_config& config)
        : loop_(&loop), config_(config) {
        config_.sack = Sack;
        check_.payload = &payload;
        const tcpfsm::ipv4_address a{{198, 51, 100, 1}}, b{{198, 51, 100, 2}};
        sides_[0].local = a;
        sides_[0].remote = b;
        sides_[1].local = b;
        sides_[1].remote = a;
        sides_[0].payload = &payload;
        sides_[1].check = &check_;
        for (int i = 0; i < 2; ++i) {
            side& s = sides_[i];
            s.world = this;
            s.index = i;
            s.tuple.local = tcpfsm::endpoint_address::ipv4(s.local.bytes[0], s.local.bytes[1], s.local.bytes[2],
                                                           s.local.bytes[3]);
            s.tuple.remote = tcpfsm::endpoint_address::ipv4(s.remote.bytes[0], s.remote.bytes[1],
                                                            s.remote.bytes[2], s.remote.bytes[3]);
            s.tuple.local_port = i == 0 ? 40000 : 5001;
            s.tuple.remote_port = i == 0 ? 5001 : 40000;
            s.conn = std::make_unique<engine>(config_, io{&s}, time_.clock(), observer(&s),
                                              iss{i == 0 ? 1000u : 5000000u});
        }
        sides_[1].conn->open_passive();
        sides_[0].conn->open_active(sides_[0].tuple);
        sides_[0].conn->send(static_cast<std::uint32_t>(payload.size()), sides_[0].tuple);
        note_rto();
    }

    void deliver(int to, const std::uint8_t* bytes, std::size_t size) {
        sync_clock();
        tcpfsm::tcp_packet packet;
        if (tcpfsm::parse_tcp_packet(bytes, size, packet) != tcpfsm::wire_error::ok) {
            ++errors_;
            return;
        }
        side& s = sides_[to];
        const tcpfsm::segment seg = tcpfsm::to_segment(packet.tcp);
        const std::uint8_t* text = seg.text_length != 0 ? bytes + packet.tcp.payload_offset : nullptr;
        // The options are read only when the header has some (no copy otherwise).
        const tcpfsm::tcp_options& o = packet.tcp.options;
        if (o.has_timestamps || o.sack_permitted || o.unknown != 0) {
            s.conn->on_segment(seg, tcpfsm::to_segment_options(packet, bytes), text, s.tuple);
        } else {
            s.conn->on_segment(seg, text, s.tuple);
        }
        after(s);
    }

    std::int64_t next_deadline_us() {
        sync_clock();
        std::int64_t best = -1;
        const std::int64_t now_ms = loop_->now_us() / 1000;
        for (side& s : sides_) {
            const tcpfsm::timer_deadline d = s.conn->next_deadline();
            if (!d) continue;
            std::int64_t at = (now_ms + static_cast<std::int64_t>(d.remaining_ms(time_.ticks()))) * 1000;
            if (at < loop_->now_us()) at = loop_->now_us();
            if (best < 0 || at < best) best = at;
        }
        return best;
    }

    void on_time() {
        sync_clock();
        for (side& s : sides_) {
            const tcpfsm::timer_deadline d = s.conn->next_deadline();
            if (d && d.remaining_ms(time_.ticks()) == 0) {
                s.conn->on_timer();
                after(s);
            }
        }
    }

    bool done() {
        if (check_.complete() && finished_us_ == 0) finished_us_ = loop_->now_us();
        return check_.complete() || errors_ != 0;
    }

    transfer_result result(loop_result outcome) const {
        transfer_result r;
        r.outcome = errors_ != 0 ? loop_result::stalled : outcome;
        r.intact = check_.intact && errors_ == 0;
        r.delivered = check_.delivered;
        r.finished_us = finished_us_;
        r.max_rto_ms = max_rto_ms_;
        r.fast_recoveries = fast_recoveries_;
        r.timeouts = timeouts_;
        r.rto_at_ceiling = max_rto_ms_ >= Profile::rto::config().max_ms;
        const tcpfsm::connection_status sender = sides_[0].conn->snapshot();
        r.window = sender.max_snd_wnd < config_.send_buffer_limit ? sender.max_snd_wnd : config_.send_buffer_limit;
        return r;
    }

private:
    void sync_clock() { time_.set(std::chrono::microseconds(loop_->now_us())); }
    void after(side& s) {
        if (s.unread != 0 && s.conn->receive(s.unread) == tcpfsm::user_error::none) s.unread = 0;
        note_rto();
    }
    void note_rto() {
        const tcpfsm::connection_status s = sides_[0].conn->snapshot();
        if (s.rto_ms > max_rto_ms_) max_rto_ms_ = s.rto_ms;
        if (s.recovery == tcpfsm::recovery_state::recovery && last_recovery_ != tcpfsm::recovery_state::recovery) {
            ++fast_recoveries_;
        }
        if ((s.recovery == tcpfsm::recovery_state::loss && last_recovery_ != tcpfsm::recovery_state::loss) ||
            s.backoff > last_backoff_) {
            ++timeouts_;
        }
        last_recovery_ = s.recovery;
        last_backoff_ = s.backoff;
    }

    link_loop* loop_;
    tcpfsm::connection_config config_;
    tcpfsm::manual_time time_;
    side sides_[2];
    payload_check check_;
    std::uint64_t errors_ = 0;
    link_time finished_us_ = 0;
    std::uint32_t max_rto_ms_ = 0;
    std::uint32_t fast_recoveries_ = 0, timeouts_ = 0;
    tcpfsm::recovery_state last_recovery_ = tcpfsm::recovery_state::open;
    std::uint16_t last_backoff_ = 0;
    std::uint8_t scratch_[2048] = {};
};

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_TCPFSM_STACKS_HPP
