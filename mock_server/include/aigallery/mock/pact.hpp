// The journal as a Pact v4 contract: one HTTP interaction per /v1 request,
// each with the provider state it was recorded in, so that a fresh mock (or
// the real provider, given a state handler) can be verified against it by the
// official Pact verifier.
//
// The state is the gallery as it was just before the request, as a state
// document without tokens; the state change (POST /__mock/provider-states)
// imports it with new tokens and answers them, and each request takes its
// X-Auth-Token from that answer through a ProviderState generator. So a pact
// never holds a secret, and a replay authenticates as the recorded account.
#pragma once

#include <aigallery/mock/journal.hpp>
#include <aigallery/validation.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace aigallery::mock {

/// The provider state every exported interaction names; its params are
/// `{"caller": account name or null, "gallery": state document without tokens}`.
inline constexpr std::string_view pact_recorded_state = "the mock gallery as recorded";

/// The provider state for hand-written pacts: params `{"accounts": ["alice", ...]}`;
/// the gallery is emptied and holds exactly those accounts.
inline constexpr std::string_view pact_accounts_state = "accounts exist";

/// The regular expressions the matching rules use.
namespace pact_patterns {
/// A content_id or version_id.
inline constexpr char const* id = "^[A-Za-z0-9-]{1,64}$";
/// An RFC 3339 UTC time as the gallery writes it.
inline constexpr char const* timestamp = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$";
/// A content_uri or Location.
inline constexpr char const* content_uri = "^/v1/aihub/contents/[A-Za-z0-9-]{1,64}$";
/// An X-Request-Id.
inline constexpr char const* request_id = "^req-[0-9a-f]{16}-[0-9]+$";
}  // namespace pact_patterns

namespace contract_detail {

inline boost::json::object regex_rule(char const* pattern) {
    return {{"combine", "AND"},
            {"matchers",
             boost::json::array{boost::json::object{{"match", "regex"}, {"regex", pattern}}}}};
}

inline void collect_strings(boost::json::value const& v, std::set<std::string>& out) {
    if (auto const* s = v.if_string())
        out.insert(std::string(*s));
    else if (auto const* a = v.if_array())
        for (auto const& e : *a)
            collect_strings(e, out);
    else if (auto const* o = v.if_object())
        for (auto const& [k, e] : *o)
            collect_strings(e, out);
}

inline std::string pact_path_key(std::string const& base, std::string_view key) {
    bool plain = !key.empty();
    for (char c : key)
        plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_');
    return plain ? base + "." + std::string(key) : base + "['" + std::string(key) + "']";
}

/// Matching rules for what differs from run to run in a response body:
/// timestamps always; ids and content URIs when they name something the
/// state before the request did not hold (something this request created).
inline void body_rules(boost::json::value const& v, std::string const& path,
                       std::set<std::string> const& known, boost::json::object& rules) {
    if (auto const* a = v.if_array()) {
        for (std::size_t i = 0; i < a->size(); ++i)
            body_rules((*a)[i], path + "[" + std::to_string(i) + "]", known, rules);
        return;
    }
    auto const* o = v.if_object();
    if (!o)
        return;
    for (auto const& [k, e] : *o) {
        std::string p = pact_path_key(path, k);
        if (auto const* s = e.if_string()) {
            std::string_view key = k;
            bool fresh = !known.count(std::string(*s));
            if (key.ends_with("_at"))
                rules[p] = regex_rule(pact_patterns::timestamp);
            else if ((key == "content_id" || key == "version_id") && fresh)
                rules[p] = regex_rule(pact_patterns::id);
            else if (key == "content_uri" && fresh)
                rules[p] = regex_rule(pact_patterns::content_uri);
        } else {
            body_rules(e, p, known, rules);
        }
    }
}

/// "#3 POST /v1/aihub/contents -> 201 (alice)": unique, as Pact wants descriptions.
inline std::string one_line_pact(journal_record const& r) {
    return "#" + std::to_string(r.seq) + " " + r.method + " " + printable(r.target, 200) + " -> " +
           std::to_string(r.status) + (r.account ? " (" + *r.account + ")" : "");
}

inline boost::json::object pact_body(journal_message const& m) {
    auto ct = m.header("Content-Type").value_or("");
    boost::system::error_code ec;
    auto json = boost::json::parse(m.body_text(), ec);
    if (!ec && ct.find("json") != std::string::npos)
        return {{"content", std::move(json)}, {"contentType", json_safe(ct)}, {"encoded", false}};
    return {
        {"content", json_safe(m.body_text())}, {"contentType", json_safe(ct)}, {"encoded", false}};
}

}  // namespace contract_detail

/// A Pact v4 document of the given journal entries. Entries that cannot be
/// replayed honestly (answered by an injected fault, a dropped connection, a
/// body cut by the journal, no recorded state) are left out and listed in
/// `metadata.aigallery.omitted`.
inline boost::json::object to_pact(std::vector<journal_record> const& entries,
                                   std::string const& consumer, std::string const& provider,
                                   std::string const& creator_version) {
    boost::json::array interactions;
    boost::json::array omitted;
    auto omit = [&](journal_record const& r, std::string const& why) {
        omitted.push_back(boost::json::object{
            {"seq", r.seq}, {"request", contract_detail::one_line_pact(r)}, {"reason", why}});
    };
    for (auto const& r : entries) {
        if (r.status == 0) {
            omit(r, "a reset fault dropped the connection: nothing to expect");
            continue;
        }
        if (r.fault == "status" || r.fault == "reset") {
            omit(r, "answered by an injected fault, not by the gallery's rules");
            continue;
        }
        if (r.request.body_truncated || r.response.body_truncated) {
            omit(r, "a body was cut to the journal's max_body_bytes");
            continue;
        }
        if (!r.state_before) {
            omit(r, "no recorded state (start the mock with record_provider_states)");
            continue;
        }
        boost::system::error_code ec;
        auto gallery = boost::json::parse(*r.state_before, ec);
        if (ec) {
            omit(r, "the recorded state is unreadable");
            continue;
        }
        std::set<std::string> known;
        contract_detail::collect_strings(gallery, known);

        // --- request
        boost::json::object headers, request_generators;
        for (auto const& h : r.request.headers()) {
            if (journal_message::iequals(h.name, "Content-Type") ||
                journal_message::iequals(h.name, "If-Match") ||
                journal_message::iequals(h.name, "Idempotency-Key"))
                headers[json_safe(h.name)] =
                    boost::json::array{boost::json::value(json_safe(h.value))};
        }
        if (r.account) {
            // An example value only: the verifier puts in the token the state change answered.
            headers["X-Auth-Token"] = boost::json::array{"token-from-provider-state"};
            request_generators["header"] =
                boost::json::object{{"X-Auth-Token", boost::json::object{{"type", "ProviderState"},
                                                                         {"expression", "${token}"},
                                                                         {"dataType", "STRING"}}}};
        } else if (r.request.header("X-Auth-Token")) {
            headers["X-Auth-Token"] = boost::json::array{"not-a-known-token"};
        }
        boost::json::object query;
        if (auto u = boost::urls::parse_origin_form(r.target))
            for (auto p : u->params()) {
                auto& slot = query[json_safe(p.key)];
                if (!slot.is_array())
                    slot = boost::json::array{};
                slot.get_array().emplace_back(json_safe(p.has_value ? p.value : std::string()));
            }
        boost::json::object request{{"method", r.method}, {"path", r.path()}};
        if (!query.empty())
            request["query"] = std::move(query);
        request["headers"] = std::move(headers);
        if (r.request.body)
            request["body"] = contract_detail::pact_body(r.request);
        if (!request_generators.empty())
            request["generators"] = std::move(request_generators);

        // --- response
        boost::json::object rheaders, header_rules, body_rules;
        for (auto const& h : r.response.headers()) {
            auto keep = [&](std::string_view n) { return journal_message::iequals(h.name, n); };
            if (keep("Content-Type") || keep("ETag") || keep("Allow") || keep("Retry-After"))
                rheaders[json_safe(h.name)] =
                    boost::json::array{boost::json::value(json_safe(h.value))};
            if (keep("Location")) {
                rheaders[json_safe(h.name)] =
                    boost::json::array{boost::json::value(json_safe(h.value))};
                auto slash = h.value.rfind('/');
                if (!known.count(h.value.substr(slash == std::string::npos ? 0 : slash + 1)))
                    header_rules[h.name] = contract_detail::regex_rule(pact_patterns::content_uri);
            }
            if (keep("X-Request-Id")) {
                rheaders[json_safe(h.name)] =
                    boost::json::array{boost::json::value(json_safe(h.value))};
                header_rules[h.name] = contract_detail::regex_rule(pact_patterns::request_id);
            }
        }
        boost::json::object response{{"status", r.status}, {"headers", std::move(rheaders)}};
        if (r.response.body) {
            auto body = contract_detail::pact_body(r.response);
            contract_detail::body_rules(body["content"], "$", known, body_rules);
            response["body"] = std::move(body);
        }
        boost::json::object response_rules;
        if (!header_rules.empty())
            response_rules["header"] = std::move(header_rules);
        if (!body_rules.empty())
            response_rules["body"] = std::move(body_rules);
        if (!response_rules.empty())
            response["matchingRules"] = std::move(response_rules);

        boost::json::object params{
            {"caller", r.account ? boost::json::value(*r.account) : boost::json::value(nullptr)},
            {"gallery", std::move(gallery)}};
        interactions.push_back(boost::json::object{
            {"type", "Synchronous/HTTP"},
            {"description", contract_detail::one_line_pact(r)},
            {"providerStates", boost::json::array{boost::json::object{
                                   {"name", pact_recorded_state}, {"params", std::move(params)}}}},
            {"request", std::move(request)},
            {"response", std::move(response)}});
    }
    return {
        {"consumer", boost::json::object{{"name", consumer}}},
        {"provider", boost::json::object{{"name", provider}}},
        {"interactions", std::move(interactions)},
        {"metadata",
         boost::json::object{
             {"pactSpecification", boost::json::object{{"version", "4.0"}}},
             {"aigallery", boost::json::object{{"generator", "aigallery-mock " + creator_version},
                                               {"omitted", std::move(omitted)}}}}}};
}

}  // namespace aigallery::mock
