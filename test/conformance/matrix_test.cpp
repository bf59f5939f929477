// The state-by-segment conformance matrix, in the style of the FreeBSD tcp-testsuite's
// state-event-engine: 12 state rows (SYN-RECEIVED from a passive and from an active OPEN)
// x 9 segment kinds x 6 sequence positions x 4 acknowledgment positions = 2592 cells, run
// with two numberings (the second with every window straddling 2^32): 5184 cells.
//
// For each cell, the oracle (oracle.hpp, written from RFC 9293 §3.10.7 and RFC 5961) and
// the implementation (classify(), then tcpfsm::step() for each event in order) must give
// the same reply kind (and RST form), the same "text delivered" and the same next state.
//
// Cells where they disagree and the disagreement is believed to be a bug in classify.hpp or
// table.hpp are listed in `known_disagreements` below, with what the implementation does
// now. Such a cell must still disagree in exactly that way: when a fix lands, the test fails
// and the entry is to be removed, so the fix is seen.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

#include "matrix.hpp"
#include "tcpfsm_test_support.hpp"

using namespace conformance;

namespace {

struct known_disagreement {
    const char* id;
    const char* summary;
    bool (*matches)(const cell&);
    // What the implementation does now, from what the oracle says.
    outcome (*implementation_now)(const outcome& oracle, const seg& s);
    std::size_t cells_per_numbering;
};

// Disagreements A-E found by this matrix were fixed in classify.hpp and table.hpp (A: the
// simultaneous-open SYN,ACK only after an active OPEN; B: LAST-ACK returns once its FIN is
// acknowledged; C: a SYN out of window earns a challenge ACK; D: a FIN beyond RCV.NXT earns a
// duplicate ACK; E: CLOSE-WAIT, CLOSING and LAST-ACK ACK a FIN). A new one goes here, with
// what the implementation does, until it is fixed; the entry below matches no cell.
const known_disagreement known_disagreements[] = {
    {"none", "no known disagreement", [](const cell&) { return false; },
     [](const outcome& o, const seg&) { return o; }, 0},
};

constexpr std::size_t known_count = sizeof known_disagreements / sizeof known_disagreements[0];

struct row_totals {
    std::size_t cells = 0;
    std::size_t agree = 0;
    std::size_t known[known_count] = {};
};

std::string report(const cell& x, const numbering& n, const seg& s, const outcome& o,
                   const implementation_result& got) {
    return describe(x, n, s) + "\n  oracle (RFC):   " + to_text(o) + "\n  implementation: " +
           to_text(got.out) + " events " + events_text(got) + " actions " +
           Catch::StringMaker<tcpfsm::action_set>::convert(got.actions);
}

row_totals check_row(const state_row& r, const numbering& n) {
    row_totals t;
    const connection c = connection_for(r, n);
    for (const segment_kind& k : segment_kinds)
        for (seq_pos sp : seq_positions)
            for (ack_pos ap : ack_positions) {
                const cell x{&r, &k, sp, ap};
                const seg s = oracle_segment(c, x);
                const outcome o = expected(c.oracle_view, s);
                const implementation_result got = run_implementation(c.context, s);
                ++t.cells;
                const known_disagreement* known = nullptr;
                for (std::size_t i = 0; i < known_count; ++i)
                    if (known_disagreements[i].matches(x)) {
                        known = &known_disagreements[i];
                        ++t.known[i];
                        break;
                    }
                if (known == nullptr) {
                    if (got.out == o) {
                        ++t.agree;
                    } else {
                        FAIL_CHECK("oracle and implementation disagree:\n" << report(x, n, s, o, got));
                    }
                    continue;
                }
                if (got.out == o) {
                    FAIL_CHECK("known disagreement " << known->id
                               << " is gone (fixed?): remove the cell from known_disagreements\n"
                               << report(x, n, s, o, got));
                } else if (got.out != known->implementation_now(o, s)) {
                    FAIL_CHECK("known disagreement " << known->id
                               << ": the implementation now does something else\n"
                               << report(x, n, s, o, got));
                }
            }
    return t;
}

void check_state_row(const char* row_name) {
    const state_row* row = nullptr;
    for (const state_row& r : state_rows)
        if (std::string(r.name) == row_name) row = &r;
    REQUIRE(row != nullptr);
    for (const numbering* n : {&base_numbers, &wrapped_numbers}) {
        INFO("numbering " << n->name);
        const row_totals t = check_row(*row, *n);
        CHECK(t.cells == segment_kinds.size() * seq_positions.size() * ack_positions.size());
    }
}

}  // namespace

TEST_CASE("matrix_closed", "[matrix]") { check_state_row("closed"); }
TEST_CASE("matrix_listen", "[matrix]") { check_state_row("listen"); }
TEST_CASE("matrix_syn_sent", "[matrix]") { check_state_row("syn_sent"); }
TEST_CASE("matrix_syn_received_passive", "[matrix]") { check_state_row("syn_received_passive"); }
TEST_CASE("matrix_syn_received_active", "[matrix]") { check_state_row("syn_received_active"); }
TEST_CASE("matrix_established", "[matrix]") { check_state_row("established"); }
TEST_CASE("matrix_fin_wait_1", "[matrix]") { check_state_row("fin_wait_1"); }
TEST_CASE("matrix_fin_wait_2", "[matrix]") { check_state_row("fin_wait_2"); }
TEST_CASE("matrix_close_wait", "[matrix]") { check_state_row("close_wait"); }
TEST_CASE("matrix_closing", "[matrix]") { check_state_row("closing"); }
TEST_CASE("matrix_last_ack", "[matrix]") { check_state_row("last_ack"); }
TEST_CASE("matrix_time_wait", "[matrix]") { check_state_row("time_wait"); }

// The whole matrix once more, counting: every cell is run, each known disagreement covers
// exactly the cells it says, and the totals are printed.
TEST_CASE("matrix_totals_and_known_disagreements", "[matrix]") {
    std::size_t cells = 0, agree = 0;
    std::size_t known[known_count] = {};
    for (const numbering* n : {&base_numbers, &wrapped_numbers}) {
        std::size_t known_here[known_count] = {};
        for (const state_row& r : state_rows) {
            const row_totals t = check_row(r, *n);
            cells += t.cells;
            agree += t.agree;
            for (std::size_t i = 0; i < known_count; ++i) known_here[i] += t.known[i];
        }
        for (std::size_t i = 0; i < known_count; ++i) {
            INFO("known disagreement " << known_disagreements[i].id << " with " << n->name);
            CHECK(known_here[i] == known_disagreements[i].cells_per_numbering);
            known[i] += known_here[i];
        }
    }
    CHECK(cells == 2 * 12 * 9 * 6 * 4);
    std::size_t disagree = 0;
    for (std::size_t k : known) disagree += k;
    WARN("conformance matrix: " << cells << " cells, " << agree << " agree with the RFC oracle, "
                                << disagree << " are known disagreements (A-E)");
    CHECK(agree + disagree == cells);
}

// The second numbering shifts every number so that the windows straddle 2^32; nothing may
// change, in the oracle or in the implementation.
TEST_CASE("matrix_wraparound_gives_identical_results", "[matrix]") {
    for (const state_row& r : state_rows) {
        const connection a = connection_for(r, base_numbers);
        const connection b = connection_for(r, wrapped_numbers);
        for (const segment_kind& k : segment_kinds)
            for (seq_pos sp : seq_positions)
                for (ack_pos ap : ack_positions) {
                    const cell x{&r, &k, sp, ap};
                    const seg sa = oracle_segment(a, x);
                    const seg sb = oracle_segment(b, x);
                    INFO(describe(x, wrapped_numbers, sb));
                    CHECK(expected(a.oracle_view, sa) == expected(b.oracle_view, sb));
                    CHECK(run_implementation(a.context, sa).out == run_implementation(b.context, sb).out);
                }
    }
}
