// Two lwIP hosts in the one lwIP of the process, for drivers where both ends of a connection
// are lwIP (bench/engine/lwip_pairs.cpp, bench/goodput/lwip_stacks.cpp), joined by three
// point-to-point IPv4 netifs whose output the driver supplies. Needs lwIP's headers
// (tcpfsm_lwip_peer's TCPFSM_LWIP_INCLUDE_DIR, as SYSTEM) and an lwIP brought up by
// lwip_peer.hpp's driver.
//
// Why three: lwIP sends a packet for the outgoing netif's own address to its loopback queue,
// which Debian's build (NO_SYS=0) serves only from the tcpip thread the drivers never start.
// So no packet may leave by the netif that owns its destination: the netifs are /32 and
// point-to-point (no broadcast flag, no ARP), and lwIP routes to the first netif whose address
// or gateway matches (netif_add puts each new netif first, so they are added b, a, c):
//     wire_c 198.51.100.3, gateway .1   carries everything for .1 (host a)
//     host_a 198.51.100.1, gateway .2   host a's address; carries everything for .2
//     host_b 198.51.100.2               host b's address
// The driver's output copies each packet and hands it to ip4_input() on host_a (a packet for
// .1) or host_b (for .2): lwip_host_pair::toward(next_hop).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_LWIP_HOST_PAIR_HPP
#define TCPFSM_TEST_LWIP_HOST_PAIR_HPP

#include <lwip/err.h>
#include <lwip/ip4.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>

#include <cstdint>
#include <cstring>

namespace tcpfsm_lwip {

class lwip_host_pair {
public:
    using output_function = err_t (*)(struct netif*, struct pbuf*, const ip4_addr_t*);

    lwip_host_pair() : address_a_(ip4(198, 51, 100, 1)), address_b_(ip4(198, 51, 100, 2)) {}
    lwip_host_pair(const lwip_host_pair&) = delete;
    lwip_host_pair& operator=(const lwip_host_pair&) = delete;

    // Adds the three netifs, up, each with `owner` as its state and `output` as its IPv4
    // output (named `name`). False if lwIP refused one.
    bool add(void* owner, output_function output, const char (&name)[3]) {
        const ip4_addr_t mask = ip4(255, 255, 255, 255);
        const ip4_addr_t none = ip4(0, 0, 0, 0);
        bool ok = add_one(host_b_, address_b_, mask, none, owner, output, name);
        ok = add_one(host_a_, address_a_, mask, address_b_, owner, output, name) && ok;
        ok = add_one(wire_c_, ip4(198, 51, 100, 3), mask, address_a_, owner, output, name) && ok;
        return ok;
    }
    // Removes them (after the pcbs are gone).
    void remove() {
        if (added_ == 0) return;
        netif_remove(&wire_c_);
        netif_remove(&host_a_);
        netif_remove(&host_b_);
        added_ = 0;
    }

    const ip4_addr_t& address_a() const { return address_a_; }
    const ip4_addr_t& address_b() const { return address_b_; }
    struct netif& host_a() { return host_a_; }
    struct netif& host_b() { return host_b_; }
    // The netif whose ip4_input() receives a packet sent toward `next_hop`.
    struct netif& toward(const ip4_addr_t* next_hop) { return ip4_addr_cmp(next_hop, &address_a_) ? host_a_ : host_b_; }

    static ip4_addr_t ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
        ip4_addr_t out;
        IP4_ADDR(&out, a, b, c, d);
        return out;
    }

private:
    bool add_one(struct netif& n, const ip4_addr_t& address, const ip4_addr_t& mask, const ip4_addr_t& gateway,
                 void* owner, output_function output, const char (&name)[3]) {
        std::memset(&n, 0, sizeof n);
        if (netif_add(&n, &address, &mask, &gateway, owner, &init_netif, &ip4_input) == nullptr) return false;
        ++added_;
        n.name[0] = name[0];
        n.name[1] = name[1];
        n.output = output;  // before the netif is up: nothing is sent through it until then
        netif_set_up(&n);
        netif_set_link_up(&n);
        return true;
    }

    static err_t init_netif(struct netif* n) {
        n->mtu = 1500;
        n->hwaddr_len = 0;
        n->flags = 0;  // point to point: no broadcast, no ARP
#if LWIP_IPV6
        n->output_ip6 = &output_ip6;
#endif
        return ERR_OK;
    }
#if LWIP_IPV6
    static err_t output_ip6(struct netif*, struct pbuf*, const ip6_addr_t*) { return ERR_OK; }  // none is sent
#endif

    ip4_addr_t address_a_, address_b_;
    struct netif host_a_ {};
    struct netif host_b_ {};
    struct netif wire_c_ {};
    int added_ = 0;
};

}  // namespace tcpfsm_lwip

#endif  // TCPFSM_TEST_LWIP_HOST_PAIR_HPP
