// Syntax and size rules of the contract that the client checks before a
// request and the mock server checks on arrival: one definition for both.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace aigallery {

namespace limits {
inline constexpr std::size_t title_max = 128;          // code points
inline constexpr std::size_t desc_max = 2000;          // code points
inline constexpr std::size_t whitelist_max = 10000;    // after folding duplicates
inline constexpr std::size_t source_max = 256 * 1024;  // bytes of serialized JSON
inline constexpr std::size_t dependencies_max = 100;
inline constexpr std::size_t id_max = 64;
inline constexpr std::size_t idempotency_key_max = 255;
inline constexpr std::size_t body_max = 1024 * 1024;  // /v1 request bodies
}  // namespace limits

/// Bad input echoed in an error message: at most `max` bytes, control bytes
/// and bytes that are not UTF-8 shown as '?', cut only between characters, so
/// a message never carries a terminal escape or a newline and is always valid
/// in a JSON answer.
inline std::string printable(std::string_view s, std::size_t max = 64) {
    std::string r;
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        // The length of a well-formed UTF-8 sequence starting here, or 0.
        std::size_t n = 0;
        if (c < 0x80)
            n = 1;
        else if (c >= 0xc2 && c <= 0xdf)
            n = 2;
        else if (c >= 0xe0 && c <= 0xef)
            n = 3;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 4;
        if (n > 1 && i + n <= s.size()) {
            auto const b1 = static_cast<unsigned char>(s[i + 1]);
            bool ok = (b1 & 0xc0) == 0x80;
            for (std::size_t k = 2; ok && k < n; ++k)
                ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
            // no overlong forms, no surrogates, nothing above U+10FFFF
            ok = ok && !(c == 0xe0 && b1 < 0xa0) && !(c == 0xed && b1 > 0x9f) &&
                 !(c == 0xf0 && b1 < 0x90) && !(c == 0xf4 && b1 > 0x8f);
            if (!ok)
                n = 0;
        } else if (n > 1) {
            n = 0;
        }
        std::size_t const width = n == 0 ? 1 : n;
        if (r.size() + width > max)
            break;
        if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f)))
            r += '?';
        else
            r.append(s.substr(i, n));
        i += width;
    }
    if (i < s.size())
        r += "...";
    return r;
}

/// A domain_id is exactly 32 lowercase hexadecimal characters.
constexpr bool is_valid_domain_id(std::string_view s) noexcept {
    if (s.size() != 32)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

/// content_id and version_id: 1 to 64 of [A-Za-z0-9-].
constexpr bool is_valid_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > limits::id_max)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-'))
            return false;
    return true;
}

/// Idempotency-Key: 1 to 255 printable ASCII characters.
constexpr bool is_valid_idempotency_key(std::string_view s) noexcept {
    if (s.empty() || s.size() > limits::idempotency_key_max)
        return false;
    for (char c : s)
        if (c < 0x20 || c > 0x7e)
            return false;
    return true;
}

/// Code points in valid UTF-8 (the JSON parser has already rejected invalid UTF-8).
constexpr std::size_t code_points(std::string_view s) noexcept {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++n;
    return n;
}

constexpr bool has_c0_control(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20)
            return true;
    return false;
}

/// Why a title is refused (nullopt when it is fine); the caller names the field.
constexpr std::optional<std::string_view> title_problem(std::string_view t) noexcept {
    std::size_t n = code_points(t);
    if (n == 0 || n > limits::title_max)
        return "must be 1 to 128 characters";
    if (has_c0_control(t))
        return "must not contain control characters";
    return std::nullopt;
}

}  // namespace aigallery
