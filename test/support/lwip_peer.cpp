// lwIP as an in-process TCP peer of tcpfsm: the parts that touch lwIP's headers. See
// lwip_peer.hpp for the API and how Debian's lwIP build is driven.
// SPDX-License-Identifier: MIT
#include "lwip_peer.hpp"

#include <lwip/init.h>
#include <lwip/ip4.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/sys.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

// lwIP's clock. liblwip.so defines sys_now() too (CLOCK_MONOTONIC, in its unix port), but calls
// it through its PLT, so this definition in the executable takes its place for the library's
// own calls as well (ELF symbol interposition). lwip_peer checks that it did.
extern "C" u32_t sys_now(void) { return static_cast<u32_t>(tcpfsm_lwip::detail::manual_clock_ms); }

namespace tcpfsm_lwip {

static_assert(static_cast<int>(CLOSED) == static_cast<int>(lwip_state::closed), "lwIP state values");
static_assert(static_cast<int>(LISTEN) == static_cast<int>(lwip_state::listen), "lwIP state values");
static_assert(static_cast<int>(SYN_SENT) == static_cast<int>(lwip_state::syn_sent), "lwIP state values");
static_assert(static_cast<int>(SYN_RCVD) == static_cast<int>(lwip_state::syn_rcvd), "lwIP state values");
static_assert(static_cast<int>(ESTABLISHED) == static_cast<int>(lwip_state::established), "lwIP state values");
static_assert(static_cast<int>(FIN_WAIT_1) == static_cast<int>(lwip_state::fin_wait_1), "lwIP state values");
static_assert(static_cast<int>(FIN_WAIT_2) == static_cast<int>(lwip_state::fin_wait_2), "lwIP state values");
static_assert(static_cast<int>(CLOSE_WAIT) == static_cast<int>(lwip_state::close_wait), "lwIP state values");
static_assert(static_cast<int>(CLOSING) == static_cast<int>(lwip_state::closing), "lwIP state values");
static_assert(static_cast<int>(LAST_ACK) == static_cast<int>(lwip_state::last_ack), "lwIP state values");
static_assert(static_cast<int>(TIME_WAIT) == static_cast<int>(lwip_state::time_wait), "lwIP state values");

const char* name(lwip_state s) noexcept { return tcp_debug_state_str(static_cast<enum tcp_state>(s)); }

const char* name(pump_result r) noexcept {
    switch (r) {
        case pump_result::idle: return "idle";
        case pump_result::deadline: return "deadline";
        case pump_result::stopped: return "stopped";
        case pump_result::stalled: return "stalled";
    }
    return "?";
}

const lwip_constants& lwip_config() noexcept {
    static const lwip_constants c{
        static_cast<std::uint32_t>(TCP_MSL),
        static_cast<std::uint32_t>(TCP_TMR_INTERVAL),
        static_cast<std::uint32_t>(TCP_SLOW_INTERVAL),
        static_cast<std::uint32_t>(TCP_FIN_WAIT_TIMEOUT),
        static_cast<std::uint32_t>(TCP_WND),
        static_cast<std::uint32_t>(TCP_MSS),
        static_cast<std::uint32_t>(TCP_SND_BUF),
        NO_SYS,
        LWIP_WND_SCALE,
        TCP_RCV_SCALE,
    };
    return c;
}

namespace {

bool lwip_initialised = false;
bool manual_clock_checked = false;
lwip_peer* active_peer = nullptr;

// lwip_init() once per process: lwIP keeps global state, and a second lwip_init() would
// register its cyclic timers twice. Then the check that sys_now() is ours: the cyclic
// timers were just armed at manual time, so 50 ms of manual time (and none of the real
// clock) must bring the next one 50 ms closer.
void ensure_lwip() {
    if (lwip_initialised) return;
    lwip_initialised = true;
    lwip_init();
    const u32_t before = sys_timeouts_sleeptime();
    manual_clock::advance(std::chrono::milliseconds(50));
    const u32_t after = sys_timeouts_sleeptime();
    manual_clock_checked = before != SYS_TIMEOUTS_SLEEPTIME_INFINITE && before >= 50 && after == before - 50;
    sys_check_timeouts();
}

ip4_addr_t to_ip4(const tcpfsm::ipv4_address& a) noexcept {
    ip4_addr_t out;
    std::memcpy(&out.addr, a.bytes, 4);  // network order in memory, as lwIP keeps it
    return out;
}

ip_addr_t to_ip(const tcpfsm::ipv4_address& a) noexcept {
    ip_addr_t out;
    std::memset(&out, 0, sizeof out);
    out.type = IPADDR_TYPE_V4;
    std::memcpy(&out.u_addr.ip4.addr, a.bytes, 4);
    return out;
}

void clear_callbacks(struct tcp_pcb* pcb) noexcept {
    tcp_arg(pcb, nullptr);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, nullptr);
        return;
    }
    tcp_recv(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_err(pcb, nullptr);
}

bool in_list(struct tcp_pcb* list, const struct tcp_pcb* pcb) noexcept {
    for (struct tcp_pcb* p = list; p != nullptr; p = p->next)
        if (p == pcb) return true;
    return false;
}

bool lwip_holds(const struct tcp_pcb* pcb) noexcept {
    return pcb != nullptr && (in_list(tcp_active_pcbs, pcb) || in_list(tcp_tw_pcbs, pcb) ||
                              in_list(tcp_bound_pcbs, pcb) || in_list(tcp_listen_pcbs.pcbs, pcb));
}

void print_flags(std::FILE* f, std::uint8_t flags) {
    static const char* const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    bool first = true;
    for (int i = 0; i < 8; ++i) {
        if ((flags >> i) & 1u) {
            std::fprintf(f, "%s%s", first ? "" : ",", names[i]);
            first = false;
        }
    }
}

}  // namespace

// ------------------------------------------------------------------------------------------
// The netif
// ------------------------------------------------------------------------------------------

struct lwip_peer::impl {
    static err_t output(struct netif* n, struct pbuf* p, const ip4_addr_t* /*next_hop*/) {
        static_cast<lwip_peer*>(n->state)->take_from_lwip(p);
        return ERR_OK;
    }
    static err_t output_ip6(struct netif* n, struct pbuf* /*p*/, const ip6_addr_t* /*next_hop*/) {
        ++static_cast<lwip_peer*>(n->state)->counters_.not_ipv4;
        return ERR_OK;
    }
    static err_t init(struct netif* n) {
        n->name[0] = 't';
        n->name[1] = 'f';
        n->output = &output;
        n->output_ip6 = &output_ip6;
        n->mtu = static_cast<lwip_peer*>(n->state)->config_.mtu;
        n->hwaddr_len = 0;
        n->flags = 0;  // no NETIF_FLAG_ETHARP: IPv4 packets go straight to output()
        return ERR_OK;
    }
};

lwip_peer::lwip_peer(const config& c) : config_(c), netif_(new struct netif) {
    if (active_peer != nullptr) throw std::logic_error("tcpfsm_lwip: one lwip_peer at a time (lwIP is global)");
    if (config_.mtu > sizeof(slot{}.bytes)) throw std::invalid_argument("tcpfsm_lwip: mtu too large");
    ensure_lwip();
    const char* env = std::getenv("TCPFSM_LWIP_TRACE");
    log_ = env != nullptr && env[0] != '\0' && env[0] != '0';
    to_tcpfsm_.resize(config_.initial_slots == 0 ? 1 : config_.initial_slots);
    to_lwip_.resize(config_.initial_slots == 0 ? 1 : config_.initial_slots);
    std::memset(netif_.get(), 0, sizeof(struct netif));

    const ip4_addr_t address = to_ip4(config_.lwip_address);
    const std::uint32_t mask_host =
        config_.prefix_length == 0 ? 0u : ~std::uint32_t{0} << (32u - std::uint32_t{config_.prefix_length});
    tcpfsm::ipv4_address mask_bytes;
    for (int i = 0; i < 4; ++i) mask_bytes.bytes[i] = static_cast<std::uint8_t>(mask_host >> (24 - 8 * i));
    const ip4_addr_t mask = to_ip4(mask_bytes);
    const ip4_addr_t gateway = to_ip4(tcpfsm::ipv4_address{});
    if (netif_add(netif_.get(), &address, &mask, &gateway, this, &impl::init, &ip4_input) == nullptr) {
        throw std::runtime_error("tcpfsm_lwip: netif_add failed");
    }
    netif_set_up(netif_.get());
    netif_set_link_up(netif_.get());
    active_peer = this;
}

lwip_peer::~lwip_peer() {
    for (lwip_socket* s = sockets_; s != nullptr; s = s->next_) s->detach();
    sockets_ = nullptr;
    while (tcp_listen_pcbs.pcbs != nullptr) {
        clear_callbacks(tcp_listen_pcbs.pcbs);
        tcp_close(tcp_listen_pcbs.pcbs);
    }
    while (tcp_active_pcbs != nullptr) {
        clear_callbacks(tcp_active_pcbs);
        tcp_abort(tcp_active_pcbs);
    }
    while (tcp_tw_pcbs != nullptr) {
        clear_callbacks(tcp_tw_pcbs);
        tcp_abort(tcp_tw_pcbs);
    }
    while (tcp_bound_pcbs != nullptr) {
        clear_callbacks(tcp_bound_pcbs);
        tcp_close(tcp_bound_pcbs);
    }
    discard_pending();
    netif_remove(netif_.get());
    active_peer = nullptr;
}

bool lwip_peer::uses_manual_clock() noexcept {
    ensure_lwip();
    return manual_clock_checked;
}

tcpfsm::four_tuple lwip_peer::tcpfsm_tuple(std::uint16_t tcpfsm_port, std::uint16_t lwip_port) const noexcept {
    tcpfsm::four_tuple t{};
    const tcpfsm::ipv4_address& l = config_.tcpfsm_address;
    const tcpfsm::ipv4_address& r = config_.lwip_address;
    t.local = tcpfsm::endpoint_address::ipv4(l.bytes[0], l.bytes[1], l.bytes[2], l.bytes[3]);
    t.remote = tcpfsm::endpoint_address::ipv4(r.bytes[0], r.bytes[1], r.bytes[2], r.bytes[3]);
    t.local_port = tcpfsm_port;
    t.remote_port = lwip_port;
    return t;
}

// ---- tcpfsm -> lwIP ----

bool lwip_peer::send_to_lwip(const tcpfsm::segment& seg, const std::uint8_t* text, std::uint16_t src_port,
                             std::uint16_t dst_port, const tcpfsm::segment_options& options) noexcept {
    const tcpfsm::tcp_header h = tcpfsm::from_segment(seg, options, src_port, dst_port);
    const std::size_t total = 20 + tcpfsm::tcp_header_length(h, options.sack) + seg.text_length;
    if (total > config_.mtu) {
        ++counters_.serialize_errors;
        return false;
    }
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(total), PBUF_RAM);
    if (p == nullptr) {
        ++counters_.pbuf_failures;
        return false;
    }
    auto* out = static_cast<std::uint8_t*>(p->payload);
    tcpfsm::ipv4_header ip;
    ip.total_length = static_cast<std::uint16_t>(total);
    ip.identification = ip_id_++;
    ip.flags = 0x2;  // DF
    ip.ttl = 64;
    ip.protocol = tcpfsm::ip_protocol_tcp;
    ip.src = config_.tcpfsm_address;
    ip.dst = config_.lwip_address;
    std::size_t written = 0;
    if (tcpfsm::serialize_ipv4(ip, out, total, written) != tcpfsm::wire_error::ok ||
        tcpfsm::serialize_tcp_ipv4(h, options.sack, ip.src, ip.dst, text, seg.text_length, out + 20, total - 20,
                                   written) !=
            tcpfsm::wire_error::ok) {
        ++counters_.serialize_errors;
        pbuf_free(p);
        return false;
    }
    if (to_lwip_count_ == to_lwip_.size()) {
        std::vector<struct pbuf*> bigger(to_lwip_.size() * 2);
        for (std::size_t i = 0; i < to_lwip_count_; ++i) bigger[i] = to_lwip_[(to_lwip_head_ + i) % to_lwip_.size()];
        to_lwip_.swap(bigger);
        to_lwip_head_ = 0;
    }
    to_lwip_[(to_lwip_head_ + to_lwip_count_) % to_lwip_.size()] = p;
    ++to_lwip_count_;
    ++counters_.to_lwip_packets;
    counters_.to_lwip_text += seg.text_length;
    return true;
}

bool lwip_peer::deliver_to_lwip() noexcept {
    if (to_lwip_count_ == 0) return false;
    struct pbuf* p = to_lwip_[to_lwip_head_];
    to_lwip_head_ = (to_lwip_head_ + 1) % to_lwip_.size();
    --to_lwip_count_;
    if (log_) log_packet("tcpfsm -> lwIP", static_cast<const std::uint8_t*>(p->payload), p->len);
    // ip4_input consumes the pbuf whatever it returns.
    if (netif_->input(p, netif_.get()) != ERR_OK) ++counters_.input_errors;
    return true;
}

// ---- lwIP -> tcpfsm ----

void lwip_peer::take_from_lwip(struct pbuf* p) noexcept {
    if (p->tot_len > config_.mtu) {
        ++counters_.oversize;
        return;
    }
    if (to_tcpfsm_count_ == to_tcpfsm_.size()) {
        std::vector<slot> bigger(to_tcpfsm_.size() * 2);
        for (std::size_t i = 0; i < to_tcpfsm_count_; ++i)
            bigger[i] = to_tcpfsm_[(to_tcpfsm_head_ + i) % to_tcpfsm_.size()];
        to_tcpfsm_.swap(bigger);
        to_tcpfsm_head_ = 0;
    }
    slot& s = to_tcpfsm_[(to_tcpfsm_head_ + to_tcpfsm_count_) % to_tcpfsm_.size()];
    s.length = pbuf_copy_partial(p, s.bytes, p->tot_len, 0);
    ++to_tcpfsm_count_;
}

bool lwip_peer::pop_for_tcpfsm(lwip_packet& out) noexcept {
    while (to_tcpfsm_count_ != 0) {
        const slot& s = to_tcpfsm_[to_tcpfsm_head_];
        to_tcpfsm_head_ = (to_tcpfsm_head_ + 1) % to_tcpfsm_.size();
        --to_tcpfsm_count_;
        // A copy: the slot may be written again before the side is done with the packet.
        std::memcpy(current_.bytes, s.bytes, s.length);
        current_.length = s.length;
        if (log_) log_packet("lwIP -> tcpfsm", current_.bytes, current_.length);
        const tcpfsm::wire_error e = tcpfsm::parse_tcp_packet(current_.bytes, current_.length, out.parsed);
        if (e != tcpfsm::wire_error::ok || out.parsed.ip_version != 4) {
            if (e == tcpfsm::wire_error::not_tcp)
                ++counters_.not_ipv4;
            else
                ++counters_.wire_errors;
            continue;
        }
        out.seg = tcpfsm::to_segment(out.parsed.tcp);
        out.options = tcpfsm::to_segment_options(out.parsed, current_.bytes);
        out.text = current_.bytes + out.parsed.tcp.payload_offset;
        out.bytes = current_.bytes;
        out.size = current_.length;
        ++counters_.to_tcpfsm_packets;
        counters_.to_tcpfsm_text += out.seg.text_length;
        return true;
    }
    return false;
}

void lwip_peer::discard_pending() noexcept {
    while (to_lwip_count_ != 0) {
        pbuf_free(to_lwip_[to_lwip_head_]);
        to_lwip_head_ = (to_lwip_head_ + 1) % to_lwip_.size();
        --to_lwip_count_;
    }
    to_tcpfsm_head_ = 0;
    to_tcpfsm_count_ = 0;
}

// ---- time ----

void lwip_peer::run_lwip_timers() noexcept { sys_check_timeouts(); }

manual_clock::time_point lwip_peer::lwip_next_timer() const noexcept {
    const u32_t left = sys_timeouts_sleeptime();
    if (left == SYS_TIMEOUTS_SLEEPTIME_INFINITE) return manual_clock::time_point::max();
    return manual_clock::now() + std::chrono::milliseconds(left);
}

std::uint32_t lwip_peer::lwip_tcp_ticks() noexcept { return tcp_ticks; }

// ---- pcbs ----

lwip_state lwip_peer::pcb_state(std::uint16_t local_port, std::uint16_t remote_port) const noexcept {
    for (struct tcp_pcb* list : {tcp_active_pcbs, tcp_tw_pcbs}) {
        for (struct tcp_pcb* p = list; p != nullptr; p = p->next) {
            if (p->local_port == local_port && (remote_port == 0 || p->remote_port == remote_port)) {
                return static_cast<lwip_state>(p->state);
            }
        }
    }
    return lwip_state::closed;
}

bool lwip_peer::listener_exists(std::uint16_t port) const noexcept {
    for (struct tcp_pcb_listen* p = tcp_listen_pcbs.listen_pcbs; p != nullptr; p = p->next)
        if (p->local_port == port) return true;
    return false;
}

std::size_t lwip_peer::pcb_count() const noexcept {
    std::size_t n = 0;
    for (struct tcp_pcb* list : {tcp_active_pcbs, tcp_tw_pcbs, tcp_bound_pcbs, tcp_listen_pcbs.pcbs})
        for (struct tcp_pcb* p = list; p != nullptr; p = p->next) ++n;
    return n;
}

void lwip_peer::after_lwip_event() noexcept {
    for (lwip_socket* s = sockets_; s != nullptr; s = s->next_) s->sample();
}

void lwip_peer::link(lwip_socket* s) noexcept {
    s->next_ = sockets_;
    sockets_ = s;
}

void lwip_peer::unlink(lwip_socket* s) noexcept {
    for (lwip_socket** p = &sockets_; *p != nullptr; p = &(*p)->next_) {
        if (*p == s) {
            *p = s->next_;
            return;
        }
    }
}

void lwip_peer::log_packet(const char* direction, const std::uint8_t* bytes, std::size_t size) const noexcept {
    tcpfsm::tcp_packet pkt;
    const tcpfsm::wire_error e = tcpfsm::parse_tcp_packet(bytes, size, pkt);
    std::fprintf(stderr, "[%8lld ms] %s ", static_cast<long long>(manual_clock::now().time_since_epoch().count()),
                 direction);
    if (e != tcpfsm::wire_error::ok) {
        std::fprintf(stderr, "%zu octets: %s\n", size, tcpfsm::description(e));
        return;
    }
    const tcpfsm::tcp_header& t = pkt.tcp;
    std::fprintf(stderr, "%u > %u ", t.src_port, t.dst_port);
    print_flags(stderr, t.flags);
    std::fprintf(stderr, " seq=%u ack=%u win=%u len=%zu", t.seq, t.ack, t.window, t.payload_length);
    if (t.options.has_mss) std::fprintf(stderr, " mss=%u", t.options.mss);
    if (t.options.has_window_scale) std::fprintf(stderr, " wscale=%u", t.options.window_scale);
    if (t.options.sack_permitted) std::fprintf(stderr, " sackOK");
    if (t.options.has_timestamps) std::fprintf(stderr, " ts=%u/%u", t.options.ts_val, t.options.ts_ecr);
    const tcpfsm::segment_options o = tcpfsm::to_segment_options(pkt, bytes);
    for (std::size_t i = 0; i < o.sack.count; ++i)
        std::fprintf(stderr, "%s%u-%u", i == 0 ? " sack=" : ",", o.sack.blocks[i].left, o.sack.blocks[i].right);
    std::fprintf(stderr, "\n");
}

// ------------------------------------------------------------------------------------------
// lwip_socket
// ------------------------------------------------------------------------------------------

struct lwip_socket::callbacks {
    static err_t accept(void* arg, struct tcp_pcb* newpcb, err_t err) {
        auto* self = static_cast<lwip_socket*>(arg);
        if (self == nullptr || newpcb == nullptr || err != ERR_OK) return ERR_VAL;
        if (self->pcb_ != nullptr || self->close_requested_) {
            tcp_abort(newpcb);
            return ERR_ABRT;
        }
        self->pcb_ = newpcb;
        self->remote_port_ = newpcb->remote_port;
        self->connected_ = true;
        tcp_arg(newpcb, self);
        tcp_recv(newpcb, &recv);
        tcp_sent(newpcb, &sent);
        tcp_err(newpcb, &error);
        self->sample();
        self->push();
        return ERR_OK;
    }
    static err_t connected(void* arg, struct tcp_pcb* /*pcb*/, err_t err) {
        auto* self = static_cast<lwip_socket*>(arg);
        if (self == nullptr) return ERR_OK;
        if (err == ERR_OK) self->connected_ = true;
        self->sample();
        self->push();
        return ERR_OK;
    }
    static err_t recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
        auto* self = static_cast<lwip_socket*>(arg);
        if (p == nullptr) {  // the peer's FIN
            if (self != nullptr) {
                self->fin_received_ = true;
                self->sample();
            }
            return ERR_OK;
        }
        if (self == nullptr || err != ERR_OK) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
            return ERR_OK;
        }
        if (self->keep_received) {
            for (struct pbuf* q = p; q != nullptr; q = q->next) {
                const auto* b = static_cast<const std::uint8_t*>(q->payload);
                self->received_.insert(self->received_.end(), b, b + q->len);
            }
        }
        self->received_count_ += p->tot_len;
        if (self->auto_recved)
            tcp_recved(pcb, p->tot_len);
        else
            self->unrecved_ += p->tot_len;
        pbuf_free(p);
        return ERR_OK;
    }
    static err_t sent(void* arg, struct tcp_pcb* /*pcb*/, u16_t len) {
        auto* self = static_cast<lwip_socket*>(arg);
        if (self == nullptr) return ERR_OK;
        self->acked_ += len;
        self->push();
        return ERR_OK;
    }
    static void error(void* arg, err_t err) {
        // The pcb is already freed (RST, abort, too many retransmissions).
        auto* self = static_cast<lwip_socket*>(arg);
        if (self == nullptr) return;
        self->pcb_ = nullptr;
        self->closed_ = true;
        self->error_seen_ = true;
        self->error_ = err;
        self->sample();
    }
};

lwip_socket::lwip_socket(lwip_peer& peer) : peer_(peer) { peer_.link(this); }

lwip_socket::~lwip_socket() {
    detach();
    peer_.unlink(this);
}

// lwIP keeps the pcbs (the peer's destructor ends them); they stop calling this object.
void lwip_socket::detach() noexcept {
    if (listener_ != nullptr && lwip_holds(listener_)) clear_callbacks(listener_);
    listener_ = nullptr;
    for (struct tcp_pcb* list : {tcp_active_pcbs, tcp_tw_pcbs, tcp_bound_pcbs})
        for (struct tcp_pcb* p = list; p != nullptr; p = p->next)
            if (p->callback_arg == this) clear_callbacks(p);
    pcb_ = nullptr;
}

bool lwip_socket::listen(std::uint16_t port) {
    struct tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == nullptr) return false;
    const ip_addr_t local = to_ip(peer_.settings().lwip_address);
    if (tcp_bind(pcb, &local, port) != ERR_OK) {
        tcp_close(pcb);
        return false;
    }
    struct tcp_pcb* l = tcp_listen_with_backlog(pcb, 1);
    if (l == nullptr) {
        tcp_close(pcb);
        return false;
    }
    listener_ = l;
    local_port_ = port;
    tcp_arg(listener_, this);
    tcp_accept(listener_, &callbacks::accept);
    peer_.after_lwip_event();
    return true;
}

bool lwip_socket::connect(std::uint16_t local_port, std::uint16_t remote_port) {
    struct tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == nullptr) return false;
    const ip_addr_t local = to_ip(peer_.settings().lwip_address);
    const ip_addr_t remote = to_ip(peer_.settings().tcpfsm_address);
    if (tcp_bind(pcb, &local, local_port) != ERR_OK) {
        tcp_close(pcb);
        return false;
    }
    tcp_arg(pcb, this);
    tcp_recv(pcb, &callbacks::recv);
    tcp_sent(pcb, &callbacks::sent);
    tcp_err(pcb, &callbacks::error);
    local_port_ = local_port;
    remote_port_ = remote_port;
    pcb_ = pcb;
    if (tcp_connect(pcb, &remote, remote_port, &callbacks::connected) != ERR_OK) {
        tcp_close(pcb);
        pcb_ = nullptr;
        return false;
    }
    peer_.after_lwip_event();
    return true;
}

void lwip_socket::send(const std::uint8_t* data, std::size_t n) {
    pending_.insert(pending_.end(), data, data + n);
    push();
    peer_.after_lwip_event();
}

void lwip_socket::push() noexcept {
    if (pcb_ == nullptr || closed_) return;
    if (pcb_->state != ESTABLISHED && pcb_->state != CLOSE_WAIT) return;
    bool wrote = false;
    while (pending_head_ < pending_.size()) {
        std::size_t n = pending_.size() - pending_head_;
        const std::size_t room = tcp_sndbuf(pcb_);
        if (room < n) n = room;
        if (n > 0xffffu) n = 0xffffu;
        if (n == 0) break;
        if (tcp_write(pcb_, pending_.data() + pending_head_, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        pending_head_ += n;
        wrote = true;
    }
    if (pending_head_ == pending_.size()) {
        pending_.clear();
        pending_head_ = 0;
    }
    if (wrote) tcp_output(pcb_);
    if (close_requested_ && unwritten() == 0) finish_close();
}

int lwip_socket::close() {
    close_requested_ = true;
    if (listener_ != nullptr) {
        tcp_arg(listener_, nullptr);
        tcp_accept(listener_, nullptr);
        tcp_close(listener_);
        listener_ = nullptr;
    }
    int e = ERR_OK;
    if (pcb_ != nullptr && !closed_ && unwritten() == 0) e = finish_close();
    peer_.after_lwip_event();
    return e;
}

int lwip_socket::finish_close() noexcept {
    if (pcb_ == nullptr || closed_) return ERR_OK;
    const err_t e = tcp_close(pcb_);
    if (e == ERR_OK) {
        closed_ = true;  // lwIP owns the pcb now and frees it without telling us
        pcb_ = nullptr;
    }
    return e;
}

void lwip_socket::abort() {
    if (pcb_ != nullptr && !closed_) tcp_abort(pcb_);  // the error callback clears pcb_
    closed_ = true;
    pcb_ = nullptr;
    peer_.after_lwip_event();
}

void lwip_socket::recved() {
    while (pcb_ != nullptr && !closed_ && unrecved_ > 0) {
        const std::size_t n = unrecved_ < 0xffffu ? unrecved_ : 0xffffu;
        tcp_recved(pcb_, static_cast<u16_t>(n));  // may send a window update at once
        unrecved_ -= n;
    }
    peer_.after_lwip_event();
}

lwip_state lwip_socket::connection_state() const noexcept {
    if (local_port_ == 0) return lwip_state::closed;
    return peer_.pcb_state(local_port_, remote_port_);
}

bool lwip_socket::listening() const noexcept { return listener_ != nullptr && peer_.listener_exists(local_port_); }

void lwip_socket::sample() noexcept {
    if (local_port_ == 0) return;
    if (remote_port_ == 0) {  // listening: the first pcb on the port is the connection
        for (struct tcp_pcb* list : {tcp_active_pcbs, tcp_tw_pcbs})
            for (struct tcp_pcb* p = list; p != nullptr && remote_port_ == 0; p = p->next)
                if (p->local_port == local_port_) remote_port_ = p->remote_port;
        if (remote_port_ == 0) return;
    }
    const lwip_state st = connection_state();
    if (trace_.empty() && st == lwip_state::closed) return;
    if (!trace_.empty() && trace_.back().st == st) return;
    trace_.push_back(lwip_trace_entry{manual_clock::now().time_since_epoch().count(), st});
}

std::string lwip_socket::trace_string(std::int64_t since_ms) const {
    std::string out;
    for (const lwip_trace_entry& e : trace_) {
        if (!out.empty()) out += " -> ";
        out += name(e.st);
        out += '@';  // appended piece by piece: g++ 12 -O3 gives a false -Wrestrict for "@" + string&&
        out += std::to_string(e.at_ms - since_ms);
        out += "ms";
    }
    return out;
}

// ------------------------------------------------------------------------------------------
// tcpfsm_endpoint
// ------------------------------------------------------------------------------------------

std::string tcpfsm_endpoint::trace_string(std::int64_t since_ms) const {
    std::string out;
    for (const tcpfsm_trace_entry& e : trace_) {
        if (out.empty()) out = tcpfsm::rfc_name(e.from);
        out += " -(";
        out += tcpfsm::name(e.on);
        out += ")-> ";
        out += tcpfsm::rfc_name(e.to);
        out += '@';  // appended piece by piece: g++ 12 -O3 gives a false -Wrestrict for "@" + string&&
        out += std::to_string(e.at_ms - since_ms);
        out += "ms";
    }
    return out;
}

}  // namespace tcpfsm_lwip
