// tcpfsm_tun: one TCP endpoint built from tcpfsm::connection and tcpfsm/wire.hpp on a Linux
// TUN device (IFF_TUN | IFF_NO_PI), talking to the kernel's TCP on the other side of the
// device. Client (active OPEN), server (passive OPEN) or simultaneous open; IPv4 or IPv6.
// It opens the device, runs the engine in a poll() loop driven by time_to_next_deadline(),
// sends and receives a little data, closes (or aborts) and exits once the connection is
// CLOSED. Every state change, signal, row, segment and user call is logged to stdout, one
// line each, keyword first and the time last ("STATE FIN-WAIT-1 -> FIN-WAIT-2 event=...
// t=12"), so that scripts can check what happened (test/interop uses it).
//
// The device must exist in the current network namespace with its addresses and routes
// (ip tuntap add dev tun0 mode tun; ip addr add 10.0.0.1/24 dev tun0; ip link set tun0 up);
// the program takes an address in that subnet that the kernel does not own (--local).
// If it does not exist, TUNSETIFF creates it (gone when the program exits).
//
// Run with --help for the options. Linux only.
// SPDX-License-Identifier: MIT
// wire.hpp first: parse_tcp_packet() has a local named `version`, which -Wshadow flags when
// tcpfsm::version (version.hpp, through connection.hpp) is already declared.
#include <tcpfsm/wire.hpp>
#include <tcpfsm/connection.hpp>

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
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using std::uint16_t;
using std::uint32_t;
using std::uint8_t;

// ------------------------------------------------------------------------------------------
// Logging: one line per record, keyword first, "t=<ms since start>" last.
// ------------------------------------------------------------------------------------------

const clock_type::time_point program_start = clock_type::now();

long long elapsed_ms() {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - program_start).count());
}

__attribute__((format(printf, 1, 2))) void log_line(const char* format, ...) {
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    std::printf("%s t=%lld\n", text, elapsed_ms());
    std::fflush(stdout);
}

// Printable ASCII as is, the rest (and quote, backslash) as \xNN; at most `limit` octets.
std::string escaped(const uint8_t* data, std::size_t length, std::size_t limit = 64) {
    std::string out;
    const std::size_t n = length < limit ? length : limit;
    for (std::size_t i = 0; i < n; ++i) {
        const uint8_t c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(c));
            out += hex;
        }
    }
    if (n < length) out += "...";
    return out;
}

std::string flag_letters(uint8_t flags) {
    std::string out;
    if ((flags & tcpfsm::ctl::syn) != 0) out += 'S';
    if ((flags & tcpfsm::ctl::fin) != 0) out += 'F';
    if ((flags & tcpfsm::ctl::rst) != 0) out += 'R';
    if ((flags & tcpfsm::ctl::psh) != 0) out += 'P';
    if ((flags & tcpfsm::ctl::urg) != 0) out += 'U';
    if ((flags & tcpfsm::ctl::ack) != 0) out += 'A';
    return out.empty() ? std::string("none") : out;
}

const char* errno_name(int e) {
    switch (e) {
        case EIO: return "EIO";
        case EAGAIN: return "EAGAIN";
        case EINTR: return "EINTR";
        case ENOBUFS: return "ENOBUFS";
        case EINVAL: return "EINVAL";
        case EBADFD: return "EBADFD";
        case ENETDOWN: return "ENETDOWN";
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EBUSY: return "EBUSY";
        default: return "errno";
    }
}

// ------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------

enum class run_mode { client, server, simultaneous };
enum class close_trigger { received, peer_fin, never };

// A point where the program stops reading the device and stops its scripted user calls
// until `file` exists (or hold_max_ms passes): a state name ("FIN-WAIT-2"), "received",
// "peer-fin" or "peer-syn". Tests use it to keep a kernel state long enough for `ss`.
struct hold_point {
    std::string point;
    std::string file;
    bool active = false;
    bool released = false;
    clock_type::time_point since{};
};

struct options {
    run_mode mode = run_mode::client;
    std::string device = "tun0";
    tcpfsm::endpoint_address local{};
    tcpfsm::endpoint_address remote{};
    bool have_local = false;
    bool have_remote = false;
    uint16_t local_port = 0;  // 0: an ephemeral port (client)
    uint16_t remote_port = 0;
    std::string send_text;
    unsigned send_repeat = 1;
    std::string expect_text;
    unsigned expect_repeat = 1;
    close_trigger close_when = close_trigger::received;
    bool abort_instead_of_close = false;
    uint16_t mss = 0;  // 0: the device MTU minus 40 (IPv4) or 60 (IPv6)
    bool drop_last_ack = false;
    std::vector<hold_point> holds;
    uint32_t hold_max_ms = 20000;
    uint32_t deadline_ms = 60000;
    tcpfsm::timer_config timers = tcpfsm::default_timer_config;
};

void usage(const char* program) {
    std::fprintf(stderr,
        "usage: %s --mode client|server|simultaneous --local ADDR [--remote ADDR] [options]\n"
        "  --dev NAME              TUN device (default tun0; created if absent)\n"
        "  --local ADDR            our IPv4 or IPv6 address (on the device's subnet, not the kernel's)\n"
        "  --remote ADDR           the kernel's address (client, simultaneous)\n"
        "  --lport N, --rport N    our port (client default: ephemeral), the peer's port\n"
        "                          (simultaneous open: both fixed, matching the kernel socket's)\n"
        "  --send TEXT [--send-repeat K]      data to send once ESTABLISHED (TEXT K times)\n"
        "  --expect TEXT [--expect-repeat K]  data we must receive (exit status 3 if not)\n"
        "  --close-when received|peer-fin|never\n"
        "                          received: once our data is acknowledged and --expect is in\n"
        "                          (default); peer-fin: that and the peer's FIN; never\n"
        "  --abort                 ABORT (RST) instead of CLOSE\n"
        "  --mss N                 our MSS (default: device MTU - 40 for IPv4, - 60 for IPv6)\n"
        "  --msl-ms N              MSL (TIME-WAIT is 2*MSL)\n"
        "  --fin-wait-2-ms N       FIN-WAIT-2 timeout\n"
        "  --syn-retries N, --synack-retries N, --retries2 N\n"
        "  --keepalive IDLE_MS:INTERVAL_MS:PROBES   keepalive on\n"
        "  --user-timeout-ms N\n"
        "  --drop-last-ack         drop our first pure ACK sent in TIME-WAIT (once)\n"
        "  --hold POINT=FILE       at POINT (a state such as FIN-WAIT-2, or received, peer-fin,\n"
        "                          peer-syn) stop reading the device and stop user calls until\n"
        "                          FILE exists (repeatable; at most --hold-max-ms, default 20000)\n"
        "  --deadline-ms N         give up after N ms (exit status 2; default 60000)\n"
        "Exit status: 0 the connection ended in CLOSED as scripted, 1 setup error, 2 deadline,\n"
        "3 received data differs from --expect.\n",
        program);
}

bool parse_address(const char* text, tcpfsm::endpoint_address& out) {
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, text, &a4) == 1) {
        uint8_t b[4];
        std::memcpy(b, &a4, 4);
        out = tcpfsm::endpoint_address::ipv4(b[0], b[1], b[2], b[3]);
        return true;
    }
    if (inet_pton(AF_INET6, text, &a6) == 1) {
        uint8_t b[16];
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

// ADDR:PORT, [ADDR]:PORT for IPv6.
std::string format_endpoint(const tcpfsm::endpoint_address& a, unsigned port) {
    const bool v6 = a.family == tcpfsm::address_family::ipv6;
    return (v6 ? "[" : "") + format_address(a) + (v6 ? "]:" : ":") + std::to_string(port);
}

bool parse_number(const char* text, unsigned long max, unsigned long& out) {
    if (text == nullptr || *text == '\0') return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) return false;
    out = v;
    return true;
}

bool parse_options(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage(argv[0]);
            std::exit(0);
        }
        if (arg == "--abort") { o.abort_instead_of_close = true; continue; }
        if (arg == "--drop-last-ack") { o.drop_last_ack = true; continue; }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "tcpfsm_tun: %s needs a value\n", arg.c_str());
            return false;
        }
        const char* value = argv[++i];
        unsigned long n = 0;
        bool ok = true;
        if (arg == "--mode") {
            const std::string m = value;
            if (m == "client") o.mode = run_mode::client;
            else if (m == "server") o.mode = run_mode::server;
            else if (m == "simultaneous") o.mode = run_mode::simultaneous;
            else ok = false;
        } else if (arg == "--dev") {
            o.device = value;
            ok = o.device.size() < IFNAMSIZ;
        } else if (arg == "--local") {
            ok = o.have_local = parse_address(value, o.local);
        } else if (arg == "--remote") {
            ok = o.have_remote = parse_address(value, o.remote);
        } else if (arg == "--lport") {
            ok = parse_number(value, 65535, n) && n != 0;
            o.local_port = static_cast<uint16_t>(n);
        } else if (arg == "--rport") {
            ok = parse_number(value, 65535, n) && n != 0;
            o.remote_port = static_cast<uint16_t>(n);
        } else if (arg == "--send") {
            o.send_text = value;
        } else if (arg == "--send-repeat") {
            ok = parse_number(value, 100000, n);
            o.send_repeat = static_cast<unsigned>(n);
        } else if (arg == "--expect") {
            o.expect_text = value;
        } else if (arg == "--expect-repeat") {
            ok = parse_number(value, 100000, n);
            o.expect_repeat = static_cast<unsigned>(n);
        } else if (arg == "--close-when") {
            const std::string c = value;
            if (c == "received") o.close_when = close_trigger::received;
            else if (c == "peer-fin") o.close_when = close_trigger::peer_fin;
            else if (c == "never") o.close_when = close_trigger::never;
            else ok = false;
        } else if (arg == "--mss") {
            ok = parse_number(value, 65535, n) && n >= 64;
            o.mss = static_cast<uint16_t>(n);
        } else if (arg == "--msl-ms") {
            ok = parse_number(value, 0x3fffffff, n);
            o.timers.msl_ms = static_cast<uint32_t>(n);
        } else if (arg == "--fin-wait-2-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.timers.fin_wait_2_ms = static_cast<uint32_t>(n);
        } else if (arg == "--syn-retries") {
            ok = parse_number(value, 1000, n);
            o.timers.syn_retries = static_cast<uint32_t>(n);
        } else if (arg == "--synack-retries") {
            ok = parse_number(value, 1000, n);
            o.timers.synack_retries = static_cast<uint32_t>(n);
        } else if (arg == "--retries2") {
            ok = parse_number(value, 1000, n);
            o.timers.retries2 = static_cast<uint32_t>(n);
        } else if (arg == "--user-timeout-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.timers.user_timeout_ms = static_cast<uint32_t>(n);
        } else if (arg == "--keepalive") {
            unsigned long idle = 0, interval = 0, probes = 0;
            char a[32] = {}, b[32] = {}, c[32] = {};
            ok = std::sscanf(value, "%31[0-9]:%31[0-9]:%31[0-9]", a, b, c) == 3 &&
                 parse_number(a, 0x7fffffff, idle) && parse_number(b, 0x7fffffff, interval) &&
                 parse_number(c, 10000, probes) && probes >= 1;
            o.timers.keepalive = true;
            o.timers.keepalive_idle_ms = static_cast<uint32_t>(idle);
            o.timers.keepalive_interval_ms = static_cast<uint32_t>(interval);
            o.timers.keepalive_probes = static_cast<uint32_t>(probes);
        } else if (arg == "--hold") {
            const std::string h = value;
            const std::size_t eq = h.find('=');
            ok = eq != std::string::npos && eq > 0 && eq + 1 < h.size();
            if (ok) {
                hold_point p;
                p.point = h.substr(0, eq);
                p.file = h.substr(eq + 1);
                o.holds.push_back(p);
            }
        } else if (arg == "--hold-max-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.hold_max_ms = static_cast<uint32_t>(n);
        } else if (arg == "--deadline-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.deadline_ms = static_cast<uint32_t>(n);
        } else {
            std::fprintf(stderr, "tcpfsm_tun: unknown option %s\n", arg.c_str());
            return false;
        }
        if (!ok) {
            std::fprintf(stderr, "tcpfsm_tun: bad value for %s: %s\n", arg.c_str(), value);
            return false;
        }
    }
    if (!o.have_local) {
        std::fprintf(stderr, "tcpfsm_tun: --local is required\n");
        return false;
    }
    if (o.mode != run_mode::server && (!o.have_remote || o.remote_port == 0)) {
        std::fprintf(stderr, "tcpfsm_tun: --remote and --rport are required in this mode\n");
        return false;
    }
    if (o.mode != run_mode::client && o.local_port == 0) {
        std::fprintf(stderr, "tcpfsm_tun: --lport is required in this mode\n");
        return false;
    }
    if (o.have_remote && o.remote.family != o.local.family) {
        std::fprintf(stderr, "tcpfsm_tun: --local and --remote must be of one family\n");
        return false;
    }
    if (!tcpfsm::is_valid(o.timers)) {
        std::fprintf(stderr, "tcpfsm_tun: the timer settings are out of range\n");
        return false;
    }
    return true;
}

// ------------------------------------------------------------------------------------------
// The TUN device
// ------------------------------------------------------------------------------------------

// Attaches to (or creates) the TUN device `name`: IP packets without the packet-information
// header. Non-blocking, so that one poll() loop serves reads, writes and timers.
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

int device_mtu(const std::string& name) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    ifreq request{};
    std::memcpy(request.ifr_name, name.c_str(), name.size());
    const int r = ::ioctl(s, SIOCGIFMTU, &request);
    ::close(s);
    return r < 0 ? -1 : request.ifr_mtu;
}

// The device's flags (SIOCGIFFLAGS); -1 on error.
int device_flags(const std::string& name) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    ifreq request{};
    std::memcpy(request.ifr_name, name.c_str(), name.size());
    const int r = ::ioctl(s, SIOCGIFFLAGS, &request);
    ::close(s);
    return r < 0 ? -1 : request.ifr_flags;
}

// Attaching to the device turns its carrier on, but the kernel sends nothing through it
// (its queueing discipline stays the noop one, which drops) until linkwatch has seen the
// carrier and made the link RUNNING. Wait for that (when the link is up at all), so that
// the first segments are not lost.
void wait_until_running(const std::string& name) {
    const auto start = clock_type::now();
    int flags = device_flags(name);
    while (flags >= 0 && (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) == 0 &&
           clock_type::now() - start < std::chrono::seconds(3)) {
        ::usleep(2000);
        flags = device_flags(name);
    }
    log_line("LINK up=%s running=%s waited_ms=%lld", flags >= 0 && (flags & IFF_UP) != 0 ? "yes" : "no",
             flags >= 0 && (flags & IFF_RUNNING) != 0 ? "yes" : "no",
             static_cast<long long>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count()));
}

bool random_bytes(void* out, std::size_t n) {
    auto* p = static_cast<uint8_t*>(out);
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

// ------------------------------------------------------------------------------------------
// The endpoint: policies, buffers and the event loop
// ------------------------------------------------------------------------------------------

class endpoint;

// SegmentIO: turns the engine's segment into an IP packet (header, options, text from the
// send buffer, checksums) and queues it; the loop writes the queue after each engine call.
struct tun_io {
    endpoint* owner;
    void send(const tcpfsm::outgoing_segment& out) noexcept;
};

// Observer: logs what happens, keeps the text, frees acknowledged octets.
struct tun_observer : tcpfsm::null_observer {
    endpoint* owner;
    explicit tun_observer(endpoint* e) : owner(e) {}
    void on_row(tcpfsm::state from, tcpfsm::event on, const tcpfsm::transition& row) noexcept;
    void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept;
    void on_signal(tcpfsm::user_signal signal) noexcept;
    void on_data(const uint8_t* text, uint32_t length) noexcept;
    void on_acked(uint32_t octets) noexcept;
    void on_drop(tcpfsm::drop_reason reason) noexcept;
};

// Linux's RTO bounds (200 ms minimum): the peer is Linux, and tests stay short.
using tun_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::linux_rto_estimator>;
using tun_connection = tcpfsm::connection<tun_io, clock_type, tun_observer, tcpfsm::rfc6528_iss, tun_profile>;

struct out_packet {
    std::vector<uint8_t> bytes;
    tcpfsm::segment header;
};

class endpoint {
public:
    endpoint(const options& o, int fd, const tcpfsm::connection_config& config, tcpfsm::siphash_key secret)
        : opts_(o),
          fd_(fd),
          conn_(config, tun_io{this}, clock_type{}, tun_observer{this}, tcpfsm::rfc6528_iss(secret)) {
        tuple_.local = o.local;
        tuple_.local_port = o.local_port;
        if (o.have_remote) {
            tuple_.remote = o.remote;
            tuple_.remote_port = o.remote_port;
            remote_known_ = true;
        }
        for (unsigned i = 0; i < o.send_repeat; ++i) payload_ += o.send_text;
        for (unsigned i = 0; i < o.expect_repeat; ++i) expected_ += o.expect_text;
        holds_ = o.holds;
        out_queue_.reserve(16);
    }

    int run();

    // ---- called by the policies ----
    void queue_segment(const tcpfsm::outgoing_segment& out);
    void row(tcpfsm::state from, tcpfsm::event on, tcpfsm::state to) {
        log_line("ROW %s %s -> %s", tcpfsm::rfc_name(from), tcpfsm::name(on), tcpfsm::rfc_name(to));
    }
    void state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) {
        log_line("STATE %s -> %s event=%s", tcpfsm::rfc_name(from), tcpfsm::rfc_name(to), tcpfsm::name(on));
    }
    void signal(tcpfsm::user_signal s) {
        log_line("SIGNAL %s state=%s", tcpfsm::name(s), tcpfsm::rfc_name(conn_.current_state()));
        if (s == tcpfsm::user_signal::closing) peer_fin_ = true;
    }
    void data(const uint8_t* text, uint32_t length) {
        if (text != nullptr) received_.append(reinterpret_cast<const char*>(text), length);
        pending_receive_ += length;
        log_line("DATA n=%u total=%zu text=\"%s\"", length, received_.size(),
                 text != nullptr ? escaped(text, length).c_str() : "");
    }
    void acked(uint32_t octets) {
        const std::size_t n = octets < send_buffer_.size() ? octets : send_buffer_.size();
        if (n != octets) log_line("BUG on_acked n=%u but only %zu octets are buffered", octets, send_buffer_.size());
        send_buffer_.erase(send_buffer_.begin(), send_buffer_.begin() + static_cast<std::ptrdiff_t>(n));
        log_line("ACKED n=%u unacked=%zu", octets, send_buffer_.size());
    }
    void drop(tcpfsm::drop_reason r) { log_line("ENGINE-DROP %s", tcpfsm::name(r)); }

private:
    bool received_point() const {
        const tcpfsm::state s = conn_.current_state();
        if (s != tcpfsm::state::established && s != tcpfsm::state::close_wait) return false;
        return data_queued_ && send_buffer_.empty() && received_.size() >= expected_.size();
    }
    bool point_reached(const std::string& p) const {
        if (p == "received") return received_point();
        if (p == "peer-fin") return peer_fin_;
        if (p == "peer-syn") return have_stash_;
        return p == tcpfsm::rfc_name(conn_.current_state());
    }
    bool holding();
    bool script_step();
    void after_engine_call();
    void flush();
    void write_packet(const std::vector<uint8_t>& bytes);
    void read_one();
    void process(const uint8_t* packet, const tcpfsm::tcp_packet& parsed, const tcpfsm::segment& seg);
    bool finished() const { return opened_ && conn_.current_state() == tcpfsm::state::closed; }

    const options& opts_;
    int fd_;
    tun_connection conn_;
    tcpfsm::four_tuple tuple_{};
    bool remote_known_ = false;
    std::vector<uint8_t> send_buffer_;  // octets from SND.UNA on
    std::string payload_;
    std::string expected_;
    std::string received_;
    uint32_t pending_receive_ = 0;  // delivered by on_data, not yet given back by receive()
    std::vector<out_packet> out_queue_;
    std::vector<hold_point> holds_;
    bool opened_ = false;
    bool data_queued_ = false;
    bool close_called_ = false;
    bool peer_fin_ = false;
    bool dropped_last_ack_ = false;
    uint16_t ip_id_ = 0;
    // Simultaneous open: the peer's SYN, held back until our own SYN is out.
    bool have_stash_ = false;
    bool stash_fed_ = false;
    std::vector<uint8_t> stash_packet_;
    unsigned long ignored_ = 0;
    unsigned long write_errors_ = 0;
};

void tun_io::send(const tcpfsm::outgoing_segment& out) noexcept { owner->queue_segment(out); }
void tun_observer::on_row(tcpfsm::state from, tcpfsm::event on, const tcpfsm::transition& r) noexcept {
    owner->row(from, on, r.to);
}
void tun_observer::on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event on) noexcept {
    owner->state_change(from, to, on);
}
void tun_observer::on_signal(tcpfsm::user_signal s) noexcept { owner->signal(s); }
void tun_observer::on_data(const uint8_t* text, uint32_t length) noexcept { owner->data(text, length); }
void tun_observer::on_acked(uint32_t octets) noexcept { owner->acked(octets); }
void tun_observer::on_drop(tcpfsm::drop_reason r) noexcept { owner->drop(r); }

void endpoint::queue_segment(const tcpfsm::outgoing_segment& out) {
    const tcpfsm::segment& s = out.header;
    if (!remote_known_) {
        log_line("BUG segment to send with no peer address flags=%s", flag_letters(s.flags).c_str());
        return;
    }
    std::size_t text_length = s.text_length;
    if (out.text_offset > send_buffer_.size() || text_length > send_buffer_.size() - out.text_offset) {
        log_line("BUG text beyond the send buffer offset=%u len=%u buffered=%zu", out.text_offset, s.text_length,
                 send_buffer_.size());
        text_length = 0;
    }
    const uint8_t* text = text_length != 0 ? send_buffer_.data() + out.text_offset : nullptr;
    tcpfsm::segment header = s;
    header.text_length = static_cast<uint32_t>(text_length);
    const tcpfsm::tcp_header tcp = tcpfsm::from_segment(header, tuple_.local_port, tuple_.remote_port);
    const bool v6 = tuple_.local.family == tcpfsm::address_family::ipv6;
    const std::size_t ip_length = v6 ? tcpfsm::ipv6_header::header_length : 20;
    out_packet p;
    p.header = header;
    p.bytes.resize(ip_length + tcpfsm::tcp_header_length(tcp) + text_length);
    std::size_t tcp_written = 0;
    std::size_t ip_written = 0;
    tcpfsm::wire_error e;
    if (v6) {
        tcpfsm::ipv6_address src, dst;
        std::memcpy(src.bytes, tuple_.local.bytes, 16);
        std::memcpy(dst.bytes, tuple_.remote.bytes, 16);
        e = tcpfsm::serialize_tcp_ipv6(tcp, src, dst, text, text_length, p.bytes.data() + ip_length,
                                       p.bytes.size() - ip_length, tcp_written);
        if (e == tcpfsm::wire_error::ok) {
            tcpfsm::ipv6_header ip;
            ip.payload_length = static_cast<uint16_t>(tcp_written);
            ip.src = src;
            ip.dst = dst;
            e = tcpfsm::serialize_ipv6(ip, p.bytes.data(), ip_length, ip_written);
        }
    } else {
        tcpfsm::ipv4_address src, dst;
        std::memcpy(src.bytes, tuple_.local.bytes, 4);
        std::memcpy(dst.bytes, tuple_.remote.bytes, 4);
        e = tcpfsm::serialize_tcp_ipv4(tcp, src, dst, text, text_length, p.bytes.data() + ip_length,
                                       p.bytes.size() - ip_length, tcp_written);
        if (e == tcpfsm::wire_error::ok) {
            tcpfsm::ipv4_header ip;
            ip.total_length = static_cast<uint16_t>(ip_length + tcp_written);
            ip.identification = ip_id_++;
            ip.flags = 0x2;  // DF
            ip.src = src;
            ip.dst = dst;
            e = tcpfsm::serialize_ipv4(ip, p.bytes.data(), ip_length, ip_written);
        }
    }
    if (e != tcpfsm::wire_error::ok) {
        log_line("BUG serialize: %s", tcpfsm::to_string(e));
        return;
    }
    out_queue_.push_back(std::move(p));
}

// After every engine call: give delivered text back (receive() reopens the window; it is a
// call into the engine, so never from inside an observer hook), then write what it sent.
void endpoint::after_engine_call() {
    for (int guard = 0; guard < 4 && pending_receive_ != 0; ++guard) {
        const uint32_t n = pending_receive_;
        pending_receive_ = 0;
        conn_.receive(n);
    }
    flush();
}

void endpoint::flush() {
    // Take the queue first: writing never calls the engine, but keep it simple and safe.
    std::vector<out_packet> queue;
    queue.swap(out_queue_);
    for (const out_packet& p : queue) {
        const tcpfsm::segment& s = p.header;
        char line[256];
        std::snprintf(line, sizeof line, "flags=%s seq=%u ack=%u win=%u len=%u mss=%u", flag_letters(s.flags).c_str(),
                      s.seq, s.ack, static_cast<unsigned>(s.window), s.text_length, static_cast<unsigned>(s.mss));
        if (opts_.drop_last_ack && !dropped_last_ack_ && s.flags == tcpfsm::ctl::ack && s.text_length == 0 &&
            conn_.current_state() == tcpfsm::state::time_wait) {
            dropped_last_ack_ = true;
            log_line("DROP-OUT %s reason=drop-last-ack", line);
            continue;
        }
        log_line("SEG-OUT %s", line);
        write_packet(p.bytes);
    }
    queue.clear();
    if (out_queue_.empty()) out_queue_.swap(queue);  // keep the capacity
}

// A write to a TUN device whose link is down fails with EIO: the packet is lost, as on a
// cable that is unplugged; TCP's retransmission (or keepalive) deals with it.
void endpoint::write_packet(const std::vector<uint8_t>& bytes) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n >= 0) {
            if (static_cast<std::size_t>(n) != bytes.size()) log_line("WRITE-SHORT n=%zd of %zu", n, bytes.size());
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
        log_line("WRITE-ERROR %s (%s) len=%zu: packet lost", errno_name(e), std::strerror(e), bytes.size());
        return;
    }
    ++write_errors_;
    log_line("WRITE-ERROR gave up after retries len=%zu", bytes.size());
}

bool endpoint::holding() {
    for (hold_point& h : holds_) {
        if (h.released) continue;
        if (!h.active) {
            if (!point_reached(h.point)) continue;
            h.active = true;
            h.since = clock_type::now();
            log_line("HOLD point=%s file=%s state=%s", h.point.c_str(), h.file.c_str(),
                     tcpfsm::rfc_name(conn_.current_state()));
        }
        if (file_exists(h.file)) {
            h.released = true;
            log_line("RELEASE point=%s reason=file", h.point.c_str());
            continue;
        }
        if (clock_type::now() - h.since > std::chrono::milliseconds(opts_.hold_max_ms)) {
            h.released = true;
            log_line("RELEASE point=%s reason=hold-max", h.point.c_str());
            continue;
        }
        return true;
    }
    return false;
}

// The scripted user calls, one per call (holds are checked between them).
bool endpoint::script_step() {
    const tcpfsm::state st = conn_.current_state();
    if (!opened_) {
        if (opts_.mode == run_mode::server) {
            log_line("USER open_passive local=%s", format_endpoint(tuple_.local, tuple_.local_port).c_str());
            conn_.open_passive();
        } else if (opts_.mode == run_mode::client || have_stash_) {
            log_line("USER open_active local=%s remote=%s", format_endpoint(tuple_.local, tuple_.local_port).c_str(),
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
        log_line("STASH-FEED peer SYN now");
        tcpfsm::tcp_packet parsed;
        if (tcpfsm::parse_tcp_packet(stash_packet_.data(), stash_packet_.size(), parsed) == tcpfsm::wire_error::ok) {
            process(stash_packet_.data(), parsed, tcpfsm::to_segment(parsed.tcp));
        }
        return true;
    }
    if (!data_queued_ && (st == tcpfsm::state::established || st == tcpfsm::state::close_wait)) {
        data_queued_ = true;
        if (!payload_.empty()) {
            send_buffer_.insert(send_buffer_.end(), payload_.begin(), payload_.end());
            const tcpfsm::user_error e = conn_.send(static_cast<uint32_t>(payload_.size()));
            log_line("USER send n=%zu result=%s", payload_.size(), tcpfsm::name(e));
            after_engine_call();
        }
        return true;
    }
    if (!close_called_ && opts_.close_when != close_trigger::never && received_point() &&
        (opts_.close_when == close_trigger::received || peer_fin_)) {
        close_called_ = true;
        const tcpfsm::user_error e = opts_.abort_instead_of_close ? conn_.abort() : conn_.close();
        log_line("USER %s result=%s", opts_.abort_instead_of_close ? "abort" : "close", tcpfsm::name(e));
        after_engine_call();
        return true;
    }
    return false;
}

void endpoint::process(const uint8_t* packet, const tcpfsm::tcp_packet& parsed, const tcpfsm::segment& seg) {
    log_line("SEG-IN flags=%s seq=%u ack=%u win=%u len=%u mss=%u", flag_letters(seg.flags).c_str(), seg.seq, seg.ack,
             static_cast<unsigned>(seg.window), seg.text_length, static_cast<unsigned>(seg.mss));
    const uint8_t* text = seg.text_length != 0 ? packet + parsed.tcp.payload_offset : nullptr;
    conn_.on_segment(seg, text, tuple_);
    after_engine_call();
}

// Reads one packet (if any) and hands it to the engine when it belongs to our four-tuple.
void endpoint::read_one() {
    uint8_t packet[65536];
    const ssize_t n = ::read(fd_, packet, sizeof packet);
    if (n < 0) {
        const int e = errno;
        if (e != EAGAIN && e != EINTR) log_line("READ-ERROR %s (%s)", errno_name(e), std::strerror(e));
        return;
    }
    tcpfsm::tcp_packet parsed;
    const tcpfsm::wire_error e = tcpfsm::parse_tcp_packet(packet, static_cast<std::size_t>(n), parsed);
    if (e != tcpfsm::wire_error::ok) {
        // Not TCP (IPv6 router solicitations, MLD reports, ...) or malformed: not ours.
        ++ignored_;
        log_line("IGNORED reason=\"%s\" ipv%u proto=%u len=%zd", tcpfsm::to_string(e),
                 static_cast<unsigned>(packet[0] >> 4),
                 parsed.ip_version == 6 ? static_cast<unsigned>(parsed.ip6.next_header)
                                        : static_cast<unsigned>(parsed.ip4.protocol),
                 n);
        return;
    }
    tcpfsm::endpoint_address src{}, dst{};
    if (parsed.ip_version == 4) {
        src = tcpfsm::endpoint_address::ipv4(parsed.ip4.src.bytes[0], parsed.ip4.src.bytes[1], parsed.ip4.src.bytes[2],
                                             parsed.ip4.src.bytes[3]);
        dst = tcpfsm::endpoint_address::ipv4(parsed.ip4.dst.bytes[0], parsed.ip4.dst.bytes[1], parsed.ip4.dst.bytes[2],
                                             parsed.ip4.dst.bytes[3]);
    } else {
        src = tcpfsm::endpoint_address::ipv6(parsed.ip6.src.bytes);
        dst = tcpfsm::endpoint_address::ipv6(parsed.ip6.dst.bytes);
    }
    const bool to_us = dst == tuple_.local && parsed.tcp.dst_port == tuple_.local_port;
    const bool from_peer = remote_known_ && src == tuple_.remote && parsed.tcp.src_port == tuple_.remote_port;
    const tcpfsm::state st = conn_.current_state();
    const tcpfsm::segment seg = tcpfsm::to_segment(parsed.tcp);
    if (!to_us || (!from_peer && !(opts_.mode == run_mode::server && st == tcpfsm::state::listen))) {
        ++ignored_;
        log_line("IGNORED reason=other-tuple %s -> %s flags=%s", format_endpoint(src, parsed.tcp.src_port).c_str(),
                 format_endpoint(dst, parsed.tcp.dst_port).c_str(), flag_letters(seg.flags).c_str());
        return;
    }
    if (opts_.mode == run_mode::simultaneous && !opened_) {
        // Hold the peer's SYN: it is fed to the engine after our own SYN has gone out.
        if (!have_stash_ && seg.syn() && !seg.ack_flag()) {
            have_stash_ = true;
            stash_packet_.assign(packet, packet + n);
            log_line("STASH peer SYN seq=%u mss=%u", seg.seq, static_cast<unsigned>(seg.mss));
        } else {
            ++ignored_;
            log_line("IGNORED reason=before-open flags=%s seq=%u", flag_letters(seg.flags).c_str(), seg.seq);
        }
        return;
    }
    if (st == tcpfsm::state::listen) {
        // A listener: the segment names the peer. Kept if the engine leaves LISTEN.
        tuple_.remote = src;
        tuple_.remote_port = parsed.tcp.src_port;
        remote_known_ = true;
    }
    process(packet, parsed, seg);
    if (conn_.current_state() == tcpfsm::state::listen && opts_.mode == run_mode::server) remote_known_ = false;
}

int endpoint::run() {
    const auto deadline = clock_type::now() + std::chrono::milliseconds(opts_.deadline_ms);
    int status = 0;
    for (;;) {
        if (clock_type::now() >= deadline) {
            log_line("DEADLINE state=%s", tcpfsm::rfc_name(conn_.current_state()));
            status = 2;
            break;
        }
        if (opened_ && conn_.time_to_next_deadline() == std::chrono::milliseconds::zero()) {
            conn_.on_timer();
            after_engine_call();
        }
        if (finished()) break;
        while (!holding() && script_step()) {
            if (finished()) break;
        }
        if (finished()) break;
        const bool held = holding();
        // Sleep until the next timer, the deadline, or a packet; while held, look at the
        // hold files every 10 ms.
        std::chrono::milliseconds wait = opened_ ? conn_.time_to_next_deadline() : std::chrono::milliseconds(100);
        const auto to_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        if (wait > to_deadline) wait = to_deadline;
        if (wait > std::chrono::milliseconds(100)) wait = std::chrono::milliseconds(100);
        if (held && wait > std::chrono::milliseconds(10)) wait = std::chrono::milliseconds(10);
        if (wait < std::chrono::milliseconds::zero()) wait = std::chrono::milliseconds::zero();
        pollfd p{fd_, static_cast<short>(held ? 0 : POLLIN), 0};
        const int r = ::poll(&p, 1, static_cast<int>(wait.count()));
        if (r < 0 && errno != EINTR) {
            log_line("POLL-ERROR %s", std::strerror(errno));
            ::usleep(10000);
        }
        if (!held && r > 0 && (p.revents & POLLIN) != 0) read_one();
    }
    const bool content_ok = received_ == expected_;
    log_line("RECEIVED n=%zu %s text=\"%s\"", received_.size(), content_ok ? "ok" : "MISMATCH",
             escaped(reinterpret_cast<const uint8_t*>(received_.data()), received_.size()).c_str());
    if (status == 0 && !content_ok) status = 3;
    log_line("EXIT status=%d state=%s ignored=%lu write_errors=%lu", status, tcpfsm::rfc_name(conn_.current_state()),
             ignored_, write_errors_);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    static options opts;  // the endpoint keeps a reference; static storage keeps it small on the stack
    if (!parse_options(argc, argv, opts)) {
        usage(argv[0]);
        return 1;
    }
    const bool v6 = opts.local.family == tcpfsm::address_family::ipv6;
    const int fd = open_tun(opts.device);
    if (fd < 0) return 1;
    const int mtu = device_mtu(opts.device);
    static tcpfsm::connection_config config;  // connections keep a pointer to it
    config.timers = opts.timers;
    if (opts.mss != 0) {
        config.mss = opts.mss;
    } else {
        const int header = v6 ? 60 : 40;
        config.mss = static_cast<uint16_t>(mtu > header + 64 && mtu < 65535 ? mtu - header : 536);
    }
    // RFC 6528: the ISS secret is 128 random bits from the system.
    uint8_t key_bytes[16];
    if (!random_bytes(key_bytes, sizeof key_bytes)) {
        std::fprintf(stderr, "tcpfsm_tun: getrandom: %s\n", std::strerror(errno));
        return 1;
    }
    const tcpfsm::siphash_key secret = tcpfsm::siphash_key_from_bytes(key_bytes);
    if (opts.mode == run_mode::client && opts.local_port == 0) {
        uint16_t r = 0;
        if (!random_bytes(&r, sizeof r)) return 1;
        opts.local_port = static_cast<uint16_t>(49152u + r % 16384u);  // RFC 6335 dynamic ports
    }
    static endpoint e(opts, fd, config, secret);
    const char* mode = opts.mode == run_mode::client ? "client" : opts.mode == run_mode::server ? "server" : "simultaneous";
    log_line("START mode=%s dev=%s mtu=%d mss=%u local=%s remote=%s msl_ms=%u keepalive=%s", mode, opts.device.c_str(),
             mtu, static_cast<unsigned>(config.mss), format_endpoint(opts.local, opts.local_port).c_str(),
             opts.have_remote ? format_endpoint(opts.remote, opts.remote_port).c_str() : "*",
             opts.timers.msl_ms, opts.timers.keepalive ? "on" : "off");
    wait_until_running(opts.device);
    log_line("READY");
    const int status = e.run();
    ::close(fd);
    return status;
}
