// The HTTP/1.0 part of `--app http` (RFC 1945; RFC 9110 for the status codes): parsing a
// request head and opening the file it names, confined to one root directory.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_HTTP_HPP
#define TCPFSM_TUN_HTTP_HPP

#include <cstdint>
#include <string>

namespace tun {

struct http_request {
    std::string method;
    std::string target;   // as sent
    std::string path;     // percent-decoded, without the query
    bool http11 = false;  // "HTTP/1.1": a 100-continue may be asked for
    bool has_content_length = false;
    std::uint64_t content_length = 0;
    bool expect_continue = false;
};

// The head ends with an empty line: its length (through "\r\n\r\n" or "\n\n"), or 0 if
// `text` does not hold all of it yet.
std::size_t http_head_length(const std::string& text);

// Parses the head; 0 on success, else the status to answer (400).
int parse_http_head(const std::string& head, http_request& out);

// The reason phrase of a status code.
const char* http_reason(int status);

// Opens `path` (a decoded request path, "/a/b") under the directory `root_fd`: for reading
// (GET) or created/truncated for writing (PUT). No step may leave the root: ".." is
// refused (400), and the kernel resolves with RESOLVE_BENEATH (openat2), so a symlink that
// leads out is refused too (403). Returns the fd, or -status (404 no such file, 403
// forbidden or a directory, 400 malformed, 500 otherwise).
int open_beneath(int root_fd, const std::string& path, bool for_writing);

}  // namespace tun

#endif
