// The asynchronous HTTP/1.1 transport over Boost.Beast (TLS with OpenSSL for
// https, as the synchronous one): a small pool of kept-alive connections on
// the caller's executor, so many calls may run at
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
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aigallery {

/// HTTP/1.1 over TCP or TLS for `async_client`; satisfies
/// `aigallery::async_transport`.
///
/// Each `async_send` takes an idle kept-alive connection from the pool, or
/// opens one; when the answer is read the connection goes back (at most
/// `max_idle` stay open). So concurrent calls never share a connection, and
/// their number is not limited by the pool. Copies share the pool; the
/// transport is thread-safe. Each connection runs on its own strand.
///
/// TLS ("https" base URLs) follows the same rules as `beast_transport`, with
/// the same code: the certificate is verified against the system CA store
/// (plus `tls.ca_file`) and must name the URL's host, SNI is sent for host
/// names, and a failed verification is the send's error, a `security_errc`
/// that says why (unknown CA, expired, wrong host); never a fallback to an
/// unverified or plain connection. TLS connections are kept alive in the pool
/// like plain ones. A connection that ends normally (the server asked to
/// close, the pool is full, `close_idle`) ends with close_notify, sent on its
/// strand and bounded by `connect_timeout`; one that failed is closed at once.
///
/// Deadlines: `connect_timeout` for resolving, connecting and the TLS
/// handshake, `request_timeout` for writing the request and reading the
/// whole answer (`boost::beast::error::timeout`). Cancellation: an
/// `async_send` whose cancellation slot is emitted fails with
/// `operation_aborted`, and its connection is closed (it may be half-way
/// through an exchange or a handshake).
class beast_async_transport {
public:
    /// The executor connections are made on.
    using executor_type = boost::asio::any_io_executor;

    /// `base_url` as for `beast_transport`: "http[s]://host[:port][/path]".
    /// Throws std::invalid_argument naming the URL when it is not of that
    /// form, and boost::system::system_error (`security_errc::tls_setup_failed`)
    /// naming `options.tls.ca_file` when it cannot be loaded, as
    /// `beast_transport` does.
    beast_async_transport(executor_type ex, std::string_view base_url,
                          beast_transport_options options = {}, std::size_t max_idle = 8);

    /// The executor given.
    executor_type get_executor() const noexcept { return pool_->ex; }

    /// True for an "https" base URL.
    bool uses_tls() const noexcept { return pool_->tls_context != nullptr; }

    /// Signs (or otherwise completes) every request from now on, in every
    /// copy of this transport (they share one pool); see
    /// `beast_transport_options::request_signer`. Set it before the first
    /// `async_send`: it is not synchronised with sends in flight.
    ///
    /// Throws std::logic_error if the pool already has a signer (from the
    /// options or an earlier call, e.g. an `async_client` made with other
    /// keys from a copy of this transport): a second signer would silently
    /// re-sign the first client's requests as itself. Give each signing
    /// client a transport of its own. An empty `signer` removes the current
    /// one (e.g. to hand the pool to a client with new temporary keys once
    /// the old client is gone).
    void set_request_signer(std::function<boost::system::error_code(http_request&)> signer) {
        if (signer && pool_->options.request_signer)
            throw std::logic_error(
                "aigallery::beast_async_transport: this transport's pool already signs its "
                "requests (copies of a transport share one pool); give each signing client a "
                "transport of its own");
        pool_->options.request_signer = std::move(signer);
    }

    /// Sends `req` (adding Host, User-Agent, Content-Length, then the
    /// `request_signer`'s headers) and reads the answer. Completion signature
    /// `void(boost::system::error_code, http_response)`; the error is a
    /// failure to get any answer (or the signer's error: nothing is sent
    /// then). A reused connection that fails before any byte of the answer is
    /// retried once on a new connection when the request cannot have been
    /// carried out or is safe to repeat, as `beast_transport::send` does.
    template <class CompletionToken>
    auto async_send(http_request const& req, CompletionToken&& token);

    /// Closes every idle connection (TLS ones with close_notify, completed on
    /// the executor).
    void close_idle();

private:
    struct connection {
        using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
        // A fresh TLS session per connection: one cannot be reused after it ended.
        connection(executor_type const& ex, boost::asio::ssl::context* tls_context) {
            auto strand = boost::asio::make_strand(ex);
            if (tls_context)
                tls = std::make_unique<tls_stream>(strand, *tls_context);
            else
                plain.emplace(strand);
        }
        std::optional<boost::beast::tcp_stream> plain;  // http
        std::unique_ptr<tls_stream> tls;                // https
        boost::beast::flat_buffer buffer;

        boost::beast::tcp_stream& lowest() {
            return tls ? boost::beast::get_lowest_layer(*tls) : *plain;
        }
        // Closes the socket at once, without close_notify.
        void drop() noexcept {
            boost::system::error_code ignored;
            auto& socket = lowest().socket();
            if (socket.is_open())
                socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            lowest().close();
        }
    };
    struct pool {
        executor_type ex;
        beast_transport_options options;
        std::string host, port, host_header, base_path;
        std::shared_ptr<boost::asio::ssl::context> tls_context;  // https only
        std::size_t max_idle;
        std::mutex mutex;
        std::vector<std::unique_ptr<connection>> idle;

        std::unique_ptr<connection> open() const {
            return std::make_unique<connection>(ex, tls_context.get());
        }
    };
    struct send_op;

    // Ends a connection that is still in order: close_notify over TLS (on its
    // strand, bounded by `deadline`), a plain close otherwise.
    static void retire(std::unique_ptr<connection> c, std::chrono::milliseconds deadline);

    std::shared_ptr<pool> pool_;
};

}  // namespace aigallery

#include <aigallery/impl/beast_async_transport.hpp>
