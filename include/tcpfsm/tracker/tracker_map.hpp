// tcpfsm: the tracker's table of connections: canonical four-tuple (tracker_key.hpp) to one
// record, with O(1) lookup; everything allocated at construction, nothing after.
//
// Layout (docs/tracker.md, "Memory"): the slots (the record, then a 12-octet key), an open
// addressing index of 4/3 as many 4-octet buckets (as four_tuple_map's bucket_sizing::compact,
// conn_table.hpp: slot number + 1 in the low 24 bits, 8 bits of the hash above them, linear
// probing, deletion by backward shift), and a side table of whole four-tuples for those that
// are not IPv4 (38-octet tuple_key entries, its own capacity). A slot's key holds an IPv4
// tuple inline, or the number of its side-table entry: an IPv4 connection costs a slot and
// its buckets, an IPv6 one a side-table entry more. Lookups compare whole tuples (inline, or
// the side table's entry), never hashes alone. The index's hash is SipHash-1-3 under the
// tracker's secret (hash()).
//
// The key is exact because tuples are canonical (tracker_key::of): the smaller (address,
// port) is `local`. A key whose local (address, port) is (255.255.255.255, 65535) and is
// greater than its remote one is therefore never an IPv4 tuple; such keys mark a side-table
// entry (remote port 0, remote address = the entry's number) or a free slot (remote port 1,
// remote address = the next free slot).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACKER_TRACKER_MAP_HPP
#define TCPFSM_TRACKER_TRACKER_MAP_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "../allocator.hpp"
#include "../conn_table.hpp"
#include "../iss.hpp"
#include "../siphash.hpp"

namespace tcpfsm {
namespace detail {

// A slot's 12-octet key: an IPv4 canonical tuple (addresses in host order), or a mark.
struct tracker_slot_key {
    std::uint32_t local = 0;
    std::uint32_t remote = 0;
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;

    static constexpr std::uint32_t mark_address = 0xFFFFFFFFu;
    static constexpr std::uint16_t mark_port = 0xFFFFu;
    static constexpr std::uint16_t side_kind = 0;  // remote = side-table entry
    static constexpr std::uint16_t free_kind = 1;  // remote = next free slot

    static constexpr tracker_slot_key mark(std::uint16_t kind, std::uint32_t number) noexcept {
        tracker_slot_key k;
        k.local = mark_address;
        k.local_port = mark_port;
        k.remote = number;
        k.remote_port = kind;
        return k;
    }
    constexpr bool marked(std::uint16_t kind) const noexcept {
        return local == mark_address && local_port == mark_port && remote_port == kind;
    }
};

template <class Value, class Allocator = default_allocator<unsigned char>>
class tracker_map {
    // The value first: the 12-octet key fills the tail of a 4-aligned record.
    struct slot_type {
        alignas(Value) unsigned char storage[sizeof(Value)];
        tracker_slot_key key;
    };
    using slot_allocator = rebind_allocator_t<Allocator, slot_type>;
    using bucket_allocator = rebind_allocator_t<Allocator, std::uint32_t>;
    using side_allocator = rebind_allocator_t<Allocator, tuple_key>;

public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    static constexpr std::uint32_t max_capacity = (1u << 24) - 1u;
    static constexpr std::size_t slot_bytes = sizeof(slot_type);
    static constexpr std::size_t side_entry_bytes = sizeof(tuple_key);

    // `capacity` slots (clamped to [1, max_capacity]) and `side_capacity` side-table entries
    // (at most `capacity`; 0: tuples that are not IPv4 are refused).
    tracker_map(std::uint32_t capacity, std::uint32_t side_capacity, const siphash_key& hash_secret,
                const Allocator& allocator = Allocator())
        : slots_allocator_(allocator), buckets_allocator_(allocator), side_allocator_(allocator), secret_(hash_secret) {
        capacity_ = capacity == 0 ? 1u : capacity > max_capacity ? max_capacity : capacity;
        side_capacity_ = side_capacity > capacity_ ? capacity_ : side_capacity;
        const std::uint64_t wanted = std::uint64_t{capacity_} + std::uint64_t{capacity_} / 3u + 1u;
        bucket_count_ = static_cast<std::uint32_t>((wanted + 7u) / 8u * 8u);
        slots_ = slots_allocator_.allocate(capacity_);
        buckets_ = buckets_allocator_.allocate(bucket_count_);
        for (std::uint32_t b = 0; b < bucket_count_; ++b) buckets_[b] = 0;
        for (std::uint32_t i = 0; i < capacity_; ++i)
            slots_[i].key = tracker_slot_key::mark(tracker_slot_key::free_kind, i + 1u < capacity_ ? i + 1u : npos);
        free_head_ = 0;
        if (side_capacity_ > 0) {
            side_ = side_allocator_.allocate(side_capacity_);
            for (std::uint32_t i = 0; i < side_capacity_; ++i) set_side_link(i, i + 1u < side_capacity_ ? i + 1u : npos);
            side_free_head_ = 0;
        }
    }
    ~tracker_map() {
        for (std::uint32_t i = 0; i < capacity_; ++i) {
            if (occupied(i)) value_at(i).~Value();
        }
        if (side_ != nullptr) side_allocator_.deallocate(side_, side_capacity_);
        buckets_allocator_.deallocate(buckets_, bucket_count_);
        slots_allocator_.deallocate(slots_, capacity_);
    }
    tracker_map(const tracker_map&) = delete;
    tracker_map& operator=(const tracker_map&) = delete;

    std::uint32_t capacity() const noexcept { return capacity_; }
    std::uint32_t size() const noexcept { return size_; }
    bool full() const noexcept { return size_ == capacity_; }
    std::uint32_t side_capacity() const noexcept { return side_capacity_; }
    std::uint32_t side_size() const noexcept { return side_size_; }
    bool side_full() const noexcept { return side_size_ == side_capacity_; }

    // Both addresses IPv4: kept in the slot's key.
    static constexpr bool inline_tuple(const four_tuple& t) noexcept {
        return t.local.family == address_family::ipv4 && t.remote.family == address_family::ipv4;
    }
    // The slot holds a record.
    bool occupied(std::uint32_t slot) const noexcept { return !slots_[slot].key.marked(tracker_slot_key::free_kind); }
    // The slot's tuple is in the side table.
    bool in_side_table(std::uint32_t slot) const noexcept { return slots_[slot].key.marked(tracker_slot_key::side_kind); }

    // SipHash-1-3 under the secret (one round per word, three to finish: Rust's HashMap
    // default, against chosen keys; docs/tracker.md, "Throughput"): of an IPv4 tuple's 12
    // octets (both addresses, then both ports, big endian), otherwise of 38 octets: both
    // 16-octet addresses as tuple_key holds them (a 4-octet one zero-filled, so that octets
    // beyond an address's size() never count), both ports big endian, both families.
    std::uint64_t hash(const four_tuple& t) const noexcept {
        if (inline_tuple(t)) return hash_inline(key_of(t));
        if (both_ipv6(t))
            return hash_side(t.local.bytes, t.remote.bytes, t.local_port, t.remote_port, t.local.family, t.remote.family);
        const tuple_key k = tuple_key::from(t);
        return hash_side(k.local, k.remote, k.local_port, k.remote_port, k.local_family, k.remote_family);
    }

    // The slot of canonical tuple `t`, or npos; `h` = hash(t).
    std::uint32_t find_with_hash(std::uint64_t h, const four_tuple& t) const noexcept {
        const std::uint32_t tag = tag_of(h);
        if (inline_tuple(t)) {
            const tracker_slot_key k = key_of(t);
            for (std::uint32_t b = home_of(h);; b = next_of(b)) {
                const std::uint32_t cell = buckets_[b];
                if (cell == 0) return npos;
                if ((cell & 0xFF000000u) == tag && same(slots_[slot_of_bucket(cell)].key, k)) return slot_of_bucket(cell);
            }
        }
        if (side_capacity_ == 0) return npos;
        const bool ipv6 = both_ipv6(t);
        const tuple_key k = ipv6 ? tuple_key{} : tuple_key::from(t);
        for (std::uint32_t b = home_of(h);; b = next_of(b)) {
            const std::uint32_t cell = buckets_[b];
            if (cell == 0) return npos;
            if ((cell & 0xFF000000u) != tag) continue;
            const tracker_slot_key& s = slots_[slot_of_bucket(cell)].key;
            if (!s.marked(tracker_slot_key::side_kind)) continue;
            const tuple_key& e = side_[s.remote];
            if (ipv6 ? same_ipv6(e, t) : e == k) return slot_of_bucket(cell);
        }
    }
    std::uint32_t find(const four_tuple& t) const noexcept { return find_with_hash(hash(t), t); }

    // Builds a Value for canonical tuple `t` (not present; `h` = hash(t)) and returns its
    // slot; npos if the slots are full, or `t` is not IPv4 and the side table is full.
    std::uint32_t insert_with_hash(std::uint64_t h, const four_tuple& t) noexcept {
        if (free_head_ == npos) return npos;
        tracker_slot_key k;
        if (inline_tuple(t)) {
            k = key_of(t);
        } else {
            if (side_free_head_ == npos) return npos;
            const std::uint32_t entry = side_free_head_;
            side_free_head_ = side_link(entry);
            side_[entry] = tuple_key::from(t);
            ++side_size_;
            k = tracker_slot_key::mark(tracker_slot_key::side_kind, entry);
        }
        std::uint32_t b = home_of(h);
        while (buckets_[b] != 0) b = next_of(b);
        const std::uint32_t slot = free_head_;
        free_head_ = slots_[slot].key.remote;
        slots_[slot].key = k;
        ::new (static_cast<void*>(slots_[slot].storage)) Value();
        buckets_[b] = tag_of(h) | (slot + 1u);
        ++size_;
        return slot;
    }

    // Destroys the value in `slot` (occupied) and frees the slot and its side-table entry.
    void erase(std::uint32_t slot) noexcept {
        std::uint32_t b = home_of(hash(tuple_of(slot)));
        while (slot_of_bucket(buckets_[b]) != slot) b = next_of(b);
        // Backward shift: every later bucket of the cluster that may move into the hole does.
        std::uint32_t hole = b;
        for (std::uint32_t next = next_of(hole); buckets_[next] != 0; next = next_of(next)) {
            const std::uint32_t home = home_of(hash(tuple_of(slot_of_bucket(buckets_[next]))));
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            if (!(distance(home, next) < distance(hole, next))) {
                buckets_[hole] = buckets_[next];
                hole = next;
            }
        }
        buckets_[hole] = 0;
        if (in_side_table(slot)) {
            const std::uint32_t entry = slots_[slot].key.remote;
            set_side_link(entry, side_free_head_);
            side_free_head_ = entry;
            --side_size_;
        }
        value_at(slot).~Value();
        slots_[slot].key = tracker_slot_key::mark(tracker_slot_key::free_kind, free_head_);
        free_head_ = slot;
        --size_;
    }

    Value& operator[](std::uint32_t slot) noexcept { return value_at(slot); }
    const Value& operator[](std::uint32_t slot) const noexcept {
        return *std::launder(reinterpret_cast<const Value*>(slots_[slot].storage));
    }
    // The canonical tuple of an occupied slot.
    four_tuple tuple_of(std::uint32_t slot) const noexcept {
        const tracker_slot_key& k = slots_[slot].key;
        if (k.marked(tracker_slot_key::side_kind)) return side_[k.remote].tuple();
        four_tuple t{};
        t.local = endpoint_address::ipv4(k.local);
        t.remote = endpoint_address::ipv4(k.remote);
        t.local_port = k.local_port;
        t.remote_port = k.remote_port;
        return t;
    }

    // Calls f(slot) for every value, in index order.
    template <class F>
    void for_each(F&& f) const {
        for (std::uint32_t b = 0; b < bucket_count_; ++b) {
            if (buckets_[b] != 0) f(slot_of_bucket(buckets_[b]));
        }
    }

    // Calls pred(slot) for every value and erases those for which it returns true (pred must
    // not insert or erase); as four_tuple_map::erase_if, starting after an empty bucket.
    template <class Pred>
    std::uint32_t erase_if(Pred&& pred) {
        std::uint32_t erased = 0;
        std::uint32_t start = 0;
        while (buckets_[start] != 0) ++start;  // one exists: more buckets than slots
        std::uint32_t b = start;
        for (std::uint32_t walked = 0; walked < bucket_count_;) {
            b = next_of(b);
            const std::uint32_t cell = buckets_[b];
            if (cell != 0 && pred(slot_of_bucket(cell))) {
                erase(slot_of_bucket(cell));
                ++erased;
                b = b == 0 ? bucket_count_ - 1u : b - 1u;  // the same bucket again
                continue;
            }
            ++walked;
        }
        return erased;
    }

    std::uint32_t bucket_count() const noexcept { return bucket_count_; }
    // Everything this map allocated: slots, index and side table.
    std::size_t allocated_bytes() const noexcept {
        return std::size_t{capacity_} * sizeof(slot_type) + std::size_t{bucket_count_} * sizeof(std::uint32_t) +
               std::size_t{side_capacity_} * sizeof(tuple_key);
    }

private:
    static constexpr tracker_slot_key key_of(const four_tuple& t) noexcept {
        tracker_slot_key k;
        k.local = ipv4_tuple_key::host_order(t.local);
        k.remote = ipv4_tuple_key::host_order(t.remote);
        k.local_port = t.local_port;
        k.remote_port = t.remote_port;
        return k;
    }
    static constexpr bool same(const tracker_slot_key& a, const tracker_slot_key& b) noexcept {
        return ((a.local ^ b.local) | (a.remote ^ b.remote) |
                static_cast<std::uint32_t>((a.local_port ^ b.local_port) | (a.remote_port ^ b.remote_port))) == 0;
    }
    static constexpr bool both_ipv6(const four_tuple& t) noexcept {
        return t.local.family == address_family::ipv6 && t.remote.family == address_family::ipv6;
    }
    // A side-table entry and an IPv6 tuple (both_ipv6): every field, the addresses as two
    // 16-octet compares.
    static bool same_ipv6(const tuple_key& e, const four_tuple& t) noexcept {
        return e.local_family == address_family::ipv6 && e.remote_family == address_family::ipv6 &&
               e.local_port == t.local_port && e.remote_port == t.remote_port &&
               std::memcmp(e.local, t.local.bytes, 16) == 0 && std::memcmp(e.remote, t.remote.bytes, 16) == 0;
    }
    // SipHash-1-3 of two 16-octet addresses (words in the host's order: one load each; the
    // hash is only compared with itself, on this host), both ports and both families.
    std::uint64_t hash_side(const std::uint8_t* local, const std::uint8_t* remote, std::uint16_t local_port,
                            std::uint16_t remote_port, address_family local_family, address_family remote_family) const noexcept {
        const auto word = [](const std::uint8_t* p) {
            std::uint64_t w = 0;
            std::memcpy(&w, p, sizeof w);
            return w;
        };
        sip_state s = sip_initial(secret_);
        round_1(s, word(local));
        round_1(s, word(local + 8));
        round_1(s, word(remote));
        round_1(s, word(remote + 8));
        round_1(s, std::uint64_t{static_cast<std::uint8_t>(local_port >> 8)} |
                       (std::uint64_t{static_cast<std::uint8_t>(local_port)} << 8) |
                       (std::uint64_t{static_cast<std::uint8_t>(remote_port >> 8)} << 16) |
                       (std::uint64_t{static_cast<std::uint8_t>(remote_port)} << 24) |
                       (std::uint64_t{static_cast<std::uint8_t>(local_family)} << 32) |
                       (std::uint64_t{static_cast<std::uint8_t>(remote_family)} << 40) | (std::uint64_t{38} << 56));
        return final_3(s);
    }
    // SipHash's compression with c = 1, finalization with d = 3.
    static constexpr void round_1(sip_state& s, std::uint64_t m) noexcept {
        s.v3 ^= m;
        s.round();
        s.v0 ^= m;
    }
    static constexpr std::uint64_t final_3(sip_state s) noexcept {
        s.v2 ^= 0xffu;
        s.round();
        s.round();
        s.round();
        return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    }
    // SipHash-1-3 of the 12 octets local, remote, local port, remote port (big endian).
    std::uint64_t hash_inline(const tracker_slot_key& k) const noexcept {
        const auto be32 = [](std::uint32_t v) {
            return ((v & 0xFFu) << 24) | ((v & 0xFF00u) << 8) | ((v >> 8) & 0xFF00u) | (v >> 24);
        };
        const auto be16 = [](std::uint16_t v) { return std::uint32_t{static_cast<std::uint16_t>((v << 8) | (v >> 8))}; };
        sip_state s = sip_initial(secret_);
        round_1(s, std::uint64_t{be32(k.local)} | (std::uint64_t{be32(k.remote)} << 32));
        round_1(s, std::uint64_t{be16(k.local_port)} | (std::uint64_t{be16(k.remote_port)} << 16) | (std::uint64_t{12} << 56));
        return final_3(s);
    }
    static constexpr std::uint32_t slot_of_bucket(std::uint32_t cell) noexcept { return (cell & 0x00FFFFFFu) - 1u; }
    static constexpr std::uint32_t tag_of(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 56) << 24; }
    // The home bucket: the hash's low 32 bits scaled to the bucket count (multiply-shift).
    std::uint32_t home_of(std::uint64_t h) const noexcept {
        return static_cast<std::uint32_t>((std::uint64_t{static_cast<std::uint32_t>(h)} * bucket_count_) >> 32);
    }
    std::uint32_t next_of(std::uint32_t b) const noexcept { return b + 1u == bucket_count_ ? 0u : b + 1u; }
    std::uint32_t distance(std::uint32_t from, std::uint32_t to) const noexcept {
        return to >= from ? to - from : to + bucket_count_ - from;
    }
    Value& value_at(std::uint32_t slot) noexcept { return *std::launder(reinterpret_cast<Value*>(slots_[slot].storage)); }

    // A free side-table entry holds the next free entry's number in its first four octets.
    std::uint32_t side_link(std::uint32_t entry) const noexcept {
        const std::uint8_t* p = side_[entry].local;
        return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
    }
    void set_side_link(std::uint32_t entry, std::uint32_t next) noexcept {
        side_[entry] = tuple_key{};
        for (unsigned i = 0; i < 4; ++i) side_[entry].local[i] = static_cast<std::uint8_t>(next >> (8 * i));
    }

    slot_allocator slots_allocator_;
    bucket_allocator buckets_allocator_;
    side_allocator side_allocator_;
    siphash_key secret_;
    slot_type* slots_ = nullptr;
    std::uint32_t* buckets_ = nullptr;
    tuple_key* side_ = nullptr;
    std::uint32_t capacity_ = 0;
    std::uint32_t bucket_count_ = 0;
    std::uint32_t size_ = 0;
    std::uint32_t free_head_ = npos;
    std::uint32_t side_capacity_ = 0;
    std::uint32_t side_size_ = 0;
    std::uint32_t side_free_head_ = npos;
};

}  // namespace detail
}  // namespace tcpfsm

#endif  // TCPFSM_TRACKER_TRACKER_MAP_HPP
