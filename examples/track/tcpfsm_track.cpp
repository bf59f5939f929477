// tcpfsm-track: both endpoints' RFC 9293 states, from a capture. Reads pcap and pcapng files
// or a live interface through libpcap, decodes each frame (link_decode.hpp), feeds the TCP
// segments to tcpfsm::tracker and prints per-connection state timelines, an `ss -s`-style
// summary and the anomalies; --json for the same as JSON, --svg DIR for a ladder diagram per
// connection (tcpfsm/ladder.hpp).
//
//   tcpfsm-track [options] FILE             a pcap or pcapng file ("-" for stdin)
//   tcpfsm-track [options] -i IFACE         a live interface (needs CAP_NET_RAW)
//     -c COUNT            stop after COUNT frames (live: else at SIGINT / SIGTERM)
//     -f FILTER           a BPF filter (default none: the decoder skips what is not TCP;
//                         note that "tcp" alone misses VLAN-tagged frames: "tcp or (vlan and tcp)")
//     --json              JSON on stdout instead of text
//     --svg DIR           DIR/conn-<n>.svg for each connection
//     --relative          SEQ and ACK relative to each side's first SEQ
//     --verify-checksums  drop segments whose IPv4 header or TCP checksum is wrong (off by
//                         default: a capture on the sending host holds offloaded checksums)
//     --msl-seconds S     2MSL is 2 x S seconds (default: tracker_config's 60 s in all)
//     --quiet             no per-segment timelines (summary and anomalies only)
//     --capacity N        connections tracked at once (default tracker_config's 65536)
//     --ipv6-capacity N   of those, IPv6 ones (default capacity / 16)
//     --analysis RULE     retransmission vs out-of-order: "rfc" (default: octets seen before
//                         from the sender) or "wireshark" (Wireshark's timing rule,
//                         tracker_sequence_rule::wireshark_timing)
//     -w FILE             also write the frames read to FILE (pcap, as libpcap's pcap_dump)
//     --ready-file PATH   live: write PATH once the capture is active (for scripts)
// Exit status 0, 1 on a capture error, 2 on bad arguments.
// SPDX-License-Identifier: MIT
#include <tcpfsm/ladder.hpp>
#include <tcpfsm/tcpfsm.hpp>

#include <pcap/pcap.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "link_decode.hpp"

namespace {

const char usage[] =
    "usage: tcpfsm-track [options] FILE | -i IFACE\n"
    "  -c COUNT            stop after COUNT frames\n"
    "  -f FILTER           BPF filter (default none)\n"
    "  --json              JSON output\n"
    "  --svg DIR           a ladder diagram per connection, DIR/conn-<n>.svg\n"
    "  --relative          SEQ/ACK relative to each side's first SEQ\n"
    "  --verify-checksums  drop segments with a wrong IPv4 header or TCP checksum\n"
    "  --msl-seconds S     2MSL = 2 x S seconds (default 60 s in all)\n"
    "  --quiet             summary and anomalies only\n"
    "  --capacity N        connections tracked at once (default 65536)\n"
    "  --ipv6-capacity N   of those, IPv6 ones (default capacity / 16)\n"
    "  --analysis RULE     retransmission vs out-of-order: rfc (default) or wireshark\n"
    "  -w FILE             also write the frames read to FILE (pcap)\n"
    "  --ready-file PATH   live: create PATH once the capture is active\n";

pcap_t* g_live = nullptr;
extern "C" void on_signal(int) {
    if (g_live != nullptr) pcap_breakloop(g_live);
}

std::string address_text(const tcpfsm::endpoint_address& a, std::uint16_t port) {
    char buf[64];
    if (a.family == tcpfsm::address_family::ipv4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3], port);
        return buf;
    }
    // RFC 5952: lower case, the longest run of zero groups (2 or more) as "::".
    unsigned groups[8];
    for (int i = 0; i < 8; ++i) groups[i] = (unsigned{a.bytes[2 * i]} << 8) | a.bytes[2 * i + 1];
    int best = -1;
    int best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    std::string s = "[";
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            s += "::";
            i += best_len - 1;
            continue;
        }
        if (!s.empty() && s.back() != '[' && s.back() != ':') s += ':';
        std::snprintf(buf, sizeof buf, "%x", groups[i]);
        s += buf;
    }
    return s + "]:" + std::to_string(port);
}

std::string flags_text(std::uint8_t f) {
    std::string s;
    const auto add = [&s](bool on, const char* n) {
        if (!on) return;
        if (!s.empty()) s += ",";
        s += n;
    };
    add((f & tcpfsm::ctl::syn) != 0, "SYN");
    add((f & tcpfsm::ctl::rst) != 0, "RST");
    add((f & tcpfsm::ctl::fin) != 0, "FIN");
    add((f & tcpfsm::ctl::psh) != 0, "PSH");
    add((f & tcpfsm::ctl::ack) != 0, "ACK");
    add((f & tcpfsm::ctl::urg) != 0, "URG");
    return s;
}

std::string anomaly_list(tcpfsm::tracker_anomaly_set set, const char* separator) {
    std::string s;
    for (std::size_t i = 0; i < tcpfsm::tracker_anomaly_count; ++i) {
        const auto a = static_cast<tcpfsm::tracker_anomaly>(i);
        if (!set.contains(a)) continue;
        if (!s.empty()) s += separator;
        s += tcpfsm::name(a);
    }
    return s;
}

// One observed segment of a connection, as the timeline keeps it.
struct entry {
    std::uint64_t frame = 0;  // its frame's number in the capture, from 1 (as Wireshark's)
    std::uint64_t t_ns = 0;
    tcpfsm::tracker_side sender = tcpfsm::tracker_side::a;
    tcpfsm::segment seg;
    tcpfsm::state before[2] = {tcpfsm::state::closed, tcpfsm::state::closed};
    tcpfsm::state after[2] = {tcpfsm::state::closed, tcpfsm::state::closed};
    bool deduced[2] = {false, false};
    tcpfsm::tracker_anomaly_set anomalies{};
    // The states each side entered with it (tracker_observation::path).
    tcpfsm::state path[2][tcpfsm::tracker_observation::path_capacity] = {};
    std::uint8_t path_length[2] = {0, 0};
};

// One connection (a record of the tracker; port reuse starts a new one).
struct connection_log {
    std::size_t number = 0;
    tcpfsm::four_tuple canonical;  // local = side a, remote = side b
    std::vector<entry> entries;
};

struct run_options {
    bool json = false;
    bool relative = false;
    bool quiet = false;
    std::string svg_dir;
    track::decode_options decode{};
};

struct capture_state {
    int link = 0;
    tcpfsm::tracker<>* trk = nullptr;
    const run_options* opt = nullptr;
    std::vector<connection_log> logs;
    std::map<std::uint32_t, std::size_t> log_of_slot;  // tracker slot -> current log
    std::uint64_t frames = 0;
    pcap_dumper_t* dump = nullptr;  // -w
    std::uint64_t decode_errors[track::decode_error_count] = {};
    std::uint64_t truncated = 0;
    std::uint64_t untracked = 0;
    std::uint64_t first_ns = 0;
    std::uint64_t last_ns = 0;
    std::uint64_t last_expire_ns = 0;
    track::decoded_segment decoded;  // each frame's, reused (link_decode.hpp, reset_decoded)
};

void on_frame(capture_state& cs, std::uint64_t t_ns, const std::uint8_t* data, std::size_t caplen, std::size_t wirelen) {
    ++cs.frames;
    track::decoded_segment& d = cs.decoded;
    track::decode_frame_into(cs.link, data, caplen, wirelen, cs.opt->decode, d);
    ++cs.decode_errors[static_cast<std::size_t>(d.error)];
    if (d.error != track::decode_error::ok) return;
    if (d.truncated) ++cs.truncated;
    if (cs.first_ns == 0) cs.first_ns = t_ns;
    if (t_ns < cs.last_ns) t_ns = cs.last_ns;  // the tracker wants non-decreasing times
    cs.last_ns = t_ns;
    // Once a second of capture time: TIME-WAIT ends after 2MSL, idle records go (a record
    // removed and its slot reused starts a new timeline: o.new_connection).
    if (t_ns - cs.last_expire_ns >= 1000000000ull) {
        cs.trk->expire(t_ns);
        cs.last_expire_ns = t_ns;
    }
    const int scale = d.tcp.options.has_window_scale ? int{d.tcp.options.window_scale} : -1;
    const tcpfsm::tracker_observation o = cs.trk->observe(d.tuple, d.seg, t_ns, scale);
    if (!o.tracked) {
        ++cs.untracked;
        return;
    }
    auto it = cs.log_of_slot.find(o.slot);
    if (o.new_connection || it == cs.log_of_slot.end()) {
        connection_log log;
        log.number = cs.logs.size() + 1;
        log.canonical = cs.trk->tuple_of(o.slot);
        cs.logs.push_back(log);
        cs.log_of_slot[o.slot] = cs.logs.size() - 1;
        it = cs.log_of_slot.find(o.slot);
    }
    entry e;
    e.frame = cs.frames;
    e.t_ns = t_ns;
    e.sender = o.sender;
    e.seg = d.seg;
    const tcpfsm::tracked_connection& c = cs.trk->at(o.slot);
    for (std::size_t s = 0; s < 2; ++s) {
        e.before[s] = o.before[s];
        e.after[s] = o.after[s];
        e.deduced[s] = c.endpoints[s].deduced;
        e.path_length[s] = o.path_length[s];
        for (std::size_t k = 0; k < o.path_length[s]; ++k) e.path[s][k] = o.path[s][k];
    }
    e.anomalies = o.anomalies;
    std::vector<entry>& entries = cs.logs[it->second].entries;
    // --quiet (text, no --svg) prints only the flagged segments and each connection's last:
    // an unflagged last entry is replaced, so that memory stays with the connections.
    const bool keep_all = !cs.opt->quiet || cs.opt->json || !cs.opt->svg_dir.empty();
    if (!keep_all && !entries.empty() && entries.back().anomalies.empty()) entries.back() = e;
    else entries.push_back(e);
}

extern "C" void on_packet(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
    capture_state& cs = *reinterpret_cast<capture_state*>(user);
    if (cs.dump != nullptr) {
        pcap_dump(reinterpret_cast<u_char*>(cs.dump), h, bytes);
        pcap_dump_flush(cs.dump);
    }
    // Nanosecond precision was asked for: tv_usec holds nanoseconds.
    const std::uint64_t t_ns = static_cast<std::uint64_t>(h->ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(h->ts.tv_usec);
    on_frame(cs, t_ns, bytes, h->caplen, h->len);
}

// "1.234567" seconds since the first segment.
std::string seconds(std::uint64_t ns, std::uint64_t origin) {
    const std::uint64_t d = ns >= origin ? ns - origin : 0;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(d / 1000000000ull),
                  static_cast<unsigned long long>((d % 1000000000ull) / 1000ull));
    return buf;
}

// Each side's first SEQ in the log, for --relative.
void bases_of(const connection_log& log, std::uint32_t (&base)[2]) {
    bool seen[2] = {false, false};
    base[0] = base[1] = 0;
    for (const entry& e : log.entries) {
        const std::size_t s = tcpfsm::index_of(e.sender);
        if (seen[s] || e.seg.rst()) continue;
        seen[s] = true;
        base[s] = e.seg.seq;
    }
}

tcpfsm::ladder ladder_of(const connection_log& log) {
    tcpfsm::ladder l;
    l.left_name = address_text(log.canonical.local, log.canonical.local_port);
    l.right_name = address_text(log.canonical.remote, log.canonical.remote_port);
    if (log.entries.empty()) return l;
    const std::uint64_t t0 = log.entries.front().t_ns;
    l.left_initial = log.entries.front().before[0];
    l.right_initial = log.entries.front().before[1];
    // A tap sees a segment pass, not its arrival: each is drawn arriving when the
    // connection's next segment is seen (the last one 1 us later).
    for (std::size_t i = 0; i < log.entries.size(); ++i) {
        const entry& e = log.entries[i];
        const std::int64_t sent = static_cast<std::int64_t>((e.t_ns - t0) / 1000u);
        const std::int64_t next = i + 1 < log.entries.size()
                                      ? static_cast<std::int64_t>((log.entries[i + 1].t_ns - t0) / 1000u)
                                      : sent + 1;
        const std::int64_t arrived = next > sent ? next : sent + 1;
        tcpfsm::ladder_segment s;
        s.sent_us = sent;
        s.from = e.sender == tcpfsm::tracker_side::a ? tcpfsm::ladder_side::left : tcpfsm::ladder_side::right;
        s.header = e.seg;
        s.arrived_us = arrived;
        l.segments.push_back(s);
        const std::size_t snd = tcpfsm::index_of(e.sender);
        for (std::size_t side = 0; side < 2; ++side) {
            if (e.after[side] == e.before[side]) continue;
            l.state_changes.push_back(tcpfsm::ladder_state_change{
                side == snd ? sent : arrived, side == 0 ? tcpfsm::ladder_side::left : tcpfsm::ladder_side::right,
                e.after[side]});
        }
    }
    return l;
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o;
}

void print_text(const capture_state& cs, const tcpfsm::tracker<>& trk, const char* source) {
    const run_options& opt = *cs.opt;
    std::printf("tcpfsm-track: %s: %llu frames, %llu TCP segments, %zu connections\n", source,
                static_cast<unsigned long long>(cs.frames),
                static_cast<unsigned long long>(cs.decode_errors[0]), cs.logs.size());
    for (const connection_log& log : cs.logs) {
        std::printf("\nconnection %zu: A %s  B %s\n", log.number,
                    address_text(log.canonical.local, log.canonical.local_port).c_str(),
                    address_text(log.canonical.remote, log.canonical.remote_port).c_str());
        std::uint32_t base[2];
        bases_of(log, base);
        if (!opt.relative) base[0] = base[1] = 0;
        const entry* last = log.entries.empty() ? nullptr : &log.entries.back();
        if (!opt.quiet && !log.entries.empty()) {
            std::printf("  %-11s %-4s %-50s %-14s %-14s %s\n", "time (s)", "dir", "segment", "A", "B", "anomalies");
            std::printf("  %-11s %-4s %-50s %-14s %-14s\n", "", "", "", tcpfsm::rfc_name(log.entries.front().before[0]),
                        tcpfsm::rfc_name(log.entries.front().before[1]));
            for (const entry& e : log.entries) {
                const std::size_t from = tcpfsm::index_of(e.sender);
                const std::string label = tcpfsm::ladder_label(e.seg, base[from], e.seg.ack_flag() ? base[1 - from] : 0);
                std::string states[2];
                for (std::size_t s = 0; s < 2; ++s) {
                    states[s] = tcpfsm::rfc_name(e.after[s]);
                    if (e.after[s] != e.before[s]) states[s] += "*";
                }
                std::printf("  %-11s %-4s %-50s %-14s %-14s %s\n", seconds(e.t_ns, cs.first_ns).c_str(),
                            e.sender == tcpfsm::tracker_side::a ? "A>B" : "B>A", label.c_str(), states[0].c_str(),
                            states[1].c_str(), anomaly_list(e.anomalies, ",").c_str());
            }
        }
        if (last != nullptr) {
            std::printf("  at the end: A %s%s, B %s%s\n", tcpfsm::rfc_name(last->after[0]),
                        last->deduced[0] ? " (deduced)" : "", tcpfsm::rfc_name(last->after[1]),
                        last->deduced[1] ? " (deduced)" : "");
        }
    }
    // ss -s, for both ends of every connection still tracked at the end of the capture.
    char buf[512];
    tcpfsm::write_ss_summary(trk.ss_stats(), buf, sizeof buf);
    std::printf("\nsummary (both ends of every tracked connection, as `ss -s` on their hosts):\n%s", buf);
    tcpfsm::write_state_counts(trk.ss_stats(), buf, sizeof buf);
    std::printf("%s", buf);
    std::printf("\nanomalies:");
    bool any = false;
    for (std::size_t i = 0; i < tcpfsm::tracker_anomaly_count; ++i) {
        if (trk.stats().anomalies[i] == 0) continue;
        std::printf("%s %s %llu", any ? "," : "", tcpfsm::name(static_cast<tcpfsm::tracker_anomaly>(i)),
                    static_cast<unsigned long long>(trk.stats().anomalies[i]));
        any = true;
    }
    std::printf("%s\n", any ? "" : " none");
    for (const connection_log& log : cs.logs) {
        for (const entry& e : log.entries) {
            if (e.anomalies.empty()) continue;
            std::printf("  %s connection %zu %s %s: %s\n", seconds(e.t_ns, cs.first_ns).c_str(), log.number,
                        e.sender == tcpfsm::tracker_side::a ? "A>B" : "B>A", tcpfsm::ladder_label(e.seg).c_str(),
                        anomaly_list(e.anomalies, ", ").c_str());
        }
    }
    std::printf("\nnot decoded:");
    any = false;
    for (std::size_t i = 1; i < track::decode_error_count; ++i) {
        if (cs.decode_errors[i] == 0) continue;
        std::printf("%s %s %llu", any ? "," : "", track::name(static_cast<track::decode_error>(i)),
                    static_cast<unsigned long long>(cs.decode_errors[i]));
        any = true;
    }
    std::printf("%s; truncated by the snap length: %llu; untracked (table full): %llu\n", any ? "" : " none",
                static_cast<unsigned long long>(cs.truncated), static_cast<unsigned long long>(cs.untracked));
}

void print_json(const capture_state& cs, const tcpfsm::tracker<>& trk, const char* source) {
    std::printf("{\"source\":\"%s\",\"frames\":%llu,\"segments\":%llu,\"connections\":[", json_escape(source).c_str(),
                static_cast<unsigned long long>(cs.frames), static_cast<unsigned long long>(cs.decode_errors[0]));
    for (std::size_t n = 0; n < cs.logs.size(); ++n) {
        const connection_log& log = cs.logs[n];
        std::printf("%s{\"number\":%zu,\"a\":\"%s\",\"b\":\"%s\",\"segments\":[", n ? "," : "", log.number,
                    address_text(log.canonical.local, log.canonical.local_port).c_str(),
                    address_text(log.canonical.remote, log.canonical.remote_port).c_str());
        for (std::size_t i = 0; i < log.entries.size(); ++i) {
            const entry& e = log.entries[i];
            std::printf("%s{\"frame\":%llu,\"t_ns\":%llu,\"from\":\"%s\",\"seq\":%u,\"ack\":%u,\"flags\":\"%s\",\"len\":%u,\"window\":%u,"
                        "\"before\":[\"%s\",\"%s\"],\"after\":[\"%s\",\"%s\"],\"deduced\":[%s,%s],\"anomalies\":[",
                        i ? "," : "", static_cast<unsigned long long>(e.frame), static_cast<unsigned long long>(e.t_ns),
                        e.sender == tcpfsm::tracker_side::a ? "a" : "b", e.seg.seq, e.seg.ack, flags_text(e.seg.flags).c_str(),
                        e.seg.text_length, unsigned{e.seg.window}, tcpfsm::rfc_name(e.before[0]),
                        tcpfsm::rfc_name(e.before[1]), tcpfsm::rfc_name(e.after[0]), tcpfsm::rfc_name(e.after[1]),
                        e.deduced[0] ? "true" : "false", e.deduced[1] ? "true" : "false");
            const std::string list = anomaly_list(e.anomalies, "\",\"");
            if (!list.empty()) std::printf("\"%s\"", list.c_str());
            std::printf("],\"path\":[");
            for (std::size_t s = 0; s < 2; ++s) {
                std::printf("%s[", s ? "," : "");
                for (std::size_t k = 0; k < e.path_length[s]; ++k)
                    std::printf("%s\"%s\"", k ? "," : "", tcpfsm::rfc_name(e.path[s][k]));
                std::printf("]");
            }
            std::printf("]}");
        }
        std::printf("]}");
    }
    const tcpfsm::listener_stats ss = trk.ss_stats();
    const tcpfsm::ss_summary sum = tcpfsm::ss_summary_of(ss);
    std::printf("],\"summary\":{\"total\":%llu,\"estab\":%llu,\"closed\":%llu,\"orphaned\":%llu,\"timewait\":%llu,\"states\":{",
                static_cast<unsigned long long>(sum.total), static_cast<unsigned long long>(sum.estab),
                static_cast<unsigned long long>(sum.closed), static_cast<unsigned long long>(sum.orphaned),
                static_cast<unsigned long long>(sum.timewait));
    bool first = true;
    for (std::size_t i = 0; i < tcpfsm::state_count; ++i) {
        if (ss.connections[i] == 0) continue;
        std::printf("%s\"%s\":%llu", first ? "" : ",", tcpfsm::rfc_name(static_cast<tcpfsm::state>(i)),
                    static_cast<unsigned long long>(ss.connections[i]));
        first = false;
    }
    std::printf("}},\"anomalies\":{");
    first = true;
    for (std::size_t i = 0; i < tcpfsm::tracker_anomaly_count; ++i) {
        if (trk.stats().anomalies[i] == 0) continue;
        std::printf("%s\"%s\":%llu", first ? "" : ",", tcpfsm::name(static_cast<tcpfsm::tracker_anomaly>(i)),
                    static_cast<unsigned long long>(trk.stats().anomalies[i]));
        first = false;
    }
    std::printf("},\"not_decoded\":{");
    first = true;
    for (std::size_t i = 1; i < track::decode_error_count; ++i) {
        if (cs.decode_errors[i] == 0) continue;
        std::printf("%s\"%s\":%llu", first ? "" : ",", track::name(static_cast<track::decode_error>(i)),
                    static_cast<unsigned long long>(cs.decode_errors[i]));
        first = false;
    }
    std::printf("},\"truncated\":%llu,\"untracked\":%llu}\n", static_cast<unsigned long long>(cs.truncated),
                static_cast<unsigned long long>(cs.untracked));
}

int bad_arguments(const char* what, const char* arg) {
    std::fprintf(stderr, "tcpfsm-track: %s '%s'\n%s", what, arg, usage);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    run_options opt;
    const char* file = nullptr;
    const char* iface = nullptr;
    const char* filter = nullptr;
    const char* write_file = nullptr;
    const char* ready_file = nullptr;
    long long count = -1;
    tcpfsm::tracker_config cfg;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--json") opt.json = true;
        else if (a == "--relative") opt.relative = true;
        else if (a == "--quiet") opt.quiet = true;
        else if (a == "--verify-checksums") opt.decode.verify_checksums = true;
        else if (a == "--svg" && has_value) opt.svg_dir = argv[++i];
        else if (a == "-i" && has_value) iface = argv[++i];
        else if (a == "-f" && has_value) filter = argv[++i];
        else if (a == "-w" && has_value) write_file = argv[++i];
        else if (a == "--capacity" && has_value) cfg.capacity = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--ipv6-capacity" && has_value) cfg.ipv6_capacity = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--ready-file" && has_value) ready_file = argv[++i];
        else if (a == "--analysis" && has_value) {
            const std::string rule = argv[++i];
            if (rule == "rfc") cfg.sequence_rule = tcpfsm::tracker_sequence_rule::sequence_seen;
            else if (rule == "wireshark") cfg.sequence_rule = tcpfsm::tracker_sequence_rule::wireshark_timing;
            else return bad_arguments("--analysis is rfc or wireshark, not", argv[i]);
        }
        else if (a == "-c" && has_value) count = std::atoll(argv[++i]);
        else if (a == "--msl-seconds" && has_value) cfg.time_wait_ns = 2ull * std::strtoull(argv[++i], nullptr, 10) * 1000000000ull;
        else if (a == "-h" || a == "--help") {
            std::fputs(usage, stdout);
            return 0;
        } else if (!a.empty() && a[0] == '-' && a != "-") return bad_arguments("unknown argument", argv[i]);
        else if (file == nullptr) file = argv[i];
        else return bad_arguments("more than one capture", argv[i]);
    }
    if ((file == nullptr) == (iface == nullptr)) return bad_arguments("give one FILE or -i IFACE", "");

    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = nullptr;
    if (file != nullptr) {
        p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, err);
    } else {
        p = pcap_create(iface, err);
        if (p != nullptr) {
            pcap_set_snaplen(p, 262144);
            pcap_set_timeout(p, 100);
            pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
            if (pcap_activate(p) < 0) {
                std::fprintf(stderr, "tcpfsm-track: %s: %s\n", iface, pcap_geterr(p));
                pcap_close(p);
                return 1;
            }
        }
    }
    if (p == nullptr) {
        std::fprintf(stderr, "tcpfsm-track: %s\n", err);
        return 1;
    }
    if (filter != nullptr && filter[0] != '\0') {
        bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(p, &prog) != 0) {
            std::fprintf(stderr, "tcpfsm-track: filter '%s': %s\n", filter, pcap_geterr(p));
            pcap_close(p);
            return 2;
        }
        pcap_freecode(&prog);
    }

    tcpfsm::tracker<> trk(cfg);
    capture_state cs;
    if (write_file != nullptr) {
        cs.dump = pcap_dump_open(p, write_file);
        if (cs.dump == nullptr) {
            std::fprintf(stderr, "tcpfsm-track: -w %s: %s\n", write_file, pcap_geterr(p));
            pcap_close(p);
            return 1;
        }
    }
    if (ready_file != nullptr) {
        if (std::FILE* f = std::fopen(ready_file, "w")) {
            std::fputs("ready\n", f);
            std::fclose(f);
        }
    }
    cs.link = pcap_datalink(p);
    cs.trk = &trk;
    cs.opt = &opt;
    if (iface != nullptr) {
        g_live = p;
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
    }
    const int rc = pcap_loop(p, count > 0 ? static_cast<int>(count) : -1, on_packet, reinterpret_cast<u_char*>(&cs));
    if (rc == PCAP_ERROR) {
        std::fprintf(stderr, "tcpfsm-track: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    g_live = nullptr;
    if (cs.dump != nullptr) pcap_dump_close(cs.dump);
    pcap_close(p);

    // The summary is as of the last segment: 2MSL and the idle timeouts applied up to it.
    if (cs.last_ns != 0) trk.expire(cs.last_ns);
    const char* source = file != nullptr ? file : iface;
    if (opt.json) print_json(cs, trk, source);
    else print_text(cs, trk, source);

    if (!opt.svg_dir.empty()) {
        for (const connection_log& log : cs.logs) {
            tcpfsm::ladder_options lo;
            lo.relative_sequence_numbers = opt.relative;
            lo.title = "connection " + std::to_string(log.number);
            const std::string svg = tcpfsm::ladder_svg(ladder_of(log), lo);
            const std::string path = opt.svg_dir + "/conn-" + std::to_string(log.number) + ".svg";
            std::FILE* f = std::fopen(path.c_str(), "wb");
            if (f == nullptr || std::fwrite(svg.data(), 1, svg.size(), f) != svg.size()) {
                std::fprintf(stderr, "tcpfsm-track: cannot write %s\n", path.c_str());
                if (f != nullptr) std::fclose(f);
                return 1;
            }
            std::fclose(f);
        }
    }
    return 0;
}
