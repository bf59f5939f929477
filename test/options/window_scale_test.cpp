// Window scaling (RFC 7323 §2): negotiation, the shift chosen for a buffer, and the windows
// sent and received. Expected values are RFC 7323's rules and arithmetic done here.
#include <tcpfsm/options/window_scale.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

namespace opts = tcpfsm::options;

namespace {

// floor(log2(x)) for x > 0, by counting: Linux's ilog2().
unsigned ws_test_ilog2(std::uint64_t x) {
    unsigned n = 0;
    while (x > 1) {
        x >>= 1;
        ++n;
    }
    return n;
}

// Linux's tcp_select_initial_window(): clamp(ilog2(space) - 15, 0, 14).
std::uint8_t ws_test_linux_shift(std::uint64_t space) {
    if (space == 0) return 0;
    const int s = static_cast<int>(ws_test_ilog2(space)) - 15;
    return static_cast<std::uint8_t>(s < 0 ? 0 : s > 14 ? 14 : s);
}

}  // namespace

TEST_CASE("window scale: the constants of RFC 7323 §2.3", "[options][window_scale]") {
    STATIC_REQUIRE(opts::max_window_shift == 14);
    STATIC_REQUIRE(opts::max_scaled_window == 65535u * 16384u);
    STATIC_REQUIRE(opts::max_scaled_window == 1073725440u);
    STATIC_REQUIRE(opts::max_scaled_window < (1u << 30));  // "just under 1 GiB"
}

TEST_CASE("window scale: the smallest shift for which the buffer fits 16 bits", "[options][window_scale]") {
    CHECK(opts::window_shift_for(0) == 0);
    CHECK(opts::window_shift_for(65535) == 0);
    CHECK(opts::window_shift_for(65536) == 1);
    CHECK(opts::window_shift_for(131071) == 1);  // 131071 >> 1 = 65535
    CHECK(opts::window_shift_for(131072) == 2);  // 131072 >> 1 = 65536 does not fit
    CHECK(opts::window_shift_for(4u << 20) == 7);       // 4 MiB: 2^22 >> 7 = 32768
    CHECK(opts::window_shift_for(6u << 20) == 7);       // Linux's tcp_rmem[2] default: 6 MiB >> 7 = 49152
    CHECK(opts::window_shift_for(opts::max_scaled_window) == 14);  // 65535 << 14 >> 14 = 65535
    CHECK(opts::window_shift_for(std::uint64_t{1} << 30) == 14);   // clamped: 2^30 >> 14 = 65536
    CHECK(opts::window_shift_for(std::uint64_t{1} << 40) == 14);

    // The same number as Linux's formula, and the defining property, on every power of two
    // and its neighbours up to 2^34.
    for (unsigned k = 0; k <= 34; ++k) {
        for (std::int64_t d = -1; d <= 1; ++d) {
            const std::uint64_t x = (std::uint64_t{1} << k) + static_cast<std::uint64_t>(d);
            if (k == 0 && d < 0) continue;
            const std::uint8_t s = opts::window_shift_for(x);
            INFO("buffer " << x);
            CHECK(s == ws_test_linux_shift(x));
            if (s < 14) CHECK((x >> s) <= 65535u);
            if (s > 0) CHECK((x >> (s - 1)) > 65535u);
        }
    }
}

TEST_CASE("window scale: the configured cap on the shift", "[options][window_scale]") {
    CHECK(opts::window_shift_for(std::uint64_t{1} << 30, 5) == 5);
    CHECK(opts::window_shift_for(std::uint64_t{1} << 30, 0) == 0);
    CHECK(opts::window_shift_for(std::uint64_t{1} << 30, 20) == 14);  // above 14 reads as 14
    CHECK(opts::window_shift_for(100000, 5) == 1);                     // the cap is a cap, not a choice
}

TEST_CASE("window scale: received windows are left-shifted, SYN windows never", "[options][window_scale]") {
    CHECK(opts::scale_received_window(65535, 14, false) == 65535u * 16384u);
    CHECK(opts::scale_received_window(65535, 14, false) == 1073725440u);
    CHECK(opts::scale_received_window(1, 14, false) == 16384u);
    CHECK(opts::scale_received_window(1000, 7, false) == 128000u);
    CHECK(opts::scale_received_window(1000, 0, false) == 1000u);
    // §2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be scaled."
    CHECK(opts::scale_received_window(65535, 14, true) == 65535u);
    CHECK(opts::scale_received_window(1000, 7, true) == 1000u);
    // A shift above 14 never reaches the arithmetic as such: it reads as 14.
    CHECK(opts::scale_received_window(65535, 15, false) == 1073725440u);
}

TEST_CASE("window scale: negotiation needs both SYNs (RFC 7323 §2.2)", "[options][window_scale]") {
    SECTION("active open, the SYN,ACK carries it: both directions scale") {
        opts::window_scale_negotiation n;
        CHECK(n.offer(opts::open_side::active, true, 7));
        CHECK_FALSE(n.enabled());  // an offer, not a promise
        CHECK(n.receive_shift() == 0);
        const auto r = n.on_peer_segment(true, true, 9);
        CHECK(r.taken);
        CHECK_FALSE(r.clamped);
        CHECK(r.shift == 9);
        CHECK(n.enabled());
        CHECK(n.receive_shift() == 7);  // Rcv.Wind.Shift: ours
        CHECK(n.send_shift() == 9);     // Snd.Wind.Shift: the peer's
    }
    SECTION("active open, the SYN,ACK lacks it: neither direction scales") {
        opts::window_scale_negotiation n;
        CHECK(n.offer(opts::open_side::active, true, 7));
        const auto r = n.on_peer_segment(true, false, 0);
        CHECK_FALSE(r.taken);
        CHECK_FALSE(n.enabled());
        CHECK(n.receive_shift() == 0);
        CHECK(n.send_shift() == 0);
    }
    SECTION("active open without the option, a SYN,ACK carrying it anyway") {
        opts::window_scale_negotiation n;
        CHECK_FALSE(n.offer(opts::open_side::active, false, 7));
        CHECK(n.on_peer_segment(true, true, 5).taken);
        CHECK_FALSE(n.enabled());
        CHECK(n.send_shift() == 0);
        CHECK(n.receive_shift() == 0);
    }
    SECTION("passive open, the SYN carries it: the SYN,ACK may answer") {
        opts::window_scale_negotiation n;
        CHECK(n.on_peer_segment(true, true, 2).taken);
        CHECK(n.offer(opts::open_side::passive, true, 0));  // shift 0 is still an offer (§2.2)
        CHECK(n.enabled());
        CHECK(n.send_shift() == 2);
        CHECK(n.receive_shift() == 0);
    }
    SECTION("passive open, the SYN lacks it: the SYN,ACK must not carry it") {
        opts::window_scale_negotiation n;
        n.on_peer_segment(true, false, 0);
        CHECK_FALSE(n.offer(opts::open_side::passive, true, 7));
        CHECK_FALSE(n.enabled());
        CHECK(n.receive_shift() == 0);
    }
    SECTION("passive open, the SYN carries it, we do not want it") {
        opts::window_scale_negotiation n;
        n.on_peer_segment(true, true, 7);
        CHECK_FALSE(n.offer(opts::open_side::passive, false, 7));
        CHECK_FALSE(n.enabled());
        CHECK(n.send_shift() == 0);
    }
    SECTION("a shift above 14 is used as 14, and reported for the log (§2.3)") {
        for (const std::uint8_t shift : {std::uint8_t{15}, std::uint8_t{200}, std::uint8_t{255}}) {
            opts::window_scale_negotiation n;
            n.offer(opts::open_side::active, true, 14);
            const auto r = n.on_peer_segment(true, true, shift);
            CHECK(r.clamped);
            CHECK(r.shift == 14);
            CHECK(n.send_shift() == 14);
        }
        opts::window_scale_negotiation n;
        n.offer(opts::open_side::active, true, 14);
        CHECK_FALSE(n.on_peer_segment(true, true, 14).clamped);
    }
    SECTION("our own shift above 14 is offered as 14") {
        opts::window_scale_negotiation n;
        n.offer(opts::open_side::active, true, 20);
        CHECK(n.offered_shift() == 14);
    }
    SECTION("the option on a non-SYN segment is ignored (§2.2)") {
        opts::window_scale_negotiation n;
        n.offer(opts::open_side::active, true, 7);
        n.on_peer_segment(true, true, 3);
        const auto r = n.on_peer_segment(false, true, 9);
        CHECK(r.ignored);
        CHECK_FALSE(r.taken);
        CHECK(n.send_shift() == 3);
        // A non-SYN without the option does not disable it either.
        CHECK_FALSE(n.on_peer_segment(false, false, 0).ignored);
        CHECK(n.enabled());
        CHECK(n.send_shift() == 3);
    }
    SECTION("a non-SYN carrying it does not enable scaling the SYNs did not negotiate") {
        opts::window_scale_negotiation n;
        n.offer(opts::open_side::active, true, 7);
        n.on_peer_segment(true, false, 0);
        CHECK(n.on_peer_segment(false, true, 9).ignored);
        CHECK_FALSE(n.enabled());
        CHECK(n.send_shift() == 0);
    }
    SECTION("a retransmitted SYN: the last one counts") {
        opts::window_scale_negotiation n;
        n.on_peer_segment(true, true, 3);
        n.on_peer_segment(true, true, 5);
        n.offer(opts::open_side::passive, true, 7);
        CHECK(n.send_shift() == 5);
        n.on_peer_segment(true, false, 0);
        CHECK_FALSE(n.enabled());
        n.reset();
        CHECK_FALSE(n.sent());
        CHECK_FALSE(n.received());
    }
}

TEST_CASE("window scale: the window we send is right-shifted (§2.3)", "[options][window_scale]") {
    SECTION("shift 0: the free space as is, at most 65,535") {
        opts::receive_window_edge e;
        CHECK(e.advertise(1000, 1000, 0).field == 1000);
        opts::receive_window_edge f;
        const auto a = f.advertise(1000, 100000, 0);
        CHECK(a.field == 65535);
        CHECK(a.window == 65535u);
        CHECK(a.right_edge == 1000u + 65535u);
    }
    SECTION("shift 7: rounded down by default, up on request") {
        opts::receive_window_edge down, up;
        const auto d = down.advertise(0, 1000000, 7);
        CHECK(d.field == 1000000u / 128u);                // 7812
        CHECK(d.window == (1000000u / 128u) * 128u);      // 999,936: never beyond the free space
        CHECK(d.beyond_free_space == 0u);
        const auto u = up.advertise(0, 1000000, 7, opts::window_rounding::up);
        CHECK(u.field == 1000000u / 128u + 1u);           // 7813
        CHECK(u.window == (1000000u / 128u + 1u) * 128u); // 1,000,064
        CHECK(u.beyond_free_space == (1000000u / 128u + 1u) * 128u - 1000000u);  // 64
        // An exact multiple is not rounded either way.
        opts::receive_window_edge exact;
        CHECK(exact.advertise(0, 128u * 5000u, 7, opts::window_rounding::up).field == 5000);
    }
    SECTION("shift 14: below 2^14 free is a zero window rounded down, one granule rounded up") {
        opts::receive_window_edge down, up;
        CHECK(down.advertise(0, 16383, 14).field == 0);
        CHECK(down.advertise(0, 16383, 14).window == 0u);
        const auto u = up.advertise(0, 16383, 14, opts::window_rounding::up);
        CHECK(u.field == 1);
        CHECK(u.window == 16384u);
    }
    SECTION("shift 14: windows near 2^30") {
        opts::receive_window_edge e;
        const std::uint32_t nxt = 0xfffff000u;  // the right edge wraps past 2^32
        const auto a = e.advertise(nxt, opts::max_scaled_window, 14);
        CHECK(a.field == 65535);
        CHECK(a.window == 1073725440u);
        CHECK(a.right_edge == static_cast<std::uint32_t>(nxt + 1073725440u));
        CHECK(e.window_from(nxt) == 1073725440u);
        // More than the field can say: capped at 65,535 << 14.
        opts::receive_window_edge big;
        CHECK(big.advertise(0, 1u << 30, 14).field == 65535);
        opts::receive_window_edge big_up;
        CHECK(big_up.advertise(0, 0xffffffffu, 14, opts::window_rounding::up).field == 65535);
        // One granule less than the maximum.
        opts::receive_window_edge below;
        CHECK(below.advertise(0, opts::max_scaled_window - 1, 14).field == 65534);
        CHECK(below.advertise(0, opts::max_scaled_window - 1, 14, opts::window_rounding::up).field == 65535);
    }
    SECTION("a SYN's window is never scaled (§2.2)") {
        opts::receive_window_edge e;
        const auto a = e.advertise(5000, 1u << 20, 7, opts::window_rounding::down, true);
        CHECK(a.field == 65535);
        CHECK(a.window == 65535u);
        CHECK(a.right_edge == 5000u + 65535u);
        CHECK(a.beyond_free_space == 0u);
        opts::receive_window_edge small;
        CHECK(small.advertise(0, 3000, 14, opts::window_rounding::down, true).field == 3000);
    }
}

TEST_CASE("window scale: the right edge already advertised is never retracted (§2.4)", "[options][window_scale]") {
    SECTION("text arrives and is not read: rounding down would retract the edge") {
        opts::receive_window_edge e;
        // RCV.NXT 1000, 1,000,000 free, shift 7: window 7812 * 128 = 999,936.
        const auto first = e.advertise(1000, 1000000, 7);
        const std::uint32_t edge = 1000u + 7812u * 128u;  // 1,000,936
        CHECK(first.right_edge == edge);
        // 100 octets arrive; 999,900 free. Rounded down: 7811 * 128 = 999,808, whose edge
        // 1100 + 999,808 = 1,000,908 lies below 1,000,936.
        CHECK(1100u + (999900u / 128u) * 128u < edge);
        const auto second = e.advertise(1100, 999900, 7);
        CHECK(second.edge_kept);
        // The smallest field reaching the old edge: ceil((1,000,936 - 1100) / 128) = 7812.
        const std::uint32_t needed = edge - 1100u;  // 999,836
        CHECK(second.field == (needed + 127u) / 128u);
        CHECK(second.field == 7812);
        CHECK(second.right_edge >= edge);
        CHECK(second.right_edge == 1100u + 7812u * 128u);
        CHECK(e.right_edge() == second.right_edge);
        CHECK(e.window_from(1100) == 7812u * 128u);
        // 7812 * 128 = 999,936 passes the 999,900 free octets by 36: the old edge plus the rounding.
        CHECK(second.beyond_free_space == 7812u * 128u - 999900u);
        CHECK(second.beyond_free_space < 128u);
    }
    SECTION("shift 0 never needs it when the free space falls by what arrived") {
        opts::receive_window_edge e;
        e.advertise(0, 1000, 0);
        const auto a = e.advertise(100, 900, 0);
        CHECK_FALSE(a.edge_kept);
        CHECK(a.right_edge == 1000u);
    }
    SECTION("a buffer that shrank: the edge is still kept") {
        opts::receive_window_edge e;
        e.advertise(0, 1000, 0);
        const auto a = e.advertise(100, 10, 0);
        CHECK(a.edge_kept);
        CHECK(a.field == 900);
        CHECK(a.right_edge == 1000u);
        CHECK(a.beyond_free_space == 890u);
    }
    SECTION("the consumer read: the window opens past the old edge") {
        opts::receive_window_edge e;
        e.advertise(0, 1u << 20, 10);
        const auto a = e.advertise(1u << 19, 1u << 20, 10);
        CHECK_FALSE(a.edge_kept);
        CHECK(a.field == (1u << 20) >> 10);
        CHECK(e.right_edge() == (1u << 19) + (1u << 20));
    }
    SECTION("across the 2^32 wrap") {
        opts::receive_window_edge e;
        const std::uint32_t nxt = 0xffffff00u;
        e.advertise(nxt, 65536, 7);  // window 512 * 128 = 65,536: edge nxt + 65,536 = 0xff00
        CHECK(e.right_edge() == 0xff00u);
        const auto a = e.advertise(nxt + 0x200u, 65536 - 0x200 - 1, 7);  // 512 octets in, one more used
        CHECK(a.edge_kept);
        CHECK(a.right_edge == 0xff00u);
        CHECK(e.window_from(nxt + 0x200u) == 65536u - 0x200u);
    }
    SECTION("before any advertisement, and once RCV.NXT reached the edge") {
        opts::receive_window_edge e;
        CHECK_FALSE(e.advertised());
        CHECK(e.window_from(0) == 0u);
        e.advertise(0, 100, 0);
        CHECK(e.window_from(100) == 0u);
        CHECK(e.window_from(40) == 60u);
        e.reset();
        CHECK_FALSE(e.advertised());
    }
    SECTION("at shift 14 the edge is kept at 65,535 << 14 at most") {
        opts::receive_window_edge e;
        e.advertise(0, opts::max_scaled_window, 14);
        const auto a = e.advertise(1, 0, 14);  // one octet in, nothing free: still the old edge
        CHECK(a.edge_kept);
        CHECK(a.field == 65535);  // ceil((1,073,725,440 - 1) / 16384) = 65535
        CHECK(a.right_edge == 1u + opts::max_scaled_window);
    }
}
