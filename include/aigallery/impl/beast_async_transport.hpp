// beast_async_transport: the pool and the composed send operation.
#pragma once

#include <aigallery/beast_async_transport.hpp>
#include <aigallery/detail/connection_reuse.hpp>
#include <aigallery/detail/tls_client.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <stdexcept>

namespace aigallery {

inline beast_async_transport::beast_async_transport(executor_type ex, std::string_view base_url,
                                                    beast_transport_options options,
                                                    std::size_t max_idle)
    : pool_(std::make_shared<pool>()) {
    // One parser of base URLs (and loader of ca_file), with its errors.
    beast_transport parsed(base_url, options);
    if (parsed.uses_tls()) {
        // The same context rules as the sync transport: one copy of them.
        if (auto ec = detail::make_client_context(options.tls, pool_->tls_context))
            throw boost::system::system_error(
                ec, "aigallery::beast_async_transport: cannot set up TLS (ca_file '" +
                        options.tls.ca_file + "')");
    }
    pool_->ex = std::move(ex);
    pool_->options = std::move(options);
    pool_->host = parsed.host();
    pool_->port = parsed.port();
    pool_->host_header = parsed.host_header();  // the sync transport's rule, so both sign alike
    pool_->base_path = parsed.base_path();
    pool_->max_idle = max_idle;
}

inline void beast_async_transport::retire(std::unique_ptr<connection> c,
                                          std::chrono::milliseconds deadline) {
    if (!c)
        return;
    if (!c->tls || !c->lowest().socket().is_open()) {
        c->drop();
        return;
    }
    auto ex = c->lowest().get_executor();
    boost::asio::dispatch(ex, [c = std::move(c), deadline]() mutable {
        auto* raw = c.get();
        raw->lowest().expires_after(deadline);
        // The handler owns the connection, so it lives until close_notify is
        // answered or the deadline passes; then the socket is closed.
        raw->tls->async_shutdown(
            [c = std::move(c)](boost::system::error_code) mutable { c->drop(); });
    });
}

inline void beast_async_transport::close_idle() {
    std::vector<std::unique_ptr<connection>> idle;
    {
        std::lock_guard lock(pool_->mutex);
        idle.swap(pool_->idle);
    }
    for (auto& c : idle)
        retire(std::move(c), pool_->options.connect_timeout);
}

/// @cond internal
// One exchange: take (or open) a connection, write, read, give it back.
// Every step after the first runs on the connection's strand, as Beast's
// tcp_stream requires. An implementation detail, kept out of the reference.
struct beast_async_transport::send_op {
    enum class stage {
        start,
        refused,
        on_strand,
        resolving,
        connecting,
        handshaking,
        writing,
        reading
    };

    std::shared_ptr<pool> p;
    std::unique_ptr<http_request> req;
    boost::system::error_code refusal{};  // the signer's: nothing is sent
    std::unique_ptr<connection> conn{};
    std::unique_ptr<boost::asio::ip::tcp::resolver> resolver{};
    std::unique_ptr<http::response_parser<http::string_body>> parser{};
    stage at = stage::start;
    bool reused = false;
    bool retried = false;

    template <class Self>
    auto on_strand(Self& self) {
        return boost::asio::bind_executor(conn->lowest().get_executor(), std::move(self));
    }

    template <class Self>
    void operator()(Self& self) {
        if (at == stage::refused)
            return self.complete(refusal, http_response{});
        if (at == stage::start) {
            if (refusal) {  // completes through the executor, never inside async_send
                at = stage::refused;
                boost::asio::post(p->ex, std::move(self));
                return;
            }
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
                if (detail::peer_has_closed(conn->lowest().socket(), conn->buffer.size())) {
                    conn->drop();  // the peer is gone: no close_notify to wait for
                    conn.reset();
                }
            }
            reused = conn != nullptr;
            if (!conn)
                conn = p->open();
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
        resolver = std::make_unique<boost::asio::ip::tcp::resolver>(conn->lowest().get_executor());
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
        auto& stream = conn->lowest();
        stream.expires_after(p->options.connect_timeout);
        stream.async_connect(endpoints, on_strand(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, boost::asio::ip::tcp::endpoint) {
        if (ec)
            return finish(self, ec);
        boost::system::error_code ignored;
        conn->lowest().socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
        if (conn->tls)
            return handshake(self);
        write(self);
    }

    // The handshake shares the connect deadline, as in beast_transport.
    template <class Self>
    void handshake(Self& self) {
        at = stage::handshaking;
        if (auto ec = detail::prepare_client_stream(conn->tls->native_handle(), p->host,
                                                    p->options.tls.verify_peer))
            return finish(self, ec);
        auto& tls = *conn->tls;
        tls.async_handshake(boost::asio::ssl::stream_base::client, on_strand(self));
    }

    // the handshake's end
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec) {
        if (ec)
            return finish(self, detail::classify_handshake_failure(conn->tls->native_handle(), ec));
        write(self);
    }

    template <class Self>
    void write(Self& self) {
        at = stage::writing;
        conn->lowest().expires_after(p->options.request_timeout);
        auto& r = *req;
        if (conn->tls) {
            auto& stream = *conn->tls;
            http::async_write(stream, r, on_strand(self));
        } else {
            auto& stream = *conn->plain;
            http::async_write(stream, r, on_strand(self));
        }
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
            auto& buffer = conn->buffer;
            auto& par = *parser;
            if (conn->tls) {
                auto& stream = *conn->tls;
                http::async_read(stream, buffer, par, on_strand(self));
            } else {
                auto& stream = *conn->plain;
                http::async_read(stream, buffer, par, on_strand(self));
            }
            return;
        }
        if (ec)
            return failed(self, ec, false, parser->got_some());
        conn->lowest().expires_never();
        http_response res = parser->release();
        if (res.keep_alive()) {
            std::lock_guard lock(p->mutex);
            if (p->idle.size() < p->max_idle)
                p->idle.push_back(std::move(conn));
        }
        retire(std::move(conn), p->options.connect_timeout);  // not kept: a clean end
        self.complete({}, std::move(res));
    }

    template <class Self>
    void failed(Self& self, boost::system::error_code ec, bool write_failed, bool got_bytes) {
        close();
        bool again =
            reused && !retried && !got_bytes && ec != boost::beast::error::timeout &&
            self.cancelled() == boost::asio::cancellation_type::none &&
            (write_failed || (detail::is_stale_stream_error(ec) && detail::replayable(*req)));
        if (!again)
            return finish(self, ec);
        retried = true;
        reused = false;
        conn = p->open();
        at = stage::on_strand;
        boost::asio::post(on_strand(self));
    }

    // A failed connection: closed at once, without close_notify.
    void close() {
        if (!conn)
            return;
        conn->drop();
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
    // Last, so that the signature covers the request exactly as written.
    boost::system::error_code refusal;
    if (pool_->options.request_signer)
        refusal = pool_->options.request_signer(*r);
    return boost::asio::async_compose<CompletionToken,
                                      void(boost::system::error_code, http_response)>(
        send_op{pool_, std::move(r), refusal}, token, pool_->ex);
}

}  // namespace aigallery
