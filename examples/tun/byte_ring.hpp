// A byte ring buffer of fixed capacity (a power of two): the send buffer of a connection
// (front = SND.UNA) and the text held for the application. Appending, dropping acknowledged
// octets from the front and reading at an offset cost O(1) plus the octets copied: an ACK
// never moves the queue (a vector erased from the front would memmove all of it).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_BYTE_RING_HPP
#define TCPFSM_TUN_BYTE_RING_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace tun {

class byte_ring {
public:
    byte_ring() = default;
    // capacity: rounded up to a power of two.
    explicit byte_ring(std::size_t capacity) { reset(capacity); }

    void reset(std::size_t capacity) {
        std::size_t c = 1;
        while (c < capacity) c <<= 1;
        data_.reset(new std::uint8_t[c]);
        mask_ = c - 1;
        head_ = tail_ = 0;
    }
    bool allocated() const { return data_ != nullptr; }
    std::size_t capacity() const { return data_ ? mask_ + 1 : 0; }
    std::size_t size() const { return static_cast<std::size_t>(tail_ - head_); }
    std::size_t space() const { return capacity() - size(); }
    bool empty() const { return head_ == tail_; }
    void clear() { head_ = tail_; }

    // Appends at most space() octets; returns how many.
    std::size_t push(const std::uint8_t* p, std::size_t n) {
        if (n > space()) n = space();
        std::size_t done = 0;
        while (done < n) {
            const std::size_t at = static_cast<std::size_t>(tail_) & mask_;
            std::size_t run = capacity() - at;
            if (run > n - done) run = n - done;
            std::memcpy(data_.get() + at, p + done, run);
            tail_ += run;
            done += run;
        }
        return n;
    }

    // Writes n octets `offset` octets past the back without appending them: text placed
    // ahead of the readable end (tcpfsm's on_place); commit() appends it once it is in
    // order. offset + n <= space().
    void place(std::size_t offset, const std::uint8_t* p, std::size_t n) {
        std::uint64_t to = tail_ + offset;
        std::size_t done = 0;
        while (done < n) {
            const std::size_t at = static_cast<std::size_t>(to) & mask_;
            std::size_t run = capacity() - at;
            if (run > n - done) run = n - done;
            std::memcpy(data_.get() + at, p + done, run);
            to += run;
            done += run;
        }
    }

    // The contiguous free region after the back (for read(2) straight into the ring), then
    // commit(n) to append the n octets written there.
    std::uint8_t* write_region(std::size_t& length) {
        const std::size_t at = static_cast<std::size_t>(tail_) & mask_;
        const std::size_t run = capacity() - at;
        length = run < space() ? run : space();
        return data_.get() + at;
    }
    void commit(std::size_t n) { tail_ += n; }

    // The contiguous octets from the front (for write(2) straight from the ring).
    const std::uint8_t* read_region(std::size_t& length) const {
        const std::size_t at = static_cast<std::size_t>(head_) & mask_;
        const std::size_t run = capacity() - at;
        length = run < size() ? run : size();
        return data_.get() + at;
    }

    // Drops n octets from the front (n <= size()): O(1).
    void drop(std::size_t n) { head_ += n <= size() ? n : size(); }

    // Copies n octets from `offset` past the front to `out` (offset + n <= size()).
    void copy_out(std::size_t offset, std::size_t n, std::uint8_t* out) const {
        std::uint64_t from = head_ + offset;
        std::size_t done = 0;
        while (done < n) {
            const std::size_t at = static_cast<std::size_t>(from) & mask_;
            std::size_t run = capacity() - at;
            if (run > n - done) run = n - done;
            std::memcpy(out + done, data_.get() + at, run);
            from += run;
            done += run;
        }
    }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t mask_ = 0;
    std::uint64_t head_ = 0;  // counts every octet ever dropped
    std::uint64_t tail_ = 0;  // counts every octet ever appended
};

}  // namespace tun

#endif
