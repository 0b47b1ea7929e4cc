// Requests as the contract spells them, and answers read back: paths,
// headers, tolerant decoding, error answers as gallery_error.
#pragma once

#include <aigallery/detail/checks.hpp>
#include <aigallery/error.hpp>
#include <aigallery/operation.hpp>
#include <aigallery/version.hpp>
#include <aigallery/wire.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <optional>
#include <string>

namespace aigallery::detail {

inline std::string content_path(std::string const& id) {
    return "/v1/aihub/contents/" + boost::urls::encode(id, boost::urls::unreserved_chars);
}
inline std::string version_path(std::string const& id, version_number v) {
    return content_path(id) + "/versions/" + v.to_string();
}

inline outgoing_request make_request(std::string const& token, method m, std::string target,
                                     std::optional<std::string> body = std::nullopt) {
    outgoing_request r;
    r.verb = m;
    r.target = std::move(target);
    if (!token.empty())  // empty with AK/SK signing or an IAM token provider
        r.headers.emplace_back("X-Auth-Token", token);
    r.headers.emplace_back("Accept", "application/json");
    if (body) {
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = std::move(*body);
    }
    return r;
}

/// "POST /v1/aihub/contents": how a request is named in notes and progress.
inline std::string describe(outgoing_request const& r) {
    return std::string(to_string(r.verb)) + " " + r.target;
}

/// An error answer as gallery_error; an answer that is not the contract's
/// error body (a proxy's HTML page, say) keeps its status and shows its start.
inline gallery_error to_gallery_error(incoming_response const& r) {
    try {
        auto body = wire::parse_response<wire::error_body>(r.body);
        return gallery_error(r.status, body.error_code, body.error_msg, r.request_id);
    } catch (gallery_error const&) {
        return gallery_error(r.status, "HTTP." + std::to_string(r.status),
                             "unexpected error answer: " + printable(r.body, 200), r.request_id);
    }
}

/// A success answer as T, read tolerantly; 502 HTTP.BadAnswer when it does not fit.
template <class T>
T decode(incoming_response const& r) {
    try {
        return wire::parse_response<T>(r.body);
    } catch (gallery_error const& e) {
        throw gallery_error(r.status, "HTTP.BadAnswer",
                            "the gallery's answer does not match the contract: " + e.error_msg(),
                            r.request_id);
    }
}

}  // namespace aigallery::detail
