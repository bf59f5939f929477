// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <cerrno>
#include <cstdarg>

namespace tun {

namespace {
const std::chrono::steady_clock::time_point program_start = std::chrono::steady_clock::now();
}

log_settings& log_config() {
    static log_settings settings;
    return settings;
}

long long elapsed_ms() {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - program_start)
                                      .count());
}

void log_line(const char* format, ...) {
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    std::fprintf(log_config().out, "%s t=%lld\n", text, elapsed_ms());
    std::fflush(log_config().out);
}

std::string escaped(const std::uint8_t* data, std::size_t length, std::size_t limit) {
    std::string out;
    const std::size_t n = length < limit ? length : limit;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(c));
            out += hex;
        }
    }
    if (n < length) out += "...";
    return out;
}

std::string flag_letters(std::uint8_t flags) {
    std::string out;
    if ((flags & tcpfsm::ctl::syn) != 0) out += 'S';
    if ((flags & tcpfsm::ctl::fin) != 0) out += 'F';
    if ((flags & tcpfsm::ctl::rst) != 0) out += 'R';
    if ((flags & tcpfsm::ctl::psh) != 0) out += 'P';
    if ((flags & tcpfsm::ctl::urg) != 0) out += 'U';
    if ((flags & tcpfsm::ctl::ack) != 0) out += 'A';
    return out.empty() ? std::string("none") : out;
}

const char* errno_name(int e) {
    switch (e) {
        case EIO: return "EIO";
        case EAGAIN: return "EAGAIN";
        case EINTR: return "EINTR";
        case ENOBUFS: return "ENOBUFS";
        case EINVAL: return "EINVAL";
        case EBADFD: return "EBADFD";
        case ENETDOWN: return "ENETDOWN";
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EBUSY: return "EBUSY";
        default: return "errno";
    }
}

}  // namespace tun
