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

/// One row of the error catalogue: the code's enumerator, HTTP status and text.
struct errc_info {
    /// The enumerator.
    errc value;
    /// The HTTP status the gallery answers with.
    int status;
    /// The `error_code` text, such as "ModelArts.4091".
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
    /// `note` is what the library adds (such as what an undone release left
    /// behind): it is part of `what()`, never of `error_msg()`.
    gallery_error(int status, std::string error_code, std::string error_msg,
                  std::string request_id = {}, std::string note = {})
        : std::runtime_error(compose(error_code, error_msg, status, note)),
          status_(status),
          error_code_(std::move(error_code)),
          error_msg_(std::move(error_msg)),
          request_id_(std::move(request_id)),
          note_(std::move(note)) {}

    /// A check of the library's own, with the code and status the server would give.
    gallery_error(errc e, std::string error_msg, std::string request_id = {})
        : gallery_error(http_status(e), std::string(error_code_text(e)), std::move(error_msg),
                        std::move(request_id)) {}

    /// The HTTP status of the answer.
    int status() const noexcept { return status_; }
    /// The gallery's error code, such as "ModelArts.4091".
    std::string const& error_code() const noexcept { return error_code_; }
    /// What the gallery said, unchanged.
    std::string const& error_msg() const noexcept { return error_msg_; }
    /// The answer's X-Request-Id (empty for a check the library made).
    std::string const& request_id() const noexcept { return request_id_; }
    /// What the library adds to the answer, such as the versions an undo left.
    std::string const& note() const noexcept { return note_; }
    /// The catalogue entry, when the code is one of ours.
    std::optional<errc> code() const noexcept { return errc_from_text(error_code_); }
    /// Whether the code is `e`'s.
    bool is(errc e) const noexcept { return error_code_ == error_code_text(e); }
    /// The same answer with `note` appended to what the library adds.
    gallery_error with_note(std::string const& note) const {
        return gallery_error(status_, error_code_, error_msg_, request_id_,
                             note_.empty() ? note : note_ + " " + note);
    }

private:
    static std::string compose(std::string const& code, std::string const& msg, int status,
                               std::string const& note) {
        auto s = code + " (HTTP " + std::to_string(status) + "): " + msg;
        return note.empty() ? s : s + " " + note;
    }

    int status_;
    std::string error_code_;
    std::string error_msg_;
    std::string request_id_;
    std::string note_;
};

/// A failure to get any answer (refused, reset, timed out) that outlived the
/// retries. A `boost::system::system_error`, whose `what()` is one sentence:
/// what failed and what the library did about it, never a source location.
class transport_error : public boost::system::system_error {
public:
    /// `note` says which request failed and what was done about it.
    transport_error(boost::system::error_code ec, std::string note)
        : boost::system::system_error(boost::system::error_code(ec.value(), ec.category())),
          note_(std::move(note)),
          what_("no answer from the gallery: " + ec.message() +
                (note_.empty() ? std::string() : " " + note_)) {}
    /// The sentence, without Boost's "[category:value at file:line]" suffix.
    char const* what() const noexcept override { return what_.c_str(); }
    /// What the library adds to the transport's reason.
    std::string const& note() const noexcept { return note_; }

private:
    std::string note_;
    std::string what_;
};

/// What a non-throwing `try_` call reports: either the gallery's answer or a
/// transport failure that outlived the retries.
class error {
public:
    error() = default;  ///< no error; boost::system::result needs it
    /// The gallery's answer (or a check the library made).
    error(gallery_error e) : v_(std::move(e)) {}  // NOLINT: implicit by design
    /// No answer; `note` says which request and what was done about it.
    error(boost::system::error_code ec, std::string note = {})  // NOLINT
        : v_(boost::system::error_code(ec.value(), ec.category())), note_(std::move(note)) {}

    /// Whether the gallery answered (or the library checked) rather than no answer.
    bool is_gallery_error() const noexcept { return v_.index() == 0; }
    /// A copy, so that `r.error().gallery()` (error() returns by value) is safe.
    std::optional<gallery_error> gallery() const {
        if (auto p = std::get_if<0>(&v_))
            return *p;
        return std::nullopt;
    }
    /// The transport's reason, for a failure to get any answer.
    boost::system::error_code transport() const noexcept {
        auto p = std::get_if<1>(&v_);
        return p ? *p : boost::system::error_code{};
    }
    /// Whether the gallery answered with code `e`.
    bool is(errc e) const noexcept {
        auto p = std::get_if<0>(&v_);
        return p && p->is(e);
    }
    /// What the library adds, such as what an undone release left behind
    /// (for a gallery error, the same as its `note()`).
    std::string const& note() const noexcept {
        if (auto p = std::get_if<0>(&v_))
            return p->note();
        return note_;
    }
    /// One sentence: the answer (with the note), or the transport's reason.
    std::string message() const {
        if (auto p = std::get_if<0>(&v_))
            return p->what();
        return transport_error(transport(), note_).what();
    }

    /// Throws it: `gallery_error`, or `transport_error` (a `system_error`).
    [[noreturn]] void raise() const {
        if (auto p = std::get_if<0>(&v_))
            throw *p;
        throw transport_error(transport(), note_);
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
