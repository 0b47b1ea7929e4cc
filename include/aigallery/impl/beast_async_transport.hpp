// beast_async_transport: the pool and the composed send operation.
#pragma once

#include <aigallery/beast_async_transport.hpp>
#include <aigallery/detail/connection_reuse.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <stdexcept>

namespace aigallery {

inline beast_async_transport::beast_async_transport(executor_type ex, std::string_view base_url,
                                                    beast_transport_options options,
                                                    std::size_t max_idle)
    : pool_(std::make_shared<pool>()) {
    beast_transport parsed(base_url, options);  // one parser of base URLs, with its errors
    // This transport speaks plain TCP only: an https URL must never be sent in
    // clear text (tokens included), so it is refused rather than downgraded.
    if (parsed.uses_tls())
        throw std::invalid_argument("beast_async_transport: base URL '" + std::string(base_url) +
                                    "' is https, which this transport does not speak yet; "
                                    "use beast_transport for TLS");
    pool_->ex = std::move(ex);
    pool_->options = std::move(options);
    pool_->host = parsed.host();
    pool_->port = parsed.port();
    // as beast_transport writes it: an IPv6 address in brackets, and the port
    pool_->host_header =
        (pool_->host.find(':') != std::string::npos ? "[" + pool_->host + "]" : pool_->host) + ":" +
        pool_->port;
    pool_->base_path = parsed.base_path();
    pool_->max_idle = max_idle;
}

inline void beast_async_transport::close_idle() {
    std::vector<std::unique_ptr<connection>> idle;
    {
        std::lock_guard lock(pool_->mutex);
        idle.swap(pool_->idle);
    }
    // closed as they are destroyed
}

/// @cond internal
// One exchange: take (or open) a connection, write, read, give it back.
// Every step after the first runs on the connection's strand, as Beast's
// tcp_stream requires. An implementation detail, kept out of the reference.
struct beast_async_transport::send_op {
    enum class stage { start, on_strand, resolving, connecting, writing, reading };

    std::shared_ptr<pool> p;
    std::unique_ptr<http_request> req;
    std::unique_ptr<connection> conn{};
    std::unique_ptr<boost::asio::ip::tcp::resolver> resolver{};
    std::unique_ptr<http::response_parser<http::string_body>> parser{};
    stage at = stage::start;
    bool reused = false;
    bool retried = false;

    template <class Self>
    auto on_strand(Self& self) {
        return boost::asio::bind_executor(conn->stream.get_executor(), std::move(self));
    }

    template <class Self>
    void operator()(Self& self) {
        if (at == stage::start) {
            // One idle connection at a time leaves the pool under the lock;
            // the peek (system calls) and the closing of a dead one happen
            // outside it, so concurrent sends do not queue behind them.
            while (!conn) {
                {
                    std::lock_guard lock(p->mutex);
                    if (p->idle.empty())
                        break;
                    conn = std::move(p->idle.back());
                    p->idle.pop_back();
                }
                if (detail::peer_has_closed(conn->stream.socket(), conn->buffer.size()))
                    conn.reset();
            }
            reused = conn != nullptr;
            if (!conn)
                conn = std::make_unique<connection>(p->ex);
            at = stage::on_strand;
            boost::asio::post(on_strand(self));
            return;
        }
        // on the strand now
        if (reused)
            write(self);
        else
            resolve(self);
    }

    template <class Self>
    void resolve(Self& self) {
        at = stage::resolving;
        resolver = std::make_unique<boost::asio::ip::tcp::resolver>(conn->stream.get_executor());
        // Everything the call needs is taken before `self` (this object) is
        // moved into the handler: arguments are evaluated in no fixed order.
        auto& r = *resolver;
        std::string host = p->host, port = p->port;
        r.async_resolve(host, port, boost::asio::ip::tcp::resolver::numeric_service,
                        on_strand(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec,
                    boost::asio::ip::tcp::resolver::results_type endpoints) {
        if (ec)
            return finish(self, ec);
        at = stage::connecting;
        auto& stream = conn->stream;
        stream.expires_after(p->options.connect_timeout);
        stream.async_connect(endpoints, on_strand(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, boost::asio::ip::tcp::endpoint) {
        if (ec)
            return finish(self, ec);
        boost::system::error_code ignored;
        conn->stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        write(self);
    }

    template <class Self>
    void write(Self& self) {
        at = stage::writing;
        auto& stream = conn->stream;
        auto& r = *req;
        stream.expires_after(p->options.request_timeout);
        http::async_write(stream, r, on_strand(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, std::size_t) {
        if (at == stage::writing) {
            if (ec)
                return failed(self, ec, true, false);
            at = stage::reading;
            parser = std::make_unique<http::response_parser<http::string_body>>();
            parser->body_limit(boost::none);  // the deadline bounds it
            if (req->method() == http::verb::head)
                parser->skip(true);
            auto& stream = conn->stream;
            auto& buffer = conn->buffer;
            auto& par = *parser;
            http::async_read(stream, buffer, par, on_strand(self));
            return;
        }
        if (ec)
            return failed(self, ec, false, parser->got_some());
        conn->stream.expires_never();
        http_response res = parser->release();
        if (res.keep_alive()) {
            std::lock_guard lock(p->mutex);
            if (p->idle.size() < p->max_idle)
                p->idle.push_back(std::move(conn));
        }
        conn.reset();
        self.complete({}, std::move(res));
    }

    template <class Self>
    void failed(Self& self, boost::system::error_code ec, bool write_failed, bool got_bytes) {
        close();
        bool again =
            reused && !retried && !got_bytes && ec != boost::beast::error::timeout &&
            self.cancelled() == boost::asio::cancellation_type::none &&
            (write_failed || (detail::is_stale_connection_error(ec) && detail::replayable(*req)));
        if (!again)
            return finish(self, ec);
        retried = true;
        reused = false;
        conn = std::make_unique<connection>(p->ex);
        at = stage::on_strand;
        boost::asio::post(on_strand(self));
    }

    void close() {
        if (!conn)
            return;
        boost::system::error_code ignored;
        auto& socket = conn->stream.socket();
        if (socket.is_open())
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        conn->stream.close();
        conn.reset();
    }

    template <class Self>
    void finish(Self& self, boost::system::error_code ec) {
        close();
        self.complete(ec, http_response{});
    }
};
/// @endcond

template <class CompletionToken>
auto beast_async_transport::async_send(http_request const& req, CompletionToken&& token) {
    auto r = std::make_unique<http_request>(req);
    if (!pool_->base_path.empty())
        r->target(pool_->base_path + std::string(req.target()));
    r->set(http::field::host, pool_->host_header);
    if (r->find(http::field::user_agent) == r->end() && !pool_->options.user_agent.empty())
        r->set(http::field::user_agent, pool_->options.user_agent);
    if (r->version() == 0)
        r->version(11);
    if (!r->has_content_length() && !r->chunked())
        r->prepare_payload();
    return boost::asio::async_compose<CompletionToken,
                                      void(boost::system::error_code, http_response)>(
        send_op{pool_, std::move(r)}, token, pool_->ex);
}

}  // namespace aigallery
