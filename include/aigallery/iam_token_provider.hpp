// IAM tokens for X-Auth-Token: obtained with the password flow
// (POST /v3/auth/tokens), cached, renewed before they expire; concurrent
// callers share one renewal. No OpenSSL here: TLS is the transport's business.
#pragma once

#include <aigallery/credentials.hpp>
#include <aigallery/error.hpp>
#include <aigallery/http.hpp>
#include <aigallery/security_error.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace aigallery {

/// What IAM's password flow needs. Huawei Cloud's IAM users log in as
/// `user_name` of the account (domain) `domain_name`; the token is scoped to
/// a project (by name, e.g. the region "cn-north-4", or by id) or, with
/// neither, to the domain.
struct iam_password_credentials {
    std::string user_name;     ///< the IAM user
    std::string password;      ///< never logged, never in an error
    std::string domain_name;   ///< the account the user belongs to
    std::string project_name;  ///< scope: a project by name; or
    std::string project_id;    ///< scope: a project by id (wins over the name)
};

/// How the provider behaves.
struct iam_token_options {
    /// A token this close to `expires_at` is renewed before it is handed out,
    /// so that no request leaves with a token that expires on the way.
    std::chrono::seconds renew_before{std::chrono::minutes(5)};
    /// The time used against `expires_at`; injectable for tests.
    clock_function clock = system_clock_function();
    /// The IAM path on the transport's base URL.
    std::string path = "/v3/auth/tokens";
};

/// A token and when it stops being valid.
struct iam_token {
    std::string value;                              ///< for X-Auth-Token; a secret
    std::chrono::system_clock::time_point expires;  ///< from the answer's `expires_at`
};

/// Obtains IAM tokens over any `aigallery::transport` pointed at the IAM
/// endpoint (e.g. `beast_transport{"https://iam.example.com"}`), caches the
/// current one, and renews it `renew_before` ahead of its expiry.
///
/// Thread-safe: callers of `token()` that find no valid token while another
/// caller is renewing wait for that renewal and get its outcome (one request
/// to IAM, however many callers). Movable only as a whole through a pointer:
/// share it with std::shared_ptr.
class iam_token_provider {
public:
    /// Requests go through `t`, one at a time.
    template <transport Transport>
    iam_token_provider(Transport t, iam_password_credentials creds, iam_token_options options = {})
        : send_([t = std::make_shared<Transport>(std::move(t))](http_request const& r) mutable {
              return t->send(r);
          }),
          creds_(std::move(creds)),
          options_(std::move(options)) {}

    iam_token_provider(iam_token_provider const&) = delete;
    iam_token_provider& operator=(iam_token_provider const&) = delete;

    /// A token valid for at least `renew_before`, from the cache or renewed.
    /// The error is a `security_errc` (iam_refused, iam_bad_answer,
    /// iam_unreachable) with a note saying what IAM answered; never the
    /// password or a token. Never throws for what the IAM transport does: an
    /// exception from it is an `iam_unreachable` error (without the
    /// exception's text, which might quote the request), and the renewal it
    /// interrupted still ends for every caller waiting on it.
    result<iam_token> token() {
        std::unique_lock lock(mutex_);
        return token_locked(lock, generation_);
    }

    /// As `token()`, for a caller that queued its request when `renewals()`
    /// was `seen`: if a renewal has failed since then and no valid token has
    /// come after it, that failure is the answer, without asking IAM again.
    /// This is how callers that could not wait on the renewal itself (the
    /// async client hands them to a helper thread, one after another) still
    /// share one failed renewal instead of each retrying IAM in turn.
    result<iam_token> token_since(std::uint64_t seen) {
        std::unique_lock lock(mutex_);
        return token_locked(lock, seen);
    }

    /// The cached token if it is valid for at least `renew_before`; never
    /// waits for a renewal and never asks IAM (for callers that must not
    /// block, such as an io_context thread).
    std::optional<iam_token> cached() const {
        std::lock_guard lock(mutex_);
        if (usable())
            return cached_;
        return std::nullopt;
    }

    /// How many renewals have ended (succeeded or failed) so far; see `token_since`.
    std::uint64_t renewals() const {
        std::lock_guard lock(mutex_);
        return generation_;
    }

    /// Forgets the cached token whatever it is; the next `token()` asks IAM again.
    void invalidate() {
        std::lock_guard lock(mutex_);
        cached_.reset();
    }

    /// Forgets the cached token if it is `rejected`, e.g. the token the
    /// gallery just answered 401 to. A late 401 for a token that has since
    /// been replaced leaves the new one alone.
    void invalidate(std::string_view rejected) {
        std::lock_guard lock(mutex_);
        if (cached_ && cached_->value == rejected)
            cached_.reset();
    }

    /// How many requests were sent to IAM so far (for tests and metrics).
    std::uint64_t requests_sent() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    /// The options it was made with.
    iam_token_options const& options() const noexcept { return options_; }

    /// "2026-11-27T07:00:00.000000Z" (fraction optional) as a time point; nullopt otherwise.
    static std::optional<std::chrono::system_clock::time_point> parse_expires_at(
        std::string const& s) {
        std::tm tm{};
        char const* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end)
            return std::nullopt;
        if (*end == '.') {
            ++end;
            if (*end < '0' || *end > '9')
                return std::nullopt;
            while (*end >= '0' && *end <= '9')
                ++end;
        }
        if (end[0] != 'Z' || end[1] != '\0')
            return std::nullopt;
        return std::chrono::system_clock::from_time_t(timegm(&tm));
    }

private:
    bool usable() const {
        return cached_ && options_.clock() + options_.renew_before < cached_->expires;
    }

    result<iam_token> token_locked(std::unique_lock<std::mutex>& lock, std::uint64_t seen) {
        for (;;) {
            if (usable())
                return *cached_;
            if (generation_ != seen && last_error_)
                return *last_error_;  // a renewal since `seen` failed: so does this call
            if (!renewing_)
                break;
            seen = generation_;
            renewed_.wait(lock, [&] { return generation_ != seen; });
        }
        renewing_ = true;
        lock.unlock();
        result<iam_token> fresh = request_token_caught();
        lock.lock();
        renewing_ = false;
        ++generation_;
        ++requests_;
        renewed_.notify_all();  // first: the copies below may throw (waiters need the lock anyway)
        if (fresh) {
            cached_ = *fresh;
            last_error_.reset();
        } else {
            last_error_ = fresh.error();
        }
        return fresh;
    }

    // The renewal must end for its waiters whatever the transport does.
    result<iam_token> request_token_caught() noexcept {
        try {
            return request_token();
        } catch (...) {  // its text is not repeated: it might quote the request, password and all
            return error(make_error_code(security_errc::iam_unreachable),
                         "(the IAM request threw an exception)");
        }
    }

    result<iam_token> request_token() {
        namespace json = boost::json;
        namespace http = boost::beast::http;
        json::object user{{"name", creds_.user_name},
                          {"password", creds_.password},
                          {"domain", {{"name", creds_.domain_name}}}};
        json::object auth{
            {"identity",
             {{"methods", json::array{"password"}}, {"password", {{"user", std::move(user)}}}}}};
        if (!creds_.project_id.empty())
            auth["scope"] = {{"project", {{"id", creds_.project_id}}}};
        else if (!creds_.project_name.empty())
            auth["scope"] = {{"project", {{"name", creds_.project_name}}}};
        else
            auth["scope"] = {{"domain", {{"name", creds_.domain_name}}}};

        http_request req{http::verb::post, options_.path, 11};
        req.set(http::field::content_type, "application/json;charset=utf8");
        req.body() = json::serialize(json::object{{"auth", std::move(auth)}});
        req.prepare_payload();

        auto answer = send_(req);
        if (!answer)
            return error(make_error_code(security_errc::iam_unreachable),
                         "(" + answer.error().message() + ")");
        auto const status = answer->result_int();
        if (status == 401 || status == 403)
            return error(make_error_code(security_errc::iam_refused),
                         "(HTTP " + std::to_string(status) + ": " + error_text(*answer) + ")");
        if (status / 100 != 2)
            return error(make_error_code(security_errc::iam_bad_answer),
                         "(HTTP " + std::to_string(status) + ": " + error_text(*answer) + ")");
        auto subject = (*answer)["X-Subject-Token"];
        if (subject.empty())
            return error(make_error_code(security_errc::iam_bad_answer),
                         "(no X-Subject-Token header)");
        boost::system::error_code ec;
        auto body = json::parse(answer->body(), ec);
        json::value const* expires = nullptr;
        if (!ec && body.is_object())
            if (auto t = body.as_object().if_contains("token"); t && t->is_object())
                expires = t->as_object().if_contains("expires_at");
        std::optional<std::chrono::system_clock::time_point> when;
        if (expires && expires->is_string())
            when = parse_expires_at(std::string(expires->as_string()));
        if (!when)
            return error(make_error_code(security_errc::iam_bad_answer),
                         "(no valid token.expires_at in the body)");
        return iam_token{std::string(subject), *when};
    }

    // IAM's own words, without echoing anything of ours.
    static std::string error_text(http_response const& r) {
        boost::system::error_code ec;
        auto body = boost::json::parse(r.body(), ec);
        if (!ec && body.is_object()) {
            auto const& o = body.as_object();
            for (auto key : {"error_msg", "message"})
                if (auto m = o.if_contains(key); m && m->is_string())
                    return std::string(m->as_string());
            if (auto e = o.if_contains("error"); e && e->is_object())
                if (auto m = e->as_object().if_contains("message"); m && m->is_string())
                    return std::string(m->as_string());
        }
        return std::string(r.reason());
    }

    std::function<boost::system::result<http_response>(http_request const&)> send_;
    iam_password_credentials creds_;
    iam_token_options options_;

    mutable std::mutex mutex_;
    std::condition_variable renewed_;
    std::optional<iam_token> cached_;
    std::optional<error> last_error_;
    bool renewing_ = false;
    std::uint64_t generation_ = 0;
    std::uint64_t requests_ = 0;
};

}  // namespace aigallery
