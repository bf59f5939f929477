// lookup.hpp: the dense index and both dispatch policies against a naive linear search of
// the rows (written in the test support: exact row, then the wildcard of the event's kind,
// then any_event), for all 396 cells of the standard, RFC 1337 and strict tables.
#include "tcpfsm_test_support.hpp"

#include <cstdint>
#include <type_traits>

namespace {

namespace act = tcpfsm::action;
using tcpfsm::row;
using S = tcpfsm::state;
using E = tcpfsm::event;

// Does the machine M over `index` give what the naive search of `table` gives, in every cell?
template <class M, class Index, class Table>
constexpr bool agrees_with_naive(const Index& index, const Table& table) {
    for (S s : tcpfsm_test::all_states)
        for (E e : tcpfsm_test::all_events) {
            const std::size_t i = tcpfsm_test::naive_row(table, s, e);
            if (i == tcpfsm_test::not_found) return false;
            if (M::next(s, e) != table[i].to) return false;
            if (!(M::step(s, e) == table[i])) return false;
            if (&M::step(s, e) != &index.rows[i]) return false;
        }
    return true;
}

static_assert(agrees_with_naive<tcpfsm_test::standard_lookup>(tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::standard_table),
              "table lookup = naive search, standard table");
static_assert(agrees_with_naive<tcpfsm_test::standard_branch>(tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::standard_table),
              "branch = naive search, standard table");

// 11 states x 36 events x one 16-bit cell, and 36 events x 16 state slots x one next-state
// byte, computed here: 792 + 576.
constexpr std::size_t expected_index_bytes = 11u * 36u * 2u + 36u * 16u;
static_assert(expected_index_bytes == 1368);
static_assert(tcpfsm::index_for<tcpfsm::standard_table>.size_bytes() == expected_index_bytes);

template <class M, class Index, class Table>
void check_against_naive(const char* what, const Index& index, const Table& table) {
    int cells = 0;
    for (S s : tcpfsm_test::all_states)
        for (E e : tcpfsm_test::all_events) {
            ++cells;
            INFO(what << ": " << tcpfsm::rfc_name(s) << " on " << tcpfsm::name(e));
            const std::size_t i = tcpfsm_test::naive_row(table, s, e);
            REQUIRE(i != tcpfsm_test::not_found);
            CHECK(M::next(s, e) == table[i].to);
            CHECK(M::step(s, e) == table[i]);
            CHECK(&M::step(s, e) == &index.rows[i]);
            CHECK(index.has_row(s, e));
        }
    CHECK(cells == 396);
}

// A small table whose rows come in the worst order: any_event first, exact last.
constexpr tcpfsm::transition_table<4> specificity_table{{
    row(S::closed, tcpfsm::any_event, S::listen),
    row(S::closed, tcpfsm::any_segment, S::syn_sent, act::send_rst),
    row(S::closed, tcpfsm::any_timeout, S::time_wait),
    row(S::closed, E::rcv_syn, S::established, act::send_ack),
}};
constexpr auto specificity_index = tcpfsm::make_index(specificity_table);

// Two exact rows for one cell (a table that fails 'deterministic'): the first one wins.
constexpr tcpfsm::transition_table<2> duplicate_table{{
    row(S::listen, E::close, S::closed, act::delete_tcb),
    row(S::listen, E::close, S::listen),
}};
constexpr auto duplicate_index = tcpfsm::make_index(duplicate_table);

}  // namespace

TEST_CASE("lookup: the index takes 2 bytes per cell and 16 bytes of next states per event", "[lookup]") {
    CHECK(tcpfsm::index_for<tcpfsm::standard_table>.size_bytes() == expected_index_bytes);
    CHECK(sizeof(tcpfsm::index_for<tcpfsm::standard_table>.cells) == 11u * 36u * 2u);
    CHECK(sizeof(tcpfsm::index_for<tcpfsm::standard_table>.next_states) == 16u * 36u);
    CHECK(sizeof(tcpfsm::index_for<tcpfsm::standard_table>.cells[0]) == sizeof(std::uint16_t));
    CHECK(tcpfsm_test::rfc1337_test_index.size_bytes() == expected_index_bytes);
    CHECK(tcpfsm_test::strict_test_index.size_bytes() == expected_index_bytes);
    CHECK(tcpfsm::index_for<tcpfsm::standard_table>.row_count == tcpfsm::standard_table.size());
}

TEST_CASE("lookup: cell numbering is state-major", "[lookup]") {
    using index_type = std::remove_const_t<decltype(tcpfsm::index_for<tcpfsm::standard_table>)>;
    for (S s : tcpfsm_test::all_states)
        for (E e : tcpfsm_test::all_events)
            CHECK(index_type::cell_of(s, e) ==
                  static_cast<std::size_t>(s) * 36u + static_cast<std::size_t>(e));
    CHECK(index_type::cell_of(S::time_wait, E::timeout_user) == 395u);
}

TEST_CASE("lookup: next-state bytes are event-major and agree with the cells", "[lookup]") {
    using index_type = std::remove_const_t<decltype(tcpfsm::index_for<tcpfsm::standard_table>)>;
    const auto& index = tcpfsm::index_for<tcpfsm::standard_table>;
    for (S s : tcpfsm_test::all_states)
        for (E e : tcpfsm_test::all_events) {
            CHECK(index_type::next_of(s, e) == static_cast<std::size_t>(e) * 16u + static_cast<std::size_t>(s));
            CHECK(index.next_states[index_type::next_of(s, e)] == index_type::to_of(index.cells[index_type::cell_of(s, e)]));
        }
    CHECK(index_type::next_of(S::time_wait, E::timeout_user) == 35u * 16u + 10u);
}

TEST_CASE("lookup: standard table, table lookup agrees with the naive search in all 396 cells", "[lookup]") {
    check_against_naive<tcpfsm_test::standard_lookup>("standard/lookup", tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::standard_table);
}

TEST_CASE("lookup: standard table, branch agrees with the naive search in all 396 cells", "[lookup]") {
    check_against_naive<tcpfsm_test::standard_branch>("standard/branch", tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::standard_table);
}

TEST_CASE("lookup: RFC 1337 table, both dispatches agree with the naive search", "[lookup][variant]") {
    check_against_naive<tcpfsm_test::rfc1337_lookup>("rfc1337/lookup", tcpfsm_test::rfc1337_test_index,
                                                     tcpfsm::rfc1337_table);
    check_against_naive<tcpfsm_test::rfc1337_branch>("rfc1337/branch", tcpfsm_test::rfc1337_test_index,
                                                     tcpfsm::rfc1337_table);
}

TEST_CASE("lookup: strict table, both dispatches agree with the naive search", "[lookup][variant]") {
    check_against_naive<tcpfsm_test::strict_lookup>("strict/lookup", tcpfsm_test::strict_test_index,
                                                    tcpfsm::strict_table);
    check_against_naive<tcpfsm_test::strict_branch>("strict/branch", tcpfsm_test::strict_test_index,
                                                    tcpfsm::strict_table);
}

TEST_CASE("lookup: tcpfsm::next and tcpfsm::step are the standard machine", "[lookup]") {
    for (S s : tcpfsm_test::all_states)
        for (E e : tcpfsm_test::all_events) {
            CHECK(tcpfsm::next(s, e) == tcpfsm_test::standard_lookup::next(s, e));
            CHECK(&tcpfsm::step(s, e) == &tcpfsm_test::standard_lookup::step(s, e));
            CHECK(&tcpfsm::step<tcpfsm::dispatch::branch>(s, e) == &tcpfsm_test::standard_branch::step(s, e));
        }
}

TEST_CASE("lookup: an exact row beats its kind's wildcard, which beats any_event, whatever the row order", "[lookup]") {
    using lookup = tcpfsm::machine<specificity_index, tcpfsm::dispatch::table_lookup>;
    using branch = tcpfsm::machine<specificity_index, tcpfsm::dispatch::branch>;
    CHECK(lookup::next(S::closed, E::rcv_syn) == S::established);
    CHECK(branch::next(S::closed, E::rcv_syn) == S::established);
    CHECK(lookup::step(S::closed, E::rcv_syn).actions == act::send_ack);
    CHECK(lookup::next(S::closed, E::rcv_ack) == S::syn_sent);
    CHECK(branch::next(S::closed, E::rcv_fin) == S::syn_sent);
    CHECK(lookup::step(S::closed, E::rcv_ack).actions == act::send_rst);
    CHECK(lookup::next(S::closed, E::timeout_user) == S::time_wait);
    CHECK(branch::next(S::closed, E::timeout_retransmit) == S::time_wait);
    CHECK(lookup::next(S::closed, E::close) == S::listen);
    CHECK(branch::next(S::closed, E::open_active) == S::listen);
    for (E e : tcpfsm_test::all_events) {
        INFO(tcpfsm::name(e));
        CHECK(lookup::next(S::closed, e) == branch::next(S::closed, e));
        CHECK(&lookup::step(S::closed, e) == &branch::step(S::closed, e));
        CHECK(specificity_index.has_row(S::closed, e));
        // Every other state has no row at all: it stays where it is.
        CHECK_FALSE(specificity_index.has_row(S::established, e));
        CHECK(lookup::next(S::established, e) == S::established);
        CHECK(branch::next(S::fin_wait_2, e) == S::fin_wait_2);
        CHECK(lookup::step(S::established, e).actions.empty());
    }
}

TEST_CASE("lookup: with two rows for one cell the first row wins", "[lookup]") {
    using lookup = tcpfsm::machine<duplicate_index, tcpfsm::dispatch::table_lookup>;
    using branch = tcpfsm::machine<duplicate_index, tcpfsm::dispatch::branch>;
    CHECK(lookup::next(S::listen, E::close) == S::closed);
    CHECK(branch::next(S::listen, E::close) == S::closed);
    CHECK(&lookup::step(S::listen, E::close) == &duplicate_index.rows[0]);
    CHECK(&branch::step(S::listen, E::close) == &duplicate_index.rows[0]);
}

TEST_CASE("lookup: rows of the index are the rows of the table in order", "[lookup]") {
    for (std::size_t i = 0; i < tcpfsm::standard_table.size(); ++i) {
        INFO("row " << i);
        CHECK(tcpfsm::index_for<tcpfsm::standard_table>.rows[i] == tcpfsm::standard_table[i]);
    }
}
