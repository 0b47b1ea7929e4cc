// The real transport: HTTP/1.1 (over TLS for "https") on one kept-alive
// connection, with Boost.Beast and OpenSSL. Synchronous by design: the client above it is
// synchronous, and a private io_context gives every operation a deadline.
#pragma once

#include <aigallery/detail/connection_reuse.hpp>
#include <aigallery/detail/tls_client.hpp>
#include <aigallery/http.hpp>
#include <aigallery/tls.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/result.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace aigallery {

/// Timeouts and headers of a beast_transport.
struct beast_transport_options {
    /// Name resolution plus TCP connect (resolution itself is bounded by the
    /// system resolver, which cannot be cancelled).
    std::chrono::milliseconds connect_timeout{5000};
    /// Writing the request plus reading the whole response.
    std::chrono::milliseconds request_timeout{30000};
    /// Sent unless the request already has a User-Agent.
    std::string user_agent = "aigallery-cpp/0.1";
    /// For "https" base URLs: which certificates to trust (default: the
    /// system CA store, peer and host name verified).
    tls_options tls{};
    /// Called on each request once it is final (target with the base path,
    /// Host, User-Agent, Content-Length), right before it is written: where
    /// an AK/SK signature goes (`aksk_signer`). An error it returns is the
    /// send's error and nothing is sent.
    std::function<boost::system::error_code(http_request&)> request_signer{};
};

/// HTTP/1.1 over TCP or TLS, one connection kept alive across calls and
/// reopened when the server has closed it. Satisfies `aigallery::transport`.
///
/// Over TLS the server's certificate is verified against the system CA store
/// (plus `tls.ca_file`) and must name the URL's host; SNI is sent for host
/// names. A failed verification is the send's error, a `security_errc` that
/// says why (unknown CA, expired, wrong host); there is no fallback to an
/// unverified or plain connection. `close()` ends a TLS session with
/// close_notify.
///
/// Thread-compatible: use one transport per thread (or lock around `send`).
/// Movable, not copyable; a moved-from transport may only be assigned to or
/// destroyed.
class beast_transport {
public:
    /// `base_url` is "http[s]://host[:port][/path]"; the path (if any) is put
    /// in front of every request target. Throws std::invalid_argument naming
    /// the URL when it is not of that form, and boost::system::system_error
    /// (`security_errc::tls_setup_failed`) naming `tls.ca_file` when it
    /// cannot be loaded.
    explicit beast_transport(std::string_view base_url, beast_transport_options options = {})
        : options_(std::move(options)) {
        parse_base_url(base_url);
        state_ = std::make_unique<state>();
        if (tls_) {
            if (auto ec = detail::make_client_context(options_.tls, state_->tls_context))
                throw boost::system::system_error(
                    ec, "aigallery::beast_transport: cannot set up TLS (ca_file '" +
                            options_.tls.ca_file + "')");
        }
    }

    /// Signs (or otherwise completes) every request from now on; see
    /// `beast_transport_options::request_signer`.
    void set_request_signer(std::function<boost::system::error_code(http_request&)> signer) {
        options_.request_signer = std::move(signer);
    }

    /// True for an "https" base URL.
    bool uses_tls() const noexcept { return tls_; }

    /// Moves the connection.
    beast_transport(beast_transport&&) noexcept = default;
    /// Moves the connection (the old one is dropped).
    beast_transport& operator=(beast_transport&&) noexcept = default;
    beast_transport(beast_transport const&) = delete;
    beast_transport& operator=(beast_transport const&) = delete;
    /// Closes the connection as `close()` does (TLS: with close_notify).
    ~beast_transport() { close(); }

    /// Sends `req` (adding Host, User-Agent and Content-Length) and reads the
    /// response. The error is a failure to get any response: refused, reset,
    /// timed out (`boost::beast::error::timeout`).
    ///
    /// A kept-alive connection that the server has closed meanwhile is
    /// reopened before sending. When a reused connection fails before any
    /// byte of the response arrives, the request is sent once more on a new
    /// connection if it cannot have been carried out (the write failed) or
    /// is safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE, or it carries an
    /// Idempotency-Key); otherwise the error is returned, so a POST is never
    /// carried out twice behind the caller's back.
    boost::system::result<http_response> send(http_request const& req) {
        namespace http = boost::beast::http;
        if (!state_)
            return make_error_code(boost::asio::error::not_connected);

        http_request r = req;
        if (!base_path_.empty())
            r.target(base_path_ + std::string(req.target()));
        r.set(http::field::host, host_header_);
        if (r.find(http::field::user_agent) == r.end() && !options_.user_agent.empty()) {
            r.set(http::field::user_agent, options_.user_agent);
        }
        if (r.version() == 0)
            r.version(11);
        // Without framing the server would not see the body at all.
        if (!r.has_content_length() && !r.chunked())
            r.prepare_payload();
        // Last, so that the signature covers the request exactly as written.
        if (options_.request_signer) {
            if (auto ec = options_.request_signer(r))
                return ec;
        }

        if (state_->connected && peer_has_closed())
            drop();
        bool const reused = state_->connected;
        if (!reused) {
            if (auto ec = connect())
                return ec;
        }

        exchange_result first = exchange(r);
        if (!first.ec)
            return std::move(first.response);
        drop();
        if (!reused || first.got_response_bytes || first.ec == boost::beast::error::timeout) {
            return first.ec;
        }
        if (!first.write_failed &&
            !(is_stale_connection_error(first.ec) && detail::replayable(r))) {
            return first.ec;
        }
        if (auto ec = connect())
            return ec;
        exchange_result second = exchange(r);
        if (second.ec) {
            drop();
            return second.ec;
        }
        return std::move(second.response);
    }

    /// Closes the kept-alive connection, if any; the next `send` opens one.
    /// A TLS session is ended with close_notify first (bounded by
    /// `connect_timeout`), so the server sees a clean end.
    void close() noexcept {
        if (!state_)
            return;
        if (state_->tls && state_->connected && state_->lowest().socket().is_open()) {
            try {
                state_->lowest().expires_after(options_.connect_timeout);
                run([&] { state_->tls->async_shutdown([](boost::system::error_code) {}); });
            } catch (...) {  // a failed shutdown only means a less clean end
            }
        }
        drop();
    }

private:
    // Closes at once, without TLS close_notify: for a connection that failed
    // or that the peer has closed, where waiting for the peer makes no sense.
    void drop() noexcept {
        if (!state_)
            return;
        boost::system::error_code ignored;
        auto& socket = state_->lowest().socket();
        if (socket.is_open())
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        state_->lowest().close();
        state_->buffer.clear();
        state_->connected = false;
    }

public:
    /// The host (without brackets), the port and the path prefix of the base URL.
    std::string const& host() const noexcept { return host_; }
    /// The port of the base URL.
    std::string const& port() const noexcept { return port_; }
    /// The path of the base URL, put in front of every target.
    std::string const& base_path() const noexcept { return base_path_; }
    /// The options it was made with.
    beast_transport_options const& options() const noexcept { return options_; }

private:
    // Behind a pointer so that the transport can move (io_context cannot).
    struct state {
        using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
        boost::asio::io_context ioc{1};
        boost::beast::tcp_stream stream{ioc};  // plain HTTP
        std::shared_ptr<boost::asio::ssl::context> tls_context;
        std::unique_ptr<tls_stream> tls;  // HTTPS: a fresh one per connection
        boost::beast::flat_buffer buffer;
        bool connected = false;

        boost::beast::tcp_stream& lowest() {
            return tls ? boost::beast::get_lowest_layer(*tls) : stream;
        }
        // Calls f with the stream HTTP is read from and written to.
        template <class F>
        void with_stream(F&& f) {
            if (tls)
                f(*tls);
            else
                f(stream);
        }
    };

    struct exchange_result {
        boost::system::error_code ec;
        http_response response;
        bool write_failed = false;
        bool got_response_bytes = false;
    };

    [[noreturn]] static void bad_url(std::string_view url, std::string_view why) {
        throw std::invalid_argument("aigallery::beast_transport: invalid base URL '" +
                                    std::string(url) + "': " + std::string(why));
    }

    void parse_base_url(std::string_view url) {
        namespace urls = boost::urls;
        auto parsed = urls::parse_uri(url);
        if (!parsed)
            bad_url(url, "not an absolute URL");
        urls::url_view const& u = *parsed;
        // TLS would add an ssl_stream next to tcp_stream, chosen here.
        tls_ = u.scheme_id() == urls::scheme::https;
        if (!tls_ && u.scheme_id() != urls::scheme::http)
            bad_url(url, "the scheme must be http or https");
        if (!u.has_authority() || u.encoded_host().empty())
            bad_url(url, "no host");
        if (u.has_userinfo())
            bad_url(url, "credentials in the URL are not supported");
        if (u.has_query() || u.has_fragment())
            bad_url(url, "a query or fragment is not allowed");
        if (u.host_type() == urls::host_type::ipvfuture)
            bad_url(url, "unsupported host");

        host_ = u.host_address();
        port_ = tls_ ? "443" : "80";
        if (u.has_port() && !u.port().empty()) {
            std::string_view p = u.port();
            unsigned value = 0;
            auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
            if (ec != std::errc{} || end != p.data() + p.size() || value == 0 || value > 65535) {
                bad_url(url, "bad port");
            }
            port_ = std::to_string(value);
        }
        // Over TLS the default port is left out, as browsers and the vendor
        // SDKs send it (an AK/SK signature covers the Host header).
        host_header_ = std::string(u.encoded_host());
        if (!(tls_ && port_ == "443"))
            host_header_ += ":" + port_;
        base_path_ = u.encoded_path();
        while (!base_path_.empty() && base_path_.back() == '/')
            base_path_.pop_back();
    }

    static bool is_stale_connection_error(boost::system::error_code const& ec) {
        return detail::is_stale_connection_error(ec) ||
               ec == boost::asio::ssl::error::stream_truncated;
    }

    bool peer_has_closed() {
        return detail::peer_has_closed(state_->lowest().socket(), state_->buffer.size());
    }

    // Runs the private io_context until the operation started by `start` has
    // completed; tcp_stream's expiry bounds the wait.
    template <class Start>
    void run(Start&& start) {
        state_->ioc.restart();
        std::forward<Start>(start)();
        state_->ioc.run();
    }

    boost::system::error_code connect() {
        namespace net = boost::asio;
        using tcp = net::ip::tcp;
        tcp::resolver resolver(state_->ioc);
        boost::system::error_code ec;
        auto endpoints = resolver.resolve(host_, port_, tcp::resolver::numeric_service, ec);
        if (ec)
            return ec;

        state_->buffer.clear();
        // An SSL session cannot be reused after it ended: a new one per connection.
        if (tls_)
            state_->tls = std::make_unique<state::tls_stream>(state_->ioc, *state_->tls_context);
        auto& lowest = state_->lowest();
        lowest.expires_after(options_.connect_timeout);
        run([&] {
            lowest.async_connect(
                endpoints, [&](boost::system::error_code e, tcp::endpoint const&) { ec = e; });
        });
        if (ec) {
            lowest.close();
            return ec;
        }
        lowest.socket().set_option(tcp::no_delay(true), ec);
        if (tls_) {
            // The handshake shares the connect deadline.
            SSL* ssl = state_->tls->native_handle();
            if (auto e = detail::prepare_client_stream(ssl, host_, options_.tls.verify_peer)) {
                lowest.close();
                return e;
            }
            run([&] {
                state_->tls->async_handshake(boost::asio::ssl::stream_base::client,
                                             [&](boost::system::error_code e) { ec = e; });
            });
            if (ec) {
                auto why = detail::classify_handshake_failure(ssl, ec);
                lowest.close();
                return why;
            }
        }
        lowest.expires_never();
        state_->connected = true;
        return {};
    }

    exchange_result exchange(http_request& r) {
        namespace http = boost::beast::http;
        exchange_result out;
        state_->lowest().expires_after(options_.request_timeout);

        run([&] {
            state_->with_stream([&](auto& stream) {
                http::async_write(stream, r,
                                  [&](boost::system::error_code e, std::size_t) { out.ec = e; });
            });
        });
        if (out.ec) {
            out.write_failed = true;
            return out;
        }

        http::response_parser<http::string_body> parser;
        parser.body_limit(boost::none);  // state exports can be large; the deadline bounds it
        if (r.method() == http::verb::head)
            parser.skip(true);
        run([&] {
            state_->with_stream([&](auto& stream) {
                http::async_read(stream, state_->buffer, parser,
                                 [&](boost::system::error_code e, std::size_t) { out.ec = e; });
            });
        });
        out.got_response_bytes = parser.got_some();
        if (out.ec)
            return out;

        state_->lowest().expires_never();
        out.response = parser.release();
        if (!out.response.keep_alive())
            close();
        return out;
    }

    beast_transport_options options_;
    std::string host_;
    std::string port_;
    std::string host_header_;
    std::string base_path_;
    bool tls_ = false;
    std::unique_ptr<state> state_;
};

static_assert(transport<beast_transport>);

}  // namespace aigallery
