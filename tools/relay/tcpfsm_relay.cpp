// tcpfsm_relay: a user-space network emulator between two TUN devices, for kernels without
// netem. It creates two TUN devices (IFF_TUN, no packet information), which the caller moves
// into two network namespaces (`ip link set NAME netns NS`), and forwards every IP packet
// read from one to the other through an impaired one-way link per direction:
//
//   arrival -> random or Gilbert-Elliott loss -> drop-tail queue drained at the link rate
//           -> propagation delay (+ jitter, + an occasional reordering delay) -> delivery
//
// Every random draw comes from a seeded xoshiro256** per direction, so a seed fixes which
// packets are lost (the times, being real, vary). On SIGINT or SIGTERM it prints its
// counters and exits 0. Linux only; needs CAP_NET_ADMIN and /dev/net/tun.
//
//   tcpfsm_relay --tun-a ra0 --tun-b rb0 --both delay_ms=10,rate_mbit=100,queue_bdp=1
//                --a2b loss=0.01 --seed 7 --ready-file /tmp/ready      (one command line)
//
// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <queue>
#include <string>
#include <vector>

namespace {

using nanoseconds = std::int64_t;

nanoseconds monotonic_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<nanoseconds>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

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

struct link_counters {
    std::uint64_t received = 0, delivered = 0, octets_delivered = 0;
    std::uint64_t lost_random = 0, lost_burst = 0, queue_drops = 0, duplicated = 0, reordered = 0;
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
    impaired_link(const link_params& p, std::uint64_t seed) : params_(p), random_(seed) {
        if (params_.queue_bdp > 0 && params_.rate_mbit > 0) {
            // One BDP of the path: rate times the round trip (twice the one-way delay).
            const double bdp = params_.rate_mbit * 1e6 / 8.0 * (2.0 * params_.delay_ms / 1000.0);
            params_.queue_bytes = static_cast<std::size_t>(params_.queue_bdp * bdp);
            if (params_.queue_bytes < 3000) params_.queue_bytes = 3000;  // room for two packets
        }
    }

    void arrive(const std::uint8_t* data, std::size_t size, nanoseconds now) {
        ++counters_.received;
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

    // Writes every packet due by `now` to fd.
    void deliver_due(int fd, nanoseconds now) {
        while (!scheduled_.empty() && scheduled_.top().deliver_at <= now) {
            const scheduled_packet& p = scheduled_.top();
            const ssize_t n = write(fd, p.bytes.data(), p.bytes.size());
            if (n == static_cast<ssize_t>(p.bytes.size())) {
                ++counters_.delivered;
                counters_.octets_delivered += p.bytes.size();
            }
            scheduled_.pop();
        }
    }

    const link_counters& counters() const { return counters_; }
    const link_params& params() const { return params_; }

private:
    link_params params_;
    random_source random_;
    bool ge_bad_ = false;
    nanoseconds last_departure_ = 0;
    std::deque<std::pair<nanoseconds, std::size_t>> in_queue_;  // departure time, size
    std::size_t queued_bytes_ = 0;
    std::priority_queue<scheduled_packet, std::vector<scheduled_packet>, std::greater<>> scheduled_;
    std::uint64_t order_ = 0;
    link_counters counters_;
};

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "tcpfsm_relay: %s\n"
                 "usage: tcpfsm_relay --tun-a NAME --tun-b NAME [--both K=V,...] [--a2b K=V,...] [--b2a K=V,...]\n"
                 "                    [--seed N] [--ready-file PATH] [--stats-file PATH]\n"
                 "keys: delay_ms jitter_ms loss ge_p ge_r ge_loss_good ge_loss_bad rate_mbit\n"
                 "      queue_packets queue_bytes queue_bdp duplicate reorder reorder_ms\n",
                 why);
    std::exit(2);
}

// Applies "k=v,k=v" to p.
void apply_settings(link_params& p, const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(start, end - start);
        start = end + 1;
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos) usage(("setting without '=': " + item).c_str());
        const std::string key = item.substr(0, eq);
        const char* value = item.c_str() + eq + 1;
        char* rest = nullptr;
        const double v = std::strtod(value, &rest);
        if (rest == value || *rest != '\0' || v < 0) usage(("bad value in: " + item).c_str());
        if (key == "delay_ms") p.delay_ms = v;
        else if (key == "jitter_ms") p.jitter_ms = v;
        else if (key == "loss") p.loss = v;
        else if (key == "ge_p") p.ge_p = v;
        else if (key == "ge_r") p.ge_r = v;
        else if (key == "ge_loss_good") p.ge_loss_good = v;
        else if (key == "ge_loss_bad") p.ge_loss_bad = v;
        else if (key == "rate_mbit") p.rate_mbit = v;
        else if (key == "queue_packets") p.queue_packets = static_cast<std::size_t>(v);
        else if (key == "queue_bytes") p.queue_bytes = static_cast<std::size_t>(v);
        else if (key == "queue_bdp") p.queue_bdp = v;
        else if (key == "duplicate") p.duplicate = v;
        else if (key == "reorder") p.reorder = v;
        else if (key == "reorder_ms") p.reorder_ms = v;
        else usage(("unknown key: " + key).c_str());
        if ((key == "loss" || key == "duplicate" || key == "reorder" || key.rfind("ge_", 0) == 0) && v > 1) {
            usage(("a probability above 1: " + item).c_str());
        }
    }
}

int open_tun(const std::string& name) {
    const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        std::perror("tcpfsm_relay: /dev/net/tun");
        std::exit(1);
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (name.size() >= IFNAMSIZ) usage("TUN name too long");
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        std::perror(("tcpfsm_relay: TUNSETIFF " + name).c_str());
        std::exit(1);
    }
    return fd;
}

void print_counters(std::FILE* out, const char* direction, const impaired_link& l) {
    const link_counters& c = l.counters();
    std::fprintf(out,
                 "%s received=%" PRIu64 " delivered=%" PRIu64 " octets=%" PRIu64 " lost_random=%" PRIu64
                 " lost_burst=%" PRIu64 " queue_drops=%" PRIu64 " duplicated=%" PRIu64 " reordered=%" PRIu64
                 " max_queue_packets=%zu max_queue_bytes=%zu queue_limit_bytes=%zu\n",
                 direction, c.received, c.delivered, c.octets_delivered, c.lost_random, c.lost_burst, c.queue_drops,
                 c.duplicated, c.reordered, c.max_queue_packets, c.max_queue_bytes, l.params().queue_bytes);
}

}  // namespace

int main(int argc, char** argv) {
    std::string tun_a, tun_b, ready_file, stats_file;
    link_params a2b, b2a;
    std::uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
            return argv[++i];
        };
        if (arg == "--tun-a") tun_a = value();
        else if (arg == "--tun-b") tun_b = value();
        else if (arg == "--both") {
            const std::string v = value();
            apply_settings(a2b, v);
            apply_settings(b2a, v);
        } else if (arg == "--a2b") apply_settings(a2b, value());
        else if (arg == "--b2a") apply_settings(b2a, value());
        else if (arg == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (arg == "--ready-file") ready_file = value();
        else if (arg == "--stats-file") stats_file = value();
        else usage(("unknown argument: " + arg).c_str());
    }
    if (tun_a.empty() || tun_b.empty()) usage("--tun-a and --tun-b are required");

    const int fd_a = open_tun(tun_a);
    const int fd_b = open_tun(tun_b);
    impaired_link link_ab(a2b, seed * 2 + 1);
    impaired_link link_ba(b2a, seed * 2 + 2);

    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    if (!ready_file.empty()) {
        if (std::FILE* f = std::fopen(ready_file.c_str(), "w")) {
            std::fputs("ready\n", f);
            std::fclose(f);
        }
    }

    std::vector<std::uint8_t> buffer(65536);
    while (!stop_requested) {
        const nanoseconds now = monotonic_now();
        link_ab.deliver_due(fd_b, now);
        link_ba.deliver_due(fd_a, now);
        nanoseconds next = -1;
        for (nanoseconds t : {link_ab.next_delivery(), link_ba.next_delivery()}) {
            if (t >= 0 && (next < 0 || t < next)) next = t;
        }
        timespec timeout{1, 0};  // wake at least once a second to notice signals
        if (next >= 0) {
            const nanoseconds wait = next > now ? next - now : 0;
            if (wait < 1000000000) timeout = timespec{0, static_cast<long>(wait)};
        }
        pollfd fds[2] = {{fd_a, POLLIN, 0}, {fd_b, POLLIN, 0}};
        const int ready = ppoll(fds, 2, &timeout, nullptr);
        if (ready < 0) {
            if (errno == EINTR) continue;
            std::perror("tcpfsm_relay: ppoll");
            return 1;
        }
        if (((fds[0].revents | fds[1].revents) & (POLLERR | POLLHUP)) != 0) {
            // A device not yet up (moved into its namespace, not configured): do not spin.
            timespec pause{0, 1000000};
            nanosleep(&pause, nullptr);
        }
        for (int side = 0; side < 2; ++side) {
            if ((fds[side].revents & POLLIN) == 0) continue;
            impaired_link& link = side == 0 ? link_ab : link_ba;
            for (;;) {  // drain: every packet waiting now arrives now
                const ssize_t n = read(fds[side].fd, buffer.data(), buffer.size());
                if (n <= 0) break;
                link.arrive(buffer.data(), static_cast<std::size_t>(n), monotonic_now());
            }
        }
    }

    std::FILE* out = stats_file.empty() ? stderr : std::fopen(stats_file.c_str(), "w");
    if (out == nullptr) out = stderr;
    print_counters(out, "a2b", link_ab);
    print_counters(out, "b2a", link_ba);
    if (out != stderr) std::fclose(out);
    close(fd_a);
    close(fd_b);
    return 0;
}
