// SDK-HMAC-SHA256 request signing, exactly as the vendor's Node.js SDK core
// (AKSKSigner) signs: a pure function of (request, credentials, time).
#pragma once

#include <aigallery/credentials.hpp>
#include <aigallery/detail/crypto.hpp>
#include <aigallery/detail/sdk_signing.hpp>
#include <aigallery/http.hpp>
#include <aigallery/security_error.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aigallery {

/// "YYYYMMDDTHHMMSSZ" (UTC), the X-Sdk-Date form.
inline std::string format_sdk_date(std::chrono::system_clock::time_point t) {
    auto s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
    return detail::format_sdk_date(static_cast<std::int64_t>(s));
}

/// Signs `req` in place for time `now`:
/// - sets X-Sdk-Date, and X-Security-Token / X-Project-Id when the
///   credentials have them; drops any earlier Authorization;
/// - signs every header the request has at this point (Host is required:
///   set it to what the server will see: "gallery.example" for https on
///   443, "gallery.example:8443" on another port), except a
///   multipart Content-Type, as the reference signer does;
/// - hashes the body as sent (or takes X-Sdk-Content-Sha256 when present);
/// - sets `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...`.
///
/// Headers added later (Content-Length, User-Agent by a transport) are simply
/// not signed. Returns `security_errc::missing_credentials` or
/// `unsignable_request` (no Host) and then leaves `req` unchanged.
inline boost::system::error_code sign_request(http_request& req, aksk_credentials const& creds,
                                              std::chrono::system_clock::time_point now) {
    namespace http = boost::beast::http;
    if (!creds.complete())
        return security_errc::missing_credentials;
    if (req[http::field::host].empty())
        return security_errc::unsignable_request;

    std::string const date = format_sdk_date(now);
    req.erase(http::field::authorization);
    req.set("X-Sdk-Date", date);
    if (!creds.security_token.empty())
        req.set("X-Security-Token", creds.security_token);
    if (!creds.project_id.empty())
        req.set("X-Project-Id", creds.project_id);

    std::vector<detail::signed_header> headers;
    for (auto const& f : req) {
        auto lower = detail::ascii_lower(f.name_string());
        if (lower == "content-type" && f.value().find("multipart/form-data") != std::string::npos)
            continue;
        headers.push_back({std::move(lower), std::string(f.value())});
    }
    auto const list = detail::signed_header_list(headers);
    auto const content_sha = req["X-Sdk-Content-Sha256"];
    std::string const payload_hash =
        content_sha.empty() ? detail::sha256_hex(req.body()) : std::string(content_sha);
    auto const canonical =
        detail::canonical_request(req.method_string(), req.target(), headers, list, payload_hash);
    auto const signature = detail::hmac_sha256_hex(
        creds.secret_key, detail::string_to_sign(date, detail::sha256_hex(canonical)));
    req.set(http::field::authorization, std::string(detail::sdk_algorithm) +
                                            " Access=" + creds.access_key +
                                            ", SignedHeaders=" + list + ", Signature=" + signature);
    return {};
}

/// Signs each request with fixed credentials and an injectable clock: what a
/// client or transport calls right before sending.
class aksk_signer {
public:
    /// Signs with `creds` at the time `clock` tells (the system clock by default).
    explicit aksk_signer(aksk_credentials creds, clock_function clock = system_clock_function())
        : creds_(std::move(creds)), clock_(std::move(clock)) {}

    /// `sign_request(req, credentials(), clock())`.
    boost::system::error_code operator()(http_request& req) const {
        return sign_request(req, creds_, clock_());
    }

    /// The credentials it signs with.
    aksk_credentials const& credentials() const noexcept { return creds_; }

private:
    aksk_credentials creds_;
    clock_function clock_;
};

}  // namespace aigallery
