// The passive tracker (include/tcpfsm/tracker/): segments tracked per second, and the memory
// per tracked connection (docs/tracker.md). The segments are built in memory beforehand
// (tcpfsm::segment and four-tuples: no pcap parsing is timed here): many connections at once,
// interleaved, each a handshake, eight data segments each acknowledged, and a four-way close.
// SPDX-License-Identifier: MIT
#include <tcpfsm/tcpfsm.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "link_decode.hpp"  // examples/track: the capture tool's frame decoder

namespace {

struct tapped {
    tcpfsm::four_tuple tuple;
    tcpfsm::segment seg;
};

tcpfsm::segment make(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t len = 0) {
    tcpfsm::segment s{};
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = len;
    s.window = 512;
    return s;
}

// `connections` connections, 23 segments each, round-robin; IPv4, or IPv6 (2001:db8::/96
// addresses with the same low 32 bits as the IPv4 ones).
std::vector<tapped> build(std::uint32_t connections, bool ipv6 = false) {
    std::vector<std::vector<tcpfsm::segment>> per(connections);
    std::vector<tapped> out;
    const std::uint8_t a = tcpfsm::ctl::ack;
    for (std::uint32_t i = 0; i < connections; ++i) {
        std::vector<tcpfsm::segment>& s = per[i];
        const std::uint32_t c = 1000u + i * 7919u, v = 50000u + i * 104729u;
        s.push_back(make(c, 0, tcpfsm::ctl::syn));
        s.push_back(make(v, c + 1, tcpfsm::ctl::syn | a));
        s.push_back(make(c + 1, v + 1, a));
        for (std::uint32_t k = 0; k < 8; ++k) {
            s.push_back(make(c + 1 + k * 1000, v + 1, a, 1000));
            s.push_back(make(v + 1, c + 1 + (k + 1) * 1000, a));
        }
        const std::uint32_t cf = c + 1 + 8000;
        s.push_back(make(cf, v + 1, tcpfsm::ctl::fin | a));
        s.push_back(make(v + 1, cf + 1, a));
        s.push_back(make(v + 1, cf + 1, tcpfsm::ctl::fin | a));
        s.push_back(make(cf + 1, v + 2, a));
    }
    // Who sends each: segment 0 (SYN) the client, then alternate as built above.
    const bool from_client[23] = {true,  false, true,  true,  false, true,  false, true,  false, true,  false, true,
                                  false, true,  false, true,  false, true,  false, true,  false, false, true};
    for (std::size_t k = 0; k < 23; ++k) {
        for (std::uint32_t i = 0; i < connections; ++i) {
            tapped t;
            t.tuple.local = tcpfsm::endpoint_address::ipv4(0x0A000000u + (i >> 12));
            t.tuple.remote = tcpfsm::endpoint_address::ipv4(0x0A100001u);
            t.tuple.local_port = static_cast<std::uint16_t>(1024u + (i & 0xFFFu));
            t.tuple.remote_port = 80;
            if (ipv6) {
                for (tcpfsm::endpoint_address* address : {&t.tuple.local, &t.tuple.remote}) {
                    std::uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8};
                    for (std::size_t b = 0; b < 4; ++b) bytes[12 + b] = address->bytes[b];
                    *address = tcpfsm::endpoint_address::ipv6(bytes);
                }
            }
            if (!from_client[k]) {
                const tcpfsm::four_tuple f = t.tuple;
                t.tuple.local = f.remote;
                t.tuple.remote = f.local;
                t.tuple.local_port = f.remote_port;
                t.tuple.remote_port = f.local_port;
            }
            t.seg = per[i][k];
            out.push_back(t);
        }
    }
    return out;
}

// `ipv6`: IPv6 tuples (every connection in the side table: ipv6_capacity = capacity).
void observe_segments(benchmark::State& state, bool ipv6) {
    const auto connections = static_cast<std::uint32_t>(state.range(0));
    const std::vector<tapped> segments = build(connections, ipv6);
    tcpfsm::tracker_config config;
    config.capacity = connections;
    config.ipv6_capacity = connections;
    std::uint64_t tracked = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto* trk = new tcpfsm::tracker<>(config);
        state.ResumeTiming();
        std::uint64_t t = 0, now_ns = 0;
        for (const tapped& s : segments) {
            now_ns += 1000;
            t += trk->observe(s.tuple, s.seg, now_ns).tracked ? 1u : 0u;
        }
        benchmark::DoNotOptimize(t);
        state.PauseTiming();
        // Every connection ends with the client in TIME-WAIT and the server CLOSED.
        std::uint64_t time_wait = 0;
        trk->for_each([&](const tcpfsm::four_tuple&, const tcpfsm::tracked_connection& c) {
            time_wait += (c.endpoints[0].st == tcpfsm::state::time_wait || c.endpoints[1].st == tcpfsm::state::time_wait) ? 1u : 0u;
        });
        if (time_wait != connections) state.SkipWithError("a connection did not end in TIME-WAIT");
        tracked += t;
        delete trk;
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<benchmark::IterationCount>(segments.size()));
    state.counters["segments_per_connection"] = 23;
    benchmark::DoNotOptimize(tracked);
}
void observe(benchmark::State& state) { observe_segments(state, false); }
void observe_ipv6(benchmark::State& state) { observe_segments(state, true); }
BENCHMARK(observe)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(observe_ipv6)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// The same segments as a pcap file's bytes in memory (the 24-octet file header, then per
// frame a 16-octet record header and an Ethernet + IPv4 + TCP frame), the text octets
// included when `full` (else each frame is cut after its TCP header: a snap length of 54).
std::vector<std::uint8_t> pcap_bytes(const std::vector<tapped>& segments, bool full) {
    std::vector<std::uint8_t> out;
    const auto put32 = [&](std::uint32_t v) {  // pcap headers: little endian
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    const auto put16 = [&](std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v & 0xFFu));
        out.push_back(static_cast<std::uint8_t>(v >> 8));
    };
    const auto be16 = [&](std::uint32_t v) {
        out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFFu));
        out.push_back(static_cast<std::uint8_t>(v & 0xFFu));
    };
    const auto be32 = [&](std::uint32_t v) {
        for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put32(0xA1B23C4Du);  // nanosecond timestamps
    put16(2);
    put16(4);
    put32(0);
    put32(0);
    put32(262144);
    put32(1);  // LINKTYPE_ETHERNET
    std::uint64_t t_ns = 1'000'000'000ull;
    for (const tapped& s : segments) {
        t_ns += 1000;
        const std::uint32_t wire = 54u + s.seg.text_length;
        const std::uint32_t cap = full ? wire : 54u;
        put32(static_cast<std::uint32_t>(t_ns / 1'000'000'000ull));
        put32(static_cast<std::uint32_t>(t_ns % 1'000'000'000ull));
        put32(cap);
        put32(wire);
        for (int i = 0; i < 12; ++i) out.push_back(static_cast<std::uint8_t>(i));  // MAC addresses
        be16(0x0800);
        out.push_back(0x45);
        out.push_back(0);
        be16(20u + 20u + s.seg.text_length);
        be32(0x40000000u);  // DF
        out.push_back(64);
        out.push_back(6);
        be16(0);  // header checksum (not verified)
        for (std::size_t i = 0; i < 4; ++i) out.push_back(s.tuple.local.bytes[i]);
        for (std::size_t i = 0; i < 4; ++i) out.push_back(s.tuple.remote.bytes[i]);
        be16(s.tuple.local_port);
        be16(s.tuple.remote_port);
        be32(s.seg.seq);
        be32(s.seg.ack);
        out.push_back(0x50);
        out.push_back(s.seg.flags);
        be16(s.seg.window);
        be16(0);
        be16(0);
        if (full) out.insert(out.end(), s.seg.text_length, std::uint8_t{0x61});
    }
    return out;
}

// Segments tracked per second from raw pcap bytes in memory: record headers walked, each
// frame decoded by examples/track/link_decode.hpp (Ethernet, IPv4, TCP; checksums not
// verified, as tcpfsm-track's default), then observed. range(0) connections at once,
// range(1) = 1: full frames, 0: frames cut after the TCP header.
void from_pcap_bytes(benchmark::State& state) {
    const auto connections = static_cast<std::uint32_t>(state.range(0));
    const std::vector<tapped> segments = build(connections);
    const std::vector<std::uint8_t> file = pcap_bytes(segments, state.range(1) != 0);
    tcpfsm::tracker_config config;
    config.capacity = connections;
    const track::decode_options options{};
    track::decoded_segment d;  // reused: reset field by field (link_decode.hpp, reset_decoded)
    for (auto _ : state) {
        state.PauseTiming();
        auto* trk = new tcpfsm::tracker<>(config);
        state.ResumeTiming();
        std::uint64_t tracked = 0;
        for (std::size_t at = 24; at + 16 <= file.size();) {
            const std::uint8_t* r = file.data() + at;
            const auto le32 = [r](std::size_t i) {
                return std::uint32_t{r[i]} | (std::uint32_t{r[i + 1]} << 8) | (std::uint32_t{r[i + 2]} << 16) |
                       (std::uint32_t{r[i + 3]} << 24);
            };
            const std::uint64_t t_ns = std::uint64_t{le32(0)} * 1'000'000'000ull + le32(4);
            const std::uint32_t caplen = le32(8), wirelen = le32(12);
#if defined(__GNUC__)
            // The next record's header, while this one is decoded and observed: the walk
            // reads a few dozen octets of every record, too sparse for the hardware's
            // prefetcher once records carry text (docs/tracker.md, "Throughput").
            __builtin_prefetch(r + 16 + caplen);
#endif
            track::decode_frame_into(1, r + 16, caplen, wirelen, options, d);
            if (d.error == track::decode_error::ok) {
                const int scale = d.tcp.options.has_window_scale ? int{d.tcp.options.window_scale} : -1;
                tracked += trk->observe(d.tuple, d.seg, t_ns, scale).tracked ? 1u : 0u;
            }
            at += 16u + caplen;
        }
        benchmark::DoNotOptimize(tracked);
        state.PauseTiming();
        if (tracked != segments.size()) state.SkipWithError("a segment was not decoded or not tracked");
        delete trk;
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<benchmark::IterationCount>(segments.size()));
    state.SetBytesProcessed(state.iterations() * static_cast<benchmark::IterationCount>(file.size()));
}
BENCHMARK(from_pcap_bytes)->Args({1000, 1})->Args({100000, 0})->Unit(benchmark::kMillisecond);

// The memory: bytes allocated per connection for `range(0)` connections, and the sizes:
// the default tracker (IPv4 and IPv6, an IPv6 side table of capacity / 16), IPv4 keys only
// (no side table), and room for every connection to be IPv6 (ipv6_capacity = capacity).
void memory(benchmark::State& state) {
    tcpfsm::tracker_config config;
    config.capacity = static_cast<std::uint32_t>(state.range(0));
    tcpfsm::tracker_config all_ipv6 = config;
    all_ipv6.ipv6_capacity = config.capacity;
    const auto per_connection = [&](std::size_t bytes) {
        return static_cast<double>(bytes) / static_cast<double>(config.capacity);
    };
    for (auto _ : state) {
        tcpfsm::tracker<> trk(config);
        tcpfsm::tracker<tcpfsm::default_allocator<unsigned char>, tcpfsm::ipv4_tuple_key> trk4(config);
        tcpfsm::tracker<> trk6(all_ipv6);
        state.counters["bytes_per_connection"] = per_connection(trk.allocated_bytes());
        state.counters["bytes_per_connection_ipv4_key"] = per_connection(trk4.allocated_bytes());
        state.counters["bytes_per_connection_all_ipv6"] = per_connection(trk6.allocated_bytes());
        state.counters["allocated_bytes"] = static_cast<double>(trk.allocated_bytes());
        state.counters["ipv6_capacity"] = trk.ipv6_capacity();
    }
    state.counters["record_bytes"] = sizeof(tcpfsm::tracked_connection);
    state.counters["endpoint_bytes"] = sizeof(tcpfsm::tracked_endpoint);
    state.counters["slot_bytes"] = tcpfsm::tracker<>::slot_bytes;
    state.counters["ipv6_entry_bytes"] = tcpfsm::tracker<>::ipv6_entry_bytes;
}
BENCHMARK(memory)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
