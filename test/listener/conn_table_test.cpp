// The connection table (conn_table.hpp) and the deadline heap (deadline_heap.hpp) against
// simple models: std::map for the table, a sorted list for the heap.
#include <tcpfsm/conn_table.hpp>
#include <tcpfsm/deadline_heap.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "harness.hpp"

using namespace tcpfsm;
using listener_test::client_tuple;

namespace {

constexpr siphash_key table_secret{0x0123456789abcdefu, 0xfedcba9876543210u};

four_tuple ipv6_tuple(std::uint32_t n) {
    std::uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8};  // 2001:db8::/32, RFC 3849
    std::uint8_t remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
    remote[12] = static_cast<std::uint8_t>(n >> 24);
    remote[13] = static_cast<std::uint8_t>(n >> 16);
    remote[14] = static_cast<std::uint8_t>(n >> 8);
    remote[15] = static_cast<std::uint8_t>(n);
    four_tuple t;
    t.local = endpoint_address::ipv6(local);
    t.remote = endpoint_address::ipv6(remote);
    t.local_port = 443;
    t.remote_port = 50000;
    return t;
}

}  // namespace

TEST_CASE("conn_table: keys keep every field of the four-tuple", "[conn_table]") {
    const four_tuple v4 = client_tuple(70000);
    CHECK(tuple_key::from(v4).tuple() == v4);
    CHECK(ipv4_tuple_key::from(v4).tuple() == v4);
    const four_tuple v6 = ipv6_tuple(0xA1B2C3D4u);
    CHECK(tuple_key::from(v6).tuple() == v6);
    CHECK(tuple_key::holds(v6));
    CHECK_FALSE(ipv4_tuple_key::holds(v6));
    CHECK(sizeof(ipv4_tuple_key) == 12);  // two IPv4 addresses and two ports
    // 192.0.2.1 is 0xC0000201 in host order.
    CHECK(ipv4_tuple_key::host_order(endpoint_address::ipv4(192, 0, 2, 1)) == 0xC0000201u);
}

TEST_CASE("conn_table: insert, find, erase against std::map, IPv4 and IPv6", "[conn_table]") {
    constexpr std::uint32_t capacity = 3000;
    four_tuple_map<std::uint64_t> table(capacity, table_secret);
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t> model;  // (family, n) -> value
    auto tuple_for = [](std::uint32_t family, std::uint32_t n) {
        return family == 4 ? client_tuple(n) : ipv6_tuple(n);
    };
    std::mt19937 random(12345);
    for (int round = 0; round < 30000; ++round) {
        const std::uint32_t family = (random() & 1u) ? 4u : 6u;
        const std::uint32_t n = static_cast<std::uint32_t>(random() % 5000u);
        const four_tuple t = tuple_for(family, n);
        const auto key = std::make_pair(family, n);
        const std::uint32_t slot = table.find(t);
        const bool present = model.count(key) != 0;
        REQUIRE((slot != table.npos) == present);
        if (present) {
            REQUIRE(table[slot] == model[key]);
            REQUIRE(table.tuple_of(slot) == t);
            if (random() % 2u == 0) {
                table.erase(slot);
                model.erase(key);
            }
        } else {
            const std::uint32_t inserted = table.insert(t, std::uint64_t{n} * 7u + family);
            if (model.size() == capacity) {
                REQUIRE(inserted == table.npos);  // full
            } else {
                REQUIRE(inserted != table.npos);
                model[key] = std::uint64_t{n} * 7u + family;
            }
        }
        REQUIRE(table.size() == model.size());
    }
    // Every remaining entry is still found after all the backward shifts.
    for (const auto& entry : model) {
        const std::uint32_t slot = table.find(tuple_for(entry.first.first, entry.first.second));
        REQUIRE(slot != table.npos);
        CHECK(table[slot] == entry.second);
    }
}

TEST_CASE("conn_table: capacity, duplicates and the bound on storage", "[conn_table]") {
    four_tuple_map<std::uint32_t, ipv4_tuple_key> table(4, table_secret);
    // At least 4/3 buckets per slot, a power of two, at least 8.
    CHECK(table.bucket_count() == 8);
    CHECK(table.allocated_bytes() == 4 * decltype(table)::slot_bytes + 8 * sizeof(std::uint32_t));
    for (std::uint32_t i = 0; i < 4; ++i) REQUIRE(table.insert(client_tuple(i), i) != table.npos);
    CHECK(table.full());
    CHECK(table.insert(client_tuple(9), 9u) == table.npos);          // full
    CHECK(table.insert(ipv6_tuple(1), 1u) == table.npos);            // an IPv4 key cannot hold it
    table.erase(table.find(client_tuple(2)));
    CHECK(table.insert(client_tuple(0), 5u) == table.npos);          // already there
    CHECK(table.insert(client_tuple(9), 9u) != table.npos);          // the freed slot
    CHECK(table.find(client_tuple(2)) == table.npos);
    // 1,000,000 slots take 2^21 buckets: 1,000,000 * 4/3 > 2^20.
    four_tuple_map<std::uint32_t, ipv4_tuple_key> big(1000000, table_secret);
    CHECK(big.bucket_count() == (1u << 21));
}

TEST_CASE("conn_table: compact buckets and erase_if against std::map", "[conn_table]") {
    // 4/3 of the slots rounded up to a multiple of 8: 1,000,000 + 333,333 + 1 = 1,333,334 -> 1,333,336.
    four_tuple_map<std::uint32_t, ipv4_tuple_key> big(1000000, table_secret, default_allocator<unsigned char>(),
                                                      bucket_sizing::compact);
    CHECK(big.bucket_count() == 1333336u);
    constexpr std::uint32_t capacity = 600;
    four_tuple_map<std::uint32_t> table(capacity, table_secret, default_allocator<unsigned char>(),
                                        bucket_sizing::compact);
    CHECK(table.bucket_count() == 808u);  // 600 + 200 + 1 = 801 -> 808
    std::map<std::uint32_t, std::uint32_t> model;
    std::mt19937 random(777);
    for (int round = 0; round < 20; ++round) {
        // Fill to the brim (clusters long, some wrapping past the last bucket), then erase a
        // random half with erase_if: every value is offered once, the rest stay findable.
        while (model.size() < capacity) {
            const std::uint32_t n = static_cast<std::uint32_t>(random() % 100000u);
            if (model.count(n) != 0) continue;
            REQUIRE(table.insert(client_tuple(n), n) != table.npos);
            model[n] = n;
        }
        REQUIRE(table.full());
        std::map<std::uint32_t, int> offered;
        const std::uint32_t parity = static_cast<std::uint32_t>(random() & 1u);
        const std::uint32_t erased = table.erase_if([&](std::uint32_t slot) {
            ++offered[table[slot]];
            return (table[slot] & 1u) == parity;
        });
        std::uint32_t expected = 0;
        for (auto it = model.begin(); it != model.end();) {
            REQUIRE(offered[it->first] == 1);
            if ((it->first & 1u) == parity) {
                it = model.erase(it);
                ++expected;
            } else {
                ++it;
            }
        }
        REQUIRE(offered.size() == capacity);
        REQUIRE(erased == expected);
        REQUIRE(table.size() == model.size());
        for (const auto& entry : model) {
            const std::uint32_t slot = table.find(client_tuple(entry.first));
            REQUIRE(slot != table.npos);
            REQUIRE(table[slot] == entry.second);
        }
    }
}

TEST_CASE("conn_table: four_tuple_hash is SipHash-2-4 of the canonical bytes, IPv4 and IPv6", "[conn_table]") {
    // The IPv4 path assembles SipHash's two words directly; it must give the 64-bit tag of
    // canonical_bytes (iss.hpp) as the byte-wise SipHash-2-4 does.
    std::mt19937 random(4242);
    for (int i = 0; i < 2000; ++i) {
        const std::uint32_t n = static_cast<std::uint32_t>(random());
        four_tuple t = (i % 3 == 0) ? ipv6_tuple(n) : client_tuple(n);
        t.local_port = static_cast<std::uint16_t>(random());
        const four_tuple_bytes b = canonical_bytes(t);
        REQUIRE(four_tuple_hash(table_secret, t) == siphash_2_4(table_secret, b.bytes, b.size));
    }
}

TEST_CASE("deadline_heap: pops in deadline order, moves and cancels", "[conn_table]") {
    deadline_heap<> heap(500);
    std::map<std::uint32_t, std::uint32_t> model;  // slot -> deadline
    std::mt19937 random(99);
    const std::uint32_t base = 0xFFFF0000u;  // deadlines that wrap past 2^32
    for (int round = 0; round < 20000; ++round) {
        const std::uint32_t slot = static_cast<std::uint32_t>(random() % 500u);
        const std::uint32_t op = static_cast<std::uint32_t>(random() % 3u);
        if (op < 2) {
            const std::uint32_t at = base + static_cast<std::uint32_t>(random() % 200000u);
            heap.schedule(slot, at);
            model[slot] = at;
        } else {
            heap.cancel(slot);
            model.erase(slot);
        }
        REQUIRE(heap.size() == model.size());
        if (!model.empty()) {
            // The earliest modulo 2^32: the smallest distance from base.
            std::uint32_t best = 0xFFFFFFFFu;
            for (const auto& e : model) best = std::min(best, e.second - base);
            REQUIRE(heap.top_deadline() - base == best);
            REQUIRE(model[heap.top()] == heap.top_deadline());
        }
    }
    std::uint32_t previous = 0;
    while (!heap.empty()) {
        const std::uint32_t d = heap.top_deadline() - base;
        REQUIRE(d >= previous);
        previous = d;
        heap.pop();
    }
}
