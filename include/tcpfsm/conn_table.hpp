// tcpfsm: the connection table: a fixed-capacity map from a connection's four-tuple (RFC 9293
// §3.4.1: local address and port, remote address and port; IPv4 or IPv6) to one value per
// connection, with O(1) lookup. All storage is allocated once, when the table is built, from
// an allocator policy; insert, find and erase never allocate. It is the demultiplexer of
// listener.hpp (Linux's established hash table, inet_ehash), and holds the TIME-WAIT records
// there too.
//
// Layout: an array of `capacity` slots (the value, then the compact key) and an open
// addressing index of 4-octet buckets, at least 4/3 as many as slots: a power of two (home
// bucket by mask), or with bucket_sizing::compact 4/3 exactly (home bucket by multiply-shift,
// 5.3 octets of index per slot instead of up to 10.7); linear probing, deletion by backward shift (no tombstones). A bucket holds the slot number
// + 1 in its low 24 bits (0 = empty) and 8 bits of the hash above them, so that a probe
// rarely reads a slot whose key does not match. The hash is SipHash-2-4 (siphash.hpp) of the
// four-tuple's canonical bytes (iss.hpp) under a secret key: a peer that picks its addresses
// and ports (a SYN flood with chosen sources) cannot aim them at one chain of the index.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONN_TABLE_HPP
#define TCPFSM_CONN_TABLE_HPP

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "allocator.hpp"
#include "iss.hpp"
#include "siphash.hpp"

namespace tcpfsm {

// ------------------------------------------------------------------------------------------
// Keys: how a table stores a four-tuple
// ------------------------------------------------------------------------------------------

// Any four-tuple, IPv4 or IPv6 (38 octets).
struct tuple_key {
    std::uint8_t local[16];
    std::uint8_t remote[16];
    std::uint16_t local_port;
    std::uint16_t remote_port;
    address_family local_family;
    address_family remote_family;

    static constexpr bool holds(const four_tuple&) noexcept { return true; }

    static constexpr tuple_key from(const four_tuple& t) noexcept {
        tuple_key k{};
        for (std::size_t i = 0; i < 16; ++i) {
            k.local[i] = i < t.local.size() ? t.local.bytes[i] : std::uint8_t{0};
            k.remote[i] = i < t.remote.size() ? t.remote.bytes[i] : std::uint8_t{0};
        }
        k.local_port = t.local_port;
        k.remote_port = t.remote_port;
        k.local_family = t.local.family;
        k.remote_family = t.remote.family;
        return k;
    }

    constexpr four_tuple tuple() const noexcept {
        four_tuple t{};
        t.local.family = local_family;
        t.remote.family = remote_family;
        for (std::size_t i = 0; i < 16; ++i) {
            t.local.bytes[i] = local[i];
            t.remote.bytes[i] = remote[i];
        }
        t.local_port = local_port;
        t.remote_port = remote_port;
        return t;
    }

    // Every field compared, without a branch per octet (the compiler makes it a few wide compares).
    friend constexpr bool operator==(const tuple_key& a, const tuple_key& b) noexcept {
        unsigned differ = static_cast<unsigned>(a.local_port ^ b.local_port) | static_cast<unsigned>(a.remote_port ^ b.remote_port) |
                          static_cast<unsigned>(static_cast<std::uint8_t>(a.local_family) ^ static_cast<std::uint8_t>(b.local_family)) |
                          static_cast<unsigned>(static_cast<std::uint8_t>(a.remote_family) ^ static_cast<std::uint8_t>(b.remote_family));
        for (std::size_t i = 0; i < 16; ++i) differ |= static_cast<unsigned>((a.local[i] ^ b.local[i]) | (a.remote[i] ^ b.remote[i]));
        return differ == 0;
    }
};

// An IPv4 four-tuple only (12 octets): a table of this key refuses IPv6 tuples.
struct ipv4_tuple_key {
    std::uint32_t local;   // host order: 192.0.2.1 is 0xC0000201
    std::uint32_t remote;
    std::uint16_t local_port;
    std::uint16_t remote_port;

    static constexpr bool holds(const four_tuple& t) noexcept {
        return t.local.family == address_family::ipv4 && t.remote.family == address_family::ipv4;
    }

    static constexpr std::uint32_t host_order(const endpoint_address& a) noexcept {
        return (std::uint32_t{a.bytes[0]} << 24) | (std::uint32_t{a.bytes[1]} << 16) |
               (std::uint32_t{a.bytes[2]} << 8) | std::uint32_t{a.bytes[3]};
    }

    static constexpr ipv4_tuple_key from(const four_tuple& t) noexcept {
        return ipv4_tuple_key{host_order(t.local), host_order(t.remote), t.local_port, t.remote_port};
    }

    constexpr four_tuple tuple() const noexcept {
        four_tuple t{};
        t.local = endpoint_address::ipv4(local);
        t.remote = endpoint_address::ipv4(remote);
        t.local_port = local_port;
        t.remote_port = remote_port;
        return t;
    }

    friend constexpr bool operator==(const ipv4_tuple_key& a, const ipv4_tuple_key& b) noexcept {
        return a.local == b.local && a.remote == b.remote && a.local_port == b.local_port &&
               a.remote_port == b.remote_port;
    }
};

// How many buckets a four_tuple_map's index has for its slots (conn_table.hpp, "Layout").
enum class bucket_sizing : std::uint8_t {
    power_of_two,  // the least power of two above 4/3 of the slots (the listener's tables)
    compact,       // 4/3 of the slots, rounded up to a multiple of 8 (the tracker's)
};

// The hash of a four-tuple: SipHash-2-4 of its canonical bytes (iss.hpp) under `secret`.
inline std::uint64_t four_tuple_hash(const siphash_key& secret, const four_tuple& t) noexcept {
    return four_tuple_siphash(secret, t);
}

// ------------------------------------------------------------------------------------------
// The map
// ------------------------------------------------------------------------------------------

template <class Value, class Key = tuple_key, class Allocator = default_allocator<unsigned char>>
class four_tuple_map {
    static_assert(sizeof(Key) >= sizeof(std::uint32_t), "tcpfsm::four_tuple_map: a free slot keeps a link in its key");

    // The value first: a key of 12 octets then fills the tail padding of an 8-aligned value.
    struct slot_type {
        alignas(Value) unsigned char storage[sizeof(Value)];
        Key key;
    };
    using slot_allocator = detail::rebind_allocator_t<Allocator, slot_type>;
    using bucket_allocator = detail::rebind_allocator_t<Allocator, std::uint32_t>;

public:
    using value_type = Value;
    using key_type = Key;
    // A slot number; npos: none.
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    // Slot numbers + 1 fit in the 24 bits of a bucket.
    static constexpr std::uint32_t max_capacity = (1u << 24) - 1u;
    static constexpr std::size_t slot_bytes = sizeof(slot_type);

    // Allocates every slot and bucket now. `capacity` is clamped to [1, max_capacity].
    four_tuple_map(std::uint32_t capacity, const siphash_key& hash_secret, const Allocator& allocator = Allocator(),
                   bucket_sizing sizing = bucket_sizing::power_of_two)
        : slots_allocator_(allocator), buckets_allocator_(allocator), secret_(hash_secret), sizing_(sizing) {
        capacity_ = capacity == 0 ? 1u : capacity > max_capacity ? max_capacity : capacity;
        const std::uint64_t wanted = std::uint64_t{capacity_} + std::uint64_t{capacity_} / 3u + 1u;
        std::uint64_t buckets = 8;
        if (sizing == bucket_sizing::compact) {
            buckets = (wanted + 7u) / 8u * 8u;
        } else {
            while (buckets < wanted) buckets <<= 1;
        }
        mask_ = static_cast<std::uint32_t>(buckets - 1u);
        slots_ = slots_allocator_.allocate(capacity_);
        buckets_ = buckets_allocator_.allocate(mask_ + 1u);
        for (std::uint32_t b = 0; b <= mask_; ++b) buckets_[b] = 0;
        // Free list through the keys: slot i links to i + 1; the last to npos.
        for (std::uint32_t i = 0; i < capacity_; ++i) set_link(i, i + 1u < capacity_ ? i + 1u : npos);
        free_head_ = 0;
    }

    ~four_tuple_map() {
        for (std::uint32_t b = 0; b <= mask_; ++b) {
            if (buckets_[b] != 0) value_at(slot_of_bucket(buckets_[b])).~Value();
        }
        buckets_allocator_.deallocate(buckets_, mask_ + 1u);
        slots_allocator_.deallocate(slots_, capacity_);
    }

    four_tuple_map(const four_tuple_map&) = delete;
    four_tuple_map& operator=(const four_tuple_map&) = delete;

    std::uint32_t capacity() const noexcept { return capacity_; }
    std::uint32_t size() const noexcept { return size_; }
    bool full() const noexcept { return size_ == capacity_; }
    static constexpr bool holds(const four_tuple& t) noexcept { return Key::holds(t); }

    // The hash of `t` under this table's secret: tables built with the same secret agree, so
    // one hash serves a lookup in each (find_with_hash, insert_with_hash).
    std::uint64_t hash(const four_tuple& t) const noexcept { return four_tuple_hash(secret_, t); }

    // The slot of `t`, or npos.
    std::uint32_t find(const four_tuple& t) const noexcept { return find_with_hash(hash(t), t); }

    // The same, `h` being hash(t).
    std::uint32_t find_with_hash(std::uint64_t h, const four_tuple& t) const noexcept {
        if (!Key::holds(t)) return npos;
        const Key k = Key::from(t);
        const std::uint32_t tag = tag_of(h);
        for (std::uint32_t b = home_of(h);; b = next_of(b)) {
            const std::uint32_t cell = buckets_[b];
            if (cell == 0) return npos;
            if ((cell & 0xFF000000u) == tag && slots_[slot_of_bucket(cell)].key == k) return slot_of_bucket(cell);
        }
    }

    // Builds a Value from `args` for `t` and returns its slot; npos if the table is full,
    // `t` is already there, or the Key cannot hold `t`.
    template <class... Args>
    std::uint32_t insert(const four_tuple& t, Args&&... args) noexcept {
        return insert_with_hash(hash(t), t, static_cast<Args&&>(args)...);
    }

    // The same, `h` being hash(t).
    template <class... Args>
    std::uint32_t insert_with_hash(std::uint64_t h, const four_tuple& t, Args&&... args) noexcept {
        if (free_head_ == npos || !Key::holds(t)) return npos;
        const Key k = Key::from(t);
        const std::uint32_t tag = tag_of(h);
        std::uint32_t b = home_of(h);
        for (;; b = next_of(b)) {
            const std::uint32_t cell = buckets_[b];
            if (cell == 0) break;
            if ((cell & 0xFF000000u) == tag && slots_[slot_of_bucket(cell)].key == k) return npos;
        }
        const std::uint32_t slot = free_head_;
        free_head_ = link(slot);
        slots_[slot].key = k;
        ::new (static_cast<void*>(slots_[slot].storage)) Value(static_cast<Args&&>(args)...);
        buckets_[b] = tag | (slot + 1u);
        ++size_;
        return slot;
    }

    // Destroys the value in `slot` and frees the slot.
    void erase(std::uint32_t slot) noexcept {
        const four_tuple t = slots_[slot].key.tuple();
        std::uint32_t b = home_of(hash(t));
        while (slot_of_bucket(buckets_[b]) != slot) b = next_of(b);
        // Backward shift: every later bucket of the cluster that may move into the hole does.
        std::uint32_t hole = b;
        for (std::uint32_t next = next_of(hole); buckets_[next] != 0; next = next_of(next)) {
            const std::uint32_t home = home_of(hash(slots_[slot_of_bucket(buckets_[next])].key.tuple()));
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            const bool home_after_hole = distance(home, next) < distance(hole, next);
            if (!home_after_hole) {
                buckets_[hole] = buckets_[next];
                hole = next;
            }
        }
        buckets_[hole] = 0;
        value_at(slot).~Value();
        set_link(slot, free_head_);
        free_head_ = slot;
        --size_;
    }

    Value& operator[](std::uint32_t slot) noexcept { return value_at(slot); }
    const Value& operator[](std::uint32_t slot) const noexcept {
        return *std::launder(reinterpret_cast<const Value*>(slots_[slot].storage));
    }
    four_tuple tuple_of(std::uint32_t slot) const noexcept { return slots_[slot].key.tuple(); }

    // Calls f(slot) for every value, in index order.
    template <class F>
    void for_each(F&& f) const {
        for (std::uint32_t b = 0; b <= mask_; ++b) {
            if (buckets_[b] != 0) f(slot_of_bucket(buckets_[b]));
        }
    }

    // Calls pred(slot) for every value and erases those for which it returns true (pred must
    // not insert or erase). The walk starts after an empty bucket, so that no cluster is cut:
    // an entry the backward shift moves into the bucket just emptied is examined there next.
    template <class Pred>
    std::uint32_t erase_if(Pred&& pred) {
        std::uint32_t erased = 0;
        std::uint32_t start = 0;
        while (buckets_[start] != 0) ++start;  // one exists: more buckets than slots
        std::uint32_t b = start;
        for (std::uint32_t walked = 0; walked <= mask_;) {
            b = next_of(b);
            const std::uint32_t cell = buckets_[b];
            if (cell != 0 && pred(slot_of_bucket(cell))) {
                erase(slot_of_bucket(cell));
                ++erased;
                b = b == 0 ? mask_ : b - 1u;  // the same bucket again
                continue;
            }
            ++walked;
        }
        return erased;
    }

    std::uint32_t bucket_count() const noexcept { return mask_ + 1u; }
    // Everything this map allocated: slots and index.
    std::size_t allocated_bytes() const noexcept {
        return std::size_t{capacity_} * sizeof(slot_type) + std::size_t{mask_ + 1u} * sizeof(std::uint32_t);
    }

private:
    static constexpr std::uint32_t slot_of_bucket(std::uint32_t cell) noexcept { return (cell & 0x00FFFFFFu) - 1u; }
    static constexpr std::uint32_t tag_of(std::uint64_t h) noexcept {
        return static_cast<std::uint32_t>(h >> 56) << 24;
    }
    // The home bucket: the hash's low 32 bits by mask, or scaled to the bucket count
    // (multiply-shift) when it is not a power of two.
    std::uint32_t home_of(std::uint64_t h) const noexcept {
        if (sizing_ == bucket_sizing::power_of_two) return static_cast<std::uint32_t>(h) & mask_;
        return static_cast<std::uint32_t>((std::uint64_t{static_cast<std::uint32_t>(h)} * (std::uint64_t{mask_} + 1u)) >> 32);
    }
    std::uint32_t next_of(std::uint32_t b) const noexcept { return b == mask_ ? 0u : b + 1u; }
    // Buckets from `from` forward to `to`, cyclically.
    std::uint32_t distance(std::uint32_t from, std::uint32_t to) const noexcept {
        return to >= from ? to - from : to + (mask_ + 1u) - from;
    }

    Value& value_at(std::uint32_t slot) noexcept {
        return *std::launder(reinterpret_cast<Value*>(slots_[slot].storage));
    }

    // A free slot's key holds the next free slot number in its first four octets.
    std::uint32_t link(std::uint32_t slot) const noexcept {
        std::uint32_t next = 0;
        const auto* from = reinterpret_cast<const unsigned char*>(&slots_[slot].key);
        auto* to = reinterpret_cast<unsigned char*>(&next);
        for (std::size_t i = 0; i < sizeof next; ++i) to[i] = from[i];
        return next;
    }
    void set_link(std::uint32_t slot, std::uint32_t next) noexcept {
        slots_[slot].key = Key{};
        const auto* from = reinterpret_cast<const unsigned char*>(&next);
        auto* to = reinterpret_cast<unsigned char*>(&slots_[slot].key);
        for (std::size_t i = 0; i < sizeof next; ++i) to[i] = from[i];
    }

    slot_allocator slots_allocator_;
    bucket_allocator buckets_allocator_;
    siphash_key secret_;
    bucket_sizing sizing_ = bucket_sizing::power_of_two;
    slot_type* slots_ = nullptr;
    std::uint32_t* buckets_ = nullptr;
    std::uint32_t capacity_ = 0;
    std::uint32_t mask_ = 0;  // the last bucket's number (a mask with bucket_sizing::power_of_two)
    std::uint32_t size_ = 0;
    std::uint32_t free_head_ = npos;
};

}  // namespace tcpfsm

#endif  // TCPFSM_CONN_TABLE_HPP
