// Response bodies written straight into one string, without a JSON DOM in
// between: wire::serialize() builds a boost::json::value (an allocation per
// key, string and object) and then prints it, which was most of the mock's
// cost per request. This writer walks the same Boost.Describe descriptions
// and prints byte for byte what wire::serialize() prints (tests/fast_paths_test.cpp
// checks it), so the two can never disagree on the contract.
#pragma once

#include <aigallery/detail/strict_json.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aigallery::mock::json_writer {

/// The most bytes write_json_string() writes for `n` bytes of text: the
/// quotes, and every byte escaped as \u00xx.
constexpr std::size_t json_string_bound(std::size_t n) noexcept {
    return 6 * n + 2;
}

/// Writes `s` at `p` as a JSON string, escaped exactly as Boost.JSON's
/// serializer does: `"` and `\`, the short escapes \b \t \n \f \r, other
/// control characters as \u00xx (lowercase), everything else (UTF-8
/// included) as is. `p` has room for json_string_bound(s.size()) bytes;
/// returns the end of what was written.
inline char* write_json_string(char* p, std::string_view s) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    *p++ = '"';
    std::size_t run = 0;  // start of the pending stretch that needs no escape
    std::size_t i = 0;
    // Eight bytes at a time while none of them needs an escape: no byte
    // below 0x20, no '"' and no '\\' (the usual id, title or description
    // has none, and is copied in one piece).
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    auto has_zero = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, s.data() + i, 8);
        // (x - 0x20 per byte) & ~x sets a byte's high bit when it is below
        // 0x20 (bytes at 0x80 and above leave it clear through ~x).
        auto const control = (x - 0x20 * ones) & ~x & highs;
        if (control | has_zero(x ^ (0x22 * ones)) | has_zero(x ^ (0x5c * ones)))
            break;  // this stretch has one: byte by byte from here
    }
    auto flush = [&](std::size_t to) {
        if (to > run)  // never memcpy from the null data() of an empty view
            std::memcpy(p, s.data() + run, to - run);
        p += to - run;
    };
    for (; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        flush(i);
        run = i + 1;
        *p++ = '\\';
        switch (c) {
            case '"':
            case '\\':
                *p++ = static_cast<char>(c);
                break;
            case '\b':
                *p++ = 'b';
                break;
            case '\t':
                *p++ = 't';
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\f':
                *p++ = 'f';
                break;
            case '\r':
                *p++ = 'r';
                break;
            default:
                std::memcpy(p, "u00", 3);
                p[3] = hex[c >> 4];
                p[4] = hex[c & 15];
                p += 5;
        }
    }
    flush(s.size());
    *p++ = '"';
    return p;
}

/// Appends `s` as a JSON string (see write_json_string()).
inline void append_json_string(std::string& out, std::string_view s) {
    auto const at = out.size();
    out.resize(at + json_string_bound(s.size()));
    out.resize(static_cast<std::size_t>(write_json_string(out.data() + at, s) - out.data()));
}

/// Writes `s` at `p` as it is (a literal, or text known to need no
/// escape); returns the end.
inline char* write_raw(char* p, std::string_view s) noexcept {
    if (!s.empty())
        std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

/// Appends a string value.
inline void append_json(std::string& out, std::string const& s) {
    append_json_string(out, s);
}

/// Appends true or false.
inline void append_json(std::string& out, bool b) {
    out += b ? "true" : "false";
}

/// Appends an integer in decimal, as Boost.JSON prints an int64 or uint64.
template <class I>
requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) void append_json(std::string& out,
                                                                             I n) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

/// Appends an object held as a DOM (a version's free-form `source`).
inline void append_json(std::string& out, boost::json::object const& o) {
    if (o.empty())
        out += "{}";  // the common case: no source
    else
        out += boost::json::serialize(o);
}

/// Appends any value held as a DOM.
inline void append_json(std::string& out, boost::json::value const& v) {
    out += boost::json::serialize(v);
}

template <class T>
void append_json(std::string& out, std::vector<T> const& v);
template <aigallery::detail::described T>
void append_json(std::string& out, T const& t);

/// Appends an array of the items.
template <class T>
void append_json(std::string& out, std::vector<T> const& v) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i)
            out += ',';
        append_json(out, v[i]);
    }
    out += ']';
}

/// A described struct as an object, members in declaration order, an absent
/// optional left out: the mapping of detail::write().
template <aigallery::detail::described T>
void append_json(std::string& out, T const& t) {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    out += '{';
    bool first = true;
    boost::mp11::mp_for_each<members>([&](auto d) {
        auto const& member = t.*d.pointer;
        using M = std::remove_cvref_t<decltype(member)>;
        constexpr std::string_view name = decltype(d)::name;  // its length known here
        auto key = [&] {
            if (!first)
                out += ',';
            first = false;
            out += '"';
            out.append(name);  // member names need no escaping
            out += "\":";
        };
        if constexpr (aigallery::detail::is_optional<M>::value) {
            if (member) {
                key();
                append_json(out, *member);
            }
        } else {
            key();
            append_json(out, member);
        }
    });
    out += '}';
}

/// The body of any wire type, as wire::serialize() would print it.
template <class T>
std::string to_json(T const& t) {
    std::string out;
    out.reserve(512);  // a version, an error: one allocation
    append_json(out, t);
    return out;
}

}  // namespace aigallery::mock::json_writer
