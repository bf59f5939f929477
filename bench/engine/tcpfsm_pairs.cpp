// tcpfsm::connection pairs in memory, with or without the wire codec (pairs.hpp).
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>
#include <tcpfsm/wire.hpp>
#include <tcpfsm/options/option_codec.hpp>

#include <chrono>
#include <cstring>
#include <limits>
#include <ratio>
#include <vector>

#include "pairs.hpp"

namespace tcpfsm_bench {

namespace {

// The engine's clock: virtual milliseconds that move only when the batch moves them.
struct bench_clock {
    using rep = std::int64_t;
    using period = std::milli;
    using duration = std::chrono::milliseconds;
    using time_point = std::chrono::time_point<bench_clock, duration>;
    static time_point now() noexcept { return time_point(duration(now_ms)); }
    static inline std::int64_t now_ms = 0;
};

constexpr tcpfsm::ipv4_address client_address{{198, 51, 100, 1}};  // TEST-NET-2 (RFC 5737)
constexpr tcpfsm::ipv4_address server_address{{198, 51, 100, 2}};
constexpr std::size_t max_text = request_octets > reply_octets ? request_octets : reply_octets;
constexpr std::size_t slot_bytes = 20 + 60 + max_text;  // IPv4, TCP with options, text

tcpfsm::endpoint_address to_endpoint(const tcpfsm::ipv4_address& a) {
    return tcpfsm::endpoint_address::ipv4(a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
}

template <bool WireCodec>
class tcpfsm_pairs final : public pair_world {
    struct io_policy {
        tcpfsm_pairs* world;
        std::uint32_t self;
        void send(const tcpfsm::outgoing_segment& out) noexcept { world->transmit(self, out); }
    };
    struct observer_policy : tcpfsm::null_observer {
        tcpfsm_pairs* world;
        std::uint32_t self;
        void on_data(const std::uint8_t* /*text*/, std::uint32_t length) noexcept {
            world->endpoints_[self].received += length;
            world->endpoints_[self].unread += length;
        }
        void on_acked(std::uint32_t octets) noexcept {
            endpoint& ep = world->endpoints_[self];
            ep.send_head += octets;
            if (ep.send_head >= ep.send_length) ep.send_head = ep.send_length = 0;
        }
    };
    using connection = tcpfsm::connection<io_policy, bench_clock, observer_policy, tcpfsm::rfc6528_iss>;

    // Endpoint 2i is pair i's client, 2i + 1 its server.
    struct endpoint {
        connection conn;
        tcpfsm::four_tuple tuple;
        tcpfsm::ipv4_address local_address, remote_address;
        std::uint8_t send_buffer[max_text] = {};  // the octets from SND.UNA on
        std::uint32_t send_head = 0, send_length = 0;
        std::uint32_t received = 0, unread = 0;
        bool acted = false;  // server: replied and closed; client: closed

        endpoint(tcpfsm_pairs* world, std::uint32_t self, const tcpfsm::rfc6528_iss& iss)
            : conn(world->config_, io_policy{world, self}, bench_clock{},
                   observer_policy{{}, world, self}, iss) {}
    };

    struct packet {
        std::uint32_t to;           // the receiving endpoint (without the codec)
        std::uint32_t length;       // octets in bytes (with the codec)
        tcpfsm::segment header;     // (without the codec)
        bool has_options;           // (without the codec) options_[slot] holds the segment's options
        std::uint8_t bytes[slot_bytes];  // IPv4 + TCP + text, or the text alone
    };

public:
    tcpfsm_pairs(std::size_t pairs, pairs_config config)
        : config_(config_of(config)),
          pairs_(pairs),
          ring_(16 * pairs + 16),
          options_(ring_.size()) {
        endpoints_.reserve(2 * pairs);  // never reallocated: endpoints stay where they are
        // The ISS secret: in a real stack, random octets at start-up (RFC 6528 §3).
        const tcpfsm::rfc6528_iss iss(tcpfsm::siphash_key{0x243f6a8885a308d3ull, 0x13198a2e03707344ull});
        for (std::size_t i = 0; i < pairs; ++i) {
            const auto client_port = static_cast<std::uint16_t>(first_client_port + i);
            endpoint& c = endpoints_.emplace_back(this, static_cast<std::uint32_t>(2 * i), iss);
            c.local_address = client_address;
            c.remote_address = server_address;
            c.tuple.local = to_endpoint(client_address);
            c.tuple.remote = to_endpoint(server_address);
            c.tuple.local_port = client_port;
            c.tuple.remote_port = server_port;
            endpoint& s = endpoints_.emplace_back(this, static_cast<std::uint32_t>(2 * i + 1), iss);
            s.local_address = server_address;
            s.remote_address = client_address;
            s.tuple.local = to_endpoint(server_address);
            s.tuple.remote = to_endpoint(client_address);
            s.tuple.local_port = server_port;
            s.tuple.remote_port = client_port;
        }
    }

    batch_result run_batch() override {
        batch_result r;
        segments_ = 0;
        for (std::size_t i = 0; i < pairs_; ++i) {
            endpoint& s = endpoints_[2 * i + 1];
            s.received = s.unread = 0;
            s.acted = false;
            s.conn.open_passive();
            endpoint& c = endpoints_[2 * i];
            c.received = c.unread = 0;
            c.acted = false;
            c.conn.open_active(c.tuple);
            std::memset(c.send_buffer + c.send_length, 'q', request_octets);
            c.send_length += request_octets;
            c.conn.send(request_octets, c.tuple);  // queued; sent once ESTABLISHED
        }
        for (;;) {
            deliver_all();
            if (all_closed()) break;
            // The clock jumps to the earliest timer; every connection due then runs its timers.
            std::chrono::milliseconds wait = std::chrono::milliseconds::max();
            for (endpoint& ep : endpoints_) {
                const std::chrono::milliseconds left = ep.conn.time_to_next_deadline();
                if (left < wait) wait = left;
            }
            if (wait == std::chrono::milliseconds::max() || ++r.timer_steps > 1000) {
                r.first_failure = "tcpfsm pairs: stuck, no timer runs and not every connection is CLOSED";
                break;
            }
            bench_clock::now_ms += wait.count();
            for (std::size_t k = 0; k < endpoints_.size(); ++k) {
                if (endpoints_[k].conn.time_to_next_deadline().count() == 0) {
                    endpoints_[k].conn.on_timer();
                    act(k);
                }
            }
        }
        for (std::size_t i = 0; i < pairs_; ++i) {
            const endpoint& c = endpoints_[2 * i];
            const endpoint& s = endpoints_[2 * i + 1];
            const bool ok = c.conn.current_state() == tcpfsm::state::closed &&
                            s.conn.current_state() == tcpfsm::state::closed && c.received == reply_octets &&
                            s.received == request_octets && c.acted && s.acted;
            if (ok) {
                ++r.lifecycles;
            } else {
                ++r.failures;
                if (r.first_failure.empty()) r.first_failure = "tcpfsm pairs: a pair did not complete its lifecycle";
            }
        }
        if (wire_errors_ != 0) {
            ++r.failures;
            r.first_failure = "tcpfsm pairs: a segment did not serialize, parse or verify, or the wire was full";
            wire_errors_ = 0;
        }
        r.segments = segments_;
        return r;
    }

private:
    static tcpfsm::connection_config config_of(pairs_config c) {
        if (c == pairs_config::reference) return tcpfsm::rfc_reference_config;
        tcpfsm::connection_config config = tcpfsm::default_connection_config;
        if (c == pairs_config::lwip_options) config.timestamps = config.sack = config.rack = false;
        return config;
    }

    // What the application does after each segment or timer.
    void act(std::size_t k) {
        endpoint& ep = endpoints_[k];
        if (ep.acted) return;
        if (k % 2 == 1) {
            // Server: the whole request is here: read it, reply, close.
            if (ep.received < request_octets) return;
            ep.conn.receive(ep.unread);
            ep.unread = 0;
            std::memset(ep.send_buffer + ep.send_length, 'r', reply_octets);
            ep.send_length += reply_octets;
            ep.conn.send(reply_octets, ep.tuple);
            ep.conn.close();
            ep.acted = true;
        } else {
            // Client: the reply and the server's FIN are here: read, close.
            if (ep.conn.current_state() != tcpfsm::state::close_wait) return;
            ep.conn.receive(ep.unread);
            ep.unread = 0;
            ep.conn.close();
            ep.acted = true;
        }
    }

    // The end of endpoint k's turn: what is due now (the per-turn ACK and output) goes.
    void end_turn(std::size_t k) {
        connection& c = endpoints_[k].conn;
        const tcpfsm::timer_deadline d = c.next_deadline();
        if (d && d.remaining_ms(static_cast<std::uint32_t>(bench_clock::now_ms)) == 0) c.on_timer();
    }

    bool all_closed() const {
        for (const endpoint& ep : endpoints_)
            if (ep.conn.current_state() != tcpfsm::state::closed) return false;
        return true;
    }

    void transmit(std::uint32_t from, const tcpfsm::outgoing_segment& out) noexcept {
        endpoint& ep = endpoints_[from];
        const std::uint32_t length = out.header.text_length;
        const std::uint8_t* text = length != 0 ? ep.send_buffer + ep.send_head + out.text_offset : nullptr;
        if (count_ == ring_.size()) {  // never, with 16 slots a pair: counted, and the pair fails
            ++wire_errors_;
            return;
        }
        packet& p = ring_[(head_ + count_) % ring_.size()];
        ++count_;
        if constexpr (WireCodec) {
            // The options are written only when the engine sent some.
            const bool with_options = !out.options.empty();
            const tcpfsm::tcp_header h =
                with_options ? tcpfsm::from_segment(out.header, out.options, ep.tuple.local_port, ep.tuple.remote_port)
                             : tcpfsm::from_segment(out.header, ep.tuple.local_port, ep.tuple.remote_port);
            const std::size_t total =
                20 + (with_options ? tcpfsm::tcp_header_length(h, out.options.sack) : tcpfsm::tcp_header_length(h)) +
                length;
            tcpfsm::ipv4_header ip;
            ip.total_length = static_cast<std::uint16_t>(total);
            ip.identification = ip_id_++;
            ip.flags = 0x2;  // DF
            ip.src = ep.local_address;
            ip.dst = ep.remote_address;
            std::size_t written = 0;
            if (total > slot_bytes || tcpfsm::serialize_ipv4(ip, p.bytes, slot_bytes, written) != tcpfsm::wire_error::ok ||
                (with_options ? tcpfsm::serialize_tcp_ipv4(h, out.options.sack, ip.src, ip.dst, text, length,
                                                           p.bytes + 20, slot_bytes - 20, written)
                              : tcpfsm::serialize_tcp_ipv4(h, ip.src, ip.dst, text, length, p.bytes + 20,
                                                           slot_bytes - 20, written)) !=
                    tcpfsm::wire_error::ok) {
                --count_;
                ++wire_errors_;
                return;
            }
            p.length = static_cast<std::uint32_t>(total);
        } else {
            p.to = from ^ 1u;  // the other end of the pair
            p.header = out.header;
            p.has_options = !out.options.empty();
            if (p.has_options) options_[(head_ + count_ - 1) % ring_.size()] = out.options;
            if (length != 0) std::memcpy(p.bytes, text, length);
        }
    }

    // The slot being handled stays taken until its receiver is done with it (its text is read
    // in place), so what the receiver sends meanwhile goes to other slots.
    void deliver_all() {
        while (count_ != 0) {
            const packet& p = ring_[head_];
            ++segments_;
            if constexpr (WireCodec) {
                tcpfsm::tcp_packet parsed;
                if (tcpfsm::parse_tcp_packet(p.bytes, p.length, parsed) == tcpfsm::wire_error::ok) {
                    // The receiver, by its ports: servers listen on server_port, client i has
                    // port first_client_port + i.
                    const std::size_t k =
                        parsed.tcp.dst_port == server_port
                            ? 2 * static_cast<std::size_t>(parsed.tcp.src_port - first_client_port) + 1
                            : 2 * static_cast<std::size_t>(parsed.tcp.dst_port - first_client_port);
                    if (k < endpoints_.size()) {
                        // The options are read only when the header has some (no copy otherwise).
                        const tcpfsm::tcp_options& o = parsed.tcp.options;
                        if (o.has_timestamps || o.sack_permitted || o.unknown != 0) {
                            endpoints_[k].conn.on_segment(tcpfsm::to_segment(parsed.tcp),
                                                          tcpfsm::to_segment_options(parsed, p.bytes),
                                                          p.bytes + parsed.tcp.payload_offset, endpoints_[k].tuple);
                        } else {
                            endpoints_[k].conn.on_segment(tcpfsm::to_segment(parsed.tcp),
                                                          p.bytes + parsed.tcp.payload_offset, endpoints_[k].tuple);
                        }
                        act(k);
                        end_turn(k);
                    } else {
                        ++wire_errors_;
                    }
                } else {
                    ++wire_errors_;
                }
            } else {
                const std::uint32_t k = p.to;
                endpoints_[k].conn.on_segment(p.header, p.has_options ? options_[head_] : tcpfsm::no_segment_options,
                                              p.bytes, endpoints_[k].tuple);
                act(k);
                end_turn(k);
            }
            head_ = (head_ + 1) % ring_.size();
            --count_;
        }
    }

    tcpfsm::connection_config config_;  // the defaults, or the §3.10 reference
    std::size_t pairs_;
    std::vector<endpoint> endpoints_;  // contiguous, as lwip_pairs.cpp's apps
    std::vector<packet> ring_;
    // The options beside a slot's header (without the codec), apart so that a slot stays as
    // large as before.
    std::vector<tcpfsm::segment_options> options_;
    std::size_t head_ = 0, count_ = 0;
    std::uint64_t segments_ = 0, wire_errors_ = 0;
    std::uint16_t ip_id_ = 0;
};

}  // namespace

std::unique_ptr<pair_world> make_tcpfsm_pairs(std::size_t pairs, bool wire_codec, pairs_config config) {
    if (wire_codec) return std::make_unique<tcpfsm_pairs<true>>(pairs, config);
    return std::make_unique<tcpfsm_pairs<false>>(pairs, config);
}

}  // namespace tcpfsm_bench
