// The error catalogue of the REST contract, shared by the client and the mock
// server so that both spell every code and status the same way.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aigallery {

/// Every error code of docs/rest-api.md; the enumerator's value is its order in
/// the catalogue table, not its number.
enum class errc {
    bad_request,             // 400 ModelArts.4001
    bad_version,             // 400 ModelArts.4002
    bad_visibility,          // 400 ModelArts.4003
    bad_group_users,         // 400 ModelArts.4004
    bad_domain_id,           // 400 ModelArts.4005
    limit_exceeded,          // 400 ModelArts.4006
    unauthorized,            // 401 APIG.0301
    forbidden,               // 403 ModelArts.4030
    no_such_asset,           // 404 ModelArts.4040
    no_such_version,         // 404 ModelArts.4041
    no_such_route,           // 404 ModelArts.4042
    method_not_allowed,      // 405 ModelArts.4050
    version_conflict,        // 409 ModelArts.4090
    dependency_visibility,   // 409 ModelArts.4091
    idempotency_conflict,    // 409 ModelArts.4092
    title_taken,             // 409 ModelArts.4093
    not_group,               // 409 ModelArts.4094
    has_dependents,          // 409 ModelArts.4095
    precondition_failed,     // 412 ModelArts.4120
    payload_too_large,       // 413 ModelArts.4130
    unsupported_media_type,  // 415 ModelArts.4150
    throttled,               // 429 ModelArts.4290
    internal_error,          // 500 ModelArts.5000
    bad_gateway,             // 502 ModelArts.5020
    unavailable,             // 503 ModelArts.5030
    gateway_timeout,         // 504 ModelArts.5040
};

struct errc_info {
    errc value;
    int status;
    std::string_view code;
};

inline constexpr std::array<errc_info, 26> error_catalogue{{
    {errc::bad_request, 400, "ModelArts.4001"},
    {errc::bad_version, 400, "ModelArts.4002"},
    {errc::bad_visibility, 400, "ModelArts.4003"},
    {errc::bad_group_users, 400, "ModelArts.4004"},
    {errc::bad_domain_id, 400, "ModelArts.4005"},
    {errc::limit_exceeded, 400, "ModelArts.4006"},
    {errc::unauthorized, 401, "APIG.0301"},
    {errc::forbidden, 403, "ModelArts.4030"},
    {errc::no_such_asset, 404, "ModelArts.4040"},
    {errc::no_such_version, 404, "ModelArts.4041"},
    {errc::no_such_route, 404, "ModelArts.4042"},
    {errc::method_not_allowed, 405, "ModelArts.4050"},
    {errc::version_conflict, 409, "ModelArts.4090"},
    {errc::dependency_visibility, 409, "ModelArts.4091"},
    {errc::idempotency_conflict, 409, "ModelArts.4092"},
    {errc::title_taken, 409, "ModelArts.4093"},
    {errc::not_group, 409, "ModelArts.4094"},
    {errc::has_dependents, 409, "ModelArts.4095"},
    {errc::precondition_failed, 412, "ModelArts.4120"},
    {errc::payload_too_large, 413, "ModelArts.4130"},
    {errc::unsupported_media_type, 415, "ModelArts.4150"},
    {errc::throttled, 429, "ModelArts.4290"},
    {errc::internal_error, 500, "ModelArts.5000"},
    {errc::bad_gateway, 502, "ModelArts.5020"},
    {errc::unavailable, 503, "ModelArts.5030"},
    {errc::gateway_timeout, 504, "ModelArts.5040"},
}};

constexpr errc_info const& info(errc e) noexcept {
    return error_catalogue[static_cast<std::size_t>(e)];
}
constexpr int http_status(errc e) noexcept {
    return info(e).status;
}
constexpr std::string_view error_code_text(errc e) noexcept {
    return info(e).code;
}

constexpr std::optional<errc> errc_from_text(std::string_view code) noexcept {
    for (auto const& i : error_catalogue)
        if (i.code == code)
            return i.value;
    return std::nullopt;
}

/// An error answer from the gallery, or a check the library made before any
/// request (then `request_id()` is empty).
class gallery_error : public std::runtime_error {
public:
    gallery_error(int status, std::string error_code, std::string error_msg,
                  std::string request_id = {})
        : std::runtime_error(compose(error_code, error_msg, status)),
          status_(status),
          error_code_(std::move(error_code)),
          error_msg_(std::move(error_msg)),
          request_id_(std::move(request_id)) {}

    gallery_error(errc e, std::string error_msg, std::string request_id = {})
        : gallery_error(http_status(e), std::string(error_code_text(e)), std::move(error_msg),
                        std::move(request_id)) {}

    int status() const noexcept { return status_; }
    std::string const& error_code() const noexcept { return error_code_; }
    std::string const& error_msg() const noexcept { return error_msg_; }
    std::string const& request_id() const noexcept { return request_id_; }
    /// The catalogue entry, when the code is one of ours.
    std::optional<errc> code() const noexcept { return errc_from_text(error_code_); }
    bool is(errc e) const noexcept { return error_code_ == error_code_text(e); }

private:
    static std::string compose(std::string const& code, std::string const& msg, int status) {
        return code + " (HTTP " + std::to_string(status) + "): " + msg;
    }

    int status_;
    std::string error_code_;
    std::string error_msg_;
    std::string request_id_;
};

/// What a non-throwing `try_` call reports: either the gallery's answer or a
/// transport failure that outlived the retries.
class error {
public:
    error() = default;                            // no error; boost::system::result needs it
    error(gallery_error e) : v_(std::move(e)) {}  // NOLINT: implicit by design
    error(boost::system::error_code ec, std::string note = {})  // NOLINT
        : v_(ec), note_(std::move(note)) {}

    bool is_gallery_error() const noexcept { return v_.index() == 0; }
    /// A copy, so that `r.error().gallery()` (error() returns by value) is safe.
    std::optional<gallery_error> gallery() const {
        if (auto p = std::get_if<0>(&v_))
            return *p;
        return std::nullopt;
    }
    boost::system::error_code transport() const noexcept {
        auto p = std::get_if<1>(&v_);
        return p ? *p : boost::system::error_code{};
    }
    bool is(errc e) const noexcept {
        auto p = std::get_if<0>(&v_);
        return p && p->is(e);
    }
    /// What a transport failure's caller should also know, such as what an
    /// undone release left behind.
    std::string const& note() const noexcept { return note_; }
    std::string message() const {
        if (auto p = std::get_if<0>(&v_))
            return p->what();
        return note_.empty() ? transport().message() : transport().message() + " " + note_;
    }

    [[noreturn]] void raise() const {
        if (auto p = std::get_if<0>(&v_))
            throw *p;
        throw boost::system::system_error(transport(), note_);
    }

private:
    std::variant<gallery_error, boost::system::error_code> v_{boost::system::error_code{}};
    std::string note_;
};

template <class T>
using result = boost::system::result<T, error>;

/// Lets `result<T>::value()` throw the error it holds, as the throwing calls do.
[[noreturn]] inline void throw_exception_from_error(error const& e, boost::source_location const&) {
    e.raise();
}

}  // namespace aigallery
