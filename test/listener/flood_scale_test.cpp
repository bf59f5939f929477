// The SYN flood and the scale run at CI size (scenarios.hpp), with the engine's default
// profile and with the compact one; the full 10^6 runs are tcpfsm_listener_measure
// (docs/listener.md). Label: conformance.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>

#include "scenarios.hpp"

using namespace listener_test;

namespace {

template <class Profile>
void check_flood_in_one_second() {
    constexpr std::uint64_t spoofed = 100000;
    constexpr std::uint32_t real = 1000;
    const flood_result r = run_flood<Profile>(spoofed, real, 10);
    std::printf("flood (CI size): %llu spoofed SYNs, %u real clients: %u established; cookies sent %llu, "
                "validated %llu; SYN queue max %u; table max %u of %u; listener storage %zu bytes; VmHWM %llu kB; "
                "%.2f s\n",
                static_cast<unsigned long long>(r.spoofed), r.real, r.real_established,
                static_cast<unsigned long long>(r.stats.syn_cookies_sent),
                static_cast<unsigned long long>(r.stats.syn_cookies_validated), r.max_syn_queue, r.max_connections,
                r.table_capacity, r.allocated_bytes, static_cast<unsigned long long>(r.peak_rss_kb), r.seconds);
    CHECK(r.real_syn_acked == real);
    CHECK(r.real_established == real);
    CHECK(r.accepted == real);  // no spoofed source ever completes a handshake
    CHECK(r.max_syn_queue == 128);
    CHECK(r.max_connections <= r.table_capacity);
    // Real client k arrives after spoofed SYN 100 (k + 1) (one per 100000 / 1000 = 100). Client 0
    // comes when 100 spoofed requests wait: it gets a SYN-RECEIVED entry and completes. From
    // the 128th spoofed SYN on the SYN queue is full, and stays full: the flood lasts
    // 100000 * 10 µs = 1 s, and a request waits 63 s (tcp_synack_retries = 5). So every
    // other SYN gets a cookie: 100000 - 128 spoofed and 999 real; the 999 real ones return.
    CHECK(r.stats.syn_cookies_sent == (spoofed - 128) + (real - 1));
    CHECK(r.stats.syn_cookies_validated == real - 1);
    CHECK(r.stats.syn_cookies_failed == 0);
    CHECK(r.stats.syn_queue_drops == 0);
    CHECK(r.stats.table_full_drops == 0);
    CHECK(r.stats.in(state::syn_received) == 128);
}

template <class Profile>
void check_flood_past_the_give_up() {
    constexpr std::uint64_t spoofed = 20000;  // one every 5 ms: 100 s
    constexpr std::uint32_t real = 400;
    const flood_result r = run_flood<Profile>(spoofed, real, 5000);
    std::printf("flood (CI size, 100 s): %u of %u real clients established; SYN-RECEIVED timeouts %llu; "
                "cookies sent %llu\n",
                r.real_established, r.real, static_cast<unsigned long long>(r.stats.syn_received_timeouts),
                static_cast<unsigned long long>(r.stats.syn_cookies_sent));
    CHECK(r.real_established == real);
    CHECK(r.accepted == real);
    CHECK(r.max_syn_queue == 128);
    CHECK(r.max_connections <= r.table_capacity);
    // Every SYN made a child or got a cookie (nothing dropped); real clients that got no cookie
    // had a child; the rest of the children are spoofed requests, which either wait in
    // SYN-RECEIVED or have timed out.
    CHECK(r.stats.syn_queue_drops + r.stats.listen_drops + r.stats.table_full_drops == 0);
    CHECK(r.stats.syn_cookies_validated <= real);
    const std::uint64_t children = spoofed + real - r.stats.syn_cookies_sent;
    const std::uint64_t spoofed_children = children - (real - r.stats.syn_cookies_validated);
    CHECK(r.stats.in(state::syn_received) + r.stats.syn_received_timeouts == spoofed_children);
    // The first 128 requests (the first 0.64 s) give up 63 s later (1+2+4+8+16+32 s), seen by
    // the next on_timer() (every 1024 segments, 5.12 s); 128 later spoofed SYNs take their
    // places (a real client that gets a place completes and leaves it) and would give up
    // after 126 s, past the end at 100 s. So 128 timeouts and 256 spoofed children.
    CHECK(r.stats.syn_received_timeouts == 128);
    CHECK(spoofed_children == 256);
}

template <class Profile>
void check_scale() {
    constexpr std::uint32_t n = 50000;
    constexpr std::uint32_t cap = 10000;  // tcp_max_tw_buckets for this run
    const scale_result r = run_scale<Profile>(n, cap);
    std::printf("scale (CI size): %u connections: %zu bytes allocated (%.1f per connection); open %.3f s, "
                "%.0f lookups/s, %.0f lifecycles/s\n",
                r.n, r.allocated_bytes, static_cast<double>(r.allocated_bytes) / r.n, r.open_seconds,
                static_cast<double>(r.lookups) / r.lookup_seconds,
                static_cast<double>(r.n) / (r.open_seconds + r.close_seconds));
    CHECK(r.connections_at_peak == n);
    CHECK(r.established_at_peak == n);
    CHECK(r.accepted == n);
    CHECK(r.lookups_found == r.lookups);
    CHECK(r.connections_after_close == 0);
    // n / 2 closed by the server first; the first `cap` become records, the rest overflow.
    CHECK(r.time_wait_after_close == cap);
    CHECK(r.stats.time_wait_overflows == n / 2 - cap);
    CHECK(r.time_wait_after_2msl == 0);
    CHECK(r.stats.in(state::time_wait) == 0);
    CHECK(r.stats.in(state::established) == 0);
    CHECK(r.stats.in(state::listen) == 1);
    CHECK(r.stats.listen_overflows == 0);
    CHECK(r.stats.syn_queue_drops == 0);
}

}  // namespace

TEST_CASE("flood: 100,000 spoofed SYNs in 1 s against backlog 128: every real client completes, memory bounded",
          "[conformance][flood]") {
    check_flood_in_one_second<default_profile>();
}

TEST_CASE("flood: a flood longer than the SYN,ACK give-up: requests time out and the SYN queue churns",
          "[conformance][flood]") {
    check_flood_past_the_give_up<default_profile>();
}

TEST_CASE("scale: connections opened through the listener, looked up and closed", "[conformance][scale]") {
    check_scale<default_profile>();
}

TEST_CASE("flood, compact profile: 100,000 spoofed SYNs in 1 s against backlog 128", "[conformance][flood]") {
    check_flood_in_one_second<compact_scenario_profile>();
}

TEST_CASE("flood, compact profile: a flood longer than the SYN,ACK give-up", "[conformance][flood]") {
    check_flood_past_the_give_up<compact_scenario_profile>();
}

TEST_CASE("scale, compact profile: connections opened through the listener, looked up and closed",
          "[conformance][scale]") {
    check_scale<compact_scenario_profile>();
}
