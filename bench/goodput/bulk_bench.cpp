// The CPU cost of moving data (bench/README.md, "Goodput", CPU cost): one long-lived connection
// per stack, no loss, no delay, an in-memory FIFO of whole IPv4 packets between the two ends;
// each iteration moves `chunk` octets one way and waits until the receiver has them all and
// the sender has every ACK. Both sides copy: the sending application's octets into the
// stack's send buffer, the stack's text into the packet (with the TCP checksum), the packet
// into the FIFO, and the delivered text into the receiving application's buffer; the
// receiver verifies both checksums.
//   tcpfsm: two tcpfsm::connection engines (default profile and config) behind the wire codec
//           (serialize_ipv4 + serialize_tcp_ipv4; parse_tcp_packet).
//   lwIP:   two lwIP 2.1.3 hosts (bench/goodput/lwip_stacks.cpp's netifs; tcp_write with
//           TCP_WRITE_FLAG_COPY, pbuf_copy_partial into the application's buffer, tcp_recved;
//           lwIP builds and checks its own checksums). When the FIFO is empty before the
//           transfer is complete, lwIP's clock moves by TCP_TMR_INTERVAL and tcp_tmr() runs
//           (its delayed ACK); tcpfsm's clock moves to its next deadline (none is needed with
//           delayed ACK off).
// Items are octets (bytes_per_second); cycles_per_octet is the TSC's cycles per octet on x86.
// SPDX-License-Identifier: MIT
#include <benchmark/benchmark.h>

#include <tcpfsm/connection.hpp>
#include <tcpfsm/manual_clock.hpp>
#include <tcpfsm/wire.hpp>
#include <tcpfsm/options/option_codec.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TCPFSM_BULK_TSC 1
#endif

#ifdef TCPFSM_BENCH_LWIP
#include <lwip/err.h>
#include <lwip/ip4.h>
#include <lwip/ip_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>

#include "lwip_peer.hpp"
#endif

namespace {

constexpr std::size_t chunk = 1460 * 700;  // 1,022,000 octets per iteration

std::uint64_t cycles() {
#ifdef TCPFSM_BULK_TSC
    return __rdtsc();
#else
    return 0;
#endif
}

// A FIFO of whole packets in fixed slots (no allocation once grown).
struct packet_fifo {
    struct slot {
        int to;
        std::uint16_t size;
        std::uint8_t bytes[1520];
    };
    std::vector<slot> slots = std::vector<slot>(256);
    std::size_t head = 0, count = 0;

    void push(int to, const std::uint8_t* bytes, std::size_t size) {
        if (count == slots.size()) {
            std::vector<slot> bigger(slots.size() * 2);
            for (std::size_t i = 0; i < count; ++i) bigger[i] = slots[(head + i) % slots.size()];
            slots.swap(bigger);
            head = 0;
        }
        slot& s = slots[(head + count) % slots.size()];
        s.to = to;
        s.size = static_cast<std::uint16_t>(size);
        std::memcpy(s.bytes, bytes, size);
        ++count;
    }
    slot* front() { return count ? &slots[head] : nullptr; }
    void pop() {
        head = (head + 1) % slots.size();
        --count;
    }
};

// ---------------------------------------------------------------------------------- tcpfsm
class tcpfsm_bulk {
    struct side;
    struct io {
        side* owner;
        void send(const tcpfsm::outgoing_segment& out) noexcept { owner->transmit(out); }
    };
    struct observer : tcpfsm::null_observer {
        side* owner;
        explicit observer(side* s) noexcept : owner(s) {}
        void on_data(const std::uint8_t* text, std::uint32_t length) noexcept {
            const std::size_t at = owner->app_used % owner->app.size();
            const std::size_t first = length < owner->app.size() - at ? length : owner->app.size() - at;
            std::memcpy(owner->app.data() + at, text, first);
            std::memcpy(owner->app.data(), text + first, length - first);
            owner->app_used += length;
            owner->unread += length;
        }
        void on_acked(std::uint32_t octets) noexcept {
            owner->head += octets;
            if (owner->head == owner->sendbuf.size()) {
                owner->sendbuf.clear();  // keeps its capacity
                owner->head = 0;
            }
        }
    };
    struct iss {
        std::uint32_t value;
        std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return value; }
    };
    using engine = tcpfsm::connection<io, tcpfsm::manual_clock, observer, iss>;

    struct side {
        tcpfsm_bulk* world;
        int index;
        tcpfsm::four_tuple tuple{};
        tcpfsm::ipv4_address local{}, remote{};
        std::vector<std::uint8_t> sendbuf;  // from SND.UNA on, from head
        std::size_t head = 0;
        std::vector<std::uint8_t> app = std::vector<std::uint8_t>(chunk);  // the receiving application
        std::uint64_t app_used = 0;
        std::uint32_t unread = 0;
        std::unique_ptr<engine> conn;

        void transmit(const tcpfsm::outgoing_segment& out) noexcept {
            // The options are written only when the engine sent some.
            const bool with_options = !out.options.empty();
            const tcpfsm::tcp_header h =
                with_options ? tcpfsm::from_segment(out.header, out.options, tuple.local_port, tuple.remote_port)
                             : tcpfsm::from_segment(out.header, tuple.local_port, tuple.remote_port);
            const std::size_t length = out.header.text_length;
            const std::size_t total =
                20 + (with_options ? tcpfsm::tcp_header_length(h, out.options.sack) : tcpfsm::tcp_header_length(h)) +
                length;
            const std::uint8_t* text = length ? sendbuf.data() + head + out.text_offset : nullptr;
            std::uint8_t packet[1520];
            tcpfsm::ipv4_header ip;
            ip.total_length = static_cast<std::uint16_t>(total);
            ip.flags = 0x2;
            ip.ttl = 64;
            ip.protocol = tcpfsm::ip_protocol_tcp;
            ip.src = local;
            ip.dst = remote;
            std::size_t written = 0;
            if (total > sizeof packet || tcpfsm::serialize_ipv4(ip, packet, total, written) != tcpfsm::wire_error::ok ||
                (with_options ? tcpfsm::serialize_tcp_ipv4(h, out.options.sack, ip.src, ip.dst, text, length, packet + 20,
                                                           total - 20, written)
                              : tcpfsm::serialize_tcp_ipv4(h, ip.src, ip.dst, text, length, packet + 20, total - 20,
                                                           written)) !=
                    tcpfsm::wire_error::ok) {
                ++world->errors;
                return;
            }
            world->fifo.push(1 - index, packet, total);
        }
    };

public:
    tcpfsm_bulk() {
        const tcpfsm::ipv4_address a{{198, 51, 100, 1}}, b{{198, 51, 100, 2}};
        sides[0].local = sides[1].remote = a;
        sides[0].remote = sides[1].local = b;
        for (int i = 0; i < 2; ++i) {
            side& s = sides[i];
            s.world = this;
            s.index = i;
            s.tuple.local = tcpfsm::endpoint_address::ipv4(s.local.bytes[0], s.local.bytes[1], s.local.bytes[2], s.local.bytes[3]);
            s.tuple.remote =
                tcpfsm::endpoint_address::ipv4(s.remote.bytes[0], s.remote.bytes[1], s.remote.bytes[2], s.remote.bytes[3]);
            s.tuple.local_port = i == 0 ? 40000 : 5001;
            s.tuple.remote_port = i == 0 ? 5001 : 40000;
            s.conn = std::make_unique<engine>(config, io{&s}, time.clock(), observer(&s), iss{i == 0 ? 1000u : 9000u});
        }
        sides[1].conn->open_passive();
        sides[0].conn->open_active(sides[0].tuple);
        pump(0);
    }

    // Moves `octets` of `data` from side 0 to side 1; false on any failure.
    bool move(const std::uint8_t* data, std::size_t octets) {
        side& s = sides[0];
        s.sendbuf.insert(s.sendbuf.end(), data, data + octets);  // the application's copy
        if (s.conn->send(static_cast<std::uint32_t>(octets), s.tuple) != tcpfsm::user_error::none) return false;
        const std::uint64_t target = sides[1].app_used + octets;
        return pump(target) && errors == 0;
    }
    std::uint64_t delivered() const { return sides[1].app_used; }
    const std::vector<std::uint8_t>& received() const { return sides[1].app; }
    std::uint64_t errors = 0;

private:
    bool pump(std::uint64_t target) {
        for (int idle = 0; idle < 1000;) {
            while (packet_fifo::slot* p = fifo.front()) {
                tcpfsm::tcp_packet parsed;
                if (tcpfsm::parse_tcp_packet(p->bytes, p->size, parsed) != tcpfsm::wire_error::ok) {
                    ++errors;
                } else {
                    side& s = sides[p->to];
                    const tcpfsm::segment seg = tcpfsm::to_segment(parsed.tcp);
                    const std::uint8_t* text = seg.text_length ? p->bytes + parsed.tcp.payload_offset : nullptr;
                    // The options are read only when the header has some (no copy otherwise).
                    const tcpfsm::tcp_options& o = parsed.tcp.options;
                    if (o.has_timestamps || o.sack_permitted || o.unknown != 0) {
                        s.conn->on_segment(seg, tcpfsm::to_segment_options(parsed, p->bytes), text, s.tuple);
                    } else {
                        s.conn->on_segment(seg, text, s.tuple);
                    }
                    if (s.unread && s.conn->receive(s.unread) == tcpfsm::user_error::none) s.unread = 0;
                }
                fifo.pop();
            }
            if (sides[1].app_used >= target && sides[0].head == sides[0].sendbuf.size()) return true;
            ++idle;  // something waits for a timer: move the clock to the earliest deadline
            std::uint32_t wait = 0xFFFFFFFFu;
            for (side& s : sides) {
                const tcpfsm::timer_deadline d = s.conn->next_deadline();
                if (d && d.remaining_ms(time.ticks()) < wait) wait = d.remaining_ms(time.ticks());
            }
            if (wait == 0xFFFFFFFFu) return false;
            time.advance(std::chrono::milliseconds(wait));
            for (side& s : sides) s.conn->on_timer();
        }
        return false;
    }

    tcpfsm::connection_config config{};
    tcpfsm::manual_time time;
    side sides[2];
    packet_fifo fifo;
};

std::vector<std::uint8_t> app_data() {
    std::vector<std::uint8_t> d(chunk);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (auto& b : d) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<std::uint8_t>(x >> 56);
    }
    return d;
}

template <class Bulk>
void run_bulk(benchmark::State& st) {
    const std::vector<std::uint8_t> data = app_data();
    Bulk bulk;
    std::uint64_t octets = 0, tsc = 0;
    for (auto _ : st) {
        const std::uint64_t t0 = cycles();
        if (!bulk.move(data.data(), data.size())) {
            st.SkipWithError("the transfer did not complete");
            break;
        }
        tsc += cycles() - t0;
        octets += data.size();
        benchmark::DoNotOptimize(bulk.delivered());
    }
    // Every chunk lands at the start of the application's buffer (its size is the chunk's).
    if (octets > 0 && bulk.received() != data) st.SkipWithError("the receiver's octets differ from the sender's");
    st.SetBytesProcessed(static_cast<std::int64_t>(octets));
    if (octets > 0 && tsc > 0) st.counters["cycles_per_octet"] = static_cast<double>(tsc) / static_cast<double>(octets);
}

void bulk_tcpfsm(benchmark::State& st) { run_bulk<tcpfsm_bulk>(st); }
BENCHMARK(bulk_tcpfsm)->Unit(benchmark::kMillisecond);

#ifdef TCPFSM_BENCH_LWIP
// ---------------------------------------------------------------------------------- lwIP
ip4_addr_t ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    ip4_addr_t out;
    IP4_ADDR(&out, a, b, c, d);
    return out;
}

class lwip_bulk {
public:
    lwip_bulk() {
        const ip4_addr_t mask = ip4(255, 255, 255, 255), none = ip4(0, 0, 0, 0);
        sender_address_ = ip4(198, 51, 100, 1);
        receiver_address_ = ip4(198, 51, 100, 2);
        add(host_b_, receiver_address_, mask, none);
        add(host_a_, sender_address_, mask, receiver_address_);
        add(wire_c_, ip4(198, 51, 100, 3), mask, sender_address_);
        ip_addr_t local, remote;
        ip_addr_copy_from_ip4(local, receiver_address_);
        listener_ = tcp_new();
        if (!listener_ || tcp_bind(listener_, &local, 5001) != ERR_OK || !(listener_ = tcp_listen(listener_))) {
            ++errors;
            return;
        }
        tcp_arg(listener_, this);
        tcp_accept(listener_, &on_accept);
        sender_ = tcp_new();
        tcp_arg(sender_, this);
        tcp_err(sender_, &on_error);
        tcp_sent(sender_, &on_sent);
        ip_addr_copy_from_ip4(local, sender_address_);
        ip_addr_copy_from_ip4(remote, receiver_address_);
        if (tcp_bind(sender_, &local, 40000) != ERR_OK || tcp_connect(sender_, &remote, 5001, nullptr) != ERR_OK) ++errors;
        pump(0);
    }
    ~lwip_bulk() {
        closing_ = true;
        if (sender_) {
            tcp_arg(sender_, nullptr);
            tcp_err(sender_, nullptr);
            tcp_sent(sender_, nullptr);
            tcp_abort(sender_);
        }
        if (receiver_) {
            tcp_arg(receiver_, nullptr);
            tcp_err(receiver_, nullptr);
            tcp_recv(receiver_, nullptr);
            tcp_abort(receiver_);
        }
        if (listener_) {
            tcp_arg(listener_, nullptr);
            tcp_accept(listener_, nullptr);
            tcp_close(listener_);
        }
        while (fifo_.front()) fifo_.pop();
        netif_remove(&wire_c_);
        netif_remove(&host_a_);
        netif_remove(&host_b_);
    }

    bool move(const std::uint8_t* data, std::size_t octets) {
        data_ = data;
        to_write_ = octets;
        written_ = 0;
        push();
        return pump(app_used_ + octets) && errors == 0;
    }
    std::uint64_t delivered() const { return app_used_; }
    const std::vector<std::uint8_t>& received() const { return app_; }
    std::uint64_t errors = 0;

private:
    void add(struct netif& n, const ip4_addr_t& address, const ip4_addr_t& mask, const ip4_addr_t& gateway) {
        std::memset(&n, 0, sizeof n);
        if (!netif_add(&n, &address, &mask, &gateway, this, &init_netif, &ip4_input)) {
            ++errors;
            return;
        }
        netif_set_up(&n);
        netif_set_link_up(&n);
    }
    static err_t init_netif(struct netif* n) {
        n->name[0] = 'b';
        n->name[1] = 'k';
        n->output = &output;
#if LWIP_IPV6
        n->output_ip6 = [](struct netif*, struct pbuf*, const ip6_addr_t*) -> err_t { return ERR_OK; };
#endif
        n->mtu = 1500;
        n->hwaddr_len = 0;
        n->flags = 0;
        return ERR_OK;
    }
    // The packet onto the wire: one copy, as tcpfsm's FIFO makes.
    static err_t output(struct netif* n, struct pbuf* p, const ip4_addr_t* next_hop) {
        auto* self = static_cast<lwip_bulk*>(n->state);
        if (self->closing_) return ERR_OK;
        std::uint8_t packet[1520];
        if (p->tot_len > sizeof packet) return ERR_MEM;
        pbuf_copy_partial(p, packet, p->tot_len, 0);
        self->fifo_.push(ip4_addr_cmp(next_hop, &self->sender_address_) ? 0 : 1, packet, p->tot_len);
        return ERR_OK;
    }
    void push() {
        while (sender_ && written_ < to_write_) {
            std::size_t n = tcp_sndbuf(sender_);
            if (n == 0) break;
            if (n > to_write_ - written_) n = to_write_ - written_;
            if (tcp_write(sender_, data_ + written_, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY) != ERR_OK) break;
            written_ += n;
        }
        if (sender_) tcp_output(sender_);
    }
    bool pump(std::uint64_t target) {
        for (int idle = 0; idle < 1000;) {
            while (packet_fifo::slot* s = fifo_.front()) {
                struct pbuf* p = pbuf_alloc(PBUF_RAW, s->size, PBUF_RAM);
                if (!p) {
                    ++errors;
                    return false;
                }
                pbuf_take(p, s->bytes, s->size);
                struct netif* n = s->to == 0 ? &host_a_ : &host_b_;
                fifo_.pop();
                n->input(p, n);
            }
            if (app_used_ >= target && written_ == to_write_ && sender_ && sender_->unacked == nullptr &&
                sender_->unsent == nullptr)
                return true;
            ++idle;
            tcpfsm_lwip::manual_clock::advance(std::chrono::milliseconds(TCP_TMR_INTERVAL));
            tcp_tmr();
        }
        return false;
    }
    static err_t on_sent(void* arg, struct tcp_pcb*, u16_t) {
        if (arg) static_cast<lwip_bulk*>(arg)->push();
        return ERR_OK;
    }
    static void on_error(void* arg, err_t) {
        if (!arg) return;
        auto* self = static_cast<lwip_bulk*>(arg);
        self->sender_ = nullptr;
        ++self->errors;
    }
    static void on_receiver_error(void* arg, err_t) {
        if (!arg) return;
        auto* self = static_cast<lwip_bulk*>(arg);
        self->receiver_ = nullptr;
        ++self->errors;
    }
    static err_t on_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
        auto* self = static_cast<lwip_bulk*>(arg);
        if (err != ERR_OK || self->receiver_) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        self->receiver_ = pcb;
        tcp_arg(pcb, self);
        tcp_err(pcb, &on_receiver_error);
        tcp_recv(pcb, &on_receive);
        return ERR_OK;
    }
    static err_t on_receive(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t) {
        auto* self = static_cast<lwip_bulk*>(arg);
        if (!p) return ERR_OK;
        // The application's copy, as tcpfsm's on_data makes.
        const std::size_t at = self->app_used_ % self->app_.size();
        if (at + p->tot_len <= self->app_.size()) {
            pbuf_copy_partial(p, self->app_.data() + at, p->tot_len, 0);
        } else {
            const u16_t first = static_cast<u16_t>(self->app_.size() - at);
            pbuf_copy_partial(p, self->app_.data() + at, first, 0);
            pbuf_copy_partial(p, self->app_.data(), static_cast<u16_t>(p->tot_len - first), first);
        }
        self->app_used_ += p->tot_len;
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }

    tcpfsm_lwip::lwip_peer driver_;  // first: lwIP is up for the whole life of this object
    struct netif host_a_, host_b_, wire_c_;
    ip4_addr_t sender_address_, receiver_address_;
    struct tcp_pcb* listener_ = nullptr;
    struct tcp_pcb* sender_ = nullptr;
    struct tcp_pcb* receiver_ = nullptr;
    packet_fifo fifo_;
    const std::uint8_t* data_ = nullptr;
    std::size_t to_write_ = 0, written_ = 0;
    std::vector<std::uint8_t> app_ = std::vector<std::uint8_t>(chunk);
    std::uint64_t app_used_ = 0;
    bool closing_ = false;
};

void bulk_lwip(benchmark::State& st) { run_bulk<lwip_bulk>(st); }
BENCHMARK(bulk_lwip)->Unit(benchmark::kMillisecond);
#endif

}  // namespace

BENCHMARK_MAIN();
