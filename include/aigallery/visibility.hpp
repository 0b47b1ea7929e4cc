// Who can see a version (docs/semantics.md, "Visibility").
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

namespace aigallery {

enum class visibility { private_, group, public_ };

constexpr std::string_view to_string(visibility v) noexcept {
    switch (v) {
        case visibility::group:
            return "group";
        case visibility::public_:
            return "public";
        default:
            return "private";
    }
}

constexpr std::optional<visibility> parse_visibility(std::string_view s) noexcept {
    if (s == "private")
        return visibility::private_;
    if (s == "group")
        return visibility::group;
    if (s == "public")
        return visibility::public_;
    return std::nullopt;
}

inline std::ostream& operator<<(std::ostream& os, visibility v) {
    return os << to_string(v);
}

}  // namespace aigallery
