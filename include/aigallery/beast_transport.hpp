// The real transport: HTTP/1.1 (over TLS for "https") on one kept-alive
// connection, with Boost.Beast and OpenSSL. Synchronous by design: the client above it is
// synchronous, and a private io_context gives every operation a deadline.
//
// This header declares; the I/O (Beast, Asio, OpenSSL) is in
// impl/beast_transport.ipp, included here when header-only and compiled once
// by <aigallery/src.hpp> under AIGALLERY_SEPARATE_COMPILATION, so that a
// user's translation unit then parses none of it.
#pragma once

#include <aigallery/detail/config.hpp>
#include <aigallery/http.hpp>
#include <aigallery/tls.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
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
    AIGALLERY_DECL explicit beast_transport(std::string_view base_url,
                                            beast_transport_options options = {});

    /// Signs (or otherwise completes) every request from now on; see
    /// `beast_transport_options::request_signer`.
    void set_request_signer(std::function<boost::system::error_code(http_request&)> signer) {
        options_.request_signer = std::move(signer);
    }

    /// True for an "https" base URL.
    bool uses_tls() const noexcept { return tls_; }

    /// Moves the connection.
    AIGALLERY_DECL beast_transport(beast_transport&&) noexcept;
    /// Moves the connection (the old one is dropped).
    AIGALLERY_DECL beast_transport& operator=(beast_transport&&) noexcept;
    beast_transport(beast_transport const&) = delete;
    beast_transport& operator=(beast_transport const&) = delete;
    /// Closes the connection as `close()` does (TLS: with close_notify).
    AIGALLERY_DECL ~beast_transport();

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
    AIGALLERY_DECL boost::system::result<http_response> send(http_request const& req);

    /// Closes the kept-alive connection, if any; the next `send` opens one.
    /// A TLS session is ended with close_notify first (bounded by
    /// `connect_timeout`), so the server sees a clean end.
    AIGALLERY_DECL void close() noexcept;

    /// The host (without brackets), the port and the path prefix of the base URL.
    std::string const& host() const noexcept { return host_; }
    /// The port of the base URL.
    std::string const& port() const noexcept { return port_; }
    /// The Host header every request carries (and an AK/SK signature
    /// covers): the host as the URL spells it (an IPv6 address in brackets)
    /// and the port, left out for https on 443.
    std::string const& host_header() const noexcept { return host_header_; }
    /// The path of the base URL, put in front of every target.
    std::string const& base_path() const noexcept { return base_path_; }
    /// The options it was made with.
    beast_transport_options const& options() const noexcept { return options_; }

private:
    // The Beast and Asio objects, behind a pointer so that the transport can
    // move (io_context cannot) and so that this header needs none of their
    // declarations; defined in impl/beast_transport.ipp.
    struct state;
    struct exchange_result;

    // Closes at once, without TLS close_notify: for a connection that failed
    // or that the peer has closed, where waiting for the peer makes no sense.
    AIGALLERY_DECL void drop() noexcept;
    [[noreturn]] AIGALLERY_DECL static void bad_url(std::string_view url, std::string_view why);
    AIGALLERY_DECL void parse_base_url(std::string_view url);
    AIGALLERY_DECL bool peer_has_closed();
    // Runs the private io_context until the operation started by `start` has
    // completed; tcp_stream's expiry bounds the wait.
    template <class Start>
    void run(Start&& start);
    AIGALLERY_DECL boost::system::error_code connect();
    AIGALLERY_DECL exchange_result exchange(http_request& r);

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

#if defined(AIGALLERY_HEADER_ONLY)
#include <aigallery/impl/beast_transport.ipp>
#endif
