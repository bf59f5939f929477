// RFC 9293 Figure 5 (the state diagram) edge by edge, and Figures 6-13 (§3.5, §3.6) walked
// endpoint by endpoint at the level of events, at compile time and at run time, for the
// standard table and its variants, with both dispatch policies.
#include "tcpfsm_test_support.hpp"

namespace {

namespace act = tcpfsm::action;
using tcpfsm_test::walk_step;
using S = tcpfsm::state;
using E = tcpfsm::event;

constexpr tcpfsm::action_set NONE = act::none;

// ------------------------------------------------------------------------ Figure 5
// Each edge of the diagram as drawn ("event / action"), written from the figure: `segments`
// is exactly what goes on the wire ("x" = nothing), `also` the other actions it names.
struct figure5_edge {
    S from;
    E on;
    S to;
    tcpfsm::action_set segments;
    tcpfsm::action_set also;
    const char* label;
};

// clang-format off
constexpr figure5_edge figure5[] = {
    {S::closed,       E::open_passive,          S::listen,       NONE,              NONE,           "CLOSED: passive OPEN / create TCB"},
    {S::closed,       E::open_active,           S::syn_sent,     act::send_syn,     NONE,           "CLOSED: active OPEN / create TCB, snd SYN"},
    {S::listen,       E::close,                 S::closed,       NONE,              act::delete_tcb, "LISTEN: CLOSE / delete TCB"},
    {S::listen,       E::rcv_syn,               S::syn_received, act::send_syn_ack, NONE,           "LISTEN: rcv SYN / snd SYN,ACK"},
    {S::listen,       E::send,                  S::syn_sent,     act::send_syn,     NONE,           "LISTEN: SEND / snd SYN"},
    {S::syn_sent,     E::close,                 S::closed,       NONE,              act::delete_tcb, "SYN-SENT: CLOSE / delete TCB"},
    {S::syn_sent,     E::rcv_syn,               S::syn_received, act::send_syn_ack, NONE,           "SYN-SENT: rcv SYN / snd SYN,ACK"},
    {S::syn_sent,     E::rcv_syn_ack,           S::established,  act::send_ack,     NONE,           "SYN-SENT: rcv SYN,ACK / snd ACK"},
    {S::syn_received, E::rcv_rst_passive,       S::listen,       NONE,              NONE,           "SYN-RCVD: rcv RST (note 1) -> LISTEN"},
    {S::syn_received, E::rcv_ack_of_syn_passive, S::established, NONE,              NONE,           "SYN-RCVD: rcv ACK of SYN / x"},
    {S::syn_received, E::close,                 S::fin_wait_1,   act::send_fin,     NONE,           "SYN-RCVD: CLOSE / snd FIN"},
    {S::established,  E::close,                 S::fin_wait_1,   act::send_fin,     NONE,           "ESTAB: CLOSE / snd FIN"},
    {S::established,  E::rcv_fin,               S::close_wait,   act::send_ack,     NONE,           "ESTAB: rcv FIN / snd ACK"},
    {S::fin_wait_1,   E::rcv_ack_of_fin,        S::fin_wait_2,   NONE,              NONE,           "FIN-WAIT-1: rcv ACK of FIN / x"},
    {S::fin_wait_1,   E::rcv_fin,               S::closing,      act::send_ack,     NONE,           "FIN-WAIT-1: rcv FIN / snd ACK"},
    {S::fin_wait_2,   E::rcv_fin,               S::time_wait,    act::send_ack,     NONE,           "FIN-WAIT-2: rcv FIN / snd ACK"},
    {S::closing,      E::rcv_ack_of_fin,        S::time_wait,    NONE,              NONE,           "CLOSING: rcv ACK of FIN / x"},
    {S::close_wait,   E::close,                 S::last_ack,     act::send_fin,     NONE,           "CLOSE-WAIT: CLOSE / snd FIN"},
    {S::last_ack,     E::rcv_ack_of_fin,        S::closed,       NONE,              NONE,           "LAST-ACK: rcv ACK of FIN / x"},
    {S::time_wait,    E::timeout_time_wait,     S::closed,       NONE,              act::delete_tcb, "TIME-WAIT: Timeout=2MSL / delete TCB"},
    // Not drawn, but §3.10.7.4 eighth: FIN-WAIT-1 whose FIN is ACKed by the peer's FIN segment.
    {S::fin_wait_1,   E::rcv_fin_ack_of_fin,    S::time_wait,    act::send_ack,     act::start_time_wait_timer, "FIN-WAIT-1: rcv FIN,ACK of FIN / snd ACK"},
    // The ACK of SYN in SYN-RECEIVED entered by an active OPEN (simultaneous open, Figure 7).
    {S::syn_received, E::rcv_ack_of_syn,        S::established,  NONE,              NONE,           "SYN-RCVD (active): rcv ACK of SYN / x"},
};
// clang-format on
constexpr std::size_t figure5_drawn = 20;      // edges drawn in Figure 5
constexpr std::size_t figure5_with_fin_ack = 21;  // plus FIN-WAIT-1 -> TIME-WAIT

template <class Machine>
constexpr bool edge_holds(const figure5_edge& x) {
    const tcpfsm::transition& r = Machine::step(x.from, x.on);
    return Machine::next(x.from, x.on) == x.to && r.from == x.from && r.on == x.on && r.to == x.to &&
           (r.actions & tcpfsm_test::segment_actions) == x.segments && r.actions.contains(x.also) &&
           r.error == tcpfsm::user_error::none;
}

template <class Machine>
constexpr bool all_edges_hold() {
    for (const auto& x : figure5)
        if (!edge_holds<Machine>(x)) return false;
    return true;
}

static_assert(all_edges_hold<tcpfsm_test::standard_lookup>(), "RFC 9293 Figure 5 (table lookup)");
static_assert(all_edges_hold<tcpfsm_test::standard_branch>(), "RFC 9293 Figure 5 (branch)");
static_assert(all_edges_hold<tcpfsm_test::rfc1337_lookup>(), "RFC 9293 Figure 5 (RFC 1337 variant)");
static_assert(all_edges_hold<tcpfsm_test::strict_branch>(), "RFC 9293 Figure 5 (strict variant)");

// Each edge singly, so that a compile error points at the edge.
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[0]), "CLOSED: passive OPEN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[1]), "CLOSED: active OPEN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[2]), "LISTEN: CLOSE");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[3]), "LISTEN: rcv SYN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[4]), "LISTEN: SEND");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[5]), "SYN-SENT: CLOSE");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[6]), "SYN-SENT: rcv SYN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[7]), "SYN-SENT: rcv SYN,ACK");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[8]), "SYN-RCVD: rcv RST");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[9]), "SYN-RCVD: rcv ACK of SYN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[10]), "SYN-RCVD: CLOSE");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[11]), "ESTAB: CLOSE");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[12]), "ESTAB: rcv FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[13]), "FIN-WAIT-1: rcv ACK of FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[14]), "FIN-WAIT-1: rcv FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[15]), "FIN-WAIT-2: rcv FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[16]), "CLOSING: rcv ACK of FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[17]), "CLOSE-WAIT: CLOSE");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[18]), "LAST-ACK: rcv ACK of FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[19]), "TIME-WAIT: Timeout=2MSL");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[20]), "FIN-WAIT-1: rcv FIN,ACK of FIN");
static_assert(edge_holds<tcpfsm_test::standard_lookup>(figure5[21]), "SYN-RCVD (active): rcv ACK of SYN");

// ------------------------------------------------------------------------ Figures 6-13
// Figure 6 (§3.5): basic three-way handshake. A: active OPEN; B: passive OPEN.
constexpr std::array<walk_step, 3> fig6_a{{
    {E::open_active, S::syn_sent, act::send_syn, NONE},                     // line 2 <SEQ=100><CTL=SYN>
    {E::rcv_syn_ack, S::established, act::send_ack, act::signal_connected},  // lines 3-4 <SEQ=101><ACK=301><CTL=ACK>
    {E::send, S::established, NONE, act::queue_data},                        // line 5 data
}};
constexpr std::array<walk_step, 4> fig6_b{{
    {E::open_passive, S::listen, NONE, NONE},                                // line 1 LISTEN
    {E::rcv_syn, S::syn_received, act::send_syn_ack, NONE},                   // lines 2-3 <SEQ=300><ACK=101><CTL=SYN,ACK>
    {E::rcv_ack_of_syn_passive, S::established, NONE, act::signal_accepted},  // line 4
    {E::rcv_data, S::established, act::send_ack, act::deliver_data},         // line 5
}};

// Figure 7: simultaneous open; each peer goes CLOSED, SYN-SENT, SYN-RECEIVED, ESTABLISHED.
constexpr std::array<walk_step, 3> fig7_each{{
    {E::open_active, S::syn_sent, act::send_syn, NONE},              // line 2: <SEQ=100><CTL=SYN>
    {E::rcv_syn, S::syn_received, act::send_syn_ack, NONE},          // lines 3, 5: <SEQ=100><ACK=301><CTL=SYN,ACK>
    {E::rcv_syn_ack, S::established, NONE, act::signal_connected},   // line 6
}};

// Figure 8: recovery from an old duplicate SYN.
constexpr std::array<walk_step, 3> fig8_a{{
    {E::open_active, S::syn_sent, act::send_syn, NONE},              // line 2
    {E::rcv_ack_unacceptable, S::syn_sent, act::send_rst, NONE},     // lines 4-5: ACK=91 =< ISS: <SEQ=91><CTL=RST>
    {E::rcv_syn_ack, S::established, act::send_ack, NONE},           // lines 7-8
}};
constexpr std::array<walk_step, 5> fig8_b{{
    {E::open_passive, S::listen, NONE, NONE},                        // line 1
    {E::rcv_syn, S::syn_received, act::send_syn_ack, NONE},          // lines 3-4: old SYN, <SEQ=300><ACK=91>
    {E::rcv_rst_passive, S::listen, NONE, NONE},                     // line 5: RST, back to LISTEN
    {E::rcv_syn, S::syn_received, act::send_syn_ack, NONE},          // lines 6-7
    {E::rcv_ack_of_syn_passive, S::established, NONE, NONE},         // line 8
}};

// Figure 9: half-open connection discovery. A rebooted (CLOSED); B still ESTABLISHED.
constexpr std::array<walk_step, 3> fig9_a{{
    {E::open_active, S::syn_sent, act::send_syn, NONE},              // line 3: <SEQ=400><CTL=SYN>
    {E::rcv_ack_unacceptable, S::syn_sent, act::send_rst, NONE},     // lines 4-5: ACK=100 =< ISS: <SEQ=100><CTL=RST>
    {E::timeout_retransmit, S::syn_sent, act::send_syn, NONE},       // line 7: the SYN again
}};
constexpr std::array<walk_step, 2> fig9_b{{
    {E::rcv_unacceptable, S::established, act::send_ack, NONE},      // lines 3-4: out of window: <ACK=100>
    {E::rcv_rst, S::closed, NONE, act::signal_reset | act::delete_tcb},  // line 5: (Abort!!)
}};

// Figure 10: active side causes half-open discovery. A rebooted (CLOSED).
constexpr std::array<walk_step, 1> fig10_a{{
    {E::rcv_data, S::closed, act::send_rst, NONE},                   // lines 2-3: <SEQ=100><CTL=RST>
}};
constexpr std::array<walk_step, 1> fig10_b{{
    {E::rcv_rst, S::closed, NONE, act::signal_reset | act::delete_tcb},  // line 3: (ABORT!!)
}};

// Figure 11: an old duplicate SYN initiates a reset on two passive sockets.
constexpr std::array<walk_step, 1> fig11_a{{
    {E::rcv_ack_unacceptable, S::listen, act::send_rst, NONE},       // lines 3-4: any ACK in LISTEN: RST
}};
constexpr std::array<walk_step, 2> fig11_b{{
    {E::rcv_syn, S::syn_received, act::send_syn_ack, NONE},          // lines 2-3
    {E::rcv_rst_passive, S::listen, NONE, NONE},                     // lines 4-5: return to LISTEN
}};

// Figure 12 (§3.6): normal close sequence. A closes first; B receives the FIN.
constexpr std::array<walk_step, 4> fig12_a{{
    {E::close, S::fin_wait_1, act::send_fin, NONE},                                  // line 2
    {E::rcv_ack_of_fin, S::fin_wait_2, NONE, NONE},                                  // line 3
    {E::rcv_fin, S::time_wait, act::send_ack, act::start_time_wait_timer},           // lines 4-5
    {E::timeout_time_wait, S::closed, NONE, act::delete_tcb},                        // line 6 (2 MSL)
}};
constexpr std::array<walk_step, 3> fig12_b{{
    {E::rcv_fin, S::close_wait, act::send_ack, act::signal_closing},                 // lines 2-3
    {E::close, S::last_ack, act::send_fin, NONE},                                    // line 4
    {E::rcv_ack_of_fin, S::closed, NONE, act::delete_tcb},                           // line 5
}};

// Figure 13: simultaneous close; both peers alike.
constexpr std::array<walk_step, 4> fig13_each{{
    {E::close, S::fin_wait_1, act::send_fin, NONE},                                  // line 2
    {E::rcv_fin, S::closing, act::send_ack, act::signal_closing},                    // line 3
    {E::rcv_ack_of_fin, S::time_wait, NONE, act::start_time_wait_timer},             // line 4
    {E::timeout_time_wait, S::closed, NONE, act::delete_tcb},                        // (2 MSL) CLOSED
}};

template <class M>
constexpr bool all_figures_hold() {
    using tcpfsm_test::walk_holds;
    return walk_holds<M>(S::closed, fig6_a) && walk_holds<M>(S::closed, fig6_b) &&
           walk_holds<M>(S::closed, fig7_each) && walk_holds<M>(S::closed, fig8_a) &&
           walk_holds<M>(S::closed, fig8_b) && walk_holds<M>(S::closed, fig9_a) &&
           walk_holds<M>(S::established, fig9_b) && walk_holds<M>(S::closed, fig10_a) &&
           walk_holds<M>(S::established, fig10_b) && walk_holds<M>(S::listen, fig11_a) &&
           walk_holds<M>(S::listen, fig11_b) && walk_holds<M>(S::established, fig12_a) &&
           walk_holds<M>(S::established, fig12_b) && walk_holds<M>(S::established, fig13_each);
}

static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig6_a), "Figure 6, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig6_b), "Figure 6, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig7_each), "Figure 7");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig8_a), "Figure 8, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig8_b), "Figure 8, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig9_a), "Figure 9, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::established, fig9_b), "Figure 9, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::closed, fig10_a), "Figure 10, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::established, fig10_b), "Figure 10, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::listen, fig11_a), "Figure 11, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::listen, fig11_b), "Figure 11, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::established, fig12_a), "Figure 12, peer A");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::established, fig12_b), "Figure 12, peer B");
static_assert(tcpfsm_test::walk_holds<tcpfsm_test::standard_lookup>(S::established, fig13_each), "Figure 13");
static_assert(all_figures_hold<tcpfsm_test::standard_branch>(), "Figures 6-13 (branch)");
static_assert(all_figures_hold<tcpfsm_test::rfc1337_lookup>(), "Figures 6-13 (RFC 1337 variant)");
static_assert(all_figures_hold<tcpfsm_test::strict_branch>(), "Figures 6-13 (strict variant)");

template <class M>
void check_all_figures() {
    using tcpfsm_test::check_walk;
    SECTION("Figure 6: basic three-way handshake") {
        check_walk<M>("Figure 6 peer A", S::closed, fig6_a);
        check_walk<M>("Figure 6 peer B", S::closed, fig6_b);
    }
    SECTION("Figure 7: simultaneous connection synchronization") {
        check_walk<M>("Figure 7 peer A", S::closed, fig7_each);
        check_walk<M>("Figure 7 peer B", S::closed, fig7_each);
    }
    SECTION("Figure 8: recovery from old duplicate SYN") {
        check_walk<M>("Figure 8 peer A", S::closed, fig8_a);
        check_walk<M>("Figure 8 peer B", S::closed, fig8_b);
    }
    SECTION("Figure 9: half-open connection discovery") {
        check_walk<M>("Figure 9 peer A", S::closed, fig9_a);
        check_walk<M>("Figure 9 peer B", S::established, fig9_b);
    }
    SECTION("Figure 10: active side causes half-open connection discovery") {
        check_walk<M>("Figure 10 peer A", S::closed, fig10_a);
        check_walk<M>("Figure 10 peer B", S::established, fig10_b);
    }
    SECTION("Figure 11: old duplicate SYN initiates a reset on two passive sockets") {
        check_walk<M>("Figure 11 peer A", S::listen, fig11_a);
        check_walk<M>("Figure 11 peer B", S::listen, fig11_b);
    }
    SECTION("Figure 12: normal close sequence") {
        check_walk<M>("Figure 12 peer A", S::established, fig12_a);
        check_walk<M>("Figure 12 peer B", S::established, fig12_b);
    }
    SECTION("Figure 13: simultaneous close sequence") {
        check_walk<M>("Figure 13 peer A", S::established, fig13_each);
        check_walk<M>("Figure 13 peer B", S::established, fig13_each);
    }
}

template <class M>
void check_figure5() {
    for (const auto& x : figure5) {
        INFO(x.label);
        const tcpfsm::transition& r = M::step(x.from, x.on);
        CHECK(M::next(x.from, x.on) == x.to);
        CHECK(r.from == x.from);
        CHECK(r.on == x.on);  // an exact row, not a wildcard
        CHECK(r.to == x.to);
        CHECK((r.actions & tcpfsm_test::segment_actions) == x.segments);
        CHECK((r.actions & x.also) == x.also);
        CHECK(r.error == tcpfsm::user_error::none);
    }
}

}  // namespace

TEST_CASE("figure 5: the 21 edges and both ACK-of-SYN rows in the standard table", "[figures]") {
    REQUIRE(sizeof(figure5) / sizeof(figure5[0]) == figure5_with_fin_ack + 1);
    check_figure5<tcpfsm_test::standard_lookup>();
    check_figure5<tcpfsm_test::standard_branch>();
}

TEST_CASE("figure 5: the edges hold in the RFC 1337 and strict variants", "[figures][variant]") {
    check_figure5<tcpfsm_test::rfc1337_lookup>();
    check_figure5<tcpfsm_test::rfc1337_branch>();
    check_figure5<tcpfsm_test::strict_lookup>();
    check_figure5<tcpfsm_test::strict_branch>();
}

TEST_CASE("figure 5: verify.hpp's figure5_edges are the edges of the figure", "[figures][verify]") {
    // The library's list (21 edges) and ours (20 drawn + FIN,ACK) name the same (from, on, to).
    REQUIRE(tcpfsm::figure5_edges.size() == figure5_with_fin_ack);
    for (std::size_t k = 0; k < figure5_with_fin_ack; ++k) {
        INFO(figure5[k].label);
        int found = 0;
        for (const auto& edge : tcpfsm::figure5_edges)
            if (edge.from == figure5[k].from && edge.on == figure5[k].on && edge.to == figure5[k].to) ++found;
        CHECK(found == 1);
    }
    for (const auto& edge : tcpfsm::figure5_edges) {
        // Every segment the library's edge requires is one the figure draws.
        bool drawn = false;
        for (std::size_t k = 0; k < figure5_with_fin_ack; ++k)
            if (edge.from == figure5[k].from && edge.on == figure5[k].on)
                drawn = ((edge.actions & tcpfsm_test::segment_actions) == figure5[k].segments);
        INFO(tcpfsm::rfc_name(edge.from) << " " << tcpfsm::name(edge.on));
        CHECK(drawn);
    }
    CHECK(figure5_drawn + 1 == figure5_with_fin_ack);
}

TEST_CASE("figures 6-13: every endpoint in the standard table", "[figures]") {
    check_all_figures<tcpfsm_test::standard_lookup>();
}

TEST_CASE("figures 6-13: every endpoint with branch dispatch", "[figures]") {
    check_all_figures<tcpfsm_test::standard_branch>();
}

TEST_CASE("figures 6-13: every endpoint in the RFC 1337 variant", "[figures][variant]") {
    check_all_figures<tcpfsm_test::rfc1337_lookup>();
}

TEST_CASE("figures 6-13: every endpoint in the strict variant", "[figures][variant]") {
    check_all_figures<tcpfsm_test::strict_lookup>();
}

TEST_CASE("figures 6 and 12: a whole lifetime from CLOSED back to CLOSED", "[figures]") {
    // Client: Figure 6 peer A, then Figure 12 peer A; server: Figure 6 peer B, then Figure 12 peer B.
    S client = S::closed;
    for (E e : {E::open_active, E::rcv_syn_ack, E::close, E::rcv_ack_of_fin, E::rcv_fin, E::timeout_time_wait})
        client = tcpfsm::step(client, e).to;
    CHECK(client == S::closed);
    S server = S::closed;
    for (E e : {E::open_passive, E::rcv_syn, E::rcv_ack_of_syn_passive, E::rcv_fin, E::close, E::rcv_ack_of_fin})
        server = tcpfsm::step(server, e).to;
    CHECK(server == S::closed);
}
