// SPDX-License-Identifier: MIT
#include "http.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tun {

std::size_t http_head_length(const std::string& text) {
    const std::size_t crlf = text.find("\r\n\r\n");
    const std::size_t lf = text.find("\n\n");
    if (crlf == std::string::npos && lf == std::string::npos) return 0;
    if (lf == std::string::npos || (crlf != std::string::npos && crlf < lf)) return crlf + 4;
    return lf + 2;
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

std::string trim(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
    return s.substr(a, b - a);
}

}  // namespace

int parse_http_head(const std::string& head, http_request& out) {
    std::size_t line_end = head.find('\n');
    if (line_end == std::string::npos) return 400;
    const std::string request_line = trim(head.substr(0, line_end));
    const std::size_t sp1 = request_line.find(' ');
    const std::size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return 400;
    out.method = request_line.substr(0, sp1);
    out.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string version = request_line.substr(sp2 + 1);
    if (version.compare(0, 5, "HTTP/") != 0 || out.target.empty()) return 400;
    out.http11 = version == "HTTP/1.1";
    // An absolute-form target (a proxy request): keep its path.
    std::string target = out.target;
    if (target.compare(0, 7, "http://") == 0) {
        const std::size_t slash = target.find('/', 7);
        target = slash == std::string::npos ? "/" : target.substr(slash);
    }
    if (target[0] != '/') return 400;
    const std::size_t query = target.find_first_of("?#");
    if (query != std::string::npos) target.resize(query);
    out.path.clear();
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] == '%') {
            if (i + 2 >= target.size() || hex_value(target[i + 1]) < 0 || hex_value(target[i + 2]) < 0) return 400;
            const char c = static_cast<char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
            if (c == '\0') return 400;
            out.path += c;
            i += 2;
        } else {
            out.path += target[i];
        }
    }
    // Header fields (RFC 9110 §5): name ":" value.
    std::size_t at = line_end + 1;
    while (at < head.size()) {
        line_end = head.find('\n', at);
        if (line_end == std::string::npos) line_end = head.size();
        const std::string line = trim(head.substr(at, line_end - at));
        at = line_end + 1;
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0) return 400;
        const std::string name = lower(line.substr(0, colon));
        const std::string value = trim(line.substr(colon + 1));
        if (name == "content-length") {
            if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 18) {
                return 400;
            }
            const std::uint64_t n = std::strtoull(value.c_str(), nullptr, 10);
            if (out.has_content_length && n != out.content_length) return 400;
            out.has_content_length = true;
            out.content_length = n;
        } else if (name == "expect") {
            out.expect_continue = lower(value) == "100-continue";
        } else if (name == "transfer-encoding") {
            return 400;  // HTTP/1.0: no chunked bodies (RFC 9112 §6.1 is 1.1's)
        }
    }
    return 0;
}

const char* http_reason(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 411: return "Length Required";
        case 413: return "Content Too Large";
        case 500: return "Internal Server Error";
        default: return "Unknown";
    }
}

int open_beneath(int root_fd, const std::string& path, bool for_writing) {
    if (path.empty() || path[0] != '/') return -400;
    // The path's steps: "" and "." are nothing; ".." is refused outright.
    std::string relative;
    std::size_t at = 1;
    while (at <= path.size()) {
        std::size_t end = path.find('/', at);
        if (end == std::string::npos) end = path.size();
        const std::string step = path.substr(at, end - at);
        at = end + 1;
        if (step.empty() || step == ".") continue;
        if (step == "..") return -400;
        if (!relative.empty()) relative += '/';
        relative += step;
    }
    if (relative.empty()) return -403;  // the root itself: no listings
    open_how how{};
    how.flags = for_writing ? (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC);
    how.mode = for_writing ? 0644 : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how);
    if (fd < 0) {
        switch (errno) {
            case ENOENT: case ENOTDIR: return -404;
            case EXDEV: case EACCES: case EPERM: case ELOOP: case EISDIR: return -403;
            default: return -500;
        }
    }
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(static_cast<int>(fd));
        return -403;
    }
    return static_cast<int>(fd);
}

}  // namespace tun
