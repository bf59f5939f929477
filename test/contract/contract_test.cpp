// The contracts of connection::receive(n) and connection::on_segment, checked through
// TCPFSM_ASSERT (contract.hpp) with a handler of this test's own. This is the only translation
// unit of its executable, so every use of the tcpfsm headers in the program sees this one
// definition of the macro (one definition rule); it is defined before the first tcpfsm header.
#include <cstdint>
#include <string>
#include <vector>

namespace contract_test {
inline std::vector<std::string> violations;
inline void violated(const char* message) { violations.emplace_back(message); }
}  // namespace contract_test

#define TCPFSM_ASSERT(condition, message) ((condition) ? static_cast<void>(0) : contract_test::violated(message))

#include <catch2/catch.hpp>

#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using contract_test::violations;
namespace ctl = tcpfsm::ctl;

TEST_CASE("contract: receive(n) at most the octets delivered and not yet received", "[contract]") {
    reset_time t;
    violations.clear();
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    b.receive(make(1000, 5000, ctl::ack | ctl::psh, 100));
    REQUIRE(b.rec.delivered == 100u);
    REQUIRE(b.conn->snapshot().receive_held == 100u);
    CHECK(b.conn->receive(60) == tcpfsm::user_error::none);  // 60 of 100
    CHECK(violations.empty());
    CHECK(b.conn->receive(40) == tcpfsm::user_error::none);  // the other 40: exactly what is held
    CHECK(violations.empty());
    CHECK(b.conn->receive(1) == tcpfsm::user_error::none);  // nothing held: broken
    REQUIRE(violations.size() == 1u);
    CHECK(violations[0] == "tcpfsm::connection::receive(n): n is more than the octets delivered and not yet received");
    // After the check the engine goes on as a release build does: it takes what it holds (0).
    CHECK(b.conn->snapshot().receive_held == 0u);
    // A state whose RECEIVE row refuses the call returns its error; no contract is involved.
    violations.clear();
    peer c({});
    CHECK(c.conn->receive(10) == tcpfsm::user_error::connection_does_not_exist);
    CHECK(violations.empty());
}

TEST_CASE("contract: on_segment's text_length at most 65535", "[contract]") {
    reset_time t;
    violations.clear();
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    std::vector<std::uint8_t> text(65535, 0x61);
    b.conn->on_segment(make(1000, 5000, ctl::ack, 65535), text.data());  // the largest: fine
    CHECK(violations.empty());
    b.conn->on_segment(make(1000, 5000, ctl::ack, 65536), nullptr);
    REQUIRE(violations.size() == 1u);
    CHECK(violations[0] == "tcpfsm::connection::on_segment: text_length beyond the largest segment (65535)");
    CHECK(tcpfsm::max_segment_text == 65535u);
}
