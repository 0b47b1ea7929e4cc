// The narrow seam between the client and the network: one request in, one
// response (or a failure to get any) out.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/result.hpp>

#include <concepts>
#include <utility>

namespace aigallery {

namespace http = boost::beast::http;

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// A transport sends one request and returns its response; a failure to get
/// any response (refused, reset, timed out) is the error.
template <class T>
concept transport = requires(T& t, http_request const& req) {
    { t.send(req) } -> std::same_as<boost::system::result<http_response>>;
};

}  // namespace aigallery
