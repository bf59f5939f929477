// tcpfsm: TCPFSM_ASSERT(condition, message), the one macro through which the library checks
// the contracts of its calls (what a caller must never do, such as receive(n) beyond what was
// delivered). By default it is the standard assert: checked in debug builds, nothing under
// NDEBUG. To handle a broken contract yourself (log it, count it, trap), define
// TCPFSM_ASSERT(condition, message) before the first tcpfsm header, and define it the same way
// in every translation unit of the program (the library is header-only: two definitions in
// one program break the one-definition rule). `message` is a string literal. The library goes
// on after a failed check as it does in a release build (documented per contract).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONTRACT_HPP
#define TCPFSM_CONTRACT_HPP

#ifndef TCPFSM_ASSERT
#include <cassert>
#define TCPFSM_ASSERT(condition, message) assert((condition) && (message))
#endif

#endif  // TCPFSM_CONTRACT_HPP
