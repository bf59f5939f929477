// tcpfsm: SipHash-2-4, the keyed PRF of Aumasson & Bernstein, "SipHash: a fast short-input
// PRF" (2012), written from the paper's description (§2). Used by iss.hpp as the F() of
// RFC 6528 §3. constexpr, byte by byte, so it runs at compile time and on any endianness.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIPHASH_HPP
#define TCPFSM_SIPHASH_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {

// The 128-bit key k, read as two little-endian 64-bit words: k0 from key bytes 0..7 and
// k1 from bytes 8..15 (the paper's k = k0 || k1). Key bytes 00 01 .. 0f give
// k0 = 0x0706050403020100, k1 = 0x0f0e0d0c0b0a0908.
struct siphash_key {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
};

// The key from its 16 bytes, in the order the paper and the reference code write them.
constexpr siphash_key siphash_key_from_bytes(const std::uint8_t (&bytes)[16]) noexcept {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        k0 |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
        k1 |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
    }
    return siphash_key{k0, k1};
}

namespace detail {

constexpr std::uint64_t rotl64(std::uint64_t x, unsigned bits) noexcept {
    return (x << bits) | (x >> (64u - bits));
}

// The internal state v0..v3 and SipRound (paper §2, "Compression").
struct sip_state {
    std::uint64_t v0, v1, v2, v3;

    constexpr void round() noexcept {
        v0 += v1;
        v1 = rotl64(v1, 13);
        v1 ^= v0;
        v0 = rotl64(v0, 32);
        v2 += v3;
        v3 = rotl64(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl64(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl64(v1, 17);
        v1 ^= v2;
        v2 = rotl64(v2, 32);
    }

    // c = 2 SipRounds per message word.
    constexpr void compress(std::uint64_t m) noexcept {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace detail

// SipHash-2-4 of the `len` bytes at `data` under `key`: c = 2 rounds per 8-byte word,
// d = 4 finalization rounds. The message is read as little-endian 64-bit words; the last
// word holds the 0..7 leftover bytes and, in its top byte, len mod 256 (paper §2,
// "Initialization", "Compression", "Finalization").
namespace detail {
// Initialization: the constants spell "somepseudorandomlygeneratedbytes".
constexpr sip_state sip_initial(const siphash_key& key) noexcept {
    return sip_state{key.k0 ^ 0x736f6d6570736575u, key.k1 ^ 0x646f72616e646f6du, key.k0 ^ 0x6c7967656e657261u,
                     key.k1 ^ 0x7465646279746573u};
}
// Finalization: d = 4 rounds after v2 ^= 0xff.
constexpr std::uint64_t sip_final(sip_state s) noexcept {
    s.v2 ^= 0xffu;
    s.round();
    s.round();
    s.round();
    s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
}  // namespace detail

constexpr std::uint64_t siphash_2_4(const siphash_key& key, const std::uint8_t* data, std::size_t len) noexcept {
    detail::sip_state s = detail::sip_initial(key);

    const std::size_t full_words = len / 8;
    for (std::size_t w = 0; w < full_words; ++w) {
        std::uint64_t m = 0;
        for (std::size_t i = 0; i < 8; ++i) m |= static_cast<std::uint64_t>(data[8 * w + i]) << (8 * i);
        s.compress(m);
    }

    std::uint64_t last = static_cast<std::uint64_t>(len) << 56;  // len mod 256 in the top byte
    for (std::size_t i = 0; i < len % 8; ++i) last |= static_cast<std::uint64_t>(data[8 * full_words + i]) << (8 * i);
    s.compress(last);
    return detail::sip_final(s);
}

namespace detail {
// The paper's Appendix A example, checked wherever this header is included: key 00..0f,
// the 15-byte message 00..0e.
inline constexpr std::uint8_t siphash_paper_message[15] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                                           0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
}  // namespace detail

static_assert(siphash_2_4(siphash_key{0x0706050403020100u, 0x0f0e0d0c0b0a0908u}, detail::siphash_paper_message,
                          15) == 0xa129ca6149be45e5u,
              "tcpfsm: SipHash-2-4 disagrees with the paper's Appendix A");

}  // namespace tcpfsm

#endif  // TCPFSM_SIPHASH_HPP
