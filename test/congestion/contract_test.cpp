// The congestion-control contract (include/tcpfsm/congestion/contract.hpp): the trait accepts
// the library's policies and rejects a type missing a hook; sizeof of each policy.
#include <tcpfsm/congestion/contract.hpp>
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>
#include <cstdint>

#include "support.hpp"

namespace cc = tcpfsm::congestion;

namespace {
// Every hook; then the same with one missing at a time.
struct complete {
    void init(std::uint32_t, std::uint32_t, std::uint64_t) noexcept {}
    std::uint32_t cwnd() const noexcept { return 1; }
    std::uint32_t ssthresh() const noexcept { return 1; }
    void on_ack(const cc::ack_sample&) noexcept {}
    std::uint32_t on_loss(std::uint32_t, std::uint64_t) noexcept { return 1; }
    void on_recovery_exit(std::uint32_t, std::uint64_t) noexcept {}
    void on_timeout(std::uint32_t, bool, std::uint64_t) noexcept {}
    void on_restart_after_idle(std::uint64_t, std::uint64_t, std::uint64_t) noexcept {}
};
struct no_timeout {
    void init(std::uint32_t, std::uint32_t, std::uint64_t) noexcept {}
    std::uint32_t cwnd() const noexcept { return 1; }
    std::uint32_t ssthresh() const noexcept { return 1; }
    void on_ack(const cc::ack_sample&) noexcept {}
    std::uint32_t on_loss(std::uint32_t, std::uint64_t) noexcept { return 1; }
    void on_recovery_exit(std::uint32_t, std::uint64_t) noexcept {}
    void on_restart_after_idle(std::uint64_t, std::uint64_t, std::uint64_t) noexcept {}
};
struct loss_returns_nothing : complete {
    void on_loss(std::uint32_t, std::uint64_t) noexcept {}  // hides complete's: no ssthresh returned
};
struct cwnd_not_const {
    void init(std::uint32_t, std::uint32_t, std::uint64_t) noexcept {}
    std::uint32_t cwnd() noexcept { return 1; }
    std::uint32_t ssthresh() const noexcept { return 1; }
    void on_ack(const cc::ack_sample&) noexcept {}
    std::uint32_t on_loss(std::uint32_t, std::uint64_t) noexcept { return 1; }
    void on_recovery_exit(std::uint32_t, std::uint64_t) noexcept {}
    void on_timeout(std::uint32_t, bool, std::uint64_t) noexcept {}
    void on_restart_after_idle(std::uint64_t, std::uint64_t, std::uint64_t) noexcept {}
};
}  // namespace

static_assert(cc::is_congestion_control_v<complete>);
static_assert(!cc::is_congestion_control_v<no_timeout>);
static_assert(!cc::is_congestion_control_v<loss_returns_nothing>);
static_assert(!cc::is_congestion_control_v<cwnd_not_const>);
static_assert(!cc::is_congestion_control_v<int>);
static_assert(cc::check_policy<complete>());

static_assert(cc::is_congestion_control_v<cc::newreno<>>);
static_assert(cc::is_congestion_control_v<cc::newreno<cc::hystart_pp<>>>);
static_assert(cc::is_congestion_control_v<cc::cubic<>>);
static_assert(cc::is_congestion_control_v<cc::cubic<cc::abc_slow_start<>>>);
static_assert(cc::is_congestion_control_v<cc::unlimited>);
static_assert(cc::check_policy<cc::newreno<>>() && cc::check_policy<cc::cubic<>>() && cc::check_policy<cc::unlimited>());

// Optional hooks.
static_assert(cc::has_spurious_undo_v<cc::newreno<>> && cc::has_spurious_undo_v<cc::cubic<>>);
static_assert(!cc::has_spurious_undo_v<cc::unlimited> && !cc::has_spurious_undo_v<complete>);
static_assert(cc::is_congestion_control_v<cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>>);
static_assert(!cc::has_spurious_undo_v<cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>>);
static_assert(cc::has_phase_v<cc::newreno<>> && cc::has_phase_v<cc::cubic<>> && !cc::has_phase_v<complete>);

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
static_assert(cc::congestion_control<cc::cubic<>> && cc::congestion_control<cc::newreno<>>);
static_assert(!cc::congestion_control<no_timeout>);
#endif

// The slow-start component with ABC costs nothing; the policies' state stays small.
static_assert(sizeof(cc::abc_slow_start<>) == 1);
static_assert(sizeof(cc::newreno<>) == 7 * sizeof(std::uint32_t));
// The compact one: cwnd, ssthresh, SMSS, IW, bytes_acked.
static_assert(sizeof(cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>) == 5 * sizeof(std::uint32_t));

TEST_CASE("congestion: sizeof of each policy", "[congestion][sizes]") {
    WARN("sizeof(newreno<>) = " << sizeof(cc::newreno<>)
         << ", sizeof(newreno<abc_slow_start<>, newreno_compact_options>) = "
         << sizeof(cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>)
         << ", sizeof(newreno<hystart_pp<>>) = " << sizeof(cc::newreno<cc::hystart_pp<>>)
         << ", sizeof(cubic<>) [HyStart++] = " << sizeof(cc::cubic<>)
         << ", sizeof(cubic<abc_slow_start<>>) = " << sizeof(cc::cubic<cc::abc_slow_start<>>)
         << ", sizeof(hystart_pp<>) = " << sizeof(cc::hystart_pp<>)
         << ", sizeof(unlimited) = " << sizeof(cc::unlimited));
    // The budget (issue 13): 128 octets of TCB today, 256 for the default profile, 128 for a
    // compact one. NewReno fits beside a compact TCB's slack; CUBIC with HyStart++ in 80.
    CHECK(sizeof(cc::newreno<>) <= 28);
    CHECK(sizeof(cc::hystart_pp<>) <= 20);
    CHECK(sizeof(cc::cubic<>) <= 80);
}

TEST_CASE("congestion: unlimited caps nothing", "[congestion]") {
    cc::unlimited u;
    u.init(cc_test::smss, cc_test::iw10, 0);
    CHECK(u.cwnd() == cc::cwnd_cap);
    u.on_timeout(1000, false, 0);
    CHECK(u.on_loss(1000, 0) == cc::cwnd_cap);
    CHECK(u.ssthresh() == cc::ssthresh_initial);
    CHECK(u.cwnd() == cc::cwnd_cap);
}

TEST_CASE("congestion: windows handed in stay within [1 SMSS, 2^30]; ssthresh from on_loss within 2^30", "[congestion]") {
    cc::newreno<> r;
    r.init(cc_test::smss, 0, 0);  // an IW of 0: one segment
    CHECK(r.cwnd() == cc_test::smss);
    r.on_recovery_exit(0, 0);
    CHECK(r.cwnd() == cc_test::smss);
    r.on_recovery_exit(0xFFFFFFFFu, 0);
    CHECK(r.cwnd() == cc::cwnd_cap);
    CHECK(r.on_loss(0xFFFFFFFFu, 0) == cc::cwnd_cap);  // FlightSize/2 = 2^31 - 1, capped
    r.on_ack(cc_test::ack(cc_test::smss));
    CHECK(r.cwnd() <= cc::cwnd_cap);

    cc::cubic<> c;
    c.init(cc_test::smss, 0, 0);
    CHECK(c.cwnd() == cc_test::smss);
    c.on_recovery_exit(0xFFFFFFFFu, 0);
    CHECK(c.cwnd() == cc::cwnd_cap);
    CHECK(c.on_loss(0xFFFFFFFFu, 0) == static_cast<std::uint32_t>(std::uint64_t{cc::cwnd_cap} * 7 / 10));
    c.on_recovery_exit(cc::cwnd_cap, 0);
    c.on_ack(cc_test::ack(cc::cwnd_cap, 3600000000ull, 1000));  // an hour later, a whole window
    CHECK(c.cwnd() == cc::cwnd_cap);
    // A policy used before init (SMSS 536 assumed) or with SMSS 0 never divides by zero.
    cc::cubic<> z;
    z.init(0, 0, 0);
    CHECK(z.cwnd() == 1);
    z.on_loss(0, 0);
    z.on_recovery_exit(0, 0);
    z.on_ack(cc_test::ack(100, 1000000, 1000));
    CHECK(z.cwnd() >= 1);
    cc::newreno<> n;
    n.init(0, 0, 0);
    n.on_loss(0, 0);
    n.on_ack(cc_test::ack(100));
    CHECK(n.cwnd() >= 1);
}
