// What the Beast transports (sync and async) decide about a kept-alive
// connection: is it still open, may a request that failed on it be sent
// again, and does an error mean the server had closed it. One copy, so both
// transports resend under the same rule.
#pragma once

#include <aigallery/http.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>

namespace aigallery::detail {

/// Safe to send twice: idempotent by method, or made so by an Idempotency-Key.
inline bool replayable(http_request const& r) {
    switch (r.method()) {
        case http::verb::get:
        case http::verb::head:
        case http::verb::options:
        case http::verb::put:
        case http::verb::delete_:
            return true;
        default:
            return r.find("Idempotency-Key") != r.end();
    }
}

/// The errors a request meets on a connection the server closed while it was
/// idle (TLS adds its own truncation error, which the TLS transport checks).
inline bool is_stale_connection_error(boost::system::error_code const& ec) {
    namespace net = boost::asio;
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::connection_aborted ||
           ec == net::error::broken_pipe;
}

/// An idle kept-alive connection that the server closed has its EOF (or RST)
/// queued already: a non-blocking peek finds it without waiting. Bytes that
/// nobody asked for (`buffered` > 0) make the connection untrustworthy too.
template <class Socket>
bool peer_has_closed(Socket& socket, std::size_t buffered) {
    if (!socket.is_open() || buffered > 0)
        return true;
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    if (ec)
        return true;
    char byte;
    socket.receive(boost::asio::buffer(&byte, 1), boost::asio::socket_base::message_peek, ec);
    bool const alive = ec == boost::asio::error::would_block;
    boost::system::error_code ignored;
    socket.non_blocking(false, ignored);
    return !alive;
}

}  // namespace aigallery::detail
