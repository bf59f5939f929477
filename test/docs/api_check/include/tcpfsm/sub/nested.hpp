// A header in a subfolder (the checker walks include/tcpfsm recursively).
#ifndef TCPFSM_SUB_NESTED_HPP
#define TCPFSM_SUB_NESTED_HPP

namespace tcpfsm::sub {
struct in_subfolder {
    int field;
};
}  // namespace tcpfsm::sub

#endif  // TCPFSM_SUB_NESTED_HPP
