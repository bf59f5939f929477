// The Linux TUN device (IFF_TUN | IFF_NO_PI: raw IPv4/IPv6 packets) and the packets on it:
// opening it, its MTU and link state, writing a packet (a link that is down loses it, EIO),
// and turning segments into IP packets and back (tcpfsm/wire.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_TUN_DEVICE_HPP
#define TCPFSM_TUN_TUN_DEVICE_HPP

// wire.hpp first: parse_tcp_packet() has a local named `version`, which -Wshadow flags when
// tcpfsm::version (version.hpp, through connection.hpp) is already declared.
#include <tcpfsm/wire.hpp>
#include <tcpfsm/iss.hpp>
#include <tcpfsm/options/option_codec.hpp>
#include <tcpfsm/options/segment_options.hpp>
#include <tcpfsm/segment.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tun {

// Attaches to (or creates) the device: non-blocking, so one poll() loop serves it all.
int open_tun(const std::string& name);
int device_mtu(const std::string& name);
// Until linkwatch has seen the carrier that attaching brings, the kernel drops what it
// sends through the device: wait (at most 3 s) for RUNNING.
void wait_until_running(const std::string& name);
bool random_bytes(void* out, std::size_t n);
bool file_exists(const std::string& path);

bool parse_address(const char* text, tcpfsm::endpoint_address& out);
std::string format_address(const tcpfsm::endpoint_address& a);
// ADDR:PORT, [ADDR]:PORT for IPv6.
std::string format_endpoint(const tcpfsm::endpoint_address& a, unsigned port);

// A packet read from the device, parsed: the four-tuple seen from us (local = the
// destination), the segment, the options beside it (SACK-permitted, SACK blocks,
// timestamps) and its text (pointing into the packet).
struct inbound {
    tcpfsm::tcp_packet parsed;
    tcpfsm::four_tuple tuple;
    tcpfsm::segment seg;
    tcpfsm::segment_options options;
    const std::uint8_t* text = nullptr;
};
tcpfsm::wire_error parse_inbound(const std::uint8_t* packet, std::size_t length, inbound& out);

// Writes packets to the device and counts what the device refused.
class tun_writer {
public:
    explicit tun_writer(int fd) : fd_(fd) {}
    // Builds the IP packet of `seg` and its options (tuple seen from us; `text` of
    // seg.text_length octets) into `out`; false (logged) if the codec refuses it.
    bool build(const tcpfsm::four_tuple& tuple, const tcpfsm::segment& seg, const tcpfsm::segment_options& options,
               const std::uint8_t* text, std::vector<std::uint8_t>& out);
    // A write to a device whose link is down fails with EIO: the packet is lost, as on an
    // unplugged cable; TCP's retransmission (or keepalive) deals with it.
    void write_packet(const std::uint8_t* bytes, std::size_t length);
    void send(const tcpfsm::four_tuple& tuple, const tcpfsm::segment& seg, const tcpfsm::segment_options& options,
              const std::uint8_t* text) {
        if (build(tuple, seg, options, text, scratch_)) write_packet(scratch_.data(), scratch_.size());
    }
    unsigned long write_errors() const { return write_errors_; }
    unsigned long packets() const { return packets_; }

private:
    int fd_;
    std::uint16_t ip_id_ = 0;
    unsigned long write_errors_ = 0;
    unsigned long packets_ = 0;
    std::vector<std::uint8_t> scratch_;
};

// "flags=SA seq=.. ack=.. win=.. len=.. mss=..": a segment in the log; with its options,
// " wscale=7 sackOK ts=..,.. sack=L-R,..." after it for those present.
std::string describe(const tcpfsm::segment& s);
std::string describe(const tcpfsm::segment& s, const tcpfsm::segment_options& o);

}  // namespace tun

#endif
