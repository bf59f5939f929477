// tcpfsm-track's link-layer decoding (examples/track/link_decode.hpp) on hand-built frames.
// The IP packets inside are two segments of test/data/wire_veth_capture.pcap, copied from the
// hex dump of test/data/wire_veth_capture.txt (tcpdump: "Flags [P.], cksum 0x67a4 (correct),
// seq 1:7, ack 1, win 63, ... length 6"); the expected fields are read off that dump, and the
// link-layer headers are written from their specifications (IEEE 802.3 / 802.1Q / 802.1ad,
// tcpdump.org's LINKTYPE_LINUX_SLL and LINKTYPE_LINUX_SLL2, RFC 8200 §4).
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "link_decode.hpp"

namespace {

using bytes = std::vector<std::uint8_t>;

bytes from_hex(const std::string& hex) {
    bytes out;
    int nibble = -1;
    for (char c : hex) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (v < 0) continue;
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(nibble * 16 + v));
            nibble = -1;
        }
    }
    return out;
}

// 10.200.0.1.42366 > 10.200.0.2.9999: Flags [P.], seq 1:7 (3391041010), ack 1 (1000826246),
// win 63, TS options (a 32-octet TCP header), length 6: "hello\n". 58 octets.
const bytes ipv4_packet = from_hex(
    "4500 003a c435 4000 4006 60f6 0ac8 0001 0ac8 0002 a57e 270f ca1f 2df2 3ba7 6586"
    "8018 003f 67a4 0000 0101 080a 1b31 ce6d 0f82 566f 6865 6c6c 6f0a");
// fd00:200::1.42766 > fd00:200::2.9999: Flags [P.], seq 747653464, ack 2846491949, win 64,
// length 6. 78 octets.
const bytes ipv6_packet = from_hex(
    "6003 8176 0026 0640 fd00 0200 0000 0000 0000 0000 0000 0001 fd00 0200 0000 0000"
    "0000 0000 0000 0002 a70e 270f 2c90 4958 a9aa 052d 8018 0040 71bf 0000 0101 080a"
    "eb9b b27c 5050 e188 6865 6c6c 6f0a");

const bytes macs = from_hex("0211 2233 4455 0266 7788 99aa");

bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

track::decoded_segment decode(int link, const bytes& frame, bool verify = false, std::size_t caplen = 0,
                              std::size_t wirelen = 0) {
    track::decode_options opt;
    opt.verify_checksums = verify;
    return track::decode_frame(link, frame.data(), caplen != 0 ? caplen : frame.size(),
                               wirelen != 0 ? wirelen : frame.size(), opt);
}

// The fields of ipv4_packet, from tcpdump's line.
void check_ipv4_segment(const track::decoded_segment& d) {
    REQUIRE(d.error == track::decode_error::ok);
    CHECK(d.ip_version == 4);
    CHECK(d.tuple.local.bytes[0] == 10);
    CHECK(d.tuple.local.bytes[1] == 200);
    CHECK(d.tuple.local.bytes[3] == 1);
    CHECK(d.tuple.remote.bytes[3] == 2);
    CHECK(d.tuple.local_port == 42366);
    CHECK(d.tuple.remote_port == 9999);
    CHECK(d.seg.seq == 3391041010u);
    CHECK(d.seg.ack == 1000826246u);
    CHECK(d.seg.flags == (tcpfsm::ctl::psh | tcpfsm::ctl::ack));
    CHECK(d.seg.window == 63);
    CHECK(d.text_length == 6);
    CHECK(d.seg.text_length == 6);
    CHECK(d.tcp.options.has_timestamps);
}

}  // namespace

TEST_CASE("link_decode: Ethernet, 802.1Q and QinQ tags", "[link_decode]") {
    const bytes eth = cat({macs, from_hex("0800"), ipv4_packet});
    const track::decoded_segment plain = decode(track::linktype::ethernet, eth, true);
    check_ipv4_segment(plain);
    CHECK(plain.checksum == track::checksum_status::good);
    CHECK(plain.vlan_tags == 0);
    CHECK(plain.ip_offset == 14);

    const bytes dot1q = cat({macs, from_hex("8100 0064 0800"), ipv4_packet});
    const track::decoded_segment one = decode(track::linktype::ethernet, dot1q, true);
    check_ipv4_segment(one);
    CHECK(one.vlan_tags == 1);
    CHECK(one.ip_offset == 18);

    const bytes qinq = cat({macs, from_hex("88a8 00c8 8100 0064 86dd"), ipv6_packet});
    const track::decoded_segment two = decode(track::linktype::ethernet, qinq, true);
    REQUIRE(two.error == track::decode_error::ok);
    CHECK(two.vlan_tags == 2);
    CHECK(two.ip_version == 6);
    CHECK(two.seg.seq == 747653464u);
    CHECK(two.seg.ack == 2846491949u);
    CHECK(two.text_length == 6);
    CHECK(two.tuple.local_port == 42766);
    CHECK(two.tuple.local.bytes[0] == 0xfd);
    CHECK(two.tuple.local.bytes[15] == 1);
    CHECK(two.checksum == track::checksum_status::good);

    CHECK(decode(track::linktype::ethernet, cat({macs, from_hex("0806"), ipv4_packet})).error ==
          track::decode_error::not_ip);  // ARP
    CHECK(decode(147, eth).error == track::decode_error::unknown_link_type);  // LINKTYPE_USER0
}

TEST_CASE("link_decode: Linux cooked SLL and SLL2, raw IP, BSD loopback", "[link_decode]") {
    // SLL: packet type 0 (to us), ARPHRD_ETHER 1, address length 6, 8 address octets, protocol.
    const bytes sll = cat({from_hex("0000 0001 0006 0211 2233 4455 0000 0800"), ipv4_packet});
    check_ipv4_segment(decode(track::linktype::linux_sll, sll));
    // SLL2: protocol, reserved, interface index 3, ARPHRD_ETHER, packet type 4 (outgoing),
    // address length 6, 8 address octets.
    const bytes sll2 = cat({from_hex("0800 0000 0000 0003 0001 04 06 0211 2233 4455 0000"), ipv4_packet});
    const track::decoded_segment d2 = decode(track::linktype::linux_sll2, sll2);
    check_ipv4_segment(d2);
    CHECK(d2.ip_offset == 20);
    const bytes sll2_v6 = cat({from_hex("86dd 0000 0000 0003 0001 04 06 0211 2233 4455 0000"), ipv6_packet});
    CHECK(decode(track::linktype::linux_sll2, sll2_v6).ip_version == 6);

    for (int link : {track::linktype::raw, track::linktype::dlt_raw_12, track::linktype::dlt_raw_14,
                     track::linktype::ipv4}) {
        check_ipv4_segment(decode(link, ipv4_packet));
    }
    CHECK(decode(track::linktype::ipv6, ipv6_packet).text_length == 6);
    // LINKTYPE_NULL: AF_INET (2) in the capturing host's order (little-endian here).
    check_ipv4_segment(decode(track::linktype::null, cat({from_hex("0200 0000"), ipv4_packet})));
}

TEST_CASE("link_decode: IPv6 extension headers are skipped", "[link_decode]") {
    // Hop-by-Hop (0) with a PadN option, Destination Options (60) likewise, then an atomic
    // Fragment header (44, offset 0, M clear), then TCP: 24 octets more; Payload Length
    // 0x26 + 24 = 0x3e. The TCP checksum does not cover them (RFC 8200 §8.1).
    bytes v6(ipv6_packet.begin(), ipv6_packet.begin() + 40);
    v6[4] = 0x00;
    v6[5] = 0x3e;
    v6[6] = 0;  // next header: Hop-by-Hop
    const bytes hbh = from_hex("3c00 0104 0000 0000");   // next: Destination Options (60), length 0
    const bytes dst = from_hex("2c00 0104 0000 0000");   // next: Fragment (44)
    const bytes frag = from_hex("0600 0000 1234 5678");  // next: TCP, offset 0, M 0
    const bytes packet = cat({v6, hbh, dst, frag, bytes(ipv6_packet.begin() + 40, ipv6_packet.end())});
    const track::decoded_segment d = decode(track::linktype::raw, packet, true);
    REQUIRE(d.error == track::decode_error::ok);
    CHECK(d.seg.seq == 747653464u);
    CHECK(d.text_length == 6);  // 0x3e - 24 - 32
    CHECK(d.checksum == track::checksum_status::good);

    // A non-first fragment (offset 8 units) carries no TCP header.
    bytes later = packet;
    later[40 + 16 + 2] = 0x00;
    later[40 + 16 + 3] = 0x40;  // offset 8 (in the top 13 bits), M 0
    CHECK(decode(track::linktype::raw, later).error == track::decode_error::fragment);
    // ESP (50) hides what follows.
    bytes esp = packet;
    esp[6] = 50;
    CHECK(decode(track::linktype::raw, esp).error == track::decode_error::not_tcp);
}

TEST_CASE("link_decode: truncated captures keep the text length of the IP header", "[link_decode]") {
    const bytes eth = cat({macs, from_hex("0800"), ipv4_packet});
    // Captured up to the end of the 32-octet TCP header: 14 + 20 + 32 = 66 of 72 octets.
    const track::decoded_segment cut = decode(track::linktype::ethernet, eth, true, 66, eth.size());
    check_ipv4_segment(cut);
    CHECK(cut.truncated);
    CHECK(cut.checksum == track::checksum_status::unverifiable);
    // One octet less and the TCP header is incomplete.
    CHECK(decode(track::linktype::ethernet, eth, false, 65, eth.size()).error == track::decode_error::truncated);
    CHECK(decode(track::linktype::ethernet, eth, false, 30, eth.size()).error == track::decode_error::truncated);
    CHECK(decode(track::linktype::ethernet, eth, false, 13, eth.size()).error == track::decode_error::truncated);
    // IPv6 cut after the TCP header: 40 + 32.
    const track::decoded_segment cut6 = decode(track::linktype::raw, ipv6_packet, false, 72, ipv6_packet.size());
    REQUIRE(cut6.error == track::decode_error::ok);
    CHECK(cut6.truncated);
    CHECK(cut6.text_length == 6);
}

TEST_CASE("link_decode: checksums are verified only on request, TSO lengths, fragments", "[link_decode]") {
    bytes bad = ipv4_packet;
    bad[bad.size() - 1] ^= 0x01;  // the text's last octet: the TCP checksum no longer verifies
    CHECK(decode(track::linktype::raw, bad).error == track::decode_error::ok);
    CHECK(decode(track::linktype::raw, bad).checksum == track::checksum_status::not_checked);
    const track::decoded_segment checked = decode(track::linktype::raw, bad, true);
    CHECK(checked.error == track::decode_error::bad_checksum);
    CHECK(checked.checksum == track::checksum_status::bad);
    CHECK(checked.seg.seq == 3391041010u);  // still decoded

    // A TSO super-packet as captured on the sender: Total Length 0, 3000 octets of text
    // (more than the MSS of 1460): the length comes from the frame on the wire.
    bytes tso = ipv4_packet;
    tso.resize(20 + 32);
    tso[2] = 0;
    tso[3] = 0;
    tso.resize(tso.size() + 3000, 0x61);
    const track::decoded_segment big = decode(track::linktype::raw, tso);
    REQUIRE(big.error == track::decode_error::ok);
    CHECK(big.text_length == 3000);

    bytes more_fragments = ipv4_packet;
    more_fragments[6] = 0x20;  // MF
    CHECK(decode(track::linktype::raw, more_fragments).error == track::decode_error::fragment);
    bytes udp = ipv4_packet;
    udp[9] = 17;
    CHECK(decode(track::linktype::raw, udp).error == track::decode_error::not_tcp);
    bytes short_offset = ipv4_packet;
    short_offset[20 + 12] = 0x40;  // Data Offset 4
    CHECK(decode(track::linktype::raw, short_offset).error == track::decode_error::bad_tcp_header);
}

TEST_CASE("link_decode: every cut of every frame decodes from the captured octets alone", "[link_decode]") {
    // Each frame copied into a buffer of exactly `caplen` octets (so that a sanitizer sees a
    // read past it): a cut inside the headers is `truncated`, a cut after the TCP header
    // decodes with the text length of the IP header (6).
    struct framed {
        int link;
        bytes frame;
        std::size_t headers;  // link + IP (+ extension headers) + the 32-octet TCP header
    };
    const framed frames[] = {
        {track::linktype::ethernet, cat({macs, from_hex("8100 0064 0800"), ipv4_packet}), 18 + 20 + 32},
        {track::linktype::linux_sll, cat({from_hex("0000 0001 0006 0211 2233 4455 0000 86dd"), ipv6_packet}),
         16 + 40 + 32},
        {track::linktype::linux_sll2, cat({from_hex("0800 0000 0000 0003 0001 04 06 0211 2233 4455 0000"), ipv4_packet}),
         20 + 20 + 32},
        {track::linktype::raw, ipv6_packet, 40 + 32},
    };
    for (const framed& f : frames) {
        for (std::size_t caplen = 0; caplen <= f.frame.size(); ++caplen) {
            const bytes captured(f.frame.begin(), f.frame.begin() + static_cast<std::ptrdiff_t>(caplen));
            const track::decoded_segment d =
                track::decode_frame(f.link, captured.empty() ? nullptr : captured.data(), caplen, f.frame.size());
            INFO("link " << f.link << ", " << caplen << " of " << f.frame.size() << " octets");
            if (caplen < f.headers) {
                CHECK(d.error == track::decode_error::truncated);
            } else {
                CHECK(d.error == track::decode_error::ok);
                CHECK(d.text_length == 6);
                CHECK(d.truncated == (caplen < f.frame.size()));
            }
        }
    }
}
