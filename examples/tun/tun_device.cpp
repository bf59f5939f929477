// SPDX-License-Identifier: MIT
#include "tun_device.hpp"

#include "log.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace tun {

int open_tun(const std::string& name) {
    const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        std::fprintf(stderr, "tcpfsm_tun: open /dev/net/tun: %s\n", std::strerror(errno));
        return -1;
    }
    ifreq request{};
    request.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI);
    std::memcpy(request.ifr_name, name.c_str(), name.size());
    if (::ioctl(fd, TUNSETIFF, &request) < 0) {
        std::fprintf(stderr, "tcpfsm_tun: TUNSETIFF %s: %s\n", name.c_str(), std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

namespace {
int interface_ioctl(const std::string& name, unsigned long request_code, ifreq& request) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    std::memcpy(request.ifr_name, name.c_str(), name.size());
    const int r = ::ioctl(s, request_code, &request);
    ::close(s);
    return r;
}
}  // namespace

int device_mtu(const std::string& name) {
    ifreq request{};
    return interface_ioctl(name, SIOCGIFMTU, request) < 0 ? -1 : request.ifr_mtu;
}

void wait_until_running(const std::string& name) {
    const auto start = std::chrono::steady_clock::now();
    auto flags = [&] {
        ifreq request{};
        return interface_ioctl(name, SIOCGIFFLAGS, request) < 0 ? -1 : request.ifr_flags;
    };
    int f = flags();
    while (f >= 0 && (f & IFF_UP) != 0 && (f & IFF_RUNNING) == 0 &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
        ::usleep(2000);
        f = flags();
    }
    TUN_EVENT("LINK up=%s running=%s waited_ms=%lld", f >= 0 && (f & IFF_UP) != 0 ? "yes" : "no",
              f >= 0 && (f & IFF_RUNNING) != 0 ? "yes" : "no",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()));
}

bool random_bytes(void* out, std::size_t n) {
    auto* p = static_cast<std::uint8_t*>(out);
    while (n > 0) {
        const ssize_t got = ::getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool parse_address(const char* text, tcpfsm::endpoint_address& out) {
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, text, &a4) == 1) {
        std::uint8_t b[4];
        std::memcpy(b, &a4, 4);
        out = tcpfsm::endpoint_address::ipv4(b[0], b[1], b[2], b[3]);
        return true;
    }
    if (inet_pton(AF_INET6, text, &a6) == 1) {
        std::uint8_t b[16];
        std::memcpy(b, &a6, 16);
        out = tcpfsm::endpoint_address::ipv6(b);
        return true;
    }
    return false;
}

std::string format_address(const tcpfsm::endpoint_address& a) {
    char text[INET6_ADDRSTRLEN] = {};
    const int family = a.family == tcpfsm::address_family::ipv6 ? AF_INET6 : AF_INET;
    if (inet_ntop(family, a.bytes, text, sizeof text) == nullptr) return "?";
    return text;
}

std::string format_endpoint(const tcpfsm::endpoint_address& a, unsigned port) {
    // Appended piece by piece: g++ 12 -O3 reports a false -Wrestrict inside libstdc++ for
    // `const char* + std::string&&` (GCC bug 105329).
    const bool v6 = a.family == tcpfsm::address_family::ipv6;
    std::string out;
    if (v6) out += '[';
    out += format_address(a);
    out += v6 ? "]:" : ":";
    out += std::to_string(port);
    return out;
}

tcpfsm::wire_error parse_inbound(const std::uint8_t* packet, std::size_t length, inbound& out) {
    const tcpfsm::wire_error e = tcpfsm::parse_tcp_packet(packet, length, out.parsed);
    if (e != tcpfsm::wire_error::ok) return e;
    const tcpfsm::tcp_packet& p = out.parsed;
    if (p.ip_version == 4) {
        out.tuple.remote = tcpfsm::endpoint_address::ipv4(p.ip4.src.bytes[0], p.ip4.src.bytes[1], p.ip4.src.bytes[2],
                                                          p.ip4.src.bytes[3]);
        out.tuple.local = tcpfsm::endpoint_address::ipv4(p.ip4.dst.bytes[0], p.ip4.dst.bytes[1], p.ip4.dst.bytes[2],
                                                         p.ip4.dst.bytes[3]);
    } else {
        out.tuple.remote = tcpfsm::endpoint_address::ipv6(p.ip6.src.bytes);
        out.tuple.local = tcpfsm::endpoint_address::ipv6(p.ip6.dst.bytes);
    }
    out.tuple.local_port = p.tcp.dst_port;
    out.tuple.remote_port = p.tcp.src_port;
    out.seg = tcpfsm::to_segment(p.tcp);
    out.options = tcpfsm::to_segment_options(p, packet);
    out.text = out.seg.text_length != 0 ? packet + p.tcp.payload_offset : nullptr;
    return tcpfsm::wire_error::ok;
}

bool tun_writer::build(const tcpfsm::four_tuple& tuple, const tcpfsm::segment& seg,
                       const tcpfsm::segment_options& options, const std::uint8_t* text,
                       std::vector<std::uint8_t>& out) {
    const tcpfsm::tcp_header tcp = tcpfsm::from_segment(seg, options, tuple.local_port, tuple.remote_port);
    const tcpfsm::options::sack_block_list& sack = options.sack;
    const bool v6 = tuple.local.family == tcpfsm::address_family::ipv6;
    const std::size_t ip_length = v6 ? tcpfsm::ipv6_header::header_length : 20;
    out.resize(ip_length + tcpfsm::tcp_header_length(tcp, sack) + seg.text_length);
    std::size_t tcp_written = 0;
    std::size_t ip_written = 0;
    tcpfsm::wire_error e;
    if (v6) {
        tcpfsm::ipv6_address src, dst;
        std::memcpy(src.bytes, tuple.local.bytes, 16);
        std::memcpy(dst.bytes, tuple.remote.bytes, 16);
        e = tcpfsm::serialize_tcp_ipv6(tcp, sack, src, dst, text, seg.text_length, out.data() + ip_length,
                                       out.size() - ip_length, tcp_written);
        if (e == tcpfsm::wire_error::ok) {
            tcpfsm::ipv6_header ip;
            ip.payload_length = static_cast<std::uint16_t>(tcp_written);
            ip.src = src;
            ip.dst = dst;
            e = tcpfsm::serialize_ipv6(ip, out.data(), ip_length, ip_written);
        }
    } else {
        tcpfsm::ipv4_address src, dst;
        std::memcpy(src.bytes, tuple.local.bytes, 4);
        std::memcpy(dst.bytes, tuple.remote.bytes, 4);
        e = tcpfsm::serialize_tcp_ipv4(tcp, sack, src, dst, text, seg.text_length, out.data() + ip_length,
                                       out.size() - ip_length, tcp_written);
        if (e == tcpfsm::wire_error::ok) {
            tcpfsm::ipv4_header ip;
            ip.total_length = static_cast<std::uint16_t>(ip_length + tcp_written);
            ip.identification = ip_id_++;
            ip.flags = 0x2;  // DF
            ip.src = src;
            ip.dst = dst;
            e = tcpfsm::serialize_ipv4(ip, out.data(), ip_length, ip_written);
        }
    }
    if (e != tcpfsm::wire_error::ok) {
        log_line("BUG serialize: %s", tcpfsm::description(e));
        return false;
    }
    return true;
}

void tun_writer::write_packet(const std::uint8_t* bytes, std::size_t length) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const ssize_t n = ::write(fd_, bytes, length);
        if (n >= 0) {
            ++packets_;
            if (static_cast<std::size_t>(n) != length) log_line("WRITE-SHORT n=%zd of %zu", n, length);
            return;
        }
        const int e = errno;
        if (e == EINTR) continue;
        if (e == EAGAIN || e == ENOBUFS) {
            pollfd p{fd_, POLLOUT, 0};
            ::poll(&p, 1, 10);
            continue;
        }
        ++write_errors_;
        TUN_EVENT("WRITE-ERROR %s (%s) len=%zu: packet lost", errno_name(e), std::strerror(e), length);
        return;
    }
    ++write_errors_;
    TUN_EVENT("WRITE-ERROR gave up after retries len=%zu", length);
}

std::string describe(const tcpfsm::segment& s) {
    char line[160];
    std::snprintf(line, sizeof line, "flags=%s seq=%u ack=%u win=%u len=%u mss=%u", flag_letters(s.flags).c_str(),
                  s.seq, s.ack, static_cast<unsigned>(s.window), s.text_length, static_cast<unsigned>(s.mss));
    return line;
}

std::string describe(const tcpfsm::segment& s, const tcpfsm::segment_options& o) {
    std::string out = describe(s);
    char part[64];
    if (s.has_window_scale()) {
        std::snprintf(part, sizeof part, " wscale=%u", static_cast<unsigned>(s.window_scale));
        out += part;
    }
    if (o.sack_permitted) out += " sackOK";
    if (o.has_timestamps) {
        std::snprintf(part, sizeof part, " ts=%u,%u", o.ts_val, o.ts_ecr);
        out += part;
    }
    for (std::size_t i = 0; i < o.sack.count; ++i) {
        std::snprintf(part, sizeof part, "%s%u-%u", i == 0 ? (o.sack.dsack ? " dsack=" : " sack=") : ",",
                      o.sack.blocks[i].left, o.sack.blocks[i].right);
        out += part;
    }
    return out;
}

}  // namespace tun
