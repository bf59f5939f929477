// Demo: two endpoints driven by nothing but tcpfsm's standard table.
//
// Each side keeps only its state. A row's send actions put a segment on a lossless,
// in-order wire; the other side classifies the segment into an event at the level the
// table needs (a real engine does this from sequence numbers, RFC 9293 §3.10.7) and
// runs the row. The program prints every row taken, for three lifecycles: a client and a
// server (Figures 6 and 12 of RFC 9293), a simultaneous open and a simultaneous close.
#include <tcpfsm/tcpfsm.hpp>

#include <cstdio>
#include <deque>

namespace {

using tcpfsm::action_set;
using tcpfsm::event;
using tcpfsm::state;
namespace action = tcpfsm::action;

// What crosses the wire at this level of detail.
struct segment {
    bool syn = false;
    bool ack = false;
    bool fin = false;
    bool rst = false;
    bool acks_fin = false;  // the ACK covers the receiver's FIN
    bool acks_syn = false;  // the ACK covers the receiver's SYN
};

const char* describe(const segment& s) {
    if (s.rst) return "<CTL=RST>";
    if (s.syn && s.ack) return "<CTL=SYN,ACK>";
    if (s.syn) return "<CTL=SYN>";
    if (s.fin) return "<CTL=FIN,ACK>";
    return "<CTL=ACK>";
}

struct endpoint {
    const char* name;
    state st = state::closed;
    bool passive = false;       // SYN-RECEIVED entered from LISTEN (MUST-11)
    bool got_syn = false;       // the peer's SYN has been received
    bool got_fin = false;       // the peer's FIN has been received
    std::deque<segment>* out = nullptr;
};

void print_actions(action_set a) {
    std::printf("{");
    bool first = true;
    for (std::size_t n = 0; n < tcpfsm::action_count; ++n) {
        if (!a.contains(tcpfsm::nth_action(n))) continue;
        std::printf("%s%s", first ? "" : "|", tcpfsm::name_of_nth_action(n));
        first = false;
    }
    std::printf("}");
}

// Runs the table's row for (ep.st, e) and carries out its send actions.
void run(endpoint& ep, event e, int& clock) {
    const tcpfsm::transition& row = tcpfsm::step(ep.st, e);
    std::printf("%3d  %-7s %-12s --%-22s--> %-12s ", clock++, ep.name, tcpfsm::rfc_name(ep.st),
                tcpfsm::name(e), tcpfsm::rfc_name(row.to));
    print_actions(row.actions);
    if (row.error != tcpfsm::user_error::none) std::printf("  \"%s\"", tcpfsm::rfc_name(row.error));
    std::printf("\n");

    if (ep.st == state::listen && row.to == state::syn_received) ep.passive = true;
    if (ep.st == state::syn_sent && row.to == state::syn_received) ep.passive = false;
    if (e == event::rcv_syn || e == event::rcv_syn_ack) ep.got_syn = true;
    if (e == event::rcv_fin || e == event::rcv_fin_ack_of_fin) ep.got_fin = true;
    ep.st = row.to;

    const action_set a = row.actions;
    if (a.contains(action::send_syn)) ep.out->push_back(segment{true, false, false, false, false, false});
    if (a.contains(action::send_syn_ack)) ep.out->push_back(segment{true, true, false, false, false, true});
    if (a.contains(action::send_ack)) ep.out->push_back(segment{false, true, false, false, ep.got_fin, ep.got_syn});
    if (a.contains(action::send_fin)) ep.out->push_back(segment{false, true, true, false, ep.got_fin, ep.got_syn});
    if (a.contains(action::send_rst)) ep.out->push_back(segment{false, false, false, true, false, false});
}

// The receiving side's classifier, in the step order of RFC 9293 §3.10.7 (simplified:
// every segment here is in sequence, so the acceptability test always passes).
void deliver(endpoint& ep, const segment& seg, int& clock) {
    std::printf("          %-7s receives %s\n", ep.name, describe(seg));
    const state s = ep.st;
    if (seg.rst) {
        run(ep, s == state::syn_received && ep.passive ? event::rcv_rst_passive : event::rcv_rst, clock);
        return;
    }
    if (seg.syn) {
        if (seg.ack && (s == state::syn_sent || s == state::syn_received)) run(ep, event::rcv_syn_ack, clock);
        else if (s == state::syn_received && ep.passive) run(ep, event::rcv_syn_passive, clock);
        else run(ep, event::rcv_syn, clock);
        return;
    }
    if (s == state::syn_received && seg.acks_syn)  // fifth step: our SYN acknowledged
        run(ep, ep.passive ? event::rcv_ack_of_syn_passive : event::rcv_ack_of_syn, clock);
    // Our FIN is outstanding in FIN-WAIT-1, CLOSING and LAST-ACK; this ACK may cover it.
    const bool fin_outstanding =
        ep.st == state::fin_wait_1 || ep.st == state::closing || ep.st == state::last_ack;
    const bool fin_acked = seg.acks_fin && fin_outstanding;
    if (seg.fin) {
        if (ep.st == state::fin_wait_1 && fin_acked) {  // fifth + eighth steps in one row
            run(ep, event::rcv_fin_ack_of_fin, clock);
            return;
        }
        if (fin_acked) run(ep, event::rcv_ack_of_fin, clock);
        run(ep, event::rcv_fin, clock);
        return;
    }
    if (ep.st != s) return;  // the ACK of our SYN was this segment's whole content
    run(ep, fin_acked ? event::rcv_ack_of_fin : event::rcv_ack, clock);
}

// Two endpoints, the wire between them and the trace clock.
struct scenario {
    endpoint a, b;
    std::deque<segment> a_to_b, b_to_a;
    int clock = 0;

    scenario(const char* a_name, const char* b_name) : a{a_name}, b{b_name} {
        a.out = &a_to_b;
        b.out = &b_to_a;
    }
    scenario(const scenario&) = delete;
    scenario& operator=(const scenario&) = delete;

    void run_a(event e) { run(a, e, clock); }
    void run_b(event e) { run(b, e, clock); }

    // Delivers segments until both wires are empty, alternating sides.
    void drain() {
        while (!a_to_b.empty() || !b_to_a.empty()) {
            if (!a_to_b.empty()) {
                const segment seg = a_to_b.front();
                a_to_b.pop_front();
                deliver(b, seg, clock);
            }
            if (!b_to_a.empty()) {
                const segment seg = b_to_a.front();
                b_to_a.pop_front();
                deliver(a, seg, clock);
            }
        }
    }

    void expire_time_wait() {
        if (a.st == state::time_wait) run_a(event::timeout_time_wait);
        if (b.st == state::time_wait) run_b(event::timeout_time_wait);
    }
};

void client_and_server() {
    std::printf("\n== Client and server: three-way handshake, then the client closes first "
                "(RFC 9293 Figures 6 and 12)\n");
    scenario x("client", "server");
    x.run_b(event::open_passive);
    x.run_a(event::open_active);
    x.drain();
    x.run_a(event::send);
    x.run_a(event::close);
    x.drain();
    x.run_b(event::receive);
    x.run_b(event::close);
    x.drain();
    x.run_a(event::send);  // too late: "connection closing"
    x.expire_time_wait();
}

void simultaneous_open() {
    std::printf("\n== Simultaneous open (RFC 9293 Figure 7), then ABORT\n");
    scenario x("A", "B");
    x.run_a(event::open_active);
    x.run_b(event::open_active);
    x.drain();
    x.run_a(event::abort);
    x.drain();
}

void simultaneous_close() {
    std::printf("\n== Simultaneous close (RFC 9293 Figure 13)\n");
    scenario x("A", "B");
    x.run_b(event::open_passive);
    x.run_a(event::open_active);
    x.drain();
    x.run_a(event::close);
    x.run_b(event::close);
    x.drain();
    x.expire_time_wait();
}

}  // namespace

int main() {
    std::printf("tcpfsm %s: standard table, %zu rows, dense index %zu bytes\n", tcpfsm::version.string,
                tcpfsm::standard_row_count, tcpfsm::index_for<tcpfsm::standard_table>.size_bytes());
    std::printf("time side    from         --event-----------------------> to           actions\n");
    client_and_server();
    simultaneous_open();
    simultaneous_close();
    return 0;
}
