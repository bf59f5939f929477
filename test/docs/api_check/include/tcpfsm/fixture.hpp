// A fixture for tools/check_api_doc.py's self-test: C++ the way tcpfsm's headers write it.
// Not a real header: never included by anything. struct in_a_comment { int nope; };
#ifndef TCPFSM_FIXTURE_HPP
#define TCPFSM_FIXTURE_HPP

#include <cstdint>

#define TCPFSM_FIXTURE_VERSION 3
#define TCPFSM_DETAIL_HELPER(x) \
    ((x) + 1)
#ifdef TCPFSM_WITH_WIDGETS
#endif
#if 0
namespace tcpfsm { inline constexpr int disabled_name = 0; }
#endif

namespace outside {
struct not_tcpfsm {};
}  // namespace outside

namespace tcpfsm {

/* A block comment with a fake declaration: class commented_out { public: int x; }; */

enum class colour : std::uint8_t {
    red = 0,   // first
    green,     /* second */
    blue = 7,
};

enum plain { plain_a, plain_b = 2 };
enum class opaque : std::uint8_t;

[[nodiscard]] constexpr const char* spelled(colour c) noexcept {
    return c == colour::red ? "red { } ; // not a comment" : "other";
}

template <class T, std::size_t N = sizeof(T) * 2>
struct box {
    T items[N];
    std::uint32_t first = 0, second{1}, third = 3;
    static constexpr std::size_t capacity = N;

    constexpr box() noexcept : items{}, first{0} {}
    explicit constexpr box(T fill) noexcept : items{fill}, first(1) {}
    box(const box&) = default;
    box& operator=(const box&) = delete;
    ~box() = default;

    constexpr T& operator[](std::size_t i) noexcept { return items[i]; }
    constexpr bool operator()(int a,
                              int b) const noexcept {
        return a < b;
    }
    constexpr explicit operator bool() const noexcept { return N != 0; }
    template <class U>
    constexpr U converted(
        U scale) const noexcept;

    friend constexpr bool operator==(const box& a, const box& b) noexcept { return a.first == b.first; }
    friend struct box_access;
    friend bool declared_elsewhere(const box&) noexcept;

    using value_type = T;
    typedef T* pointer;

    struct nested {
        int visible;

    private:
        int hidden_in_nested;
    };

private:
    int secret_ = 0;
    struct private_nested {
        int not_public;
    };

public:
    void after_private() noexcept {}

protected:
    void for_derived() noexcept {}
};

template <class T, class... U>
box(T, U...) -> box<T, 1 + sizeof...(U)>;

class engine {
    int default_private_;

public:
    engine() noexcept = default;
    std::uint32_t
    multi_line_function(std::uint32_t a,
                        std::uint32_t b = static_cast<std::uint32_t>(sizeof(int))) const noexcept;
    static constexpr std::uint32_t limit = 7u;
    colour tint = colour::green;
};

inline constexpr std::uint32_t mask = 0xFFu, other_mask{0x0Fu};
inline constexpr char closing_brace = '}';
inline constexpr std::uint32_t million = 1'000'000;
inline constexpr const char* raw_text = R"x( } namespace detail { struct fake {}; )x";
inline constexpr bool same = std::is_same<box<int, 2>, box<int, 2>>::value;
template <class T>
inline constexpr bool is_box_v = false;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class T>
concept boxed = is_box_v<T>;
#endif

template <class T>
using box_of_four = box<T, 4>;

namespace detail {
struct hidden {
    int member;
};
constexpr int helper() noexcept { return 1; }
}  // namespace detail

namespace helpers {
constexpr int twice(int x) noexcept { return 2 * x; }
namespace detail {
inline constexpr int deep_hidden = 0;
}
}  // namespace helpers

namespace {
constexpr int unnamed_internal = 0;
}

constexpr int count_of(const char* s) noexcept;

std::uint32_t (*callback_for(int which))(int);

}  // namespace tcpfsm

#endif  // TCPFSM_FIXTURE_HPP
