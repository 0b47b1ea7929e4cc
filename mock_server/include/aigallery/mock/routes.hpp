// Every route the mock serves, in one table: the handler routes with it and a
// test checks docs/openapi.yaml against it, so the two cannot drift apart.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
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

/// Matches decoded path segments against the table.
inline std::optional<route_match> match_route(std::vector<std::string> const& segments,
                                              std::string_view method) {
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
                params.push_back(segments[k]);
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

}  // namespace aigallery::mock
