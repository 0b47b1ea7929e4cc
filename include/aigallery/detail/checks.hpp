// The checks the library makes before any request, with the code and the
// field-naming message the server would give: shared by the planners and the
// single REST calls.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/validation.hpp>
#include <aigallery/visibility.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace aigallery::detail {

inline std::optional<error> check_users(std::string_view field,
                                        std::vector<std::string> const& users) {
    for (std::size_t i = 0; i < users.size(); ++i)
        if (!is_valid_domain_id(users[i]))
            return error(gallery_error(
                errc::bad_domain_id, "field '" + std::string(field) + "[" + std::to_string(i) +
                                         "]' = '" + printable(users[i], 80) +
                                         "': a domain_id is 32 lowercase hexadecimal characters"));
    // counted after folding duplicates, as the server counts
    if (users.size() > limits::whitelist_max &&
        std::set<std::string>(users.begin(), users.end()).size() > limits::whitelist_max)
        return error(gallery_error(errc::limit_exceeded,
                                   "field '" + std::string(field) + "': at most 10000 users"));
    return std::nullopt;
}

/// The seed makes group_users mandatory with group, and meaningless without.
inline std::optional<error> check_sharing(std::optional<visibility> vis,
                                          std::optional<std::vector<std::string>> const& users,
                                          bool explicit_vis) {
    if (explicit_vis && vis == visibility::group && (!users || users->empty()))
        return error(
            gallery_error(errc::bad_group_users,
                          "field 'group_users': required (non-empty) with visibility group"));
    if (users && vis && *vis != visibility::group)
        return error(gallery_error(errc::bad_group_users,
                                   "field 'group_users': only with visibility group, not " +
                                       std::string(to_string(*vis))));
    if (users)
        return check_users("group_users", *users);
    return std::nullopt;
}

inline void throw_if(std::optional<error> const& e) {
    if (e)
        e->raise();
}

/// A title (1-128 characters, no control characters) or a desc (at most
/// 2,000), refused with the code the server would give.
inline void check_text(std::string const& field, std::string const& text, bool is_title) {
    std::string shown = "field '" + field + "' = '" + printable(text, 80) + "': ";
    if (is_title && has_c0_control(text))
        throw gallery_error(errc::bad_request, shown + "must not contain control characters");
    auto n = code_points(text);
    if (is_title && (n == 0 || n > limits::title_max))
        throw gallery_error(errc::limit_exceeded, shown + "must be 1 to 128 characters");
    if (!is_title && n > limits::desc_max)
        throw gallery_error(errc::limit_exceeded, shown + "at most 2000 characters");
}

inline void check_source(std::string const& field, boost::json::object const& source) {
    if (boost::json::serialize(source).size() > limits::source_max)
        throw gallery_error(errc::limit_exceeded,
                            "field '" + field + "': its JSON exceeds 262144 bytes");
}

/// Users as the server stores them: sorted, without duplicates, without the owner.
inline std::vector<std::string> fold(std::vector<std::string> users, std::string const& owner) {
    users.erase(std::remove(users.begin(), users.end(), owner), users.end());
    std::sort(users.begin(), users.end());
    users.erase(std::unique(users.begin(), users.end()), users.end());
    return users;
}

/// An answer that breaks the contract: 502 HTTP.BadAnswer naming what.
[[noreturn]] inline void bad_answer(std::string const& what) {
    throw gallery_error(502, "HTTP.BadAnswer",
                        "the gallery's answer does not match the contract: " + what);
}

inline visibility visibility_of(std::string const& text) {
    auto v = parse_visibility(text);
    if (!v)
        bad_answer("visibility '" + printable(text, 40) + "'");
    return *v;
}

}  // namespace aigallery::detail
