// tcpfsm_relay: a user-space network emulator between two TUN devices, for kernels without
// netem. It creates two TUN devices (IFF_TUN, no packet information), which the caller moves
// into two network namespaces (`ip link set NAME netns NS`), and forwards every IP packet
// read from one to the other through an impaired one-way link per direction:
//
//   arrival -> aimed drop -> random or Gilbert-Elliott loss -> drop-tail queue drained at the link rate
//           -> propagation delay (+ jitter, + an occasional reordering delay) -> delivery
//
// Every random draw comes from a seeded xoshiro256** per direction, so a seed fixes which
// packets are lost (the times, being real, vary). An aimed drop (--a2b-drop, --b2a-drop; one
// rule per direction) loses chosen TCP segments whatever the seed: the nth to the
// (nth + count - 1)th of those with exactly the flags given (among FIN SYN RST PSH ACK URG),
// with no payload if empty=1, on a port (either end) if given, seen after a segment of that
// direction with the flags of `after`. E.g. the final ACK of a close where the client (behind
// --tun-a) closed first: --a2b-drop flags=A,empty=1,after=F,port=9207 (its ACK of the
// server's FIN; the server retransmits its FIN from LAST-ACK). On SIGINT or SIGTERM it prints its
// counters (in_flight: packets still in the delay line; write_failed: due, but the write to
// the device failed, as to one not yet up) and exits 0. Linux only; needs CAP_NET_ADMIN and /dev/net/tun.
//
//   tcpfsm_relay --tun-a ra0 --tun-b rb0 --both delay_ms=10,rate_mbit=100,queue_bdp=1
//                --a2b loss=0.01 --seed 7 --ready-file /tmp/ready      (one command line)
//   tcpfsm_relay --tun-a ra0 --tun-b rb0 --both delay_ms=20 --a2b-drop flags=A,empty=1,after=F
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
#include <string>
#include <vector>

#include "impaired_link.hpp"

namespace {

using tcpfsm_relay::drop_rule;
using tcpfsm_relay::impaired_link;
using tcpfsm_relay::link_counters;
using tcpfsm_relay::link_params;
using tcpfsm_relay::nanoseconds;

nanoseconds monotonic_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<nanoseconds>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "tcpfsm_relay: %s\n"
                 "usage: tcpfsm_relay --tun-a NAME --tun-b NAME [--both K=V,...] [--a2b K=V,...] [--b2a K=V,...]\n"
                 "                    [--a2b-drop RULE] [--b2a-drop RULE] [--seed N] [--ready-file PATH]\n"
                 "                    [--stats-file PATH]\n"
                 "keys: delay_ms jitter_ms loss ge_p ge_r ge_loss_good ge_loss_bad rate_mbit\n"
                 "      queue_packets queue_bytes queue_bdp duplicate reorder reorder_ms\n"
                 "RULE (an aimed drop of TCP segments, one per direction), K=V,... with keys:\n"
                 "  flags=LETTERS  exactly these flags among F S R P A U (required; e.g. A, FA)\n"
                 "  empty=1        only segments without payload\n"
                 "  port=N         only segments from or to port N\n"
                 "  after=LETTERS  only after a segment of this direction with these flags (e.g. F)\n"
                 "  nth=N          drop the Nth such segment (default 1) ...\n"
                 "  count=N        ... and the N - 1 after it (default 1)\n"
                 "  e.g. the closer's final ACK: --a2b-drop flags=A,empty=1,after=F\n",
                 why);
    std::exit(2);
}

// Calls f(item, key, value) for each item of "k=v,k=v".
template <class F>
void for_each_setting(const std::string& text, F&& f) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(start, end - start);
        start = end + 1;
        const std::size_t eq = item.find('=');
        if (eq == std::string::npos) usage(("setting without '=': " + item).c_str());
        f(item, item.substr(0, eq), item.substr(eq + 1));
    }
}

// Applies "k=v,k=v" to p.
void apply_settings(link_params& p, const std::string& text) {
    for_each_setting(text, [&p](const std::string& item, const std::string& key, const std::string& text_value) {
        const char* value = text_value.c_str();
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
    });
}

std::uint8_t parse_flags(const std::string& letters, const std::string& item) {
    std::uint8_t f = 0;
    for (const char c : letters) {
        switch (c) {
        case 'F': f |= drop_rule::fin; break;
        case 'S': f |= drop_rule::syn; break;
        case 'R': f |= drop_rule::rst; break;
        case 'P': f |= drop_rule::psh; break;
        case 'A': f |= drop_rule::ack; break;
        case 'U': f |= drop_rule::urg; break;
        default: usage(("unknown flag letter in: " + item).c_str());
        }
    }
    return f;
}

// Parses an aimed drop's "k=v,k=v".
drop_rule parse_drop(const std::string& text) {
    drop_rule r;
    r.nth = 1;
    bool have_flags = false;
    for_each_setting(text, [&r, &have_flags](const std::string& item, const std::string& key,
                                             const std::string& value) {
        if (key == "flags") {
            r.flags = parse_flags(value, item);
            have_flags = true;
            return;
        }
        if (key == "after") {
            r.after = parse_flags(value, item);
            return;
        }
        char* rest = nullptr;
        const unsigned long long v = std::strtoull(value.c_str(), &rest, 10);
        if (value.empty() || *rest != '\0') usage(("bad value in: " + item).c_str());
        if (key == "empty") r.empty = v != 0;
        else if (key == "port" && v <= 65535) r.port = static_cast<std::uint16_t>(v);
        else if (key == "nth" && v >= 1) r.nth = v;
        else if (key == "count" && v >= 1) r.count = v;
        else usage(("unknown key or bad value: " + item).c_str());
    });
    if (!have_flags) usage("an aimed drop needs flags=");
    return r;
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
                 " lost_burst=%" PRIu64 " lost_aimed=%" PRIu64 " queue_drops=%" PRIu64 " duplicated=%" PRIu64 " reordered=%" PRIu64
                 " max_queue_packets=%zu max_queue_bytes=%zu queue_limit_bytes=%zu in_flight=%zu write_failed=%" PRIu64
                 "\n",
                 direction, c.received, c.delivered, c.octets_delivered, c.lost_random, c.lost_burst, c.lost_aimed, c.queue_drops,
                 c.duplicated, c.reordered, c.max_queue_packets, c.max_queue_bytes, l.params().queue_bytes,
                 l.in_flight(), c.write_failed);
}

}  // namespace

int main(int argc, char** argv) {
    std::string tun_a, tun_b, ready_file, stats_file;
    link_params a2b, b2a;
    drop_rule drop_a2b, drop_b2a;
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
        else if (arg == "--a2b-drop") drop_a2b = parse_drop(value());
        else if (arg == "--b2a-drop") drop_b2a = parse_drop(value());
        else if (arg == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (arg == "--ready-file") ready_file = value();
        else if (arg == "--stats-file") stats_file = value();
        else usage(("unknown argument: " + arg).c_str());
    }
    if (tun_a.empty() || tun_b.empty()) usage("--tun-a and --tun-b are required");

    const int fd_a = open_tun(tun_a);
    const int fd_b = open_tun(tun_b);
    impaired_link link_ab(a2b, seed * 2 + 1, drop_a2b);
    impaired_link link_ba(b2a, seed * 2 + 2, drop_b2a);

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
        auto write_to = [](int fd) {
            return [fd](const std::uint8_t* data, std::size_t size, nanoseconds) {
                return write(fd, data, size) == static_cast<ssize_t>(size);
            };
        };
        link_ab.deliver_due(now, write_to(fd_b));
        link_ba.deliver_due(now, write_to(fd_a));
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
