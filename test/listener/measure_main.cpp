// The full-size listener measurements of docs/listener.md:
//     tcpfsm_listener_measure [--profile default|compact] [spoofed real connections time_wait_cap interval_us]
// --profile: the children's engine profile, the engine's default (the default) or the
// compact one (scenarios.hpp, compact_scenario_profile).
// defaults: 1,000,000 spoofed SYNs with 1,000 real clients against backlog 128, one SYN every
// 100 µs (10,000/s, 100 s: longer than the SYN,ACK give-up of 63 s), then 1,000,000 concurrent
// connections with tcp_max_tw_buckets = 262,144. Build in Release.
// Exit status 0 only if every real client completed and every connection opened and closed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "scenarios.hpp"

using namespace listener_test;

namespace {

template <class Profile>
int measure(const char* profile_name, int argc, char** argv) {
    const std::uint64_t spoofed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000u;
    const auto real = static_cast<std::uint32_t>(argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1000u);
    const auto n = static_cast<std::uint32_t>(argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1000000u);
    const auto cap = static_cast<std::uint32_t>(argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 262144u);
    const std::uint64_t interval_us = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 100u;
    bool ok = true;
    std::printf("Profile: %s (the child engine, sizeof: %zu octets)\n", profile_name,
                sizeof(typename scenario_listener<Profile>::child_connection));

    const flood_result f = run_flood<Profile>(spoofed, real, interval_us);
    std::printf("SYN flood: %llu spoofed SYNs (random sources, one every %llu us: %.1f s simulated) and %u real "
                "clients, backlog 128\n",
                static_cast<unsigned long long>(f.spoofed), static_cast<unsigned long long>(f.interval_us),
                f.simulated_seconds, f.real);
    std::printf("  real clients: %u got a SYN,ACK, %u accepted in ESTABLISHED\n", f.real_syn_acked, f.real_established);
    std::printf("  SYN cookies sent %llu, validated %llu, failed %llu; SYN queue at most %u; accept queue at most %u\n",
                static_cast<unsigned long long>(f.stats.syn_cookies_sent),
                static_cast<unsigned long long>(f.stats.syn_cookies_validated),
                static_cast<unsigned long long>(f.stats.syn_cookies_failed), f.max_syn_queue, f.max_accept_queue);
    std::printf("  SYN-RECEIVED timeouts %llu; connection table at most %u of %u entries\n",
                static_cast<unsigned long long>(f.stats.syn_received_timeouts), f.max_connections, f.table_capacity);
    std::printf("  listener storage %zu bytes (fixed at construction); peak RSS (VmHWM) %llu kB; %.2f s wall, "
                "%.0f SYNs/s\n",
                f.allocated_bytes, static_cast<unsigned long long>(f.peak_rss_kb), f.seconds,
                static_cast<double>(f.spoofed + f.real) / f.seconds);
    ok = ok && f.real_established == f.real;

    const scale_result s = run_scale<Profile>(n, cap);
    std::printf("Scale: %u concurrent connections through the listener (backlog 128), tcp_max_tw_buckets %u\n", s.n,
                s.max_time_wait);
    std::printf("  at the peak: %u connections, %u ESTABLISHED, %llu accepted\n", s.connections_at_peak,
                s.established_at_peak, static_cast<unsigned long long>(s.accepted));
    std::printf("  storage: %zu bytes in all, %.1f bytes per connection (slot %zu = TCB + key + timer entry + "
                "generation; TIME-WAIT slot %zu; index buckets)\n",
                s.allocated_bytes, static_cast<double>(s.allocated_bytes) / s.n, s.connection_slot_bytes,
                s.time_wait_slot_bytes);
    std::printf("  peak RSS (VmHWM) %llu kB (before the run: %llu kB; includes the scripted clients' %zu bytes)\n",
                static_cast<unsigned long long>(s.peak_rss_kb), static_cast<unsigned long long>(s.rss_before_kb),
                static_cast<std::size_t>(s.n) * 5u);
    std::printf("  open: %.2f s (%.0f handshakes/s); lookups: %.0f /s; close: %.2f s; full lifecycles: %.0f /s\n",
                s.open_seconds, s.n / s.open_seconds, static_cast<double>(s.lookups) / s.lookup_seconds,
                s.close_seconds, s.n / (s.open_seconds + s.close_seconds));
    std::printf("  after closing: %u connections, %u TIME-WAIT records, %llu TIME-WAIT overflows; after 2MSL: %u\n",
                s.connections_after_close, s.time_wait_after_close,
                static_cast<unsigned long long>(s.stats.time_wait_overflows), s.time_wait_after_2msl);
    ok = ok && s.established_at_peak == s.n && s.connections_after_close == 0 && s.time_wait_after_2msl == 0;
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    // The profile, if given, comes first; the numbers follow as before.
    const char* profile = "default";
    if (argc > 1 && std::strcmp(argv[1], "--profile") == 0) {
        if (argc < 3) {
            std::fprintf(stderr, "tcpfsm_listener_measure: --profile needs default or compact\n");
            return 2;
        }
        profile = argv[2];
        argv[2] = argv[0];
        argc -= 2;
        argv += 2;
    }
    if (std::strcmp(profile, "default") == 0) return measure<default_profile>("default", argc, argv);
    if (std::strcmp(profile, "compact") == 0) return measure<compact_scenario_profile>("compact", argc, argv);
    std::fprintf(stderr, "tcpfsm_listener_measure: unknown profile %s (default or compact)\n", profile);
    return 2;
}
