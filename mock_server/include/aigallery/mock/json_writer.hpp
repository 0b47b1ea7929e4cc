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

/// Appends `s` as a JSON string, escaped exactly as Boost.JSON's serializer
/// does: `"` and `\`, the short escapes \b \t \n \f \r, other control
/// characters as \u00xx (lowercase), everything else (UTF-8 included) as is.
inline void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(out.size() + s.size() + 2);
    out += '"';
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
    for (; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        out += '\\';
        switch (c) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '\b':
                out += 'b';
                break;
            case '\t':
                out += 't';
                break;
            case '\n':
                out += 'n';
                break;
            case '\f':
                out += 'f';
                break;
            case '\r':
                out += 'r';
                break;
            default:
                out += "u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
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
