// tcpfsm: a clock moved by hand, for the engine's and the listener's Clock policy: tests,
// simulations, and event loops that take their time from elsewhere (a packet capture's
// timestamps, another stack's timer).
//
// Two parts, because the engine keeps a copy of its Clock: `manual_time` is the time itself,
// owned by the user and moved with set() and advance(); `manual_clock` is the policy, a
// pointer to one manual_time, so every engine (and listener) built with a clock of the same
// manual_time reads the same time.
//
//     tcpfsm::manual_time time;                      // 0 µs
//     tcpfsm::connection<io, tcpfsm::manual_clock> c(config, io{...}, time.clock());
//     time.advance(std::chrono::milliseconds(200));  // then c.on_timer() if due
//
// What the Clock policy asks (policies.hpp, engine.md): now() returns a std::chrono time
// point. The engine reads it as 32-bit millisecond ticks (its timers, wrapping after 49.7
// days) and as microseconds (the ISS's 4 µs timer, RFC 9293 §3.4.1); manual_time keeps
// microseconds, so both are exact, and ticks() and microseconds() show what the engine reads.
// Nothing here reads a system clock.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_MANUAL_CLOCK_HPP
#define TCPFSM_MANUAL_CLOCK_HPP

#include <chrono>
#include <cstdint>
#include <ratio>

namespace tcpfsm {

class manual_time;

// The Clock policy: reads the manual_time it was made from (time 0 when made from none).
// A copy reads the same manual_time, which must outlive every clock made from it.
class manual_clock {
public:
    using rep = std::int64_t;
    using period = std::micro;
    using duration = std::chrono::microseconds;
    using time_point = std::chrono::time_point<manual_clock, duration>;
    // set() may move the time back, so it is not a steady clock in the standard's sense; the
    // engine needs only that it does not go back while connections run.
    static constexpr bool is_steady = false;

    constexpr manual_clock() noexcept = default;
    constexpr explicit manual_clock(const manual_time& time) noexcept : time_(&time) {}

    constexpr time_point now() const noexcept;

private:
    const manual_time* time_ = nullptr;
};

// The time: microseconds since an epoch of the user's choosing, moved only by set() and
// advance().
class manual_time {
public:
    using duration = manual_clock::duration;
    using time_point = manual_clock::time_point;

    constexpr manual_time() noexcept = default;
    constexpr explicit manual_time(time_point start) noexcept : now_(start) {}

    constexpr time_point now() const noexcept { return now_; }

    // Moves the time to `t` (forward or back).
    constexpr void set(time_point t) noexcept { now_ = t; }
    // Moves the time to `since_epoch` after the epoch (any std::chrono duration, truncated
    // to microseconds).
    template <class Rep, class Period>
    constexpr void set(std::chrono::duration<Rep, Period> since_epoch) noexcept {
        now_ = time_point(std::chrono::duration_cast<duration>(since_epoch));
    }
    // Moves the time forward by `d` (any std::chrono duration, truncated to microseconds).
    template <class Rep, class Period>
    constexpr void advance(std::chrono::duration<Rep, Period> d) noexcept {
        now_ += std::chrono::duration_cast<duration>(d);
    }

    // A Clock policy that reads this time.
    constexpr manual_clock clock() const noexcept { return manual_clock(*this); }

    // What the engine reads: microseconds since the epoch (the ISS timer), and milliseconds
    // modulo 2^32 (its ticks; the listener's ticks() and next_deadline() are the same).
    constexpr std::int64_t microseconds() const noexcept { return now_.time_since_epoch().count(); }
    constexpr std::uint32_t ticks() const noexcept {
        return static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count());
    }

private:
    time_point now_{};
};

constexpr manual_clock::time_point manual_clock::now() const noexcept {
    return time_ != nullptr ? time_->now() : time_point{};
}

}  // namespace tcpfsm

#endif  // TCPFSM_MANUAL_CLOCK_HPP
