// The tracker's table (tracker_map.hpp): IPv4 tuples inline in the slot's key, IPv6 ones in
// the side table; lookups exact (tuples that differ in one octet, one port or the family
// are different connections), both directions one record, the side table bounded (a new
// IPv6 connection evicts an IPv6 record when it is full), and the octets allocated.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "harness.hpp"

using namespace tracker_test;

namespace {

// [2001:db8::host]:port -> [2001:db8::to_host]:to_port.
tcpfsm::four_tuple v6_tuple(std::uint8_t host, std::uint16_t port, std::uint8_t to_host, std::uint16_t to_port) {
    std::uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
    std::uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = host;
    b[15] = to_host;
    tcpfsm::four_tuple t{};
    t.local = tcpfsm::endpoint_address::ipv6(a);
    t.remote = tcpfsm::endpoint_address::ipv6(b);
    t.local_port = port;
    t.remote_port = to_port;
    return t;
}

tcpfsm::four_tuple reversed(const tcpfsm::four_tuple& t) {
    tcpfsm::four_tuple r{};
    r.local = t.remote;
    r.remote = t.local;
    r.local_port = t.remote_port;
    r.remote_port = t.local_port;
    return r;
}

// A handshake on `t` (client = t.local) from time `at` ms.
void open_on(tcpfsm::tracker<>& trk, const tcpfsm::four_tuple& t, std::uint64_t at) {
    trk.observe(t, seg_of(100, 0, ctl::syn), at * ms);
    trk.observe(reversed(t), seg_of(300, 101, syn_ack), (at + 1) * ms);
    trk.observe(t, seg_of(101, 301, ack_flag), (at + 2) * ms);
}

}  // namespace

TEST_CASE("tracker_map: an IPv6 connection, both directions one record in the side table", "[tracker]") {
    tcpfsm::tracker<> trk;
    const tcpfsm::four_tuple t = v6_tuple(1, 40000, 2, 443);
    open_on(trk, t, 1);
    REQUIRE(trk.find(t) != nullptr);
    CHECK(trk.find(t) == trk.find(reversed(t)));
    CHECK(trk.size() == 1u);
    CHECK(trk.ipv6_size() == 1u);
    CHECK(trk.find(t)->endpoints[0].st == state::established);
    CHECK(trk.find(t)->endpoints[1].st == state::established);
    std::uint32_t seen = 0;
    trk.for_each([&](const tcpfsm::four_tuple& canonical, const tcpfsm::tracked_connection&) {
        CHECK(canonical == t);  // [..::1]:40000 sorts before [..::2]:443
        ++seen;
    });
    CHECK(seen == 1u);
}

TEST_CASE("tracker_map: lookups are exact, never by hash alone", "[tracker]") {
    tcpfsm::tracker<> trk;
    // Tuples that differ in one address octet, one port, or the family (the same first four
    // octets as IPv4 and as IPv6).
    const tcpfsm::four_tuple base = v6_tuple(1, 40000, 2, 443);
    tcpfsm::four_tuple other_octet = base;
    other_octet.remote.bytes[7] = 1;
    tcpfsm::four_tuple other_port = base;
    other_port.local_port = 40001;
    tcpfsm::four_tuple as_ipv4{};
    as_ipv4.local = tcpfsm::endpoint_address::ipv4(0x20, 0x01, 0x0d, 0xb8);
    as_ipv4.remote = tcpfsm::endpoint_address::ipv4(0x20, 0x01, 0x0d, 0xb8);
    as_ipv4.local_port = 40000;
    as_ipv4.remote_port = 443;
    open_on(trk, base, 1);
    CHECK(trk.find(other_octet) == nullptr);
    CHECK(trk.find(other_port) == nullptr);
    CHECK(trk.find(as_ipv4) == nullptr);
    open_on(trk, other_octet, 10);
    open_on(trk, other_port, 20);
    open_on(trk, as_ipv4, 30);
    CHECK(trk.size() == 4u);
    CHECK(trk.ipv6_size() == 3u);
    const tcpfsm::tracked_connection* records[] = {trk.find(base), trk.find(other_octet), trk.find(other_port),
                                                   trk.find(as_ipv4)};
    for (std::size_t i = 0; i < 4; ++i) {
        REQUIRE(records[i] != nullptr);
        for (std::size_t j = i + 1; j < 4; ++j) CHECK(records[i] != records[j]);
    }
    CHECK(trk.stats().connections == 4u);
}

TEST_CASE("tracker_map: IPv4 tuples at the key's marks are ordinary tuples", "[tracker]") {
    // A slot marks a side-table entry or a free slot with local (255.255.255.255, 65535)
    // above its remote (address, port): never a canonical IPv4 tuple. These are tracked as any.
    tcpfsm::tracker<> trk;
    const auto ipv4 = [](std::uint32_t a, std::uint16_t ap, std::uint32_t b, std::uint16_t bp) {
        tcpfsm::four_tuple t{};
        t.local = tcpfsm::endpoint_address::ipv4(a);
        t.remote = tcpfsm::endpoint_address::ipv4(b);
        t.local_port = ap;
        t.remote_port = bp;
        return t;
    };
    const tcpfsm::four_tuple tuples[] = {
        ipv4(0xFFFFFFFFu, 65535, 0, 0), ipv4(0xFFFFFFFFu, 65535, 1, 0), ipv4(0xFFFFFFFFu, 65535, 0, 1),
        ipv4(0xFFFFFFFFu, 65535, 0xFFFFFFFFu, 1), ipv4(0xFFFFFFFFu, 65535, 0xFFFFFFFFu, 65535)};
    std::uint64_t at = 1;
    for (const tcpfsm::four_tuple& t : tuples) {
        CHECK(trk.find(t) == nullptr);
        CHECK(trk.observe(t, seg_of(100, 0, ctl::syn), at++ * ms).new_connection);
    }
    CHECK(trk.size() == 5u);
    CHECK(trk.ipv6_size() == 0u);
    for (const tcpfsm::four_tuple& t : tuples) {
        CHECK(trk.find(t) != nullptr);
        CHECK(trk.find(t) == trk.find(reversed(t)));
    }
    std::uint32_t seen = 0;
    trk.for_each([&](const tcpfsm::four_tuple& canonical, const tcpfsm::tracked_connection&) {
        CHECK(canonical == tcpfsm::tracker_key::of(canonical).tuple);
        ++seen;
    });
    CHECK(seen == 5u);
}

TEST_CASE("tracker_map: a full side table makes room by evicting an IPv6 record (CLOCK)", "[tracker]") {
    tcpfsm::tracker_config config;
    config.capacity = 8;
    config.ipv6_capacity = 2;
    tcpfsm::tracker<> trk(config);
    CHECK(trk.ipv6_capacity() == 2u);
    open_on(trk, tuple_of(1, 1000, 2, 80), 1);     // slot 0 (IPv4)
    open_on(trk, v6_tuple(1, 1001, 2, 443), 10);   // slot 1
    open_on(trk, tuple_of(1, 1002, 2, 80), 20);    // slot 2 (IPv4)
    open_on(trk, v6_tuple(1, 1003, 2, 443), 30);   // slot 3
    CHECK(trk.ipv6_size() == 2u);
    // A third IPv6 connection: the hand passes slots 0 and 2 (IPv4) untouched, clears the bits
    // of slots 1 and 3, then evicts slot 1's record.
    const tcpfsm::tracker_observation o = trk.observe(v6_tuple(1, 1004, 2, 443), seg_of(100, 0, ctl::syn), 40 * ms);
    CHECK(o.tracked);
    CHECK(o.new_connection);
    CHECK(trk.size() == 4u);
    CHECK(trk.ipv6_size() == 2u);
    CHECK(trk.stats().evicted_full == 1u);
    CHECK(trk.stats().evicted_ipv6 == 1u);
    CHECK(trk.find(v6_tuple(1, 1001, 2, 443)) == nullptr);
    CHECK(trk.find(v6_tuple(1, 1003, 2, 443)) != nullptr);
    CHECK(trk.find(v6_tuple(1, 1004, 2, 443)) != nullptr);
    CHECK(trk.find(tuple_of(1, 1000, 2, 80)) != nullptr);
    CHECK(trk.find(tuple_of(1, 1002, 2, 80)) != nullptr);
}

TEST_CASE("tracker_map: no side table with ipv6_capacity 0 or ipv4_tuple_key: IPv6 untracked", "[tracker]") {
    tcpfsm::tracker_config config;
    config.capacity = 4;
    config.ipv6_capacity = 0;
    tcpfsm::tracker<> none(config);
    tcpfsm::tracker<tcpfsm::default_allocator<unsigned char>, tcpfsm::ipv4_tuple_key> ipv4_only;
    CHECK(none.ipv6_capacity() == 0u);
    CHECK(ipv4_only.ipv6_capacity() == 0u);
    CHECK_FALSE(none.observe(v6_tuple(1, 1, 2, 2), seg_of(100, 0, ctl::syn), 1 * ms).tracked);
    CHECK_FALSE(ipv4_only.observe(v6_tuple(1, 1, 2, 2), seg_of(100, 0, ctl::syn), 1 * ms).tracked);
    CHECK(none.stats().untracked == 1u);
    CHECK(ipv4_only.stats().untracked == 1u);
    CHECK(none.observe(tuple_of(1, 1, 2, 2), seg_of(100, 0, ctl::syn), 2 * ms).tracked);
}

TEST_CASE("tracker_map: records removed and added in any order, IPv4 and IPv6, all found", "[tracker]") {
    // Small table (many collisions in the index): 64 slots, 16 IPv6 entries; connections come
    // and go by idle timeout (CLOSED endpoints: conntrack's close, 10 s) and by eviction.
    tcpfsm::tracker_config config;
    config.capacity = 64;
    config.ipv6_capacity = 16;
    tcpfsm::tracker<> trk(config);
    std::vector<tcpfsm::four_tuple> live;
    std::uint64_t at = 1;
    for (std::uint16_t round = 0; round < 6; ++round) {
        for (std::uint16_t i = 0; i < 40; ++i) {
            const auto port = static_cast<std::uint16_t>(round * 100 + i);
            const tcpfsm::four_tuple t = i % 4 == 0 ? v6_tuple(1, port, 2, 443) : tuple_of(1, port, 2, 80);
            // A SYN refused by RST,ACK: both CLOSED.
            trk.observe(t, seg_of(100, 0, ctl::syn), at * ms);
            trk.observe(reversed(t), seg_of(0, 101, static_cast<std::uint8_t>(ctl::rst | ctl::ack)), at * ms);
            ++at;
        }
        // Every record of this round is CLOSED on both sides and was seen within 40 ms:
        // 10 s later all of them are idle.
        CHECK(trk.size() == 40u);
        CHECK(trk.ipv6_size() == 10u);
        for (std::uint16_t i = 0; i < 40; ++i) {
            const auto port = static_cast<std::uint16_t>(round * 100 + i);
            const tcpfsm::four_tuple t = i % 4 == 0 ? v6_tuple(1, port, 2, 443) : tuple_of(1, port, 2, 80);
            CHECK(trk.find(t) != nullptr);
            CHECK(trk.find(reversed(t)) == trk.find(t));
        }
        if (round % 2 == 0) {
            CHECK(trk.expire(at * ms + 10'000 * ms) == 40u);
            at += 10'001;
        } else {
            // Half of them go now (idle), the rest stay past the next round's start.
            CHECK(trk.expire((at - 21) * ms + 10'000 * ms) == 20u);
            CHECK(trk.size() == 20u);
            CHECK(trk.expire(at * ms + 10'000 * ms) == 20u);
            at += 10'001;
        }
        CHECK(trk.size() == 0u);
        CHECK(trk.ipv6_size() == 0u);
    }
    CHECK(trk.stats().connections == 240u);
    CHECK(trk.stats().evicted_idle == 240u);
}

TEST_CASE("tracker_map: octets allocated: slots, 4/3 buckets, the side table", "[tracker]") {
    tcpfsm::tracker_config config;
    config.capacity = 1000;
    const tcpfsm::tracker<> trk(config);
    // Slot: the record and a 12-octet key. Buckets: 4 octets each, capacity + capacity/3 + 1
    // rounded up to a multiple of 8 (1336). Side table: capacity/16 = 62 entries of 38 octets.
    CHECK(tcpfsm::tracker<>::slot_bytes == sizeof(tcpfsm::tracked_connection) + 12u);
    CHECK(tcpfsm::tracker<>::ipv6_entry_bytes == 38u);
    CHECK(trk.ipv6_capacity() == 62u);
    CHECK(trk.allocated_bytes() == 1000u * (sizeof(tcpfsm::tracked_connection) + 12u) + 1336u * 4u + 62u * 38u);
    config.ipv6_capacity = 0;
    const tcpfsm::tracker<> ipv4(config);
    CHECK(ipv4.allocated_bytes() == 1000u * (sizeof(tcpfsm::tracked_connection) + 12u) + 1336u * 4u);
}

TEST_CASE("tracker_map: random inserts and erases against a list of what is held", "[tracker]") {
    // 16 slots, 6 side-table entries, 48 tuples (half IPv6, some differing from another only
    // in the family or one octet): every step, every tuple is looked up and compared with the
    // list. An insert fails exactly when the slots are full, or the tuple is IPv6 and the side
    // table is full.
    struct plain {
        int value = 0;
    };
    tcpfsm::detail::tracker_map<plain> map(16, 6, tcpfsm::siphash_key{1, 2});
    std::vector<tcpfsm::four_tuple> universe;
    for (std::uint8_t i = 0; i < 24; ++i) {
        const tcpfsm::four_tuple v6 = v6_tuple(static_cast<std::uint8_t>(i % 3), static_cast<std::uint16_t>(1000 + i), 9, 443);
        tcpfsm::four_tuple v4{};
        v4.local = tcpfsm::endpoint_address::ipv4(v6.local.bytes[0], v6.local.bytes[1], v6.local.bytes[2], v6.local.bytes[3]);
        v4.remote = tcpfsm::endpoint_address::ipv4(10, 0, 0, static_cast<std::uint8_t>(i % 5));
        v4.local_port = v6.local_port;
        v4.remote_port = 443;
        universe.push_back(tcpfsm::tracker_key::of(v6).tuple);
        universe.push_back(tcpfsm::tracker_key::of(v4).tuple);
    }
    std::vector<int> held(universe.size(), -1);  // the slot each tuple is in, -1: none
    std::uint32_t rng = 12345;
    const auto next = [&rng]() {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return rng;
    };
    std::uint32_t inserts = 0, erases = 0, refused = 0;
    for (int step = 0; step < 4000; ++step) {
        const std::size_t i = next() % universe.size();
        const tcpfsm::four_tuple& t = universe[i];
        std::uint32_t count = 0, count_v6 = 0;
        for (std::size_t j = 0; j < universe.size(); ++j) {
            if (held[j] < 0) continue;
            ++count;
            if (universe[j].local.family == tcpfsm::address_family::ipv6) ++count_v6;
        }
        if (held[i] < 0) {
            const bool v6 = t.local.family == tcpfsm::address_family::ipv6;
            const bool room = count < 16 && (!v6 || count_v6 < 6);
            const std::uint32_t slot = map.insert_with_hash(map.hash(t), t);
            CHECK((slot != map.npos) == room);
            if (slot != map.npos) {
                map[slot].value = static_cast<int>(i);
                held[i] = static_cast<int>(slot);
                ++inserts;
            } else {
                ++refused;
            }
        } else {
            map.erase(static_cast<std::uint32_t>(held[i]));
            held[i] = -1;
            ++erases;
        }
        for (std::size_t j = 0; j < universe.size(); ++j) {
            const std::uint32_t found = map.find(universe[j]);
            if (held[j] < 0) {
                CHECK(found == map.npos);
            } else {
                REQUIRE(found == static_cast<std::uint32_t>(held[j]));
                CHECK(map[found].value == static_cast<int>(j));
                CHECK(map.tuple_of(found) == universe[j]);
            }
        }
    }
    CHECK(inserts > 1000u);
    CHECK(erases > 1000u);
    CHECK(refused > 100u);
}

TEST_CASE("tracker_map: octets beyond an address's size() never count (as four_tuple's ==)", "[tracker]") {
    // An IPv4 address's bytes[4..15] are not part of it: a tuple with them set is the same
    // connection as one without, in the slot's key and in the side table (an IPv4 address
    // beside an IPv6 one).
    tcpfsm::tracker<> trk;
    tcpfsm::four_tuple clean_v4 = tuple_of(1, 40000, 2, 80);
    tcpfsm::four_tuple dirty_v4 = clean_v4;
    tcpfsm::four_tuple clean_mixed = v6_tuple(1, 40001, 2, 443);
    clean_mixed.local = tcpfsm::endpoint_address::ipv4(10, 0, 0, 1);
    tcpfsm::four_tuple dirty_mixed = clean_mixed;
    for (std::size_t i = 4; i < 16; ++i) {
        dirty_v4.local.bytes[i] = 0xAA;
        dirty_v4.remote.bytes[i] = 0x55;
        dirty_mixed.local.bytes[i] = 0xAA;
    }
    REQUIRE(dirty_v4 == clean_v4);
    REQUIRE(dirty_mixed == clean_mixed);
    CHECK(trk.observe(dirty_v4, seg_of(100, 0, ctl::syn), 1 * ms).new_connection);
    CHECK(trk.observe(dirty_mixed, seg_of(100, 0, ctl::syn), 2 * ms).new_connection);
    CHECK(trk.size() == 2u);
    CHECK(trk.ipv6_size() == 1u);
    CHECK(trk.find(clean_v4) != nullptr);
    CHECK(trk.find(clean_mixed) != nullptr);
    CHECK(trk.find(clean_mixed) != trk.find(clean_v4));
    CHECK_FALSE(trk.observe(reversed(clean_v4), seg_of(300, 101, syn_ack), 3 * ms).new_connection);
    CHECK_FALSE(trk.observe(reversed(clean_mixed), seg_of(300, 101, syn_ack), 4 * ms).new_connection);
    CHECK(trk.size() == 2u);
    // Removed by idle timeout through the same index: A is ESTABLISHED after the SYN,ACK
    // (deduced), B in SYN-RECEIVED: the longer timeout, established's 5 days (432,000 s).
    // The IPv4 record was last seen at 3 ms, the other at 4 ms.
    CHECK(trk.expire(3 * ms + 432'000'000ull * ms - 1) == 0u);
    CHECK(trk.expire(3 * ms + 432'000'000ull * ms) == 1u);
    CHECK(trk.find(clean_v4) == nullptr);
    CHECK(trk.find(clean_mixed) != nullptr);
    CHECK(trk.expire(4 * ms + 432'000'000ull * ms) == 1u);
    CHECK(trk.size() == 0u);
    CHECK(trk.ipv6_size() == 0u);
    CHECK(trk.find(dirty_mixed) == nullptr);
}
