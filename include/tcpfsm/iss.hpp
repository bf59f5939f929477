// tcpfsm: initial sequence number selection, RFC 9293 §3.4.1 and RFC 6528 §3:
//     ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
// M is the 4-microsecond timer, F() a keyed pseudorandom function of the connection's
// identity. Here F is SipHash-2-4 (siphash.hpp) keyed with the secret, over the canonical
// bytes of the four-tuple (below), truncated to its low 32 bits. The generator reads no
// clock: the caller passes the time, so it runs in tests, at compile time and on any OS.
//
// Security (RFC 6528 §3, RFC 9293 §3.4.1): "F() MUST NOT be computable from the outside",
// and F is no better than its secret.
//  - The secret must be 128 unpredictable bits from a cryptographic random source (the
//    OS's getrandom(), /dev/urandom, ...); never a constant, a time, an address or a hash
//    of those. fixed_iss and the keys in the tests are for tests only.
//  - Keep the secret: it stays private (this header never hands it back) and stays the
//    same while the host runs. A new secret moves every four-tuple's ISN to an unrelated
//    point of the sequence space, where it may fall inside the window of an old
//    incarnation of the same connection; rekey only where the quiet time of RFC 9293
//    §3.4.3 covers it (typically: a fresh secret at boot), or when the secret may have
//    leaked, accepting that risk.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_ISS_HPP
#define TCPFSM_ISS_HPP

#include <cstddef>
#include <cstdint>

#include "siphash.hpp"

namespace tcpfsm {

// The family tag of an address. Its value is also the tag byte in the canonical bytes.
enum class address_family : std::uint8_t {
    ipv4 = 4,
    ipv6 = 6,
};

// Identifier spelling: "ipv4", "ipv6". (The values are 4 and 6, not 0 and 1: no count.)
constexpr const char* name(address_family f) noexcept {
    return f == address_family::ipv4 ? "ipv4" : f == address_family::ipv6 ? "ipv6" : "invalid";
}

// An IP address in network byte order: an IPv4 address in bytes[0..3] (bytes[4..15] are
// ignored and kept zero by the factories), an IPv6 address in all 16. An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) is an IPv6 address here, distinct from the IPv4 address a.b.c.d:
// it compares unequal and hashes differently. Map it first if your stack treats them alike.
struct endpoint_address {
    address_family family = address_family::ipv4;
    std::uint8_t bytes[16] = {};

    // How many of `bytes` are the address: 16 for IPv6, otherwise 4.
    constexpr std::size_t size() const noexcept { return family == address_family::ipv6 ? 16 : 4; }

    // a.b.c.d, as written: ipv4(192, 0, 2, 1).
    static constexpr endpoint_address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
        endpoint_address address{};
        address.family = address_family::ipv4;
        address.bytes[0] = a;
        address.bytes[1] = b;
        address.bytes[2] = c;
        address.bytes[3] = d;
        return address;
    }

    // An IPv4 address as a host-order integer: ipv4(0xC0000201) is 192.0.2.1.
    static constexpr endpoint_address ipv4(std::uint32_t host_order) noexcept {
        return ipv4(static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
                    static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order));
    }

    // An IPv6 address from its 16 bytes in network order (as in struct in6_addr).
    static constexpr endpoint_address ipv6(const std::uint8_t (&network_order)[16]) noexcept {
        endpoint_address address{};
        address.family = address_family::ipv6;
        for (std::size_t i = 0; i < 16; ++i) address.bytes[i] = network_order[i];
        return address;
    }

    // Same family and same size() address bytes.
    friend constexpr bool operator==(const endpoint_address& x, const endpoint_address& y) noexcept {
        if (x.family != y.family) return false;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x.bytes[i] != y.bytes[i]) return false;
        }
        return true;
    }
    friend constexpr bool operator!=(const endpoint_address& x, const endpoint_address& y) noexcept {
        return !(x == y);
    }
};

// A connection's identifying parameters (RFC 9293 §3.4.1: localip, localport, remoteip,
// remoteport), seen from this host.
struct four_tuple {
    endpoint_address local;
    endpoint_address remote;
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;

    friend constexpr bool operator==(const four_tuple& x, const four_tuple& y) noexcept {
        return x.local == y.local && x.remote == y.remote && x.local_port == y.local_port &&
               x.remote_port == y.remote_port;
    }
    friend constexpr bool operator!=(const four_tuple& x, const four_tuple& y) noexcept { return !(x == y); }
};

// The longest canonical serialization: two IPv6 addresses.
inline constexpr std::size_t max_four_tuple_bytes = 1 + 16 + 1 + 16 + 2 + 2;

// The bytes F() hashes, in this order:
//     local family tag (1 byte: 4 or 6), local address (4 or 16 bytes, network order),
//     remote family tag (1 byte), remote address (4 or 16 bytes, network order),
//     local port (2 bytes, network order), remote port (2 bytes, network order).
// 14 bytes for IPv4, 38 for IPv6. Each address carries its own tag, so every tuple,
// mixed families included, has one serialization and no two tuples share one: equal
// tuples hash equal, and IPv4 and IPv4-mapped IPv6 addresses hash apart.
struct four_tuple_bytes {
    std::uint8_t bytes[max_four_tuple_bytes] = {};
    std::size_t size = 0;
};

namespace detail {
constexpr void append_byte(four_tuple_bytes& out, std::uint8_t byte) noexcept { out.bytes[out.size++] = byte; }

constexpr void append_address(four_tuple_bytes& out, const endpoint_address& address) noexcept {
    append_byte(out, static_cast<std::uint8_t>(address.family));
    for (std::size_t i = 0; i < address.size(); ++i) append_byte(out, address.bytes[i]);
}

constexpr void append_port(four_tuple_bytes& out, std::uint16_t port) noexcept {
    append_byte(out, static_cast<std::uint8_t>(port >> 8));
    append_byte(out, static_cast<std::uint8_t>(port & 0xffu));
}
}  // namespace detail

constexpr four_tuple_bytes canonical_bytes(const four_tuple& t) noexcept {
    four_tuple_bytes out{};
    detail::append_address(out, t.local);
    detail::append_address(out, t.remote);
    detail::append_port(out, t.local_port);
    detail::append_port(out, t.remote_port);
    return out;
}

// SipHash-2-4 under `secret` of canonical_bytes(t): the connection table's hash and the
// ISS generator's F. Two 4-octet addresses: canonical_bytes' 14 octets are SipHash's first
// word and its last (6 octets and the length 14 in the top octet), assembled here directly
// (building the byte array was most of the cost).
constexpr std::uint64_t four_tuple_siphash(const siphash_key& secret, const four_tuple& t) noexcept {
    if (t.local.family != address_family::ipv6 && t.remote.family != address_family::ipv6) {
        const auto octet = [](std::uint64_t v, unsigned at) { return v << (8 * at); };
        const std::uint8_t* a = t.local.bytes;
        const std::uint8_t* b = t.remote.bytes;
        const std::uint64_t first = octet(static_cast<std::uint8_t>(t.local.family), 0) | octet(a[0], 1) |
                                    octet(a[1], 2) | octet(a[2], 3) | octet(a[3], 4) |
                                    octet(static_cast<std::uint8_t>(t.remote.family), 5) | octet(b[0], 6) |
                                    octet(b[1], 7);
        const std::uint64_t last = octet(b[2], 0) | octet(b[3], 1) | octet(std::uint64_t{t.local_port} >> 8, 2) |
                                   octet(std::uint64_t{t.local_port} & 0xffu, 3) |
                                   octet(std::uint64_t{t.remote_port} >> 8, 4) |
                                   octet(std::uint64_t{t.remote_port} & 0xffu, 5) | octet(14u, 7);
        detail::sip_state s = detail::sip_initial(secret);
        s.compress(first);
        s.compress(last);
        return detail::sip_final(s);
    }
    const four_tuple_bytes message = canonical_bytes(t);
    return siphash_2_4(secret, message.bytes, message.size);
}

// M: the timer that "is incremented every 4 microseconds" (RFC 9293 §3.4.1), taken from
// any monotonic microsecond count: (now_microseconds / 4) mod 2^32. It wraps every
// 2^34 µs, about 4.77 hours.
constexpr std::uint32_t iss_timer(std::uint64_t now_microseconds) noexcept {
    return static_cast<std::uint32_t>(now_microseconds / 4);
}

// RFC 6528's generator with F = SipHash-2-4(secret, canonical_bytes(tuple)) mod 2^32 (the
// low 32 bits of the 64-bit tag, as Linux's secure_tcp_seq() keeps them).
// `now_microseconds` should come from a clock that does not jump back (CLOCK_MONOTONIC,
// std::chrono::steady_clock); its origin is arbitrary.
class rfc6528_iss {
public:
    explicit constexpr rfc6528_iss(siphash_key secret) noexcept : secret_(secret) {}

    // ISN = M + F (mod 2^32).
    constexpr std::uint32_t operator()(const four_tuple& t, std::uint64_t now_microseconds) const noexcept {
        return static_cast<std::uint32_t>(iss_timer(now_microseconds) + keyed_offset(t));
    }

    // F: this tuple's fixed offset into the sequence space under this secret.
    constexpr std::uint32_t keyed_offset(const four_tuple& t) const noexcept {
        return static_cast<std::uint32_t>(four_tuple_siphash(secret_, t));
    }

    // RFC 7323 §5.4's Timestamp_Offset for this tuple under the same secret: SipHash-2-4 over
    // canonical_bytes(t) followed by the octet 'T', low 32 bits (options/timestamps.hpp's
    // timestamp_offset_generator; the octet keeps it apart from keyed_offset). The engine
    // adds it to every TSval of the connection (timestamping.hpp).
    constexpr std::uint32_t timestamp_offset(const four_tuple& t) const noexcept {
        const four_tuple_bytes tuple = canonical_bytes(t);
        std::uint8_t message[max_four_tuple_bytes + 1] = {};
        for (std::size_t i = 0; i < tuple.size; ++i) message[i] = tuple.bytes[i];
        message[tuple.size] = 0x54;  // 'T'
        return static_cast<std::uint32_t>(siphash_2_4(secret_, message, tuple.size + 1));
    }

private:
    siphash_key secret_;
};

// The same ISN for every connection at every time: for tests and examples, where a known
// ISN makes traces readable. Never on a network (RFC 9293 §3.4.1, RFC 6528 §2).
// set() changes it for the next connection of an engine that already holds the generator
// (connection::iss_policy().set(n)); a connection's ISS, once chosen, stays.
class fixed_iss {
public:
    constexpr explicit fixed_iss(std::uint32_t iss) noexcept : iss_(iss) {}

    constexpr std::uint32_t operator()(const four_tuple&, std::uint64_t) const noexcept { return iss_; }

    constexpr void set(std::uint32_t iss) noexcept { iss_ = iss; }
    constexpr std::uint32_t value() const noexcept { return iss_; }

private:
    std::uint32_t iss_;
};

}  // namespace tcpfsm

#endif  // TCPFSM_ISS_HPP
