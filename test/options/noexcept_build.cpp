// Built with -fno-exceptions -fno-rtti (test/options/CMakeLists.txt): every header of
// include/tcpfsm/options/ used once; exits 0 when a short exchange gives RFC 7323's and
// RFC 2018's answers.
#include <tcpfsm/options/negotiation.hpp>
#include <tcpfsm/options/option_codec.hpp>
#include <tcpfsm/options/sack_blocks.hpp>
#include <tcpfsm/options/timestamps.hpp>
#include <tcpfsm/options/window_scale.hpp>

#include <cstdint>

namespace opts = tcpfsm::options;

int main() {
    opts::window_scale_negotiation ws;
    ws.offer(opts::open_side::active, true, opts::window_shift_for(std::uint64_t{4} << 20));
    ws.on_peer_segment(true, true, 9);
    if (!ws.enabled() || ws.receive_shift() != 7 || ws.send_shift() != 9) return 1;
    if (opts::scale_received_window(100, ws.send_shift(), false) != 100u * 512u) return 2;

    opts::timestamp_state ts(12345);
    ts.offer(opts::open_side::active, true);
    ts.on_peer_syn(true, true, 500, 0);
    ts.on_ack_sent(1);
    if (ts.check(true, 499, false, 1) != opts::paws_verdict::reject) return 3;
    const auto sample = ts.rtt_from_echo(true, ts.tsval(100), true, true, 140);
    if (!sample.valid || sample.rtt_ms != 40) return 4;

    tcpfsm::reassembly_queue<4> q;
    q.on_segment(0, 65535, 100, 10, false);
    q.on_segment(0, 65535, 200, 10, false);
    const auto blocks = opts::sack_blocks_to_send(q, tcpfsm::seq_block{}, opts::sack_blocks_that_fit(true));
    if (blocks.count != 2 || blocks.blocks[0].left != 200) return 5;
    return 0;
}
