// tcpfsm: the default allocator of the listener's storage, and the little of
// std::allocator_traits the library uses, without <memory> (which cost every translation
// unit of the whole library 412 M of g++'s instructions). A user allocator needs what the
// standard's Allocator requirements name for this: value_type, allocate(n), deallocate(p, n)
// and a converting constructor from the allocator rebound to another type; std::allocator
// and the allocators of the standard's model work as they are.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_ALLOCATOR_HPP
#define TCPFSM_ALLOCATOR_HPP

#include <cstddef>
#include <new>

namespace tcpfsm {

// Storage from ::operator new, aligned for T (over-aligned types through the align_val_t
// forms). Stateless: all instances compare equal.
template <class T>
struct default_allocator {
    using value_type = T;

    constexpr default_allocator() noexcept = default;
    template <class U>
    constexpr default_allocator(const default_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
            return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{alignof(T)}));
        } else {
            return static_cast<T*>(::operator new(n * sizeof(T)));
        }
    }
    void deallocate(T* p, std::size_t /*n*/) noexcept {
        if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
            ::operator delete(p, std::align_val_t{alignof(T)});
        } else {
            ::operator delete(p);
        }
    }

    friend constexpr bool operator==(const default_allocator&, const default_allocator&) noexcept { return true; }
    friend constexpr bool operator!=(const default_allocator&, const default_allocator&) noexcept { return false; }
};

namespace detail {

template <class...>
using void_type = void;

template <class Allocator, class U>
struct rebind_first_argument;
template <template <class, class...> class Alloc, class T, class... Args, class U>
struct rebind_first_argument<Alloc<T, Args...>, U> {
    using type = Alloc<U, Args...>;
};

// Allocator rebound to U, as std::allocator_traits<Allocator>::rebind_alloc<U>: its member
// rebind<U>::other if it has one, else Alloc<T, Args...> becomes Alloc<U, Args...>.
template <class Allocator, class U, class = void>
struct rebind_allocator : rebind_first_argument<Allocator, U> {};
template <class Allocator, class U>
struct rebind_allocator<Allocator, U, void_type<typename Allocator::template rebind<U>::other>> {
    using type = typename Allocator::template rebind<U>::other;
};

template <class Allocator, class U>
using rebind_allocator_t = typename rebind_allocator<Allocator, U>::type;

}  // namespace detail
}  // namespace tcpfsm

#endif  // TCPFSM_ALLOCATOR_HPP
