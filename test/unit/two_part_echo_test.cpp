// The two-part echo exchange of issue 13: a client writes each request in two parts (Nagle
// on both sides, RFC 9293 §3.7.4), the server answers when the whole request is there. The
// second part waits for the ACK of the first (Nagle), so a delayed ACK of the first part stalls
// the round by the delayed-ACK timer (RFC 1122 4.2.3.2; 40 ms here, timer_config). Expected
// round times from the link delay d alone: part 1 out (d), its ACK back (d), part 2 out (d),
// the reply back (d): 4 d. (With timer_config::delayed_ack on, not the default, the first
// part's ACK waits the timer and a round takes 4 d + 40 ms: not asserted here.)
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

namespace {

std::int64_t echo_now = 0;

struct echo_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(echo_now)); }
};

struct in_flight {
    std::int64_t at;
    int to;
    tcpfsm::segment s;
};
std::deque<in_flight> echo_wire;
constexpr std::int64_t d = 10;  // one way

struct echo_io {
    int self;
    void send(const tcpfsm::outgoing_segment& o) noexcept { echo_wire.push_back({echo_now + d, self ^ 1, o.header}); }
};
struct echo_observer : tcpfsm::null_observer {
    std::uint32_t* unread;
    void on_data(const std::uint8_t*, std::uint32_t n) noexcept { *unread += n; }
};
using echo_engine = tcpfsm::connection<echo_io, echo_clock, echo_observer, tcpfsm::fixed_iss>;

constexpr std::uint32_t part1 = 20, part2 = 30, reply = 50;

// Runs `rounds` rounds; returns each round's duration in ms.
std::vector<std::int64_t> run_rounds(const tcpfsm::connection_config& config, int rounds) {
    echo_now = 0;
    echo_wire.clear();
    std::uint32_t unread[2] = {0, 0};
    echo_engine e[2] = {echo_engine(config, echo_io{0}, echo_clock{}, echo_observer{{}, &unread[0]}, tcpfsm::fixed_iss(100)),
                        echo_engine(config, echo_io{1}, echo_clock{}, echo_observer{{}, &unread[1]}, tcpfsm::fixed_iss(500))};
    e[1].open_passive();
    e[0].open_active();
    std::vector<std::int64_t> out;
    std::int64_t round_start = -1;
    std::uint32_t server_got = 0;
    for (int guard = 0; guard < 100000 && static_cast<int>(out.size()) < rounds; ++guard) {
        // The client's turn when it has nothing outstanding: a new request, in two SENDs.
        if (round_start < 0 && e[0].current_state() == tcpfsm::state::established) {
            round_start = echo_now;
            e[0].send(part1);
            e[0].send(part2);
        }
        // The next thing to happen: a segment arriving or a timer.
        std::int64_t next = echo_wire.empty() ? -1 : echo_wire.front().at;
        for (auto& x : e) {
            const auto left = x.time_to_next_deadline();
            if (left != std::chrono::milliseconds::max() && (next < 0 || echo_now + left.count() < next)) {
                next = echo_now + left.count();
            }
        }
        REQUIRE(next >= 0);
        echo_now = next;
        while (!echo_wire.empty() && echo_wire.front().at <= echo_now) {
            const in_flight p = echo_wire.front();
            echo_wire.pop_front();
            e[p.to].on_segment(p.s);
            // Each side's turn after the segment: the server answers a whole request.
            if (p.to == 1 && unread[1] > 0) {
                server_got += unread[1];
                e[1].receive(unread[1]);
                unread[1] = 0;
                if (server_got >= part1 + part2) {
                    server_got -= part1 + part2;
                    e[1].send(reply);
                }
            }
            if (p.to == 0 && unread[0] > 0) {
                const std::uint32_t n = unread[0];
                e[0].receive(n);
                unread[0] = 0;
                if (n >= reply && round_start >= 0) {
                    out.push_back(echo_now - round_start);
                    round_start = -1;
                }
            }
        }
        for (auto& x : e) {
            if (x.time_to_next_deadline().count() == 0) x.on_timer();
        }
    }
    return out;
}

}  // namespace

TEST_CASE("two-part echo with Nagle on both sides: no round waits for a delayed-ACK timer", "[ack_per_turn]") {
    tcpfsm::connection_config config{};
    REQUIRE(config.nagle);
    SECTION("defaults (ACK at once)") {
        const std::vector<std::int64_t> rounds = run_rounds(config, 100);
        REQUIRE(rounds.size() == 100u);
        for (std::int64_t r : rounds) CHECK(r == 4 * d);
    }
    SECTION("ack_per_turn: the first part's ACK goes at the end of the server's turn") {
        config.ack_per_turn = true;
        const std::vector<std::int64_t> rounds = run_rounds(config, 100);
        REQUIRE(rounds.size() == 100u);
        for (std::int64_t r : rounds) CHECK(r == 4 * d);
    }
}
