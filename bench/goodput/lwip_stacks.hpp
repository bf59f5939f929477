// lwIP -> lwIP for the goodput benchmark: two lwIP hosts in the one lwIP of the process
// (Debian's liblwip-dev 2.1.3, brought up and put on a manual clock by the test driver
// test/support/lwip_peer), each behind a point-to-point netif of its own whose output hands
// the IPv4 packet to the benchmark's link loop; arriving packets go to ip4_input(). The
// applications use lwIP's raw API: the sender tcp_write()s the payload as tcp_sndbuf() allows
// (without TCP_WRITE_FLAG_COPY: lwIP references the payload until it is acknowledged) and
// again from the `sent` callback; the receiver checks every octet and tcp_recved()s at once.
// lwIP's timers (sys_check_timeouts: tcp_tmr every 250 ms, and the cyclic ones) run on the
// loop's clock in milliseconds.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_LWIP_STACKS_HPP
#define TCPFSM_BENCH_GOODPUT_LWIP_STACKS_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "link_loop.hpp"
#include "transfer.hpp"

namespace tcpfsm_goodput {

class lwip_stacks {
public:
    lwip_stacks(link_loop& loop, const std::vector<std::uint8_t>& payload);
    ~lwip_stacks();
    lwip_stacks(const lwip_stacks&) = delete;
    lwip_stacks& operator=(const lwip_stacks&) = delete;

    void deliver(int to, const std::uint8_t* bytes, std::size_t size);
    std::int64_t next_deadline_us();
    void on_time();
    bool done();
    transfer_result result(loop_result outcome) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_LWIP_STACKS_HPP
