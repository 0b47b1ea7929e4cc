// Expectations on what an application sent, WireMock-style: a request
// pattern and how many requests must match it, checked against the journal.
// A failure says what was expected, how many matched, and which requests
// came closest and why each one missed, so a red test shows what was sent
// instead.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/mock/journal.hpp>
#include <aigallery/validation.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aigallery::mock {

/// Which requests an expectation counts; every given criterion must hold.
struct request_pattern {
    std::optional<std::string> method{};       ///< exact, e.g. "POST"
    std::optional<std::string> path{};         ///< the exact path, without the query
    std::optional<std::string> path_prefix{};  ///< the path starts with this
    std::optional<int> status{};               ///< the status the mock answered
    std::optional<std::string> account{};      ///< the caller's account name
    /// Each (key, value): the request's JSON body holds `value` at `key` (a
    /// top-level member name, or a JSON Pointer when it starts with '/').
    /// Objects match when they hold at least the given members, arrays when
    /// they hold at least the given elements, anything else when equal.
    std::vector<std::pair<std::string, boost::json::value>> body_contains{};

    /// The pattern as a short line, e.g. `POST path_prefix=/v1/aihub/contents`.
    std::string describe() const {
        std::string s;
        auto add = [&](std::string const& part) { s += (s.empty() ? "" : " ") + part; };
        add(method.value_or("any method"));
        if (path)
            add("path=" + *path);
        if (path_prefix)
            add("path_prefix=" + *path_prefix);
        if (status)
            add("status=" + std::to_string(*status));
        if (account)
            add("account=" + *account);
        for (auto const& [k, v] : body_contains)
            add("body " + k + "=" + boost::json::serialize(v));
        return s;
    }
};

/// How many matching requests an expectation wants: from `min` to `max`.
struct count_rule {
    std::size_t min = 1;                                        ///< fewest matching requests
    std::size_t max = std::numeric_limits<std::size_t>::max();  ///< most matching requests

    /// Whether n matching requests satisfy the rule.
    bool accepts(std::size_t n) const noexcept { return n >= min && n <= max; }

    /// "exactly 1", "at least 2", "at most 3", "never", "between 1 and 3".
    std::string describe() const {
        constexpr auto unbounded = std::numeric_limits<std::size_t>::max();
        if (max == 0)
            return "never";
        if (min == max)
            return "exactly " + std::to_string(min);
        if (max == unbounded)
            return "at least " + std::to_string(min);
        if (min == 0)
            return "at most " + std::to_string(max);
        return "between " + std::to_string(min) + " and " + std::to_string(max);
    }
};

/// Exactly n matching requests.
inline count_rule times(std::size_t n) {
    return {n, n};
}
/// n or more matching requests.
inline count_rule at_least(std::size_t n) {
    return {n, std::numeric_limits<std::size_t>::max()};
}
/// At most n matching requests (none is fine).
inline count_rule at_most(std::size_t n) {
    return {0, n};
}
/// No matching request at all.
inline count_rule never() {
    return {0, 0};
}

/// The outcome of checking one or more expectations.
struct verification {
    bool met = true;          ///< every expectation held
    std::size_t matched = 0;  ///< requests that matched (the first failed expectation's)
    /// Empty when met; else what was expected, what was seen, and the closest
    /// requests with the reason each missed.
    std::string message;
    /// The closest requests, one line each (also inside `message`).
    std::vector<std::string> closest;
};

namespace contract_detail {

/// Whether `actual` holds `expected` in the sense of request_pattern::body_contains.
inline bool json_contains(boost::json::value const& actual, boost::json::value const& expected) {
    if (expected.is_object() && actual.is_object()) {
        for (auto const& [k, v] : expected.get_object()) {
            auto const* a = actual.get_object().if_contains(k);
            if (!a || !json_contains(*a, v))
                return false;
        }
        return true;
    }
    if (expected.is_array() && actual.is_array()) {
        for (auto const& e : expected.get_array())
            if (std::none_of(actual.get_array().begin(), actual.get_array().end(),
                             [&](boost::json::value const& a) { return json_contains(a, e); }))
                return false;
        return true;
    }
    if (expected.is_number() && actual.is_number())
        return expected == actual ||
               (expected.is_double() || actual.is_double()
                    ? expected.to_number<double>() == actual.to_number<double>()
                    : false);
    return expected == actual;
}

/// Why a record misses a pattern, one short reason per failed criterion
/// (empty: it matches).
inline std::vector<std::string> misses(request_pattern const& p, journal_record const& r) {
    std::vector<std::string> why;
    if (p.method && r.method != *p.method)
        why.push_back("method " + r.method + ", not " + *p.method);
    if (p.path && r.path() != *p.path)
        why.push_back("path " + std::string(r.path()) + ", not " + *p.path);
    if (p.path_prefix && !r.path().starts_with(*p.path_prefix))
        why.push_back("path " + std::string(r.path()) + " does not start with " + *p.path_prefix);
    if (p.status && r.status != *p.status)
        why.push_back("status " + std::to_string(r.status) + ", not " + std::to_string(*p.status));
    if (p.account && r.account != p.account)
        why.push_back("account " + r.account.value_or("(unknown)") + ", not " + *p.account);
    if (!p.body_contains.empty()) {
        boost::json::value body;
        boost::system::error_code ec;
        if (r.request.body_truncated)
            ec = make_error_code(boost::system::errc::message_size);
        else
            body = boost::json::parse(r.request.body_text(), ec);
        for (auto const& [k, v] : p.body_contains) {
            if (ec) {
                why.push_back(r.request.body_text().empty() ? "no body"
                              : r.request.body_truncated    ? "body was cut in the journal"
                                                            : "body is not JSON");
                break;
            }
            boost::json::value const* at = nullptr;
            if (k.starts_with('/')) {
                boost::system::error_code pec;
                at = body.find_pointer(k, pec);
            } else if (auto const* o = body.if_object()) {
                at = o->if_contains(k);
            }
            if (!at)
                why.push_back("body has no " + k);
            else if (!json_contains(*at, v))
                why.push_back("body " + k + " is " + printable(boost::json::serialize(*at), 80) +
                              ", not " + boost::json::serialize(v));
        }
    }
    return why;
}

/// A journal entry as one line: `#7 POST /v1/aihub/contents -> 201 (alice)`.
inline std::string one_line(journal_record const& r) {
    return "#" + std::to_string(r.seq) + " " + r.method + " " + printable(r.target, 120) + " -> " +
           std::to_string(r.status) + (r.account ? " (" + *r.account + ")" : "");
}

}  // namespace contract_detail

/// Checks a pattern and a count against journal entries; on failure lists up
/// to `closest_max` requests that missed by the fewest criteria (then the
/// longest shared path, then the most recent).
inline verification verify_requests(std::vector<journal_record> const& seen,
                                    request_pattern const& p, count_rule rule,
                                    std::size_t closest_max = 3) {
    verification v;
    struct near {
        std::size_t misses, shared_path;
        std::uint64_t seq;
        std::string line;
    };
    std::vector<near> nearest;
    for (auto const& r : seen) {
        auto why = contract_detail::misses(p, r);
        if (why.empty()) {
            ++v.matched;
            continue;
        }
        std::string want = p.path ? *p.path : p.path_prefix.value_or("");
        auto path = r.path();
        std::size_t shared = 0;
        while (shared < want.size() && shared < path.size() && want[shared] == path[shared])
            ++shared;
        std::string line = contract_detail::one_line(r) + ": ";
        for (std::size_t i = 0; i < why.size(); ++i)
            line += (i ? "; " : "") + why[i];
        nearest.push_back({why.size(), shared, r.seq, std::move(line)});
    }
    v.met = rule.accepts(v.matched);
    if (v.met)
        return v;
    std::sort(nearest.begin(), nearest.end(), [](near const& a, near const& b) {
        if (a.misses != b.misses)
            return a.misses < b.misses;
        if (a.shared_path != b.shared_path)
            return a.shared_path > b.shared_path;
        return a.seq > b.seq;
    });
    v.message = "expected " + rule.describe() + " request" + (rule.max == 1 ? "" : "s") +
                " matching " + p.describe() + ", saw " + std::to_string(v.matched) + " (of " +
                std::to_string(seen.size()) + " in the journal)";
    if (v.matched > rule.max) {
        v.message += ": too many";
        return v;
    }
    if (nearest.empty()) {
        v.message += "; the journal holds no other request";
        return v;
    }
    v.message += "; closest requests:";
    for (std::size_t i = 0; i < nearest.size() && i < closest_max; ++i) {
        v.closest.push_back(nearest[i].line);
        v.message += "\n  " + nearest[i].line;
    }
    return v;
}

/// Reads a pattern and its count from a JSON object (the REST form):
/// `{"method":"POST","path_prefix":"/v1/aihub/contents","body_contains":{"visibility":"group"},
///   "times":1}`; the count is one of `times`, `at_least`, `at_most` (default
/// at_least 1). Throws gallery_error 400 naming the field.
inline std::pair<request_pattern, count_rule> pattern_from_json(boost::json::value const& v) {
    auto bad = [](std::string const& field, std::string_view why) {
        throw gallery_error(errc::bad_request, "field '" + field + "': " + std::string(why));
    };
    auto const* o = v.if_object();
    if (!o)
        throw gallery_error(errc::bad_request, "body: a JSON object is required");
    request_pattern p;
    std::optional<count_rule> rule;
    auto text = [&](std::string const& k, boost::json::value const& x) {
        if (!x.is_string() || x.get_string().empty())
            bad(k, "must be a non-empty string");
        return std::string(x.get_string());
    };
    auto count = [&](std::string const& k, boost::json::value const& x) {
        if (!x.is_int64() && !x.is_uint64())
            bad(k, "must be a whole number from 0");
        if (x.is_int64() && x.get_int64() < 0)
            bad(k, "must be a whole number from 0");
        if (rule)
            bad(k, "give only one of times, at_least, at_most");
        return static_cast<std::size_t>(x.to_number<std::uint64_t>());
    };
    for (auto const& [key, x] : *o) {
        std::string k(key);
        if (k == "method")
            p.method = text(k, x);
        else if (k == "path")
            p.path = text(k, x);
        else if (k == "path_prefix")
            p.path_prefix = text(k, x);
        else if (k == "account")
            p.account = text(k, x);
        else if (k == "status") {
            if (!x.is_int64() || x.get_int64() < 0 || x.get_int64() > 599)
                bad(k, "must be a status from 0 to 599");
            p.status = static_cast<int>(x.get_int64());
        } else if (k == "body_contains") {
            if (!x.is_object())
                bad(k, "must be an object of member names (or JSON Pointers) and values");
            for (auto const& [bk, bv] : x.get_object())
                p.body_contains.emplace_back(std::string(bk), bv);
        } else if (k == "times") {
            auto n = count(k, x);
            rule = times(n);
        } else if (k == "at_least") {
            auto n = count(k, x);
            rule = at_least(n);
        } else if (k == "at_most") {
            auto n = count(k, x);
            rule = at_most(n);
        } else
            bad(k,
                "unknown field (method, path, path_prefix, status, account, body_contains, "
                "times, at_least, at_most)");
    }
    return {std::move(p), rule.value_or(at_least(1))};
}

/// A pattern and its count as JSON (the inverse of pattern_from_json).
inline boost::json::object pattern_to_json(request_pattern const& p, count_rule const& r) {
    boost::json::object o;
    if (p.method)
        o["method"] = *p.method;
    if (p.path)
        o["path"] = *p.path;
    if (p.path_prefix)
        o["path_prefix"] = *p.path_prefix;
    if (p.status)
        o["status"] = *p.status;
    if (p.account)
        o["account"] = *p.account;
    if (!p.body_contains.empty()) {
        boost::json::object b;
        for (auto const& [k, v] : p.body_contains)
            b[k] = v;
        o["body_contains"] = std::move(b);
    }
    if (r.max == std::numeric_limits<std::size_t>::max())
        o["at_least"] = r.min;
    else if (r.min == r.max)
        o["times"] = r.min;
    else
        o["at_most"] = r.max;
    return o;
}

/// A verification as JSON: `{"met":false,"matched":0,"message":"...","closest":[...]}`.
inline boost::json::object to_json(verification const& v) {
    boost::json::array closest;
    for (auto const& c : v.closest)
        closest.emplace_back(c);
    return {{"met", v.met},
            {"matched", v.matched},
            {"message", v.message},
            {"closest", std::move(closest)}};
}

}  // namespace aigallery::mock
