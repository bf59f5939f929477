// The two-part echo exchange of issue 13: a client writes each request in two parts (Nagle
// on both sides, RFC 9293 §3.7.4). The second part waits for the ACK of the first (Nagle), so
// a delayed ACK of the first part (RFC 1122 4.2.3.2; 40 ms, timer_config) stalls the round.
// Two servers: an echo server that sends each part back in the turn it arrives (its echo
// carries the ACK: one segment per turn), and one that replies only when the whole request
// is there (the first part's ACK has nothing to ride on). Expected round times from the link
// delay d alone: part 1 out (d), its ACK back (d), part 2 out (d), the reply back (d): 4 d;
// a round whose first part's ACK waits for the delayed-ACK timer takes 4 d + 40 ms. Simulated
// time, one clock for both engines; each endpoint's turn ends after its input (on_timer when
// its deadline is due).
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
constexpr std::int64_t d = 2;  // one way, ms

struct echo_io {
    int self;
    void send(const tcpfsm::outgoing_segment& o) noexcept { echo_wire.push_back({echo_now + d, self ^ 1, o.header}); }
};
struct echo_observer : tcpfsm::null_observer {
    std::uint32_t* unread;
    void on_data(const std::uint8_t*, std::uint32_t n) noexcept { *unread += n; }
};
using echo_engine = tcpfsm::connection<echo_io, echo_clock, echo_observer, tcpfsm::fixed_iss>;

constexpr std::uint32_t part1 = 20, part2 = 30;
constexpr std::int64_t delayed_ack_ms = 40;  // timer_config::delayed_ack_ms

enum class server_kind { echo_each_part, reply_to_whole_request };

bool due(echo_engine& x) {
    const auto left = x.time_to_next_deadline();
    return left != std::chrono::milliseconds::max() && left.count() == 0;
}

// Runs `rounds` rounds; returns each round's duration in ms.
std::vector<std::int64_t> run_rounds(const tcpfsm::connection_config& config, server_kind server, int rounds) {
    echo_now = 0;
    echo_wire.clear();
    std::uint32_t unread[2] = {0, 0};
    echo_engine e[2] = {echo_engine(config, echo_io{0}, echo_clock{}, echo_observer{{}, &unread[0]}, tcpfsm::fixed_iss(100)),
                        echo_engine(config, echo_io{1}, echo_clock{}, echo_observer{{}, &unread[1]}, tcpfsm::fixed_iss(500))};
    e[1].open_passive();
    e[0].open_active();
    std::vector<std::int64_t> out;
    std::int64_t round_start = -1;
    std::uint32_t server_got = 0, client_got = 0;
    for (int guard = 0; guard < 100000 && static_cast<int>(out.size()) < rounds; ++guard) {
        // The client's turn when it has nothing outstanding: a new request, in two SENDs.
        if (round_start < 0 && e[0].current_state() == tcpfsm::state::established) {
            round_start = echo_now;
            e[0].send(part1);
            e[0].send(part2);
            if (due(e[0])) e[0].on_timer();
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
            echo_engine& x = e[p.to];
            x.on_segment(p.s);
            if (p.to == 1 && unread[1] > 0) {
                // The server's turn: read what came; echo it, or reply to a whole request.
                const std::uint32_t n = unread[1];
                x.receive(n);
                unread[1] = 0;
                server_got += n;
                if (server == server_kind::echo_each_part) {
                    x.send(n);
                } else if (server_got >= part1 + part2) {
                    server_got -= part1 + part2;
                    x.send(part1 + part2);
                }
            }
            if (p.to == 0 && unread[0] > 0) {
                const std::uint32_t n = unread[0];
                x.receive(n);
                unread[0] = 0;
                client_got += n;
                if (client_got >= part1 + part2 && round_start >= 0) {
                    client_got -= part1 + part2;
                    out.push_back(echo_now - round_start);
                    round_start = -1;
                }
            }
            if (due(x)) x.on_timer();  // the end of this endpoint's turn
        }
        for (auto& x : e) {
            if (due(x)) x.on_timer();  // timers due now (the delayed ACK)
        }
    }
    return out;
}

}  // namespace

TEST_CASE("two-part echo with Nagle on both sides: no round waits for a delayed-ACK timer", "[ack_per_turn]") {
    const tcpfsm::connection_config config{};  // the defaults: delayed ACK, one segment per turn
    REQUIRE(config.nagle);
    REQUIRE(config.timers.delayed_ack);
    REQUIRE(config.timers.delayed_ack_ms == static_cast<std::uint32_t>(delayed_ack_ms));
    REQUIRE(4 * d < delayed_ack_ms);
    const std::vector<std::int64_t> rounds = run_rounds(config, server_kind::echo_each_part, 200);
    REQUIRE(rounds.size() == 200u);
    for (std::int64_t r : rounds) {
        CHECK(r == 4 * d);  // each echo carries the ACK of its part
        CHECK(r < delayed_ack_ms);
    }
}

TEST_CASE("two-part echo: a server that replies only to the whole request waits for the delayed ACK "
          "once its quick ACKs are used up", "[ack_per_turn]") {
    SECTION("defaults") {
        const tcpfsm::connection_config config{};
        // The server's quick ACKs (Linux's tcp_incr_quickack): RCV.WND / (2 * MSS) = 65535 /
        // 2920 = 22, at most 16; each round uses two (the first part's ACK, and the reply's
        // ACK of the second), so the first 16 / 2 = 8 rounds take 4 d, every later one 4 d +
        // the delayed-ACK time.
        constexpr std::int64_t quick = 65535 / (2 * 1460) < 16 ? 65535 / (2 * 1460) : 16;
        constexpr std::int64_t fast_rounds = quick / 2;
        const std::vector<std::int64_t> rounds = run_rounds(config, server_kind::reply_to_whole_request, 120);
        REQUIRE(rounds.size() == 120u);
        for (std::size_t i = 0; i < rounds.size(); ++i) {
            INFO("round " << i);
            CHECK(rounds[i] == (static_cast<std::int64_t>(i) < fast_rounds ? 4 * d : 4 * d + delayed_ack_ms));
        }
    }
    SECTION("the RFC 9293 §3.10 reference: every ACK at once, every round 4 d") {
        const std::vector<std::int64_t> rounds =
            run_rounds(tcpfsm::rfc_reference_config, server_kind::reply_to_whole_request, 120);
        REQUIRE(rounds.size() == 120u);
        for (std::int64_t r : rounds) CHECK(r == 4 * d);
    }
}
