// Default-constructed value types hold defined values (default member initialisers), and
// stay aggregates usable in constant expressions. `constexpr T t;` compiles only when every
// member is initialised, so each line below failed to compile before the initialisers.
#include <catch2/catch.hpp>

#include <tcpfsm/tcpfsm.hpp>

namespace {
using namespace tcpfsm;

constexpr timer_deadline no_timer;
static_assert(no_timer.kind == timer_kind::none && no_timer.at == 0 && !no_timer);
static_assert(no_timer.remaining_ms(5) == 0);

constexpr rtt_sample no_sample;
static_assert(!no_sample && no_sample.rtt_ms == 0);

constexpr transition zero_row;
static_assert(zero_row.from == state::closed && zero_row.on == event{} && zero_row.to == state::closed &&
              zero_row.actions.empty() && zero_row.error == user_error::none);
// Still an aggregate: rows are written as braces.
constexpr transition listen_row{state::listen, event::rcv_syn, state::syn_received, action::send_syn_ack};
static_assert(listen_row.error == user_error::none);

// A default rto_config is RFC 6298's (§2.1 1 s initial, §2.4 1 s minimum, §2.5 60 s maximum).
constexpr rto_config default_rto;
static_assert(default_rto.initial_ms == 1000 && default_rto.min_ms == 1000 && default_rto.max_ms == 60000 &&
              default_rto.granularity_ms == 1);
static_assert(is_valid(default_rto));

constexpr siphash_key zero_key;
static_assert(zero_key.k0 == 0 && zero_key.k1 == 0);

constexpr event_range empty_range;
static_assert(empty_range.first == 0 && empty_range.last == 0);

constexpr diagram_edge zero_edge;
static_assert(zero_edge.from == state::closed && zero_edge.to == state::closed && zero_edge.actions.empty());

constexpr listener_deadline unarmed;
static_assert(!unarmed && unarmed.at == 0);
}  // namespace

TEST_CASE("listener_deadline::remaining_ms: as timer_deadline's, modulo 2^32", "[listener]") {
    // Expected values by hand: at - now while now is before at (RFC 1982-style comparison).
    STATIC_REQUIRE(listener_deadline{true, 1500}.remaining_ms(1000) == 500);
    STATIC_REQUIRE(listener_deadline{true, 1500}.remaining_ms(1500) == 0);
    STATIC_REQUIRE(listener_deadline{true, 1500}.remaining_ms(2000) == 0);
    STATIC_REQUIRE(listener_deadline{false, 1500}.remaining_ms(1000) == 0);
    // Across the wrap of the 32-bit ticks: 0xFFFFFF00 + 0x200 = 0x100.
    STATIC_REQUIRE(listener_deadline{true, 0x100u}.remaining_ms(0xFFFFFF00u) == 0x200u);
    STATIC_REQUIRE(timer_deadline{timer_kind::retransmission, 0x100u}.remaining_ms(0xFFFFFF00u) == 0x200u);
}
