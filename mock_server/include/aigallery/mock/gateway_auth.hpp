// What the real API gateway checks before a request reaches the gallery, and
// the IAM token endpoint: an SDK-HMAC-SHA256 signature (judged alone when the
// request carries one) or an X-Auth-Token; `POST /v3/auth/tokens` (password
// flow) for the mock's accounts. Pure functions over the request, the account
// lookups and the mock's clock; the service holds the locks.
#pragma once

#include <aigallery/detail/crypto.hpp>
#include <aigallery/detail/sdk_signing.hpp>
#include <aigallery/error.hpp>
#include <aigallery/http.hpp>
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/state.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aigallery::mock {

/// How far X-Sdk-Date may be from the mock's clock, either way.
inline constexpr std::chrono::minutes signature_clock_skew{15};

/// How long a token from `POST /v3/auth/tokens` is valid (as the real IAM: 24 h).
inline constexpr std::chrono::hours iam_token_lifetime{24};

namespace detail_auth {

[[noreturn]] inline void refuse(std::string const& why) {
    // Never the signature, the secret key or a token: only which check failed.
    throw gallery_error(errc::unauthorized, "Incorrect IAM authentication information: " + why);
}

}  // namespace detail_auth

/// Checks a request that carries `Authorization: SDK-HMAC-SHA256 ...` and
/// returns the account whose key signed it; otherwise throws 401 APIG.0301
/// whose message says which check failed, in this order: the header's form,
/// an unknown access key, X-Sdk-Date missing or malformed, X-Sdk-Date more
/// than 15 minutes from `now`, `host` not signed, a signed header missing, the
/// signature, and an X-Sdk-Content-Sha256 that is not the body's hash (the
/// value UNSIGNED-PAYLOAD, which the vendor SDK sends for non-JSON bodies,
/// leaves the body unchecked).
template <class FindByAccessKey>
account const& verify_signature(http_request const& req, FindByAccessKey&& find_by_access_key,
                                time_point now) {
    using detail_auth::refuse;
    namespace d = aigallery::detail;
    auto auth = req[boost::beast::http::field::authorization];
    auto parts = d::parse_authorization(auth);
    if (!parts)
        refuse(
            "Authorization is not of the form 'SDK-HMAC-SHA256 Access=..., SignedHeaders=..., "
            "Signature=...'");
    account const* found = find_by_access_key(parts->access_key);
    if (!found)
        refuse("the access key '" + printable(parts->access_key) + "' is unknown");
    account const& a = *found;

    auto date_header = req["X-Sdk-Date"];
    auto date = d::parse_sdk_date(date_header);
    if (!date)
        refuse("X-Sdk-Date is missing or not of the form YYYYMMDDTHHMMSSZ");
    auto const skew = std::chrono::seconds(*date) - now.time_since_epoch();
    if (skew > signature_clock_skew || -skew > signature_clock_skew)
        refuse("X-Sdk-Date " + std::string(date_header) + " is " +
               std::to_string(
                   std::chrono::floor<std::chrono::minutes>(skew < skew.zero() ? -skew : skew)
                       .count()) +
               " minutes from the gateway's clock " + format_rfc3339(now) + " (at most 15)");

    // Content-Type is a single field (RFC 9110). With two, the signer leaves
    // a multipart/form-data one out while the service reads the first, which
    // need not be the one signed: refused, not guessed.
    if (auto const n = req.count(boost::beast::http::field::content_type); n > 1)
        refuse("Content-Type appears " + std::to_string(n) +
               " times; a signed request may have one");
    std::vector<d::signed_header> headers;
    std::map<std::string, std::size_t> listed;
    bool host = false;
    std::string_view names = parts->signed_headers;
    while (!names.empty()) {
        auto semi = names.find(';');
        std::string name(names.substr(0, semi));
        names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
        if (name.empty() || name != d::ascii_lower(name))
            refuse("SignedHeaders must list lowercase header names separated by ';'");
        // The signer lists a name once per field, so a name listed k times
        // stands for the request's first k fields of that name, in order.
        std::size_t const earlier = listed[name]++;
        auto [it, end] = req.equal_range(name);
        for (std::size_t k = 0; k < earlier && it != end; ++k)
            ++it;
        if (it == end)
            refuse("the signed header '" + printable(name) + "' is not in the request" +
                   (earlier == 0 ? "" : " as often as SignedHeaders lists it"));
        host = host || name == "host";
        headers.push_back({name, std::string(it->value())});
    }
    if (!host)
        refuse("the signature must cover the 'host' header (SignedHeaders has no 'host')");

    auto const content_sha = req["X-Sdk-Content-Sha256"];
    auto const body_hash = d::sha256_hex(req.body());
    std::string const payload_hash = content_sha.empty() ? body_hash : std::string(content_sha);
    auto const canonical = d::canonical_request(req.method_string(), req.target(), headers,
                                                parts->signed_headers, payload_hash);
    auto const expected =
        d::hmac_sha256_hex(a.secret_key, d::string_to_sign(date_header, d::sha256_hex(canonical)));
    if (!d::constant_time_equal(expected, parts->signature))
        refuse(
            "the signature does not match the request (method, path, query, signed headers, "
            "X-Sdk-Date or body) under the secret key of access key '" +
            a.access_key + "'");
    if (!content_sha.empty() && content_sha != "UNSIGNED-PAYLOAD" && content_sha != body_hash)
        refuse("the body does not match its signed hash (X-Sdk-Content-Sha256)");
    return a;
}

/// The caller of a /v1 request: judged by its signature alone when it has an
/// Authorization header, else by X-Auth-Token. Throws 401 APIG.0301. The
/// account returned is the one the lookups found, valid as long as they are.
/// `now()` gives the time a signature's X-Sdk-Date is judged against; it is
/// asked only when there is a signature (a token needs no clock).
template <class FindByAccessKey, class FindByToken, class Now>
requires std::is_invocable_r_v<time_point, Now&> account const& authenticate(
    http_request const& req, FindByAccessKey&& find_by_access_key, FindByToken&& find_by_token,
    Now&& now) {
    if (req.find(boost::beast::http::field::authorization) != req.end())
        return verify_signature(req, find_by_access_key, now());
    auto tok = req.find("X-Auth-Token");
    account const* a = tok == req.end() ? nullptr : find_by_token(tok->value());
    if (!a)
        throw gallery_error(errc::unauthorized, "X-Auth-Token is missing or unknown");
    return *a;
}

/// "2026-11-27T07:00:00.000000Z", the IAM form of a time.
inline std::string format_iam_time(time_point t) {
    auto s = format_rfc3339(t);
    s.insert(s.size() - 1, ".000000");
    return s;
}

/// `POST /v3/auth/tokens`, password flow, for the mock's accounts: the user
/// name and the domain name are the account's name (the domain may also be
/// given by id, the account's domain_id) and the password is the account's
/// token. Answers 201 with the token in X-Subject-Token and `expires_at` 24
/// hours after `now`; a wrong name or password is 401, a malformed body 400.
template <class FindByName>
http_response issue_iam_token(http_request const& req, FindByName&& find_by_name, time_point now) {
    namespace json = boost::json;
    auto bad = [](std::string const& why) -> void {
        throw gallery_error(errc::bad_request, "IAM token request: " + why);
    };
    if (req.method() != boost::beast::http::verb::post)
        throw gallery_error(errc::method_not_allowed,
                            printable(req.method_string()) + " is not allowed here");
    boost::system::error_code ec;
    json::value body = json::parse(req.body(), ec);
    if (ec || !body.is_object())
        bad("the body must be a JSON object");
    auto at = [&](json::value const* v, std::string_view key) -> json::value const* {
        auto o = v ? v->if_object() : nullptr;
        return o ? o->if_contains(key) : nullptr;
    };
    auto text = [&](json::value const* v) -> std::string {
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto identity = at(at(&body, "auth"), "identity");
    auto methods = at(identity, "methods");
    bool password_method = false;
    if (methods && methods->is_array())
        for (auto const& m : methods->as_array())
            password_method = password_method || (m.is_string() && m.as_string() == "password");
    if (!password_method)
        bad("field 'auth.identity.methods' must list \"password\" (the only flow served)");
    auto user = at(at(identity, "password"), "user");
    std::string name = text(at(user, "name")), password = text(at(user, "password"));
    auto domain = at(user, "domain");
    std::string domain_name = text(at(domain, "name")), domain_id = text(at(domain, "id"));
    if (name.empty() || password.empty())
        bad("fields 'auth.identity.password.user.name' and '.password' are required");
    if (domain_name.empty() && domain_id.empty())
        bad("field 'auth.identity.password.user.domain' needs a name or an id");

    account const* a = find_by_name(name);
    // One answer for every mismatch, so it does not tell which part was wrong.
    if (!a || !aigallery::detail::constant_time_equal(a->token, password) ||
        (!domain_name.empty() && domain_name != a->name) ||
        (!domain_id.empty() && domain_id != a->domain_id))
        throw gallery_error(errc::unauthorized, "The username or password is wrong.");

    json::object token;
    token["methods"] = json::array{"password"};
    token["issued_at"] = format_iam_time(now);
    token["expires_at"] = format_iam_time(now + iam_token_lifetime);
    token["user"] = {{"name", a->name},
                     {"id", a->domain_id},
                     {"domain", {{"name", a->name}, {"id", a->domain_id}}}};
    auto scope = at(at(&body, "auth"), "scope");
    if (auto project = at(scope, "project"))
        token["project"] = {{"name", text(at(project, "name"))}, {"id", text(at(project, "id"))}};
    else if (auto d = at(scope, "domain"))
        token["domain"] = {{"name", a->name}, {"id", a->domain_id}};
    http_response r;
    r.result(201);
    r.set(boost::beast::http::field::content_type, "application/json");
    r.set("X-Subject-Token", a->token);
    r.body() = json::serialize(json::object{{"token", std::move(token)}});
    return r;
}

}  // namespace aigallery::mock
