// tcpfsm_relay's impaired one-way link (tools/relay): loss (random and Gilbert-Elliott), an
// aimed drop of chosen TCP segments, a drop-tail queue drained at the link rate, delay,
// jitter, duplication and reordering, on a time axis the caller supplies (nanoseconds), so
// tests drive it without a TUN device.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TOOLS_RELAY_IMPAIRED_LINK_HPP
#define TCPFSM_TOOLS_RELAY_IMPAIRED_LINK_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace tcpfsm_relay {

using nanoseconds = std::int64_t;

// xoshiro256** seeded through splitmix64 (the same generator as tcpfsm::sim's).
class random_source {
public:
    explicit random_source(std::uint64_t seed) {
        for (auto& word : state_) {
            seed += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            word = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    // Uniform in [0, 1), 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return p > 0.0 && uniform() < p; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4]{};
};

// One direction's impairments. Zero means "none" everywhere.
struct link_params {
    double delay_ms = 0;       // one-way propagation delay
    double jitter_ms = 0;      // plus uniform [0, jitter_ms): may reorder packets
    double loss = 0;           // independent random loss (Bernoulli per packet)
    // Gilbert-Elliott burst loss: a two-state Markov chain stepped once per packet.
    // ge_p: P(good -> bad), ge_r: P(bad -> good); loss probability in each state.
    double ge_p = 0, ge_r = 0, ge_loss_good = 0, ge_loss_bad = 1;
    double rate_mbit = 0;      // bottleneck rate in Mbit/s (10^6 bit/s) of IP packets
    std::size_t queue_packets = 0;  // drop-tail limit in packets
    std::size_t queue_bytes = 0;    // drop-tail limit in octets
    double queue_bdp = 0;      // or: the limit in bandwidth-delay products of 2 * delay_ms
    double duplicate = 0;      // probability of delivering a second copy
    double reorder = 0;        // probability a packet is held back by an extra delay
    double reorder_ms = 0;     //   of uniform [0, reorder_ms)
};

// An aimed drop: of the TCP segments (IPv4, or IPv6 with TCP as the first next header) whose
// flags among FIN SYN RST PSH ACK URG are exactly `flags`, whose payload is empty if
// `empty`, on port `port` (source or destination; 0: any) and seen after a segment of this
// direction with every flag of `after` (0: from the start), drop the nth to the
// (nth + count - 1)th. E.g. the final ACK of the closer of a connection: flags=A, empty,
// after=F, nth=1 (tcpfsm_relay --a2b-drop flags=A,empty=1,after=F,port=9207).
struct drop_rule {
    static constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20;
    std::uint8_t flags = 0;
    bool empty = false;
    std::uint16_t port = 0;
    std::uint8_t after = 0;
    std::uint64_t nth = 0;  // 0: the rule is off
    std::uint64_t count = 1;
};

// Tells the segments a drop_rule aims at, in the order they arrive.
class drop_matcher {
public:
    explicit drop_matcher(const drop_rule& r) : rule_(r) {}
    // Whether to drop this IP packet.
    bool drop(const std::uint8_t* ip, std::size_t size) {
        if (rule_.nth == 0) return false;
        std::uint8_t flags = 0;
        std::size_t payload = 0;
        std::uint16_t sport = 0, dport = 0;
        if (!parse(ip, size, flags, payload, sport, dport)) return false;
        if (rule_.port != 0 && sport != rule_.port && dport != rule_.port) return false;
        const bool armed = rule_.after == 0 || seen_after_;
        if ((flags & rule_.after) == rule_.after && rule_.after != 0) seen_after_ = true;
        if (!armed || (flags & 0x3F) != rule_.flags || (rule_.empty && payload != 0)) return false;
        ++matched_;
        return matched_ >= rule_.nth && matched_ - rule_.nth < rule_.count;
    }

    // TCP flags, payload length and ports of an IPv4 or IPv6 packet carrying TCP.
    static bool parse(const std::uint8_t* ip, std::size_t size, std::uint8_t& flags, std::size_t& payload,
                      std::uint16_t& sport, std::uint16_t& dport) {
        if (size < 1) return false;
        std::size_t tcp = 0, end = size;
        if ((ip[0] >> 4) == 4) {
            if (size < 20 || ip[9] != 6) return false;
            tcp = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
            const std::size_t total = static_cast<std::size_t>(ip[2]) << 8 | ip[3];
            if (total < end) end = total;
        } else if ((ip[0] >> 4) == 6) {
            if (size < 40 || ip[6] != 6) return false;
            tcp = 40;
            const std::size_t total = 40 + (static_cast<std::size_t>(ip[4]) << 8 | ip[5]);
            if (total < end) end = total;
        } else {
            return false;
        }
        if (tcp + 20 > end) return false;
        const std::size_t header = static_cast<std::size_t>(ip[tcp + 12] >> 4) * 4;
        if (header < 20 || tcp + header > end) return false;
        sport = static_cast<std::uint16_t>(ip[tcp] << 8 | ip[tcp + 1]);
        dport = static_cast<std::uint16_t>(ip[tcp + 2] << 8 | ip[tcp + 3]);
        flags = ip[tcp + 13];
        payload = end - tcp - header;
        return true;
    }

private:
    drop_rule rule_;
    bool seen_after_ = false;
    std::uint64_t matched_ = 0;
};

struct link_counters {
    std::uint64_t received = 0, delivered = 0, octets_delivered = 0;
    std::uint64_t lost_random = 0, lost_burst = 0, lost_aimed = 0, queue_drops = 0, duplicated = 0, reordered = 0;
    std::uint64_t write_failed = 0;  // due, but the sink refused it (a TUN device not yet up: EIO)
    std::size_t max_queue_packets = 0, max_queue_bytes = 0;
};

struct scheduled_packet {
    nanoseconds deliver_at;
    std::uint64_t order;  // ties keep the order of arrival
    std::vector<std::uint8_t> bytes;
    bool operator>(const scheduled_packet& o) const {
        return deliver_at != o.deliver_at ? deliver_at > o.deliver_at : order > o.order;
    }
};

// One direction: impair what `from` gives, deliver to `to`.
class impaired_link {
public:
    impaired_link(const link_params& p, std::uint64_t seed, const drop_rule& aimed = drop_rule{})
        : params_(p), random_(seed), aimed_(aimed) {
        if (params_.queue_bdp > 0 && params_.rate_mbit > 0) {
            // One BDP of the path: rate times the round trip (twice the one-way delay).
            const double bdp = params_.rate_mbit * 1e6 / 8.0 * (2.0 * params_.delay_ms / 1000.0);
            params_.queue_bytes = static_cast<std::size_t>(params_.queue_bdp * bdp);
            if (params_.queue_bytes < 3000) params_.queue_bytes = 3000;  // room for two packets
        }
    }

    void arrive(const std::uint8_t* data, std::size_t size, nanoseconds now) {
        ++counters_.received;
        if (aimed_.drop(data, size)) {
            ++counters_.lost_aimed;
            return;
        }
        if (random_.chance(params_.loss)) {
            ++counters_.lost_random;
            return;
        }
        if (params_.ge_p > 0 || params_.ge_r > 0) {
            if (ge_bad_ ? random_.chance(params_.ge_r) : random_.chance(params_.ge_p)) ge_bad_ = !ge_bad_;
            if (random_.chance(ge_bad_ ? params_.ge_loss_bad : params_.ge_loss_good)) {
                ++counters_.lost_burst;
                return;
            }
        }
        nanoseconds leaves = now;
        if (params_.rate_mbit > 0) {
            while (!in_queue_.empty() && in_queue_.front().first <= now) {
                queued_bytes_ -= in_queue_.front().second;
                in_queue_.pop_front();
            }
            const bool full_packets = params_.queue_packets > 0 && in_queue_.size() + 1 > params_.queue_packets;
            const bool full_bytes = params_.queue_bytes > 0 && queued_bytes_ + size > params_.queue_bytes;
            if (full_packets || full_bytes) {
                ++counters_.queue_drops;
                return;
            }
            const auto serialization =
                static_cast<nanoseconds>(static_cast<double>(size) * 8.0 * 1000.0 / params_.rate_mbit);
            leaves = (last_departure_ > now ? last_departure_ : now) + serialization;
            last_departure_ = leaves;
            in_queue_.emplace_back(leaves, size);
            queued_bytes_ += size;
            if (in_queue_.size() > counters_.max_queue_packets) counters_.max_queue_packets = in_queue_.size();
            if (queued_bytes_ > counters_.max_queue_bytes) counters_.max_queue_bytes = queued_bytes_;
        }
        const int copies = random_.chance(params_.duplicate) ? 2 : 1;
        if (copies == 2) ++counters_.duplicated;
        for (int c = 0; c < copies; ++c) {
            double delay_ms = params_.delay_ms;
            if (params_.jitter_ms > 0) delay_ms += random_.uniform() * params_.jitter_ms;
            if (params_.reorder_ms > 0 && random_.chance(params_.reorder)) {
                delay_ms += random_.uniform() * params_.reorder_ms;
                ++counters_.reordered;
            }
            const nanoseconds at = leaves + static_cast<nanoseconds>(delay_ms * 1e6);
            scheduled_.push(scheduled_packet{at, order_++, std::vector<std::uint8_t>(data, data + size)});
        }
    }

    nanoseconds next_delivery() const { return scheduled_.empty() ? -1 : scheduled_.top().deliver_at; }
    // Packets accepted (past loss and the queue) and not yet delivered: with the counters,
    // received + duplicated == delivered + write_failed + lost (random, burst, aimed) + queue
    // drops + in_flight() at any time.
    std::size_t in_flight() const { return scheduled_.size(); }

    // Hands every packet due by `now` to sink(const std::uint8_t*, std::size_t, nanoseconds
    // deliver_at), which returns whether it was delivered.
    template <class Sink>
    void deliver_due(nanoseconds now, Sink&& sink) {
        while (!scheduled_.empty() && scheduled_.top().deliver_at <= now) {
            const scheduled_packet& p = scheduled_.top();
            if (sink(p.bytes.data(), p.bytes.size(), p.deliver_at)) {
                ++counters_.delivered;
                counters_.octets_delivered += p.bytes.size();
            } else {
                ++counters_.write_failed;
            }
            scheduled_.pop();
        }
    }

    const link_counters& counters() const { return counters_; }
    const link_params& params() const { return params_; }

private:
    link_params params_;
    random_source random_;
    drop_matcher aimed_;
    bool ge_bad_ = false;
    nanoseconds last_departure_ = 0;
    std::deque<std::pair<nanoseconds, std::size_t>> in_queue_;  // departure time, size
    std::size_t queued_bytes_ = 0;
    std::priority_queue<scheduled_packet, std::vector<scheduled_packet>, std::greater<>> scheduled_;
    std::uint64_t order_ = 0;
    link_counters counters_;
};

}  // namespace tcpfsm_relay

#endif  // TCPFSM_TOOLS_RELAY_IMPAIRED_LINK_HPP
