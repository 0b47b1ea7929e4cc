// The seam between the async client and the network, beside `transport`
// (http.hpp): one request in, its answer (or a failure to get any) out,
// completing through any Asio completion token. Declared in its own header
// so that http.hpp, which every TU includes, stays as light as it is.
#pragma once

#include <aigallery/http.hpp>

#include <boost/system/error_code.hpp>

#include <concepts>

namespace aigallery {

/// A transport for `async_client`: `t.async_send(req, token)` starts sending
/// `req` (which must stay alive until completion) and completes with
/// `void(boost::system::error_code, http_response)`, the error being a
/// failure to get any answer; `t.get_executor()` is where it runs. Models:
/// `beast_async_transport`, `mock::async_in_process_transport`.
template <class T>
concept async_transport = requires(T& t, http_request const& req) {
    typename T::executor_type;
    { t.get_executor() } -> std::convertible_to<typename T::executor_type>;
    t.async_send(req, [](boost::system::error_code, http_response) {});
};

}  // namespace aigallery
