// The SACK sender's headers built and run with -fno-exceptions -fno-rtti: a scoreboard, RFC
// 6675 recovery and PRR through one loss, checked with plain returns.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/prr.hpp>
#include <tcpfsm/sack/rfc6675.hpp>
#include <tcpfsm/sack/scoreboard.hpp>

int main() {
    tcpfsm::sack::scoreboard<4> sb;
    tcpfsm::sack::recovery rec;
    tcpfsm::sack::prr prr;
    // 10 segments of 100 at 0; the first is lost, 3 ACKs SACK the next three.
    for (std::uint32_t k = 1; k <= 3; ++k) {
        const tcpfsm::seq_block b{100, 100 + 100 * k};
        const auto u = sb.on_ack(0, 0, 1000, &b, 1);
        const auto s = rec.on_ack(sb, u, 1000, 100);
        if (s.entered) {
            prr.start(500, 1000);
            rec.on_sent(s.first);
        }
    }
    if (!rec.in_recovery() || rec.high_rxt() != 100) return 1;
    const std::uint32_t pipe = rec.pipe(sb, 0, 1000, 100);
    // Holes: [0,100) lost and resent (100), [400,1000) in flight (600).
    if (pipe != 700) return 2;
    if (prr.on_ack(100, pipe, 100) != 50) return 3;  // ceil(100 * 500 / 1000) - 0
    return 0;
}
