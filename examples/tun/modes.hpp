// The two ways tcpfsm_tun runs: one connection (client, server, simultaneous open:
// one_connection.cpp) or a listener with an application per connection (serve.cpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_MODES_HPP
#define TCPFSM_TUN_MODES_HPP

#include "options.hpp"

#include <tcpfsm/connection.hpp>
#include <tcpfsm/siphash.hpp>

namespace tun {

// What both modes are given by main(): the device, the engine configuration, 128-bit keys.
struct setup {
    int fd = -1;
    tcpfsm::connection_config config;
    tcpfsm::siphash_key iss_secret{};
    tcpfsm::listener_secrets listener_secrets{};
};

int run_one_connection(options& o, const setup& s);
int run_serve(options& o, const setup& s);

// Set by SIGINT/SIGTERM: the loops end, print what they have and exit.
extern volatile int stop_requested;

}  // namespace tun

#endif
