// x.y.z version numbers: the one place that parses, prints, orders and bumps
// them (docs/semantics.md, "Version numbers").
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/validation.hpp>

#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace aigallery {

enum class bump_kind { patch, minor, major };

constexpr std::string_view to_string(bump_kind b) noexcept {
    switch (b) {
        case bump_kind::minor:
            return "minor";
        case bump_kind::major:
            return "major";
        default:
            return "patch";
    }
}

constexpr std::optional<bump_kind> parse_bump(std::string_view s) noexcept {
    if (s == "patch")
        return bump_kind::patch;
    if (s == "minor")
        return bump_kind::minor;
    if (s == "major")
        return bump_kind::major;
    return std::nullopt;
}

/// Why a string is not a version; `none` when it is one.
enum class version_syntax {
    none,
    empty,
    not_three_parts,
    bad_character,
    empty_part,
    leading_zero,
    too_large,
};

constexpr std::string_view describe(version_syntax s) noexcept {
    switch (s) {
        case version_syntax::empty:
            return "it is empty";
        case version_syntax::not_three_parts:
            return "it does not have three parts x.y.z";
        case version_syntax::bad_character:
            return "only digits and two dots are allowed";
        case version_syntax::empty_part:
            return "a part is empty";
        case version_syntax::leading_zero:
            return "a part has a leading zero";
        case version_syntax::too_large:
            return "a part exceeds 4294967295";
        default:
            return "it is valid";
    }
}

/// A version number `x.y.z` (docs/semantics.md, "Version numbers"): parsed strictly, ordered
/// numerically, bumped without wrapping.
class version_number {
public:
    /// The largest value of each part.
    static constexpr std::uint32_t max_part = 4294967295u;

    constexpr version_number() noexcept = default;
    /// From its three parts.
    constexpr version_number(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) noexcept
        : major_(major), minor_(minor), patch_(patch) {}

    // Implicit from text, so every API that takes a version also takes "1.0.1";
    // malformed text throws gallery_error ModelArts.4002.
    /// From text; throws `gallery_error` ModelArts.4002 when it is not `x.y.z`.
    version_number(char const* s) : version_number(parse_or_throw(s)) {}  // NOLINT
    /// From text; throws `gallery_error` ModelArts.4002 when it is not `x.y.z`.
    version_number(std::string const& s) : version_number(parse_or_throw(s)) {}  // NOLINT
    /// From text; throws `gallery_error` ModelArts.4002 when it is not `x.y.z`.
    version_number(std::string_view s) : version_number(parse_or_throw(s)) {}  // NOLINT

    /// The first part.
    constexpr std::uint32_t major_part() const noexcept { return major_; }
    /// The second part.
    constexpr std::uint32_t minor_part() const noexcept { return minor_; }
    /// The third part.
    constexpr std::uint32_t patch_part() const noexcept { return patch_; }

    /// Strict syntax check: the reason `s` is not a version, or `none`.
    static constexpr version_syntax check(std::string_view s) noexcept {
        version_number ignored;
        return scan(s, ignored);
    }

    /// From text, or nullopt when it is not `x.y.z`.
    static constexpr std::optional<version_number> parse(std::string_view s) noexcept {
        version_number v;
        if (scan(s, v) != version_syntax::none)
            return std::nullopt;
        return v;
    }

    /// Parses, or throws ModelArts.4002 naming `field` and the bad text.
    static version_number parse_or_throw(std::string_view s, std::string_view field = "version") {
        version_number v;
        if (auto why = scan(s, v); why != version_syntax::none)
            throw gallery_error(errc::bad_version,
                                std::string(field) + " '" + printable(s) +
                                    "' is not a version x.y.z: " + std::string(describe(why)));
        return v;
    }

    /// The next version, or nullopt when the bumped part is already at its maximum.
    constexpr std::optional<version_number> bumped(bump_kind kind) const noexcept {
        switch (kind) {
            case bump_kind::major:
                if (major_ == max_part)
                    return std::nullopt;
                return version_number(major_ + 1, 0, 0);
            case bump_kind::minor:
                if (minor_ == max_part)
                    return std::nullopt;
                return version_number(major_, minor_ + 1, 0);
            default:
                if (patch_ == max_part)
                    return std::nullopt;
                return version_number(major_, minor_, patch_ + 1);
        }
    }

    /// As `bumped`, but overflow is the server's ModelArts.4090.
    version_number bump(bump_kind kind) const {
        if (auto v = bumped(kind))
            return *v;
        throw gallery_error(errc::version_conflict,
                            "cannot bump " + std::string(aigallery::to_string(kind)) + " of " +
                                to_string() + ": the part is already 4294967295");
    }

    /// An ETag or If-Match value: a quoted version `"x.y.z"` (a bare version
    /// is accepted too); nullopt for anything else.
    static std::optional<version_number> parse_entity_tag(std::string_view v) noexcept {
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
            v = v.substr(1, v.size() - 2);
        return parse(v);
    }

    /// The text `x.y.z`.
    std::string to_string() const {
        std::string s;
        append_to(s);
        return s;
    }

    /// The longest `x.y.z`: three parts of up to 10 digits and two dots.
    static constexpr std::size_t max_text_size = 32;

    /// Writes `x.y.z` at `p`, which has room for max_text_size bytes;
    /// returns the end of what was written.
    char* write_to(char* p) const noexcept {
        p = std::to_chars(p, p + 10, major_).ptr;  // 4294967295 at most
        *p++ = '.';
        p = std::to_chars(p, p + 10, minor_).ptr;
        *p++ = '.';
        return std::to_chars(p, p + 10, patch_).ptr;
    }

    /// Appends `x.y.z` to `out`, with no string of its own in between.
    void append_to(std::string& out) const {
        char text[max_text_size];
        out.append(text, write_to(text));
    }

    /// Numeric order, part by part.
    friend constexpr auto operator<=>(version_number const&, version_number const&) = default;
    /// Equal parts.
    friend constexpr bool operator==(version_number const&, version_number const&) = default;

    /// Prints `x.y.z`.
    friend std::ostream& operator<<(std::ostream& os, version_number const& v) {
        return os << v.major_ << '.' << v.minor_ << '.' << v.patch_;
    }

private:
    static constexpr version_syntax scan(std::string_view s, version_number& out) noexcept {
        if (s.empty())
            return version_syntax::empty;
        std::uint32_t parts[3] = {0, 0, 0};
        int index = 0;
        std::size_t digits = 0;
        std::uint64_t acc = 0;
        bool leading_zero = false;
        for (std::size_t i = 0; i <= s.size(); ++i) {
            if (i == s.size() || s[i] == '.') {
                if (digits == 0)
                    return version_syntax::empty_part;
                if (index == 3)
                    return version_syntax::not_three_parts;
                parts[index++] = static_cast<std::uint32_t>(acc);
                digits = 0;
                acc = 0;
                leading_zero = false;
                continue;
            }
            char c = s[i];
            if (c < '0' || c > '9')
                return version_syntax::bad_character;
            if (leading_zero)
                return version_syntax::leading_zero;
            if (digits == 0 && c == '0')
                leading_zero = true;
            acc = acc * 10 + static_cast<std::uint64_t>(c - '0');
            if (acc > max_part)
                return version_syntax::too_large;
            ++digits;
        }
        if (index != 3)
            return version_syntax::not_three_parts;
        out = version_number(parts[0], parts[1], parts[2]);
        return version_syntax::none;
    }

    std::uint32_t major_ = 0;
    std::uint32_t minor_ = 0;
    std::uint32_t patch_ = 0;
};

inline std::string to_string(version_number const& v) {
    return v.to_string();
}

}  // namespace aigallery
