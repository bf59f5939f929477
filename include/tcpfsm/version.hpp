// tcpfsm: library version (semantic versioning). Keep in step with project() in CMakeLists.txt.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_VERSION_HPP
#define TCPFSM_VERSION_HPP

#define TCPFSM_VERSION_MAJOR 0
#define TCPFSM_VERSION_MINOR 2
#define TCPFSM_VERSION_PATCH 0
#define TCPFSM_VERSION_STRING "0.2.0"

namespace tcpfsm {
struct version_info {
    int major;
    int minor;
    int patch;
    const char* string;
};
inline constexpr version_info version{TCPFSM_VERSION_MAJOR, TCPFSM_VERSION_MINOR, TCPFSM_VERSION_PATCH,
                                      TCPFSM_VERSION_STRING};
}  // namespace tcpfsm

#endif  // TCPFSM_VERSION_HPP
