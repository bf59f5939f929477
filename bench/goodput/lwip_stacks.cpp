// lwIP -> lwIP over the goodput benchmark's link loop (lwip_stacks.hpp). The two hosts are
// test/support/lwip_host_pair.hpp's (three point-to-point netifs, as bench/engine/lwip_pairs.cpp
// uses them): the sender is host a (198.51.100.1), the receiver host b (198.51.100.2).
// SPDX-License-Identifier: MIT
#include "lwip_stacks.hpp"

#include <lwip/err.h>
#include <lwip/ip4.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>

#include <chrono>
#include <cstring>

#include "lwip_host_pair.hpp"
#include "lwip_peer.hpp"

namespace tcpfsm_goodput {

namespace {
constexpr u16_t receiver_port = 5001;
}  // namespace

struct lwip_stacks::impl {
    // Declared first, destroyed last: lwIP is up (and on its manual clock) for the whole life
    // of this object.
    tcpfsm_lwip::lwip_peer driver;
    link_loop* loop;
    const std::vector<std::uint8_t>* payload;
    payload_check check;
    tcpfsm_lwip::lwip_host_pair hosts;
    ip4_addr_t sender_address, receiver_address;
    struct tcp_pcb* listener = nullptr;
    struct tcp_pcb* sender = nullptr;
    struct tcp_pcb* receiver = nullptr;
    std::size_t written = 0;  // octets handed to tcp_write
    std::int64_t base_ms = 0;  // lwIP's clock when the loop's clock was 0
    std::uint64_t errors = 0;
    std::uint32_t max_rto_ms = 0;
    std::uint32_t window = 0;  // the sender's snd_wnd_max, the largest it saw
    std::uint32_t fast_recoveries = 0, timeouts = 0;
    bool in_recovery = false;
    unsigned last_nrtx = 0;
    link_time finished_us = 0;
    bool closing = false;
    std::uint8_t scratch[2048];

    impl(link_loop& l, const std::vector<std::uint8_t>& p) : loop(&l), payload(&p) {
        check.payload = &p;
        base_ms = tcpfsm_lwip::manual_clock::now().time_since_epoch().count() + 1;
        sync_clock();
        sender_address = hosts.address_a();
        receiver_address = hosts.address_b();
        if (!hosts.add(this, &output, "gp")) ++errors;

        ip_addr_t local, remote;
        ip_addr_copy_from_ip4(local, receiver_address);
        listener = tcp_new();
        if (listener == nullptr || tcp_bind(listener, &local, receiver_port) != ERR_OK) {
            ++errors;
            return;
        }
        listener = tcp_listen(listener);
        if (listener == nullptr) {
            ++errors;
            return;
        }
        tcp_arg(listener, this);
        tcp_accept(listener, &on_accept);

        sender = tcp_new();
        if (sender == nullptr) {
            ++errors;
            return;
        }
        tcp_arg(sender, this);
        tcp_err(sender, &on_sender_error);
        tcp_sent(sender, &on_sent);
        ip_addr_copy_from_ip4(local, sender_address);
        ip_addr_copy_from_ip4(remote, receiver_address);
        if (tcp_bind(sender, &local, 40000) != ERR_OK || tcp_connect(sender, &remote, receiver_port, &on_connected) != ERR_OK) {
            ++errors;
        }
    }

    ~impl() {
        closing = true;  // the RSTs of tcp_abort go nowhere
        if (sender != nullptr) {
            tcp_arg(sender, nullptr);
            tcp_err(sender, nullptr);
            tcp_sent(sender, nullptr);
            tcp_abort(sender);
        }
        if (receiver != nullptr) {
            tcp_arg(receiver, nullptr);
            tcp_err(receiver, nullptr);
            tcp_recv(receiver, nullptr);
            tcp_abort(receiver);
        }
        if (listener != nullptr) {
            tcp_arg(listener, nullptr);
            tcp_accept(listener, nullptr);
            tcp_close(listener);
        }
        hosts.remove();
    }

    void sync_clock() {
        tcpfsm_lwip::manual_clock::set(
            tcpfsm_lwip::manual_clock::time_point(std::chrono::milliseconds(base_ms + loop->now_us() / 1000)));
    }

    // A packet leaves: copy it onto the wire (lwIP keeps its own pbuf for retransmission).
    static err_t output(struct netif* n, struct pbuf* p, const ip4_addr_t* next_hop) {
        auto* self = static_cast<impl*>(n->state);
        if (self->closing) return ERR_OK;
        if (p->tot_len > sizeof self->scratch) {
            ++self->errors;
            return ERR_MEM;
        }
        pbuf_copy_partial(p, self->scratch, p->tot_len, 0);
        const int from = ip4_addr_cmp(next_hop, &self->sender_address) ? 1 : 0;
        self->loop->send(from, self->scratch, p->tot_len);
        return ERR_OK;
    }

    void deliver(int to, const std::uint8_t* bytes, std::size_t size) {
        sync_clock();
        struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(size), PBUF_RAM);
        if (p == nullptr) {
            ++errors;
            return;
        }
        pbuf_take(p, bytes, static_cast<u16_t>(size));
        struct netif* n = to == 0 ? &hosts.host_a() : &hosts.host_b();
        n->input(p, n);  // ip4_input: consumes the pbuf
        note_rto(false);
    }

    void push() {
        if (sender == nullptr) return;
        while (written < payload->size()) {
            std::size_t n = tcp_sndbuf(sender);
            if (n == 0) break;
            if (n > payload->size() - written) n = payload->size() - written;
            if (n > 0xFFFF) n = 0xFFFF;
            if (tcp_write(sender, payload->data() + written, static_cast<u16_t>(n), 0) != ERR_OK) break;
            written += n;
        }
        tcp_output(sender);
    }

    void note_rto(bool from_timer) {
        if (sender == nullptr) return;
        const std::uint32_t rto = static_cast<std::uint32_t>(sender->rto) * TCP_SLOW_INTERVAL;
        if (rto > max_rto_ms) max_rto_ms = rto;
        const std::uint32_t w = static_cast<std::uint32_t>(sender->snd_wnd_max);
        if (w > window) window = w;
        const bool recovering = (sender->flags & TF_INFR) != 0;
        if (recovering && !in_recovery) ++fast_recoveries;
        in_recovery = recovering;
        // A retransmission from the timers (tcp_slowtmr) is a timeout; from input, a fast
        // retransmission (tcp_receive), which bumps nrtx too.
        if (from_timer && sender->nrtx > last_nrtx) ++timeouts;
        last_nrtx = sender->nrtx;
    }

    static err_t on_connected(void* arg, struct tcp_pcb*, err_t) {
        static_cast<impl*>(arg)->push();
        return ERR_OK;
    }
    static err_t on_sent(void* arg, struct tcp_pcb*, u16_t) {
        if (arg != nullptr) static_cast<impl*>(arg)->push();
        return ERR_OK;
    }
    static void on_sender_error(void* arg, err_t) {
        if (arg == nullptr) return;
        auto* self = static_cast<impl*>(arg);
        self->sender = nullptr;  // lwIP freed it
        ++self->errors;
    }
    static void on_receiver_error(void* arg, err_t) {
        if (arg == nullptr) return;
        auto* self = static_cast<impl*>(arg);
        self->receiver = nullptr;
        ++self->errors;
    }
    static err_t on_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
        auto* self = static_cast<impl*>(arg);
        if (err != ERR_OK || self->receiver != nullptr) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        self->receiver = pcb;
        tcp_arg(pcb, self);
        tcp_err(pcb, &on_receiver_error);
        tcp_recv(pcb, &on_receive);
        return ERR_OK;
    }
    static err_t on_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t) {
        auto* self = static_cast<impl*>(arg);
        if (p == nullptr) return ERR_OK;  // the FIN: not sent in this benchmark
        for (struct pbuf* q = p; q != nullptr; q = q->next) {
            self->check.take(static_cast<const std::uint8_t*>(q->payload), q->len);
        }
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
};

lwip_stacks::lwip_stacks(link_loop& loop, const std::vector<std::uint8_t>& payload)
    : impl_(new impl(loop, payload)) {}
lwip_stacks::~lwip_stacks() = default;

void lwip_stacks::deliver(int to, const std::uint8_t* bytes, std::size_t size) { impl_->deliver(to, bytes, size); }

std::int64_t lwip_stacks::next_deadline_us() {
    impl_->sync_clock();
    const auto next = impl_->driver.lwip_next_timer();
    if (next == tcpfsm_lwip::manual_clock::time_point::max()) return -1;
    const std::int64_t at_us = (next.time_since_epoch().count() - impl_->base_ms) * 1000;
    return at_us < impl_->loop->now_us() ? impl_->loop->now_us() : at_us;
}

void lwip_stacks::on_time() {
    impl_->sync_clock();
    impl_->driver.run_lwip_timers();
    impl_->note_rto(true);
}

bool lwip_stacks::done() {
    if (impl_->check.complete() && impl_->finished_us == 0) impl_->finished_us = impl_->loop->now_us();
    return impl_->check.complete() || impl_->errors != 0;
}

transfer_result lwip_stacks::result(loop_result outcome) const {
    transfer_result r;
    r.outcome = impl_->errors != 0 ? loop_result::stalled : outcome;
    r.intact = impl_->check.intact && impl_->errors == 0;
    r.delivered = impl_->check.delivered;
    r.finished_us = impl_->finished_us;
    r.max_rto_ms = impl_->max_rto_ms;
    r.fast_recoveries = impl_->fast_recoveries;
    r.timeouts = impl_->timeouts;
    // In flight: at most the peer's window and TCP_SND_BUF (tcp_write takes no more).
    r.window = impl_->window < static_cast<std::uint32_t>(TCP_SND_BUF) ? impl_->window
                                                                       : static_cast<std::uint32_t>(TCP_SND_BUF);
    // lwIP's RTO backs off by tcp_backoff[] up to 64 times the estimate (TCP_MAXRTX 12): no
    // fixed ceiling to compare with.
    r.rto_at_ceiling = false;
    return r;
}

}  // namespace tcpfsm_goodput
