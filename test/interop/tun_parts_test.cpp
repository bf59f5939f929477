// Unit tests of tcpfsm_tun's own parts (examples/tun): the ring buffer, SHA-256 against
// the FIPS 180-2 / NIST example digests, HTTP head parsing and the root confinement of
// open_beneath() in a temporary directory.
// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "byte_ring.hpp"
#include "http.hpp"
#include "sha256.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

std::string digest(const std::string& text, std::size_t chunk) {
    tun::sha256 h;
    for (std::size_t at = 0; at < text.size(); at += chunk) {
        const std::size_t n = text.size() - at < chunk ? text.size() - at : chunk;
        h.update(reinterpret_cast<const std::uint8_t*>(text.data()) + at, n);
    }
    return h.hex();
}

}  // namespace

TEST_CASE("sha256: the FIPS 180-2 examples, whatever the chunking") {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{1000}}) {
        CHECK(digest("", chunk) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(digest("abc", chunk) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", chunk) ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    CHECK(digest(std::string(1000000, 'a'), 4096) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("byte_ring: append, drop from the front, read across the end") {
    tun::byte_ring r(10);
    CHECK(r.capacity() == 16);
    std::vector<std::uint8_t> in(20);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i);
    CHECK(r.push(in.data(), 20) == 16);  // no more than the capacity
    CHECK(r.space() == 0);
    r.drop(12);  // an ACK of 12 octets
    CHECK(r.size() == 4);
    CHECK(r.push(in.data() + 16, 4) == 4);  // these wrap around the end
    std::uint8_t out[8] = {};
    r.copy_out(0, 8, out);  // octets 12..19, across the end
    for (std::size_t i = 0; i < 8; ++i) CHECK(out[i] == 12 + i);
    r.copy_out(3, 2, out);
    CHECK(out[0] == 15);
    CHECK(out[1] == 16);
    std::size_t n = 0;
    const std::uint8_t* front = r.read_region(n);
    CHECK(n == 4);  // 12..15 up to the end of the storage
    CHECK(front[0] == 12);
    std::uint8_t* back = r.write_region(n);
    CHECK(n == 8);  // free: storage 4..11, contiguous
    back[0] = 99;
    r.commit(1);
    r.drop(8);
    r.copy_out(0, 1, out);
    CHECK(out[0] == 99);
    CHECK(r.size() == 1);
    r.drop(5);  // more than held: empties it
    CHECK(r.empty());
}

TEST_CASE("byte_ring: text placed ahead of the back, appended in order (tcpfsm's on_place, on_readable)") {
    tun::byte_ring r(8);
    const std::uint8_t a[3] = {1, 2, 3}, b[4] = {4, 5, 6, 7}, c[2] = {8, 9};
    r.push(c, 2);
    r.drop(2);  // the back is at storage index 2
    r.place(3, b, 4);  // octets 3..6 past the back: storage 5..7 and 0 (across the end)
    CHECK(r.size() == 0);  // placed, not appended
    r.place(0, a, 3);
    r.commit(7);
    std::uint8_t out[7] = {};
    r.copy_out(0, 7, out);
    for (std::size_t i = 0; i < 7; ++i) CHECK(out[i] == i + 1);
}

TEST_CASE("http: request heads") {
    CHECK(tun::http_head_length("GET / HTTP/1.0\r\nHost: x\r\n") == 0);
    CHECK(tun::http_head_length("GET / HTTP/1.0\r\n\r\nbody") == 18);
    CHECK(tun::http_head_length("GET / HTTP/1.0\n\nbody") == 16);
    tun::http_request r;
    REQUIRE(tun::parse_http_head("PUT /a%20b?q=1 HTTP/1.1\r\ncontent-LENGTH: 42\r\nExpect: 100-continue\r\n\r\n", r) == 0);
    CHECK(r.method == "PUT");
    CHECK(r.path == "/a b");
    CHECK(r.http11);
    CHECK(r.has_content_length);
    CHECK(r.content_length == 42);
    CHECK(r.expect_continue);
    tun::http_request bad;
    CHECK(tun::parse_http_head("GET /x\r\n\r\n", bad) == 400);                                        // no version
    CHECK(tun::parse_http_head("GET x HTTP/1.0\r\n\r\n", bad) == 400);                                // not a path
    CHECK(tun::parse_http_head("GET /%2 HTTP/1.0\r\n\r\n", bad) == 400);                              // bad escape
    CHECK(tun::parse_http_head("GET /%00 HTTP/1.0\r\n\r\n", bad) == 400);                             // NUL
    CHECK(tun::parse_http_head("PUT /x HTTP/1.0\r\nContent-Length: -1\r\n\r\n", bad) == 400);
    CHECK(tun::parse_http_head("PUT /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", bad) == 400);
    CHECK(tun::parse_http_head("GET /x HTTP/1.0\r\nno colon\r\n\r\n", bad) == 400);
}

TEST_CASE("http: open_beneath keeps to the root") {
    char base_template[] = "/tmp/tcpfsm-tun-parts-XXXXXX";
    const std::string base = mkdtemp(base_template);
    const std::string root = base + "/root";
    REQUIRE(mkdir(root.c_str(), 0755) == 0);
    REQUIRE(mkdir((root + "/dir").c_str(), 0755) == 0);
    REQUIRE(mkdir((base + "/outside").c_str(), 0755) == 0);
    const int f = open((root + "/file").c_str(), O_WRONLY | O_CREAT, 0644);
    REQUIRE(f >= 0);
    close(f);
    const int s = open((base + "/outside/secret").c_str(), O_WRONLY | O_CREAT, 0644);
    REQUIRE(s >= 0);
    close(s);
    REQUIRE(symlink((base + "/outside/secret").c_str(), (root + "/abs").c_str()) == 0);
    REQUIRE(symlink("../outside/secret", (root + "/rel").c_str()) == 0);
    REQUIRE(symlink("file", (root + "/in").c_str()) == 0);
    REQUIRE(symlink((base + "/outside").c_str(), (root + "/outdir").c_str()) == 0);
    const int root_fd = open(root.c_str(), O_RDONLY | O_DIRECTORY);
    REQUIRE(root_fd >= 0);

    auto opened = [&](const std::string& path, bool writing) {
        const int fd = tun::open_beneath(root_fd, path, writing);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        return fd;
    };
    CHECK(opened("/file", false) == 0);
    CHECK(opened("//./file", false) == 0);
    CHECK(opened("/in", false) == 0);
    CHECK(opened("/missing", false) == -404);
    CHECK(opened("/dir/missing", false) == -404);
    CHECK(opened("/../outside/secret", false) == -400);
    CHECK(opened("/dir/../file", false) == -400);
    CHECK(opened("/abs", false) == -403);
    CHECK(opened("/rel", false) == -403);
    CHECK(opened("/outdir/secret", false) == -403);
    CHECK(opened("/dir", false) == -403);
    CHECK(opened("/", false) == -403);
    CHECK(opened("relative", false) == -400);
    CHECK(opened("/outdir/planted", true) == -403);
    struct stat st {};
    CHECK(stat((base + "/outside/planted").c_str(), &st) != 0);  // nothing created outside
    CHECK(opened("/dir/new", true) == 0);
    CHECK(stat((root + "/dir/new").c_str(), &st) == 0);
    close(root_fd);
    const std::string cleanup = "rm -rf '" + base + "'";
    CHECK(system(cleanup.c_str()) == 0);
}
