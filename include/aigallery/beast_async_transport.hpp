// The asynchronous HTTP/1.1 transport over Boost.Beast: a small pool of
// kept-alive connections on the caller's executor, so many calls may run at
// once on one io_context; deadlines per operation; per-operation
// cancellation through Asio's cancellation slots.
#pragma once

#include <aigallery/async_transport.hpp>
#include <aigallery/beast_transport.hpp>
#include <aigallery/http.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/coroutine.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aigallery {

/// HTTP/1.1 over TCP for `async_client`; satisfies `aigallery::async_transport`.
///
/// Each `async_send` takes an idle kept-alive connection from the pool, or
/// opens one; when the answer is read the connection goes back (at most
/// `max_idle` stay open). So concurrent calls never share a connection, and
/// their number is not limited by the pool. Copies share the pool; the
/// transport is thread-safe. Each connection runs on its own strand.
///
/// Deadlines: `connect_timeout` for resolving and connecting,
/// `request_timeout` for writing the request and reading the whole answer
/// (`boost::beast::error::timeout`). Cancellation: an `async_send` whose
/// cancellation slot is emitted fails with `operation_aborted`, and its
/// connection is closed (it may be half-way through an exchange).
class beast_async_transport {
public:
    /// The executor connections are made on.
    using executor_type = boost::asio::any_io_executor;

    /// `base_url` as for `beast_transport`, http only ("http://host[:port][/path]");
    /// throws std::invalid_argument naming the URL otherwise, https included
    /// (TLS is not in the async transport yet: it would otherwise go out in clear text).
    beast_async_transport(executor_type ex, std::string_view base_url,
                          beast_transport_options options = {}, std::size_t max_idle = 8);

    /// The executor given.
    executor_type get_executor() const noexcept { return pool_->ex; }

    /// Sends `req` (adding Host, User-Agent, Content-Length) and reads the
    /// answer. Completion signature `void(boost::system::error_code,
    /// http_response)`; the error is a failure to get any answer. A reused
    /// connection that fails before any byte of the answer is retried once
    /// on a new connection when the request cannot have been carried out or
    /// is safe to repeat, as `beast_transport::send` does.
    template <class CompletionToken>
    auto async_send(http_request const& req, CompletionToken&& token);

    /// Closes every idle connection.
    void close_idle();

private:
    struct connection {
        explicit connection(executor_type const& ex) : stream(boost::asio::make_strand(ex)) {}
        boost::beast::tcp_stream stream;
        boost::beast::flat_buffer buffer;
    };
    struct pool {
        executor_type ex;
        beast_transport_options options;
        std::string host, port, host_header, base_path;
        std::size_t max_idle;
        std::mutex mutex;
        std::vector<std::unique_ptr<connection>> idle;
    };
    struct send_op;

    std::shared_ptr<pool> pool_;
};

}  // namespace aigallery

#include <aigallery/impl/beast_async_transport.hpp>
