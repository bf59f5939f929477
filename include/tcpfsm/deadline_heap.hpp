// tcpfsm: deadlines of many connections: an indexed binary min-heap of slot numbers ordered
// by their deadline in the engine's 32-bit millisecond ticks (compared modulo 2^32 like
// timers.hpp: all deadlines must lie within 2^31 ms of each other). One entry per slot at
// most; schedule() inserts or moves it, cancel() removes it, in O(log n). Storage (12 octets
// per slot) is allocated once, from an allocator policy. The listener (listener.hpp) keeps
// one for its connections and one for its TIME-WAIT records.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DEADLINE_HEAP_HPP
#define TCPFSM_DEADLINE_HEAP_HPP

#include <cstddef>
#include <cstdint>

#include "allocator.hpp"
#include "seq.hpp"

namespace tcpfsm {

template <class Allocator = default_allocator<unsigned char>>
class deadline_heap {
    using word_allocator = detail::rebind_allocator_t<Allocator, std::uint32_t>;

public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    static constexpr std::size_t bytes_per_slot = 3 * sizeof(std::uint32_t);

    explicit deadline_heap(std::uint32_t capacity, const Allocator& allocator = Allocator())
        : allocator_(allocator), capacity_(capacity == 0 ? 1u : capacity) {
        words_ = allocator_.allocate(std::size_t{capacity_} * 3u);
        heap_ = words_;
        position_ = words_ + capacity_;
        deadline_ = words_ + 2u * std::size_t{capacity_};
        for (std::uint32_t i = 0; i < capacity_; ++i) {
            position_[i] = npos;
            deadline_[i] = 0;
            heap_[i] = npos;
        }
    }
    ~deadline_heap() {
        allocator_.deallocate(words_, std::size_t{capacity_} * 3u);
    }
    deadline_heap(const deadline_heap&) = delete;
    deadline_heap& operator=(const deadline_heap&) = delete;

    bool empty() const noexcept { return size_ == 0; }
    std::uint32_t size() const noexcept { return size_; }
    // The slot with the earliest deadline, and that deadline (the heap must not be empty).
    std::uint32_t top() const noexcept { return heap_[0]; }
    std::uint32_t top_deadline() const noexcept { return deadline_[heap_[0]]; }
    bool scheduled(std::uint32_t slot) const noexcept { return position_[slot] != npos; }
    std::uint32_t deadline_of(std::uint32_t slot) const noexcept { return deadline_[slot]; }

    // `slot` is due at tick `at` (inserted, or moved if it was there).
    void schedule(std::uint32_t slot, std::uint32_t at) noexcept {
        if (position_[slot] == npos) {
            deadline_[slot] = at;
            position_[slot] = size_;
            heap_[size_++] = slot;
            sift_up(position_[slot]);
            return;
        }
        const bool earlier = seq_lt(at, deadline_[slot]);
        deadline_[slot] = at;
        if (earlier) sift_up(position_[slot]);
        else sift_down(position_[slot]);
    }

    void cancel(std::uint32_t slot) noexcept {
        const std::uint32_t at = position_[slot];
        if (at == npos) return;
        position_[slot] = npos;
        --size_;
        if (at == size_) return;
        const std::uint32_t moved = heap_[size_];
        heap_[at] = moved;
        position_[moved] = at;
        sift_down(at);
        sift_up(position_[moved]);
    }

    void pop() noexcept { cancel(heap_[0]); }

    std::size_t allocated_bytes() const noexcept { return std::size_t{capacity_} * bytes_per_slot; }

private:
    bool before(std::uint32_t a, std::uint32_t b) const noexcept { return seq_lt(deadline_[a], deadline_[b]); }

    void place(std::uint32_t at, std::uint32_t slot) noexcept {
        heap_[at] = slot;
        position_[slot] = at;
    }

    void sift_up(std::uint32_t at) noexcept {
        const std::uint32_t slot = heap_[at];
        while (at > 0) {
            const std::uint32_t parent = (at - 1u) / 2u;
            if (!before(slot, heap_[parent])) break;
            place(at, heap_[parent]);
            at = parent;
        }
        place(at, slot);
    }

    void sift_down(std::uint32_t at) noexcept {
        const std::uint32_t slot = heap_[at];
        for (;;) {
            const std::uint32_t left = 2u * at + 1u;
            if (left >= size_) break;
            std::uint32_t child = left;
            if (left + 1u < size_ && before(heap_[left + 1u], heap_[left])) child = left + 1u;
            if (!before(heap_[child], slot)) break;
            place(at, heap_[child]);
            at = child;
        }
        place(at, slot);
    }

    word_allocator allocator_;
    std::uint32_t capacity_;
    std::uint32_t size_ = 0;
    std::uint32_t* words_ = nullptr;
    std::uint32_t* heap_ = nullptr;      // slots, heap-ordered by deadline
    std::uint32_t* position_ = nullptr;  // slot -> index in heap_, npos when absent
    std::uint32_t* deadline_ = nullptr;  // slot -> tick
};

}  // namespace tcpfsm

#endif  // TCPFSM_DEADLINE_HEAP_HPP
