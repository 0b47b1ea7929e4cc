// Every route the mock serves, in one table: the handler routes with it and a
// test checks docs/openapi.yaml against it, so the two cannot drift apart.
#pragma once

#include <aigallery/error.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aigallery::mock {

enum class route_id {
    me,
    contents,
    content,
    versions,
    version,
    visibility,
    whitelist,
    dependents,
    health,
    accounts,
    reset,
    state,
    state_save,
    journal,
    faults,
    pact,
    provider_states,
    expectations,
    expectations_verify,
    iam_tokens,  // the IAM endpoint (gateway_auth.hpp), not under /v1
};

/// One route of the REST contract or the control API.
struct route {
    /// Which route.
    route_id id;
    std::string_view pattern;  ///< segments in braces match any one segment
    std::string_view allow;    ///< the methods, as the Allow header lists them
};

inline constexpr std::array<route, 20> routes{{
    {route_id::me, "/v1/aihub/me", "GET"},
    {route_id::contents, "/v1/aihub/contents", "GET, POST"},
    {route_id::content, "/v1/aihub/contents/{content_id}", "GET, DELETE"},
    {route_id::versions, "/v1/aihub/contents/{content_id}/versions", "POST"},
    {route_id::version, "/v1/aihub/contents/{content_id}/versions/{version_num}", "GET, DELETE"},
    {route_id::visibility, "/v1/aihub/contents/{content_id}/versions/{version_num}/visibility",
     "PUT"},
    {route_id::whitelist, "/v1/aihub/contents/{content_id}/versions/{version_num}/whitelist",
     "PATCH"},
    {route_id::dependents, "/v1/aihub/contents/{content_id}/versions/{version_num}/dependents",
     "GET"},
    {route_id::health, "/__mock/health", "GET"},
    {route_id::accounts, "/__mock/accounts", "GET, POST"},
    {route_id::reset, "/__mock/reset", "POST"},
    {route_id::state, "/__mock/state", "GET, PUT"},
    {route_id::state_save, "/__mock/state/save", "POST"},
    {route_id::journal, "/__mock/journal", "GET, DELETE"},
    {route_id::faults, "/__mock/faults", "GET, POST, DELETE"},
    {route_id::pact, "/__mock/pact", "GET"},
    {route_id::provider_states, "/__mock/provider-states", "POST"},
    {route_id::expectations, "/__mock/expectations", "GET, POST, DELETE"},
    {route_id::expectations_verify, "/__mock/expectations/verify", "POST"},
    {route_id::iam_tokens, "/v3/auth/tokens", "POST"},
}};

/// The route a path matched, with its parameters.
struct route_match {
    /// The route, or null when no path matched.
    route const* r = nullptr;
    /// The braced segments, decoded, in order (a route has at most two):
    /// views of the segments given to match_route(), valid as long as they are.
    std::array<std::string_view, 2> params{};
    /// Whether the route takes the request's method (else 405).
    bool method_allowed = false;
};

namespace route_tables {

/// A pattern split into its segments once, at compile time: matching then
/// compares segment counts and literal segments, with no parsing per request.
struct route_shape {
    std::array<std::string_view, 8> segments{};  ///< literal or "{name}", in order
    std::size_t count = 0;                       ///< how many of `segments` are used
};

/// Splits a pattern ("/v1/aihub/contents/{content_id}") into its shape.
constexpr route_shape shape_of(std::string_view pattern) {
    route_shape shape;
    std::string_view p = pattern.substr(1);
    while (!p.empty()) {
        auto slash = p.find('/');
        shape.segments[shape.count++] = p.substr(0, slash);
        p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
    }
    return shape;
}

/// The shape of each entry of `routes`, at the same index.
inline constexpr auto route_shapes = [] {
    std::array<route_shape, routes.size()> shapes{};
    for (std::size_t i = 0; i < routes.size(); ++i)
        shapes[i] = shape_of(routes[i].pattern);
    return shapes;
}();

}  // namespace route_tables

/// Matches decoded path segments (strings or string views) against the table.
template <class Segments>
std::optional<route_match> match_route(Segments const& segments, std::string_view method) {
    for (std::size_t i = 0; i < routes.size(); ++i) {
        auto const& shape = route_tables::route_shapes[i];
        if (shape.count != segments.size())
            continue;
        bool ok = true;
        for (std::size_t k = 0; ok && k < shape.count; ++k) {
            std::string_view const seg = shape.segments[k];
            ok = seg.front() == '{' ? !std::string_view(segments[k]).empty()
                                    : std::string_view(segments[k]) == seg;
        }
        if (!ok)
            continue;
        route_match m{&routes[i], {}, false};
        std::size_t n = 0;
        for (std::size_t k = 0; k < shape.count; ++k)
            if (shape.segments[k].front() == '{')
                m.params[n++] = std::string_view(segments[k]);
        std::string_view allow = routes[i].allow;
        while (!allow.empty()) {
            auto comma = allow.find(", ");
            if (allow.substr(0, comma) == method)
                m.method_allowed = true;
            allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 2);
        }
        return m;
    }
    return std::nullopt;
}

/// A request target split for routing (see parse_target()).
struct parsed_target {
    /// Decoded, viewing the target or `decoded`; a route's fit in place (no allocation).
    boost::container::small_vector<std::string_view, 8> segments;
    std::vector<std::pair<std::string, std::string>> query;  ///< the query parameters, decoded
    /// Decoded segments, when a path had escapes (a list: it allocates
    /// nothing while empty, and a move keeps its strings where they are).
    std::list<std::string> decoded;

    parsed_target() = default;
    /// Not copyable: `segments` views the target and `decoded`, and a copy's
    /// views would still point into the original. Moving keeps them valid
    /// (a moved list keeps its elements where they are).
    parsed_target(parsed_target const&) = delete;
    parsed_target& operator=(parsed_target const&) = delete;
    parsed_target(parsed_target&&) noexcept = default;             ///< keeps the views valid
    parsed_target& operator=(parsed_target&&) noexcept = default;  ///< keeps the views valid
    ~parsed_target() = default;
};

namespace route_tables {

/// Bytes a path segment may hold as they are (RFC 3986 pchar without
/// percent-escapes), one flag per byte.
inline constexpr auto plain_path_bytes = [] {
    std::array<bool, 256> ok{};
    for (int c = 'a'; c <= 'z'; ++c)
        ok[static_cast<unsigned char>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        ok[static_cast<unsigned char>(c)] = true;
    for (int c = '0'; c <= '9'; ++c)
        ok[static_cast<unsigned char>(c)] = true;
    for (char c : std::string_view("/-._~!$&'()*+,;=:@"))
        ok[static_cast<unsigned char>(c)] = true;
    return ok;
}();

}  // namespace route_tables

/// Whether a path holds only bytes a segment may hold as they are and no
/// segment Boost.URL treats specially ("//", "." or ".."): such a path
/// decodes to itself.
inline bool is_plain_path(std::string_view path) {
    if (!path.starts_with('/'))
        return false;
    // Pointers in locals: an index kept in memory made this loop the
    // largest part of splitting a target.
    char const* p = path.data() + 1;
    char const* const end = path.data() + path.size();
    char const* segment = p;  // where the current segment starts
    for (;; ++p) {
        if (p != end && *p != '/') {
            if (!route_tables::plain_path_bytes[static_cast<unsigned char>(*p)])
                return false;
            continue;
        }
        auto const length = p - segment;
        if ((length == 0 && p != end) || (length == 1 && segment[0] == '.') ||
            (length == 2 && segment[0] == '.' && segment[1] == '.'))
            return false;
        if (p == end)
            return true;
        segment = p + 1;
    }
}

/// Whether a query holds only a path's plain bytes (no '%', no '?') but
/// '+' (which a query decodes to a space), in non-empty parameters: such a
/// query splits on '&' and '=' exactly as Boost.URL splits it.
inline bool is_plain_query(std::string_view query) {
    if (query.empty() || query.front() == '&' || query.back() == '&')
        return false;
    char previous = 0;
    for (char c : query) {
        if (c == '+' || !route_tables::plain_path_bytes[static_cast<unsigned char>(c)] ||
            (c == '&' && previous == '&'))
            return false;
        previous = c;
    }
    return true;
}

/// Splits an origin-form target into decoded path segments and query
/// parameters, as Boost.URL does; throws 404 ModelArts.4042 when it is not one.
inline parsed_target parse_target(std::string_view target) {
    parsed_target t;
    auto const q = target.find('?');
    std::string_view const path = target.substr(0, q);
    std::string_view const query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    if (is_plain_path(path) && (q == std::string_view::npos || is_plain_query(query))) {
        // The common case, without a URL parser: split on '/' (and the
        // query on '&' and '='), as Boost.URL would, copying no segment.
        std::string_view rest = path.substr(1);
        while (!rest.empty()) {
            auto slash = rest.find('/');
            t.segments.push_back(rest.substr(0, slash));
            if (slash == std::string_view::npos)
                break;
            rest = rest.substr(slash + 1);
            if (rest.empty())
                t.segments.emplace_back();  // a trailing '/': one empty segment
        }
        rest = query;
        while (!rest.empty()) {
            auto amp = rest.find('&');
            std::string_view const param = rest.substr(0, amp);
            auto eq = param.find('=');
            t.query.emplace_back(
                std::string(param.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : std::string(param.substr(eq + 1)));
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        }
        return t;
    }
    auto u = boost::urls::parse_origin_form(target);
    if (!u)
        throw gallery_error(errc::no_such_route, "malformed request target");
    for (auto seg : u->segments())
        t.segments.push_back(t.decoded.emplace_back(seg));
    for (auto p : u->params())
        t.query.emplace_back(p.key, p.has_value ? p.value : std::string());
    return t;
}

}  // namespace aigallery::mock
