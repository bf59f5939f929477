// interop_peer: the kernel's side of the interop tests, a plain socket program run by a
// script of operations given on the command line, for example
//
//     interop_peer maxseg 1000 listen 10.0.0.1 6000 accept recv hello 1 send world 1 eof close
//
// Every wait is a poll() loop in 1 ms steps with a deadline; between steps the connection's
// TCP_INFO state is read, and every change is logged ("PEER-STATE CLOSE-WAIT -> LAST-ACK"),
// and after every operation, so the kernel states the connection passes are seen even when
// they last a few ms.
// Output: one line per record, keyword first, "t=<ms>" last. Exit status 0 when every
// operation succeeded, 1 otherwise ("PEER-FAIL ..." says why).
//
// Operations (each followed by its arguments):
//   maxseg N              TCP_MAXSEG for the sockets created next (the MSS the kernel advertises)
//   listen ADDR PORT      a listening socket (SO_REUSEADDR)
//   accept                accept one connection
//   bind ADDR PORT        a connection socket bound to ADDR:PORT (for a fixed-port connect)
//   connect ADDR PORT     connect (non-blocking, waits for ESTABLISHED or an error)
//   send TEXT K           send TEXT K times
//   recv TEXT K           receive exactly TEXT K times (fails on anything else)
//   eof                   the next read returns 0 (the peer's FIN)
//   expect-reset          a read fails with ECONNRESET
//   shutdown              shutdown(SHUT_WR): our FIN; the socket stays open to watch its state
//   wait-state STATE      until TCP_INFO says STATE (ss spelling: ESTAB, LAST-ACK, CLOSE, ...)
//   wait FILE             until FILE exists
//   sleep MS
//   close                 close the connection socket
//   info                  log the connection's window scaling from TCP_INFO (tcpi_options'
//                         TCPI_OPT_WSCALE, tcpi_snd_wscale, tcpi_rcv_wscale) and the most
//                         octets it has had in flight (tcpi_unacked * tcpi_snd_mss, sampled
//                         at every step), and whether SACK and timestamps are in effect
//                         (TCPI_OPT_SACK, TCPI_OPT_TIMESTAMPS):
//                         "PEER-INFO wscale=1 snd_wscale=7 rcv_wscale=7 max_in_flight=N sack=1 ts=1"
// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;
const clock_type::time_point program_start = clock_type::now();
long long deadline_ms = 20000;

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

// Linux's TCP_* numbers (include/net/tcp_states.h), spelled as ss prints them.
const char* state_name(int s) {
    switch (s) {
        case 1: return "ESTAB";
        case 2: return "SYN-SENT";
        case 3: return "SYN-RECV";
        case 4: return "FIN-WAIT-1";
        case 5: return "FIN-WAIT-2";
        case 6: return "TIME-WAIT";
        case 7: return "CLOSE";
        case 8: return "CLOSE-WAIT";
        case 9: return "LAST-ACK";
        case 10: return "LISTEN";
        case 11: return "CLOSING";
        case 12: return "NEW-SYN-RECV";
        default: return "UNKNOWN";
    }
}

int connection = -1;  // the connection socket
int listener = -1;
int last_state = 0;   // 0: none seen yet
int maxseg = 0;
tcp_info last_info{};               // the connection's TCP_INFO at the last step
unsigned long long max_in_flight = 0;  // the most tcpi_unacked * tcpi_snd_mss seen

void watch() {
    if (connection < 0) return;
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(connection, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return;
    last_info = info;
    const unsigned long long flight = static_cast<unsigned long long>(info.tcpi_unacked) * info.tcpi_snd_mss;
    if (flight > max_in_flight) max_in_flight = flight;
    const int s = info.tcpi_state;
    if (s != last_state) {
        log_line("PEER-STATE %s -> %s", last_state == 0 ? "NONE" : state_name(last_state), state_name(s));
        last_state = s;
    }
}

[[noreturn]] void fail(const char* format, ...) __attribute__((format(printf, 1, 2)));
void fail(const char* format, ...) {
    char text[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    watch();
    log_line("PEER-FAIL %s", text);
    std::exit(1);
}

// Waits up to 1 ms for `events` on fd (or just 1 ms when fd < 0), then logs state changes.
short step(int fd, short events) {
    pollfd p{fd, events, 0};
    short revents = 0;
    if (fd >= 0) {
        if (::poll(&p, 1, 1) > 0) revents = p.revents;
    } else {
        ::poll(nullptr, 0, 1);
    }
    watch();
    return revents;
}

struct address {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_INET;
};

address parse_address(const char* host, const char* port_text) {
    address a;
    char* end = nullptr;
    const long port = std::strtol(port_text, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) fail("bad port %s", port_text);
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (::inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&a.storage, &v4, sizeof v4);
        a.length = sizeof v4;
        a.family = AF_INET;
    } else if (::inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&a.storage, &v6, sizeof v6);
        a.length = sizeof v6;
        a.family = AF_INET6;
    } else {
        fail("bad address %s", host);
    }
    return a;
}

int new_socket(int family) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket: %s", std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (maxseg != 0 && ::setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &maxseg, sizeof maxseg) != 0) {
        fail("TCP_MAXSEG %d: %s", maxseg, std::strerror(errno));
    }
    return fd;
}

clock_type::time_point op_deadline() { return clock_type::now() + std::chrono::milliseconds(deadline_ms); }

std::string repeated(const char* text, const char* count_text) {
    const long k = std::strtol(count_text, nullptr, 10);
    std::string out;
    for (long i = 0; i < k; ++i) out += text;
    return out;
}

void do_send(const std::string& data) {
    std::size_t sent = 0;
    const auto deadline = op_deadline();
    while (sent < data.size()) {
        const ssize_t n = ::send(connection, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) fail("send: %s", std::strerror(errno));
        if (clock_type::now() > deadline) fail("send: deadline, %zu of %zu sent", sent, data.size());
        step(connection, POLLOUT);
    }
    log_line("PEER sent n=%zu", data.size());
}

void do_recv(const std::string& expected) {
    std::string got;
    const auto deadline = op_deadline();
    char buffer[4096];
    while (got.size() < expected.size()) {
        const std::size_t want = expected.size() - got.size() < sizeof buffer ? expected.size() - got.size() : sizeof buffer;
        const ssize_t n = ::recv(connection, buffer, want, 0);
        if (n > 0) {
            got.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) fail("recv: end of stream after %zu of %zu octets", got.size(), expected.size());
        if (errno != EAGAIN && errno != EINTR) fail("recv: %s after %zu octets", std::strerror(errno), got.size());
        if (clock_type::now() > deadline) fail("recv: deadline, %zu of %zu octets", got.size(), expected.size());
        step(connection, POLLIN);
    }
    if (got != expected) fail("recv: %zu octets differ from what was expected", got.size());
    log_line("PEER received n=%zu ok", got.size());
}

// Reads until the end of the stream (0) or an error; `want_errno` 0 expects the end.
void do_read_end(int want_errno) {
    const auto deadline = op_deadline();
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
        if (n > 0) fail("read: %zd unexpected octets", n);
        if (n == 0) {
            if (want_errno != 0) fail("read: end of stream, expected %s", std::strerror(want_errno));
            log_line("PEER eof");
            return;
        }
        const int e = errno;
        if (e != EAGAIN && e != EINTR) {
            if (e != want_errno) fail("read: %s", std::strerror(e));
            log_line("PEER read-error %s", e == ECONNRESET ? "ECONNRESET" : std::strerror(e));
            return;
        }
        if (clock_type::now() > deadline) fail("read: deadline");
        step(connection, POLLIN);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const char* env_deadline = std::getenv("PEER_DEADLINE_MS");
    if (env_deadline != nullptr) deadline_ms = std::strtoll(env_deadline, nullptr, 10);
    int i = 1;
    auto next = [&](const char* op) -> const char* {
        if (i >= argc) fail("%s: missing argument", op);
        return argv[i++];
    };
    while (i < argc) {
        const std::string op = argv[i++];
        if (op == "maxseg") {
            maxseg = std::atoi(next("maxseg"));
        } else if (op == "listen") {
            const char* host = next("listen");
            const address a = parse_address(host, next("listen"));
            listener = new_socket(a.family);
            if (::bind(listener, reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
                fail("bind: %s", std::strerror(errno));
            }
            if (::listen(listener, 8) != 0) fail("listen: %s", std::strerror(errno));
            log_line("PEER listening %s %s", host, argv[i - 1]);
        } else if (op == "accept") {
            const auto deadline = op_deadline();
            for (;;) {
                sockaddr_storage from{};
                socklen_t length = sizeof from;
                connection = ::accept4(listener, reinterpret_cast<sockaddr*>(&from), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (connection >= 0) break;
                if (errno != EAGAIN && errno != EINTR) fail("accept: %s", std::strerror(errno));
                if (clock_type::now() > deadline) fail("accept: deadline");
                step(listener, POLLIN);
            }
            log_line("PEER accepted");
            watch();
        } else if (op == "bind") {
            const char* host = next("bind");
            const address a = parse_address(host, next("bind"));
            connection = new_socket(a.family);
            if (::bind(connection, reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
                fail("bind: %s", std::strerror(errno));
            }
            log_line("PEER bound %s %s", host, argv[i - 1]);
        } else if (op == "connect") {
            const char* host = next("connect");
            const address a = parse_address(host, next("connect"));
            if (connection < 0) connection = new_socket(a.family);
            if (::connect(connection, reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0 &&
                errno != EINPROGRESS) {
                fail("connect: %s", std::strerror(errno));
            }
            log_line("PEER connecting %s %s", host, argv[i - 1]);
            const auto deadline = op_deadline();
            for (;;) {
                const short r = step(connection, POLLOUT);
                if ((r & (POLLOUT | POLLERR | POLLHUP)) != 0) break;
                if (clock_type::now() > deadline) fail("connect: deadline");
            }
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(connection, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) fail("connect: %s", std::strerror(error));
            log_line("PEER connected");
        } else if (op == "send") {
            const char* text = next("send");
            do_send(repeated(text, next("send")));
        } else if (op == "recv") {
            const char* text = next("recv");
            do_recv(repeated(text, next("recv")));
        } else if (op == "eof") {
            do_read_end(0);
        } else if (op == "expect-reset") {
            do_read_end(ECONNRESET);
        } else if (op == "shutdown") {
            if (::shutdown(connection, SHUT_WR) != 0) fail("shutdown: %s", std::strerror(errno));
            log_line("PEER shutdown");
            watch();
        } else if (op == "wait-state") {
            const std::string want = next("wait-state");
            const auto deadline = op_deadline();
            while (last_state == 0 || want != state_name(last_state)) {
                if (clock_type::now() > deadline) fail("wait-state %s: deadline (in %s)", want.c_str(), state_name(last_state));
                step(-1, 0);
            }
            log_line("PEER in %s", want.c_str());
        } else if (op == "wait") {
            const std::string file = next("wait");
            const auto deadline = op_deadline();
            struct stat st {};
            while (::stat(file.c_str(), &st) != 0) {
                if (clock_type::now() > deadline) fail("wait %s: deadline", file.c_str());
                step(-1, 0);
            }
            log_line("PEER waited %s", file.c_str());
        } else if (op == "sleep") {
            const auto until = clock_type::now() + std::chrono::milliseconds(std::atoi(next("sleep")));
            while (clock_type::now() < until) step(-1, 0);
        } else if (op == "info") {
            watch();
            log_line("PEER-INFO wscale=%d snd_wscale=%u rcv_wscale=%u max_in_flight=%llu sack=%d ts=%d",
                     (last_info.tcpi_options & TCPI_OPT_WSCALE) != 0 ? 1 : 0,
                     static_cast<unsigned>(last_info.tcpi_snd_wscale), static_cast<unsigned>(last_info.tcpi_rcv_wscale),
                     max_in_flight, (last_info.tcpi_options & TCPI_OPT_SACK) != 0 ? 1 : 0,
                     (last_info.tcpi_options & TCPI_OPT_TIMESTAMPS) != 0 ? 1 : 0);
        } else if (op == "close") {
            watch();
            ::close(connection);
            connection = -1;
            log_line("PEER closed");
        } else {
            fail("unknown operation %s", op.c_str());
        }
        watch();  // the state each operation left the connection in
    }
    log_line("PEER-DONE");
    return 0;
}
