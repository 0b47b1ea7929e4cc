// The drivers' translation between the step machines' plain requests and
// answers and Beast's HTTP messages, which the transports speak.
#pragma once

#include <aigallery/http.hpp>
#include <aigallery/operation.hpp>

#include <utility>

namespace aigallery::detail {

inline http::verb to_verb(method m) noexcept {
    switch (m) {
        case method::post:
            return http::verb::post;
        case method::put:
            return http::verb::put;
        case method::patch:
            return http::verb::patch;
        case method::delete_:
            return http::verb::delete_;
        default:
            return http::verb::get;
    }
}

inline http_request to_http(outgoing_request const& r) {
    http_request req{to_verb(r.verb), r.target, 11};
    for (auto const& [k, v] : r.headers)
        req.set(k, v);
    if (!r.body.empty())
        req.body() = r.body;
    req.prepare_payload();
    return req;
}

inline incoming_response from_http(http_response&& r) {
    incoming_response out;
    out.status = static_cast<int>(r.result_int());
    if (auto it = r.find(http::field::etag); it != r.end())
        out.etag = std::string(it->value());
    if (auto it = r.find("X-Request-Id"); it != r.end())
        out.request_id = std::string(it->value());
    if (auto it = r.find(http::field::retry_after); it != r.end())
        out.retry_after = std::string(it->value());
    out.body = std::move(r.body());
    return out;
}

inline exchange_outcome from_http(boost::system::result<http_response>&& r) {
    if (!r)
        return r.error();
    return from_http(std::move(*r));
}

}  // namespace aigallery::detail
