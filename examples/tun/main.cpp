// tcpfsm_tun: TCP endpoints built from tcpfsm (the engine, the listener and the wire codec)
// on a Linux TUN device (IFF_TUN | IFF_NO_PI), talking to the kernel's TCP on the other side
// of the device: a client or one-connection server that sends a file or stdin and writes
// what it receives (one_connection.cpp), or a server on tcpfsm::listener with echo,
// discard, source and HTTP/1.0 file applications (serve.cpp). IPv4 or IPv6.
//
// The device must exist in the current network namespace with its addresses and routes
// (ip tuntap add dev tun0 mode tun; ip addr add 10.0.0.1/24 dev tun0; ip link set tun0 up);
// the program takes an address in that subnet that the kernel does not own (--local).
// If it does not exist, TUNSETIFF creates it (gone when the program exits).
//
// Run with --help for the options; README.md here has examples. Linux only.
// SPDX-License-Identifier: MIT
#include "modes.hpp"
#include "tun_device.hpp"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace tun {
volatile int stop_requested = 0;
}

namespace {
void on_stop_signal(int) { tun::stop_requested = 1; }
}  // namespace

int main(int argc, char** argv) {
    static tun::options opts;  // the modes keep a reference; static storage keeps the stack small
    if (!tun::parse_options(argc, argv, opts)) {
        std::fprintf(stderr, "(--help lists the options)\n");
        return 1;
    }
    // Received data on stdout: the log goes to stderr.
    if (opts.output_path == "-") tun::log_config().out = stderr;
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    const bool v6 = opts.local.family == tcpfsm::address_family::ipv6;
    static tun::setup s;
    s.fd = tun::open_tun(opts.device);
    if (s.fd < 0) return 1;
    const int mtu = tun::device_mtu(opts.device);
    s.config.timers = opts.timers;
    if (opts.mss != 0) {
        s.config.mss = opts.mss;
    } else {
        const int header = v6 ? 60 : 40;
        s.config.mss = static_cast<std::uint16_t>(mtu > header + 64 && mtu < 65535 ? mtu - header : 536);
    }
    opts.listener.child = s.config;
    // The single-connection modes only: serve's per-connection rings hold 64 KiB.
    if (opts.receive_buffer != 0) s.config.receive_buffer = opts.receive_buffer;
    // RFC 6528 (and RFC 4987's cookies, the listener's hash): 128-bit secrets from the system.
    std::uint8_t key_bytes[4][16];
    if (!tun::random_bytes(key_bytes, sizeof key_bytes)) {
        std::fprintf(stderr, "tcpfsm_tun: getrandom: %s\n", std::strerror(errno));
        return 1;
    }
    tcpfsm::siphash_key keys[4];
    for (int i = 0; i < 4; ++i) keys[i] = tcpfsm::siphash_key_from_bytes(key_bytes[i]);
    s.iss_secret = keys[0];
    s.listener_secrets = tcpfsm::listener_secrets{keys[1], keys[2], keys[3]};
    if (opts.mode == tun::run_mode::client && opts.local_port == 0) {
        std::uint16_t r = 0;
        if (!tun::random_bytes(&r, sizeof r)) return 1;
        opts.local_port = static_cast<std::uint16_t>(49152u + r % 16384u);  // RFC 6335 dynamic ports
    }
    TUN_EVENT("START mode=%s dev=%s mtu=%d mss=%u local=%s remote=%s msl_ms=%u keepalive=%s rto=%s",
              tun::mode_name(opts.mode), opts.device.c_str(), mtu, static_cast<unsigned>(s.config.mss),
              tun::format_endpoint(opts.local, opts.local_port).c_str(),
              opts.have_remote ? tun::format_endpoint(opts.remote, opts.remote_port).c_str() : "*",
              opts.timers.msl_ms, opts.timers.keepalive ? "on" : "off",
              opts.rto == tun::rto_profile::linux_bounds ? "linux" : "rfc6298");
    tun::wait_until_running(opts.device);
    TUN_EVENT("READY");
    const int status = opts.mode == tun::run_mode::serve ? tun::run_serve(opts, s) : tun::run_one_connection(opts, s);
    ::close(s.fd);
    return status;
}
