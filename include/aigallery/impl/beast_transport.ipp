// beast_transport's I/O: Beast, Asio and OpenSSL. Included by
// beast_transport.hpp when header-only, and by <aigallery/src.hpp> (once, in
// the user's chosen translation unit) under AIGALLERY_SEPARATE_COMPILATION.
#pragma once

#include <aigallery/beast_transport.hpp>
#include <aigallery/detail/connection_reuse.hpp>
#include <aigallery/detail/tls_client.hpp>

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
#include <boost/system/system_error.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

namespace aigallery {

struct beast_transport::state {
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

struct beast_transport::exchange_result {
    boost::system::error_code ec;
    http_response response;
    bool write_failed = false;
    bool got_response_bytes = false;
};

// Runs the private io_context until the operation started by `start` has
// completed; tcp_stream's expiry bounds the wait.
template <class Start>
void beast_transport::run(Start&& start) {
    state_->ioc.restart();
    std::forward<Start>(start)();
    state_->ioc.run();
}

beast_transport::beast_transport(std::string_view base_url, beast_transport_options options)
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

// Out of line: `state` is complete only here.
beast_transport::beast_transport(beast_transport&&) noexcept = default;

beast_transport& beast_transport::operator=(beast_transport&&) noexcept = default;

beast_transport::~beast_transport() {
    close();
}

boost::system::result<http_response> beast_transport::send(http_request const& req) {
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
        !(detail::is_stale_stream_error(first.ec) && detail::replayable(r))) {
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

void beast_transport::close() noexcept {
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

void beast_transport::drop() noexcept {
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

void beast_transport::bad_url(std::string_view url, std::string_view why) {
    throw std::invalid_argument("aigallery::beast_transport: invalid base URL '" +
                                std::string(url) + "': " + std::string(why));
}

void beast_transport::parse_base_url(std::string_view url) {
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

bool beast_transport::peer_has_closed() {
    return detail::peer_has_closed(state_->lowest().socket(), state_->buffer.size());
}

boost::system::error_code beast_transport::connect() {
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
        lowest.async_connect(endpoints,
                             [&](boost::system::error_code e, tcp::endpoint const&) { ec = e; });
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

beast_transport::exchange_result beast_transport::exchange(http_request& r) {
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

}  // namespace aigallery
