// lwIP 2.1 (Debian's liblwip-dev) doing the lifecycles of pairs.hpp: a client pcb and a
// server pcb per pair, both in the one lwIP of the process, through lwIP's raw API as an
// lwIP application writes it (tcp_connect, tcp_write, tcp_recv/tcp_recved, tcp_close; the
// server accepts from one listening pcb).
//
// The lwIP driver of the tests (test/support/lwip_peer) brings lwIP up once per process and
// puts lwIP's clock (sys_now) on manual_clock. Its netif joins lwIP to a tcpfsm endpoint; here
// both ends are lwIP, so the segments go over the point-to-point link of three netifs of
// test/support/lwip_host_pair.hpp (which says why three; the client is host a, 198.51.100.1,
// the server host b, 198.51.100.2), whose output here copies each packet into a new pbuf and
// queues it for ip4_input(), as lwIP's own loopback netif does (netif_loop_output: pbuf_alloc
// + pbuf_copy). lwIP computes and verifies the IPv4 and TCP checksums itself
// (CHECKSUM_GEN_* / CHECKSUM_CHECK_* on).
//
// Time: while segments are queued no time passes; when none is, the clock moves by
// TCP_TMR_INTERVAL (250 ms) and tcp_tmr() runs: lwIP's TCP timer, which sys_check_timeouts()
// would call at that interval (delayed ACKs, retransmission, and every other call the slow
// timer that ages TIME-WAIT: 2 * TCP_MSL = 120 s is 480 calls). lwIP's other cyclic timers
// (IP reassembly, ARP, IGMP, ND6, MLD), which run whether or not there are connections, are
// not run: they are not part of a lifecycle.
// SPDX-License-Identifier: MIT
#include <lwip/err.h>
#include <lwip/ip4.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "lwip_host_pair.hpp"
#include "lwip_peer.hpp"
#include "pairs.hpp"

namespace tcpfsm_bench {

namespace {

// The octets the applications send: no copy (lwIP references them until acknowledged).
const std::uint8_t request_text[request_octets] = {'q'};
const std::uint8_t reply_text[reply_octets] = {'r'};

class lwip_pairs final : public pair_world {
    struct app {
        lwip_pairs* world = nullptr;
        std::uint32_t received = 0;
        bool acted = false;   // client: closed after the FIN; server: replied and closed
        bool failed = false;  // lwIP reported an error (tcp_err) or refused a call
    };
    struct queued {
        struct pbuf* p;
        struct netif* to;
    };

public:
    explicit lwip_pairs(std::size_t pairs) : pairs_(pairs), clients_(pairs), servers_(pairs) {
        for (app& a : clients_) a.world = this;
        for (app& a : servers_) a.world = this;
        ring_.resize(16 * pairs + 16);
        if (!hosts_.add(this, &output, "bp")) setup_failed_ = true;
        client_address_ = hosts_.address_a();
        server_address_ = hosts_.address_b();

        listener_ = tcp_new();
        ip_addr_t local;
        ip_addr_copy_from_ip4(local, server_address_);
        if (listener_ == nullptr || tcp_bind(listener_, &local, server_port) != ERR_OK) {
            setup_failed_ = true;
            return;
        }
        listener_ = tcp_listen(listener_);
        if (listener_ == nullptr) {
            setup_failed_ = true;
            return;
        }
        tcp_arg(listener_, this);
        tcp_accept(listener_, &on_accept);
    }

    ~lwip_pairs() override {
        if (listener_ != nullptr) {
            tcp_arg(listener_, nullptr);
            tcp_accept(listener_, nullptr);
            tcp_close(listener_);
        }
        while (count_ != 0) {
            pbuf_free(ring_[head_].p);
            head_ = (head_ + 1) % ring_.size();
            --count_;
        }
        hosts_.remove();
    }

    batch_result run_batch() override {
        batch_result r;
        if (setup_failed_) {
            r.failures = pairs_;
            r.first_failure = "lwIP pairs: the listener could not be set up";
            return r;
        }
        segments_ = 0;
        errors_ = 0;
        for (std::size_t i = 0; i < pairs_; ++i) {
            clients_[i] = app{this};
            servers_[i] = app{this};
            struct tcp_pcb* pcb = tcp_new();
            if (pcb == nullptr) {
                clients_[i].failed = true;
                continue;
            }
            tcp_arg(pcb, &clients_[i]);
            tcp_err(pcb, &on_error);
            tcp_recv(pcb, &on_client_receive);
            ip_addr_t local, remote;
            ip_addr_copy_from_ip4(local, client_address_);
            ip_addr_copy_from_ip4(remote, server_address_);
            if (tcp_bind(pcb, &local, static_cast<u16_t>(first_client_port + i)) != ERR_OK ||
                tcp_connect(pcb, &remote, server_port, &on_connected) != ERR_OK) {
                clients_[i].failed = true;
                tcp_abort(pcb);
            }
        }
        for (;;) {
            deliver_all();
            if (tcp_active_pcbs == nullptr && tcp_tw_pcbs == nullptr) break;
            if (++r.timer_steps > 2000) {
                r.first_failure = "lwIP pairs: pcbs left after 500 s";
                break;
            }
            tcpfsm_lwip::manual_clock::advance(std::chrono::milliseconds(TCP_TMR_INTERVAL));
            tcp_tmr();
        }
        for (std::size_t i = 0; i < pairs_; ++i) {
            const app& c = clients_[i];
            const app& s = servers_[i];
            if (!c.failed && !s.failed && c.acted && s.acted && c.received == reply_octets &&
                s.received == request_octets) {
                ++r.lifecycles;
            } else {
                ++r.failures;
                if (r.first_failure.empty()) r.first_failure = "lwIP pairs: a pair did not complete its lifecycle";
            }
        }
        if (errors_ != 0) {
            ++r.failures;
            if (r.first_failure.empty()) r.first_failure = "lwIP pairs: a packet could not be copied or queued";
        }
        r.segments = segments_;
        return r;
    }

private:
    // A packet leaves: copy it (lwIP keeps its own pbuf for retransmission) and queue it for
    // the netif that owns its destination.
    static err_t output(struct netif* n, struct pbuf* p, const ip4_addr_t* next_hop) {
        auto* self = static_cast<lwip_pairs*>(n->state);
        struct pbuf* q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
        if (q == nullptr) {
            ++self->errors_;
            return ERR_MEM;
        }
        if (pbuf_copy(q, p) != ERR_OK) {
            pbuf_free(q);
            ++self->errors_;
            return ERR_MEM;
        }
        struct netif* to = &self->hosts_.toward(next_hop);
        if (self->count_ == self->ring_.size()) {
            std::vector<queued> bigger(self->ring_.size() * 2);
            for (std::size_t i = 0; i < self->count_; ++i) bigger[i] = self->ring_[(self->head_ + i) % self->ring_.size()];
            self->ring_.swap(bigger);
            self->head_ = 0;
        }
        self->ring_[(self->head_ + self->count_) % self->ring_.size()] = queued{q, to};
        ++self->count_;
        return ERR_OK;
    }

    void deliver_all() {
        while (count_ != 0) {
            const queued q = ring_[head_];
            head_ = (head_ + 1) % ring_.size();
            --count_;
            ++segments_;
            q.to->input(q.p, q.to);  // ip4_input: consumes the pbuf
        }
    }

    // ---- the applications ----
    static err_t on_connected(void* arg, struct tcp_pcb* pcb, err_t) {
        app* a = static_cast<app*>(arg);
        if (tcp_write(pcb, request_text, request_octets, 0) != ERR_OK || tcp_output(pcb) != ERR_OK) a->failed = true;
        return ERR_OK;
    }

    static err_t on_client_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t) {
        app* a = static_cast<app*>(arg);
        if (p != nullptr) {
            a->received += p->tot_len;
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
            return ERR_OK;
        }
        // The server's FIN: close our side.
        tcp_arg(pcb, nullptr);
        tcp_recv(pcb, nullptr);
        tcp_err(pcb, nullptr);
        if (tcp_close(pcb) != ERR_OK) a->failed = true;
        a->acted = true;
        return ERR_OK;
    }

    static err_t on_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
        auto* self = static_cast<lwip_pairs*>(arg);
        const std::size_t i = static_cast<std::size_t>(pcb->remote_port - first_client_port);
        if (err != ERR_OK || i >= self->pairs_) {
            ++self->errors_;
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        tcp_arg(pcb, &self->servers_[i]);
        tcp_err(pcb, &on_error);
        tcp_recv(pcb, &on_server_receive);
        return ERR_OK;
    }

    static err_t on_server_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t) {
        app* a = static_cast<app*>(arg);
        if (p == nullptr) {  // a FIN before the request: not this lifecycle
            a->failed = true;
            tcp_arg(pcb, nullptr);
            tcp_recv(pcb, nullptr);
            tcp_err(pcb, nullptr);
            tcp_close(pcb);
            return ERR_OK;
        }
        a->received += p->tot_len;
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        if (!a->acted && a->received >= request_octets) {
            // The whole request is here: reply and close (the FIN follows the reply).
            if (tcp_write(pcb, reply_text, reply_octets, 0) != ERR_OK) a->failed = true;
            tcp_arg(pcb, nullptr);
            tcp_recv(pcb, nullptr);
            tcp_err(pcb, nullptr);
            if (tcp_close(pcb) != ERR_OK) a->failed = true;
            a->acted = true;
        }
        return ERR_OK;
    }

    static void on_error(void* arg, err_t) {
        if (arg != nullptr) static_cast<app*>(arg)->failed = true;
    }

    // Declared first, destroyed last: lwIP is up (and on manual_clock) for the whole life of
    // this object.
    tcpfsm_lwip::lwip_peer driver_;
    std::size_t pairs_;
    std::vector<app> clients_, servers_;
    tcpfsm_lwip::lwip_host_pair hosts_;
    ip4_addr_t client_address_, server_address_;
    struct tcp_pcb* listener_ = nullptr;
    bool setup_failed_ = false;
    std::vector<queued> ring_;
    std::size_t head_ = 0, count_ = 0;
    std::uint64_t segments_ = 0, errors_ = 0;
};

}  // namespace

std::unique_ptr<pair_world> make_lwip_pairs(std::size_t pairs) { return std::make_unique<lwip_pairs>(pairs); }

}  // namespace tcpfsm_bench
