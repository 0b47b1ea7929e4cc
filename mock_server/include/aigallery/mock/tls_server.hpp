// The mock gallery over HTTPS: the same server, each connection wrapped in
// TLS (OpenSSL through Boost.Asio SSL). A header of its own so that plain-HTTP
// users do not pay for OpenSSL's headers.
#pragma once

#include <aigallery/mock/server.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace aigallery::mock {

/// `server` speaking HTTPS with `options().tls_cert_file` (PEM chain) and
/// `tls_key_file` (PEM key); TLS 1.2 or newer. `url()` is "https://...".
/// A client that fails the handshake (e.g. because it does not trust the
/// certificate) is disconnected; nothing reaches the service.
class tls_server : public server {
public:
    /// Throws std::invalid_argument naming the file when the certificate or
    /// key cannot be loaded or do not match, else as `server` does.
    explicit tls_server(server_options opts) : server(check(opts), starter(opts)) {}

private:
    using tls_stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

    // A client that connects and never finishes the handshake is dropped.
    static constexpr std::chrono::seconds handshake_time{10};

    static server_options check(server_options opts) {
        if (opts.tls_cert_file.empty() || opts.tls_key_file.empty())
            throw std::invalid_argument(
                "aigallery::mock::tls_server: tls_cert_file and tls_key_file are both required");
        return opts;
    }

    struct tls_policy {
        static boost::asio::awaitable<bool> start(tls_stream& stream, connection& c) {
            namespace net = boost::asio;
            c.expire_after(handshake_time);
            auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server,
                                                        net::as_tuple(net::use_awaitable));
            c.expire_never();
            co_return !ec;
        }
        static boost::asio::awaitable<void> finish(tls_stream& stream, connection& c) {
            namespace net = boost::asio;
            c.expire_after(std::chrono::seconds(2));
            co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
        }
    };

    static std::shared_ptr<boost::asio::ssl::context> make_context(server_options const& opts) {
        namespace ssl = boost::asio::ssl;
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        boost::system::error_code ec;
        ctx->use_certificate_chain_file(opts.tls_cert_file, ec);
        if (ec)
            throw std::invalid_argument(
                "aigallery::mock::tls_server: cannot load the certificate " + opts.tls_cert_file +
                ": " + ec.message());
        ctx->use_private_key_file(opts.tls_key_file, ssl::context::pem, ec);
        if (ec)
            throw std::invalid_argument("aigallery::mock::tls_server: cannot load the key " +
                                        opts.tls_key_file + ": " + ec.message());
        if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
            throw std::invalid_argument("aigallery::mock::tls_server: the key " +
                                        opts.tls_key_file + " does not match the certificate " +
                                        opts.tls_cert_file);
        return ctx;
    }

    static session_starter starter(server_options const& opts) {
        auto ctx = make_context(check(opts));
        return [ctx](server& self, boost::asio::ip::tcp::socket socket) {
            auto c = std::make_shared<basic_connection<tls_stream>>(std::move(socket), *ctx);
            self.spawn_session<tls_policy>(std::move(c));
        };
    }
};

}  // namespace aigallery::mock

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
