// Every route the mock serves, in one table: the handler routes with it and a
// test checks docs/openapi.yaml against it, so the two cannot drift apart.
#pragma once

#include <aigallery/error.hpp>

#include <boost/url/parse.hpp>

#include <array>
#include <deque>
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
    std::vector<std::string> params;  ///< the braced segments, decoded, in order
    /// Whether the route takes the request's method (else 405).
    bool method_allowed = false;
};

/// Matches decoded path segments (strings or string views) against the table.
template <class Segments>
std::optional<route_match> match_route(Segments const& segments, std::string_view method) {
    for (auto const& r : routes) {
        // First only compare, copying nothing: most routes of the table fail
        // here, and this runs on every request.
        std::string_view p = r.pattern.substr(1);
        std::size_t i = 0;
        bool ok = true;
        while (ok && !p.empty()) {
            auto slash = p.find('/');
            std::string_view seg = p.substr(0, slash);
            p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
            if (i >= segments.size())
                ok = false;
            else if (seg.front() == '{')
                ok = !segments[i].empty();
            else
                ok = segments[i] == seg;
            ++i;
        }
        if (!ok || i != segments.size())
            continue;
        std::vector<std::string> params;
        params.reserve(2);
        p = r.pattern.substr(1);
        for (std::size_t k = 0; !p.empty(); ++k) {
            auto slash = p.find('/');
            if (p.front() == '{')
                params.emplace_back(segments[k]);
            p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
        }
        route_match m{&r, std::move(params), false};
        std::string_view allow = r.allow;
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
    std::vector<std::string_view> segments;  ///< decoded, viewing the target or `decoded`
    std::vector<std::pair<std::string, std::string>> query;  ///< the query parameters, decoded
    std::deque<std::string> decoded;  ///< decoded segments, when a path had escapes
};

// Bytes a path segment may hold as they are (RFC 3986 pchar without
// percent-escapes): a path of only these decodes to itself.
inline bool is_plain_path(std::string_view path) {
    for (char c : path) {
        bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view("/-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
        if (!ok)
            return false;
    }
    // Boost.URL treats "//", "." and ".." segments specially: leave those to it.
    return path.starts_with('/') && path.find("//") == std::string_view::npos &&
           path.find("/./") == std::string_view::npos && !path.ends_with("/.") &&
           path.find("/../") == std::string_view::npos && !path.ends_with("/..");
}

/// Splits an origin-form target into decoded path segments and query
/// parameters, as Boost.URL does; throws 404 ModelArts.4042 when it is not one.
inline parsed_target parse_target(std::string_view target) {
    parsed_target t;
    t.segments.reserve(8);
    if (is_plain_path(target)) {
        // The common case, without a URL parser: split on '/', as
        // Boost.URL would, with no copy of a segment.
        std::string_view rest = target.substr(1);
        while (!rest.empty()) {
            auto slash = rest.find('/');
            t.segments.push_back(rest.substr(0, slash));
            if (slash == std::string_view::npos)
                break;
            rest = rest.substr(slash + 1);
            if (rest.empty())
                t.segments.emplace_back();  // a trailing '/': one empty segment
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
