// tcpfsm: empty-base holders, so that empty policies take no room (C++17 has no
// [[no_unique_address]]; TCPFSM_NO_UNIQUE_ADDRESS uses it where g++ and clang offer it).
// Internal to the engine.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_EBO_HPP
#define TCPFSM_DETAIL_EBO_HPP

#include <type_traits>

// [[no_unique_address]] on a member (C++20) lets the next members use its tail padding and
// makes an empty member take no room. g++ and clang accept it in C++17 mode without a
// warning, and lay out as the Itanium C++ ABI says; elsewhere it is left out (larger TCB,
// same behaviour). The engine's TCB uses it (docs/engine.md, "TCB size").
#ifndef TCPFSM_NO_UNIQUE_ADDRESS
#if defined(__has_cpp_attribute) && !defined(_MSC_VER)
#if __has_cpp_attribute(no_unique_address)
#define TCPFSM_NO_UNIQUE_ADDRESS [[no_unique_address]]
#endif
#endif
#endif
#ifndef TCPFSM_NO_UNIQUE_ADDRESS
#define TCPFSM_NO_UNIQUE_ADDRESS
#endif

namespace tcpfsm {

namespace detail {
// Empty-base holders, so that empty policies take no room (C++17 has no [[no_unique_address]]).
template <int Tag, class T, bool Empty = std::is_empty<T>::value && !std::is_final<T>::value>
struct ebo : private T {
    constexpr ebo() = default;
    constexpr explicit ebo(T value) : T(static_cast<T&&>(value)) {}
    T& get() noexcept { return *this; }
    const T& get() const noexcept { return *this; }
};
template <int Tag, class T>
struct ebo<Tag, T, false> {
    T value_;
    constexpr ebo() = default;
    constexpr explicit ebo(T value) : value_(static_cast<T&&>(value)) {}
    T& get() noexcept { return value_; }
    const T& get() const noexcept { return value_; }
};
}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_EBO_HPP
