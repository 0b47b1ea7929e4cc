// The mock gallery on a real socket: Boost.Beast HTTP/1.1 in front of a
// `service`. The service decides every answer; this layer only moves bytes,
// applies the delays and resets the service asks for, and owns the threads.
#pragma once

#include <aigallery/http.hpp>
#include <aigallery/mock/options.hpp>
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// GCC 12 warns, wrongly, that an Asio coroutine frame is freed with a
// mismatched operator delete (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace aigallery::mock {

namespace detail {

/// Writes the start line and the fields of `res` into `out` (replacing
/// what it held), byte for byte as Beast's serializer sends them, for a
/// message that is not chunked. The session sends this and the body as
/// one gathered write: Beast's serializer hands the socket one buffer per
/// field through several layers of composed operations, which cost a
/// publish over loopback about 6% of its rate (docs/benchmarks.md,
/// "Evening, 2026-12-07").
inline void render_head(http_response const& res, std::string& out) {
    unsigned const version = res.version();
    unsigned const code = res.result_int();
    auto const reason = res.reason();
    std::size_t size = 13 + reason.size() + 2 + 2;
    for (auto const& f : res)
        size += f.name_string().size() + 2 + f.value().size() + 2;
    out.clear();
    out.reserve(size);
    char const line[] = {'H',
                         'T',
                         'T',
                         'P',
                         '/',
                         static_cast<char>('0' + version / 10),
                         '.',
                         static_cast<char>('0' + version % 10),
                         ' ',
                         static_cast<char>('0' + code / 100),
                         static_cast<char>('0' + code / 10 % 10),
                         static_cast<char>('0' + code % 10),
                         ' '};
    out.append(line, sizeof line).append(reason.data(), reason.size()).append("\r\n");
    for (auto const& f : res) {
        out.append(f.name_string().data(), f.name_string().size()).append(": ");
        out.append(f.value().data(), f.value().size()).append("\r\n");
    }
    out.append("\r\n");
}

}  // namespace detail

class tls_server;

/// The in-process mock gallery: listening and serving on `options().threads`
/// threads as soon as the constructor returns; stops in its destructor.
///
/// Thread-safe, except that `stop()` (and so the destructor) must not be
/// called from inside a request, i.e. on one of the server's own threads.
class server {
public:
    /// Binds `opts.host:opts.port` (port 0: a free one) and starts serving.
    /// Throws boost::system::system_error when the address cannot be bound,
    /// and std::invalid_argument when `opts` asks for TLS: that is
    /// `tls_server` (<aigallery/mock/tls_server.hpp>), so that plain HTTP
    /// users do not compile OpenSSL's headers.
    explicit server(server_options opts = {}) : server(no_tls(std::move(opts)), nullptr) {}

private:
    // Hands an accepted socket to a session of another stream type (TLS).
    using session_starter = std::function<void(server&, boost::asio::ip::tcp::socket)>;
    friend class tls_server;

    static server_options no_tls(server_options opts) {
        if (!opts.tls_cert_file.empty() || !opts.tls_key_file.empty())
            throw std::invalid_argument(
                "aigallery::mock::server: tls_cert_file/tls_key_file need "
                "aigallery::mock::tls_server (#include <aigallery/mock/tls_server.hpp>)");
        return opts;
    }

    server(server_options opts, session_starter starter)
        : service_(opts),
          host_(opts.host),
          scheme_(starter ? "https" : "http"),
          starter_(std::move(starter)),
          max_connections_(connection_limit(opts.max_connections)),
          one_thread_(opts.threads <= 1),
          ioc_(one_thread_ ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
          acceptor_(own_executor()),
          sweep_timer_(own_executor()),
          sweep_every_(sweep_interval(opts)) {
        namespace net = boost::asio;
        using tcp = net::ip::tcp;

        for (auto [name, value] : {std::pair{"idle_timeout", opts.idle_timeout},
                                   std::pair{"header_timeout", opts.header_timeout},
                                   std::pair{"request_timeout", opts.request_timeout}}) {
            if (value <= std::chrono::milliseconds::zero())
                throw std::invalid_argument(std::string("aigallery::mock::server: ") + name +
                                            " must be positive, got " +
                                            std::to_string(value.count()) + " ms");
        }
        tcp::endpoint endpoint = resolve_listen_endpoint(opts.host, opts.port);
        boost::system::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec)
            acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor_.bind(endpoint, ec);
        if (!ec)
            acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) {
            throw boost::system::system_error(ec, "aigallery::mock::server: cannot listen on " +
                                                      opts.host + ":" + std::to_string(opts.port));
        }
        port_ = acceptor_.local_endpoint().port();

        net::co_spawn(acceptor_.get_executor(), accept_loop(), net::detached);
        net::co_spawn(sweep_timer_.get_executor(), sweep_loop(), net::detached);
        unsigned const n = opts.threads == 0 ? 1 : opts.threads;
        threads_.reserve(n);
        try {
            for (unsigned i = 0; i < n; ++i)
                threads_.emplace_back([this] { ioc_.run(); });
        } catch (...) {
            // No destructor runs for a half-built object: undo by hand.
            ioc_.stop();
            for (auto& t : threads_)
                t.join();
            throw;
        }
    }

public:
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /// Stops (see `stop()`).
    virtual ~server() { stop(); }

    /// "http://127.0.0.1:PORT", or "https://..." for a `tls_server` (an IPv6
    /// host is bracketed).
    std::string url() const {
        bool const v6 = host_.find(':') != std::string::npos;
        return scheme_ + "://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
    }
    /// The port it listens on (the one chosen when the options said 0).
    unsigned short port() const noexcept { return port_; }
    /// The address it listens on.
    std::string host() const { return host_; }

    /// How many TCP connections the server has accepted so far: lets tests
    /// check that a client really keeps its connection alive.
    std::uint64_t connections_accepted() const noexcept {
        return connections_accepted_.load(std::memory_order_relaxed);
    }

    /// How many connections are open right now.
    std::size_t open_connections() const {
        std::lock_guard lock(mutex_);
        return connections_.size();
    }

    /// How many connections were answered 503 and closed because
    /// max_connections() were already open.
    std::uint64_t connections_turned_away() const noexcept {
        return turned_away_.load(std::memory_order_relaxed);
    }

    /// The connection limit in force: options().max_connections, lowered to
    /// the descriptor limit minus 64 when that is smaller.
    std::size_t max_connections() const noexcept { return max_connections_; }

    /// The service that answers its requests.
    service& handler_service() noexcept { return service_; }
    /// The service that answers its requests.
    service const& handler_service() const noexcept { return service_; }
    /// The options it was started with.
    server_options const& options() const noexcept { return service_.options(); }

    /// The account of that name, created if new (POST /__mock/accounts).
    account add_account(std::string const& name) { return service_.add_account(name); }
    /// Forgets assets, versions, keys, faults and journal; keeps accounts (POST /__mock/reset).
    void reset() { service_.reset(); }
    /// Arms a fault for the next matching /v1 requests; returns its id.
    std::uint64_t add_fault(wire::fault_spec const& fault) { return service_.add_fault(fault); }
    /// Disarms every fault.
    void clear_faults() { service_.clear_faults(); }
    /// The /v1 requests served so far, in order.
    std::vector<wire::journal_entry> journal() const { return service_.journal(); }
    /// Forgets the journal.
    void clear_journal() { service_.clear_journal(); }
    /// The journal in full (headers, bodies, times), filtered; see journal.hpp.
    std::vector<journal_record> journal_records(journal_filter const& f = {}) const {
        return service_.journal_records(f);
    }
    /// Checks now that `rule` many journaled requests match `p`; see expectations.hpp.
    verification verify(request_pattern const& p, count_rule rule = at_least(1)) const {
        return service_.verify(p, rule);
    }
    /// Registers an expectation for verify_expectations(); returns its id.
    std::uint64_t expect(request_pattern p, count_rule rule = at_least(1)) {
        return service_.expect(std::move(p), rule);
    }
    /// Checks every registered expectation.
    verification verify_expectations() const { return service_.verify_expectations(); }
    /// Forgets the registered expectations.
    void clear_expectations() { service_.clear_expectations(); }
    /// The journal as Pact v4 (needs server_options::record_provider_states).
    boost::json::object pact(std::string const& consumer, std::string const& provider) const {
        return service_.pact(consumer, provider);
    }
    /// The journal as HAR 1.2.
    boost::json::object journal_har() const { return service_.journal_har(); }
    /// The whole state as one JSON document.
    boost::json::value export_state() const { return service_.export_state(); }
    /// Replaces the whole state with a document from export_state().
    void import_state(boost::json::value const& state) { service_.import_state(state); }
    /// The faults still armed.
    std::vector<wire::fault_response> faults() const { return service_.faults(); }
    /// Every account.
    std::vector<account> accounts() const { return service_.accounts(); }
    /// Writes the state to options().state_file atomically (mode 0600).
    void save_state() const { service_.save_state(); }

    /// Closes the listening socket and every open connection (a request being
    /// handled finishes, but its answer is dropped), then joins the threads.
    /// Idempotent; concurrent callers return once the server has stopped.
    void stop() {
        std::lock_guard stop_lock(stop_mutex_);
        if (stopped_)
            return;

        std::set<std::shared_ptr<connection>> open;
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            open = connections_;
        }
        // Each socket is touched only on its own strand, so closing is posted.
        boost::asio::post(acceptor_.get_executor(), [this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
        });
        boost::asio::post(sweep_timer_.get_executor(), [this] { sweep_timer_.cancel(); });
        for (auto const& c : open) {
            boost::asio::post(c->get_executor(), [c] { c->close(); });
        }
        open.clear();
        // With the acceptor and the sockets closed, every coroutine ends and
        // run() returns on each thread.
        for (auto& t : threads_)
            t.join();
        threads_.clear();
        stopped_ = true;
    }

private:
    using tcp = boost::asio::ip::tcp;

    // Loopback-only control API, huge state documents: the service answers
    // 413 for /v1 bodies itself; this limit only protects the process.
    static constexpr std::uint64_t body_limit = 64ull << 20;
    static constexpr std::uint32_t header_limit = 64u << 10;
    // How long a refused request's unread body is drained, so that closing
    // does not turn into a reset that loses the error answer.
    static constexpr std::chrono::seconds drain_time{2};

    using clock = std::chrono::steady_clock;

    // What stop() and the sweeper need of a connection of any stream type.
    //
    // Timeouts are deadlines that the session sets (a store, no timer per
    // read or write) and one sweeper per server checks every sweep_every_:
    // arming and cancelling a timer around each operation, as
    // beast::tcp_stream does, was a measurable part of every request.
    struct connection {
        virtual ~connection() = default;
        // Runs on the connection's strand only.
        virtual void close() = 0;
        virtual boost::asio::any_io_executor get_executor() = 0;

        // The moment the sweeper closes this connection; any thread.
        void expire_at(clock::time_point t) noexcept {
            deadline.store(t.time_since_epoch().count(), std::memory_order_relaxed);
        }
        void expire_after(clock::duration d) noexcept { expire_at(clock::now() + d); }
        void expire_never() noexcept {
            deadline.store(clock::duration::max().count(), std::memory_order_relaxed);
        }
        bool expired(clock::time_point now) const noexcept {
            return deadline.load(std::memory_order_relaxed) <= now.time_since_epoch().count();
        }

        std::atomic<clock::rep> deadline{clock::duration::max().count()};
    };

    // A connection over `Stream`: a tcp::socket, or an ssl_stream over one.
    template <class Stream>
    struct basic_connection final : connection {
        template <class... Args>
        explicit basic_connection(Args&&... args)
            : stream(std::forward<Args>(args)...), delay_timer(stream.get_executor()) {}

        void close() override {
            boost::system::error_code ignored;
            auto& lowest = boost::beast::get_lowest_layer(stream);
            lowest.shutdown(tcp::socket::shutdown_both, ignored);
            lowest.close(ignored);
            delay_timer.cancel();
        }
        boost::asio::any_io_executor get_executor() override { return stream.get_executor(); }

        Stream stream;
        boost::asio::steady_timer delay_timer;
    };

    // Plain HTTP: nothing to set up before the first request or after the last.
    struct plain_policy {
        template <class Stream>
        static boost::asio::awaitable<bool> start(Stream&, connection&) {
            co_return true;
        }
        template <class Stream>
        static boost::asio::awaitable<void> finish(Stream&, connection&) {
            co_return;
        }
    };

    // Registers a connection (unless stopping or full) and runs its session.
    template <class Policy, class Stream>
    void spawn_session(std::shared_ptr<basic_connection<Stream>> c) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;  // `c` closes its socket on destruction
            if (connections_.size() >= max_connections_) {
                turn_away(boost::beast::get_lowest_layer(c->stream));
                return;
            }
            connections_.insert(c);
        }
        auto executor = c->stream.get_executor();
        boost::asio::co_spawn(executor, session<Policy>(std::move(c)), boost::asio::detached);
    }

    // An executor for the acceptor or the sweeper: a strand of their own
    // when several threads serve, the io_context's own with one.
    boost::asio::any_io_executor own_executor() {
        if (one_thread_)
            return ioc_.get_executor();
        return boost::asio::make_strand(ioc_);
    }

    static tcp::endpoint resolve_listen_endpoint(std::string const& host, unsigned short port) {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(host, ec);
        if (!ec)
            return {address, port};
        // A name such as "localhost": its first address.
        boost::asio::io_context ioc;
        tcp::resolver resolver(ioc);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) {
            throw boost::system::system_error(
                ec ? ec : make_error_code(boost::asio::error::host_not_found),
                "aigallery::mock::server: cannot resolve host '" + host + "'");
        }
        return results.begin()->endpoint();
    }

    static bool is_loopback(boost::asio::ip::address const& a) {
        if (a.is_v6() && a.to_v6().is_v4_mapped()) {
            return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6())
                .is_loopback();
        }
        return a.is_loopback();
    }

    boost::asio::awaitable<void> accept_loop() {
        namespace net = boost::asio;
        for (;;) {
            // Each connection gets its own strand: handlers of one connection
            // never run concurrently, different connections run in parallel.
            // One serving thread needs no strand: nothing runs concurrently.
            net::any_io_executor on = ioc_.get_executor();
            if (!one_thread_)
                on = net::make_strand(ioc_);
            auto [ec, socket] =
                co_await acceptor_.async_accept(on, net::as_tuple(net::use_awaitable));
            if (!acceptor_.is_open())
                co_return;
            if (ec) {
                if (ec == net::error::operation_aborted)
                    co_return;
                // Out of descriptors and the like: back off instead of spinning.
                net::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(10));
                co_await pause.async_wait(net::as_tuple(net::use_awaitable));
                continue;
            }
            connections_accepted_.fetch_add(1, std::memory_order_relaxed);
            if (starter_) {
                starter_(*this, std::move(socket));
                continue;
            }
            spawn_session<plain_policy>(
                std::make_shared<basic_connection<tcp::socket>>(std::move(socket)));
        }
    }

    template <class Policy, class Stream>
    boost::asio::awaitable<void> session(std::shared_ptr<basic_connection<Stream>> c) {
        namespace net = boost::asio;
        namespace beast = boost::beast;
        namespace http = beast::http;
        struct unregister {
            server* self;
            std::shared_ptr<connection> c;
            ~unregister() {
                std::lock_guard lock(self->mutex_);
                self->connections_.erase(c);
            }
        } const guard{this, c};

        boost::system::error_code ec;
        auto& lowest = beast::get_lowest_layer(c->stream);
        auto const peer = lowest.remote_endpoint(ec);
        bool const loopback = !ec && is_loopback(peer.address());
        auto const& o = options();
        c->expire_after(o.header_timeout);
        if (!co_await Policy::start(c->stream, *c)) {  // e.g. a failed TLS handshake
            c->close();
            co_return;
        }

        beast::flat_buffer buffer;
        std::string head;  // each answer's start line and fields, reused
        for (;;) {
            // Idle: a kept-alive connection waits this long for its next request.
            if (buffer.size() == 0) {
                c->expire_after(o.idle_timeout);
                auto [idle_ec, got] = co_await c->stream.async_read_some(
                    buffer.prepare(4096), net::as_tuple(net::use_awaitable));
                if (idle_ec) {
                    // Timed out (the stream closed itself), the client left, or stop().
                    c->close();
                    co_return;
                }
                buffer.commit(got);
            }
            // The request's first byte is here: its header and the whole exchange
            // now have deadlines of their own.
            auto const first_byte = clock::now();
            auto deadline = first_byte + o.request_timeout;
            http::request_parser<http::string_body> parser;
            parser.header_limit(header_limit);
            // No limit while the header is read: which one applies depends on
            // the route, and a Content-Length above it is refused before any
            // of the body is read (or any memory reserved for it).
            parser.body_limit(boost::none);

            c->expire_at(std::min(first_byte + o.header_timeout, deadline));
            // The idle read has usually brought the whole header (and a small
            // body): it is parsed here, and only what has not arrived yet is
            // waited for, which saves an asynchronous round per request.
            boost::system::error_code read_ec = parse_buffered(parser, buffer, true);
            std::size_t n = 0;
            if (!read_ec && !parser.is_header_done())
                std::tie(read_ec, n) = co_await http::async_read_header(
                    c->stream, buffer, parser, net::as_tuple(net::use_awaitable));
            if (!read_ec) {
                std::uint64_t const limit = body_limit_for(parser.get());
                if (auto length = parser.content_length(); length && *length > limit) {
                    co_await refuse(*c, http::status::payload_too_large, "ModelArts.4130",
                                    "the body has " + std::to_string(*length) + " bytes, at most " +
                                        std::to_string(limit));
                    c->close();
                    co_return;
                }
                parser.body_limit(limit);  // a chunked body is counted as it arrives
                c->expire_at(deadline);
            }
            // A client that waits for "100 Continue" before sending a large
            // body (curl does) should not have to wait for its own timeout.
            if (!read_ec && parser.get().version() >= 11 && !parser.is_done() &&
                beast::iequals(parser.get()[http::field::expect], "100-continue")) {
                http::response<http::empty_body> go_on{http::status::continue_, 11};
                std::tie(read_ec, n) =
                    co_await http::async_write(c->stream, go_on, net::as_tuple(net::use_awaitable));
            }
            if (!read_ec && !parser.is_done())
                read_ec = parse_buffered(parser, buffer, false);
            if (!read_ec && !parser.is_done()) {
                std::tie(read_ec, n) = co_await http::async_read(c->stream, buffer, parser,
                                                                 net::as_tuple(net::use_awaitable));
            }
            if (read_ec) {
                if (read_ec == http::error::body_limit) {
                    co_await refuse(*c, http::status::payload_too_large, "ModelArts.4130",
                                    "the body has more than " +
                                        std::to_string(body_limit_for(parser.get())) + " bytes");
                } else if (is_malformed_request(read_ec)) {
                    co_await refuse(*c, http::status::bad_request, "ModelArts.4001",
                                    "malformed HTTP request: " + read_ec.message());
                }
                // Otherwise the client left, was too slow (the stream closed
                // itself at the deadline), or stop() closed the socket.
                c->close();
                co_return;
            }

            http_request req = parser.release();
            handler_outcome outcome;
            std::optional<std::string> failure;  // co_await is not allowed in a handler
            if (auto before = service_.take_delay(req);
                before > std::chrono::milliseconds::zero()) {
                c->delay_timer.expires_after(before);
                c->expire_at(deadline + before);
                auto [wait_ec] =
                    co_await c->delay_timer.async_wait(net::as_tuple(net::use_awaitable));
                if (wait_ec)
                    co_return;       // stop() cancelled it
                deadline += before;  // a delay the test asked for is not the client's fault
            }
            try {
                outcome = service_.handle(req, loopback);
            } catch (std::exception const& e) {
                failure = std::string("internal error: ") + e.what();
            }
            if (failure) {
                co_await refuse(*c, http::status::internal_server_error, "ModelArts.5000",
                                *failure);
                c->close();
                co_return;
            }

            if (outcome.reset) {
                // Linger 0 makes close() send RST: the client sees a reset, not an answer.
                lowest.set_option(net::socket_base::linger(true, 0), ec);
                lowest.close(ec);
                co_return;
            }
            if (outcome.delay > std::chrono::milliseconds::zero()) {
                c->delay_timer.expires_after(outcome.delay);
                c->expire_at(deadline + outcome.delay);
                auto [wait_ec] =
                    co_await c->delay_timer.async_wait(net::as_tuple(net::use_awaitable));
                if (wait_ec)
                    co_return;  // stop() cancelled it
                deadline += outcome.delay;
            }

            http_response& res = outcome.response;
            bool const keep_alive =
                req.keep_alive() && !beast::iequals(res[http::field::connection], "close");
            res.version(req.version());
            res.keep_alive(keep_alive);
            if (!res.has_content_length() && !res.chunked())
                res.prepare_payload();
            // A client that does not read its answer is closed at the deadline too.
            c->expire_at(deadline);
            boost::system::error_code write_ec;
            std::size_t whole = 0;  // the bytes a complete write sends
            if (res.chunked()) {    // not made by the service today; Beast frames it
                std::tie(write_ec, n) =
                    co_await http::async_write(c->stream, res, net::as_tuple(net::use_awaitable));
                whole = n;
            } else if constexpr (std::is_same_v<Stream, tcp::socket>) {
                // The head and the body, gathered: one sendmsg, no copy of the body.
                detail::render_head(res, head);
                whole = head.size() + res.body().size();
                std::array<net::const_buffer, 2> const wire{net::buffer(head),
                                                            net::buffer(res.body())};
                std::tie(write_ec, n) =
                    co_await net::async_write(c->stream, wire, net::as_tuple(net::use_awaitable));
            } else {
                // TLS: one buffer. Asio's consuming_buffers for a std::array of
                // two keeps a used-up first buffer as an empty one, and Beast's
                // ssl_stream, handed that and a second buffer over 16 KiB,
                // writes nothing, so async_write stops short. The body is
                // encrypted (so copied) anyway.
                detail::render_head(res, head);
                head.append(res.body());
                whole = head.size();
                std::tie(write_ec, n) = co_await net::async_write(
                    c->stream, net::buffer(head), net::as_tuple(net::use_awaitable));
                if (head.capacity() > 16 * 1024)
                    std::string().swap(head);  // no more kept idle than ssl_stream's own buffer
            }
            // A write that stops short without an error leaves the client out
            // of step: closed, as after an error.
            bool const whole_answer = !write_ec && n == whole;
            if (!whole_answer || !res.keep_alive()) {
                if (whole_answer)
                    co_await Policy::finish(c->stream, *c);  // TLS: close_notify
                c->close();
                co_return;
            }
        }
    }

    /// How often the sweeper looks for connections past their deadline: a
    /// tenth of the shortest timeout, between 5 ms and 250 ms, so a timeout
    /// fires at most that much late.
    static clock::duration sweep_interval(server_options const& o) {
        auto shortest = std::min({o.idle_timeout, o.header_timeout, o.request_timeout});
        return std::clamp<clock::duration>(shortest / 10, std::chrono::milliseconds(5),
                                           std::chrono::milliseconds(250));
    }

    /// Closes, on its own strand, each connection whose deadline has passed.
    boost::asio::awaitable<void> sweep_loop() {
        namespace net = boost::asio;
        std::vector<std::shared_ptr<connection>> late;
        for (;;) {
            sweep_timer_.expires_after(sweep_every_);
            auto [ec] = co_await sweep_timer_.async_wait(net::as_tuple(net::use_awaitable));
            {
                std::lock_guard lock(mutex_);
                if (ec || stopping_)
                    co_return;
                auto const now = clock::now();
                for (auto const& c : connections_)
                    if (c->expired(now)) {
                        c->expire_never();  // closed once
                        late.push_back(c);
                    }
            }
            for (auto& c : late)
                net::post(c->get_executor(), [c] { c->close(); });
            late.clear();
        }
    }

    std::uint64_t body_limit_for(boost::beast::http::request_header<> const& h) const {
        return service_.body_limit(h.method(), h.target());
    }

    /// One connection too many: a 503 written without waiting (a fresh
    /// socket's send buffer always takes it), then closed, so that the
    /// descriptor is free again at once. A client that had already sent its
    /// request may see a reset instead of the answer.
    template <class Socket>
    void turn_away(Socket& socket) {
        auto const n = turned_away_.fetch_add(1, std::memory_order_relaxed) + 1;
        static constexpr std::string_view body =
            R"({"error_code":"ModelArts.5030","error_msg":"too many connections, try again"})";
        std::string const busy =
            "HTTP/1.1 503 Service Unavailable\r\n"
            "Content-Type: application/json\r\n"
            "Retry-After: 1\r\n"
            "Connection: close\r\n"
            "X-Request-Id: busy-" +
            std::to_string(n) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
            std::string(body);
        boost::system::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(boost::asio::buffer(busy.data(), busy.size()), ignored);
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    /// The connection limit: the option, but never so many that the process
    /// runs out of descriptors for its own files, its listener and its log.
    static std::size_t connection_limit(std::size_t wanted) {
        rlimit lim{};
        if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
            std::size_t const reserve = 64;
            std::size_t const room = lim.rlim_cur > reserve + 1 ? lim.rlim_cur - reserve : 1;
            wanted = std::min(wanted, room);
        }
        return std::max<std::size_t>(wanted, 1);
    }

    /// Feeds the parser what `buffer` already holds, up to the end of the
    /// header (`header_only`) or of the message, without waiting for more:
    /// what is missing is left to an asynchronous read. Returns a parse error
    /// (a header over its limit, a body over its own, bad syntax), or none.
    template <class Parser>
    static boost::system::error_code parse_buffered(Parser& parser,
                                                    boost::beast::flat_buffer& buffer,
                                                    bool header_only) {
        namespace http = boost::beast::http;
        boost::system::error_code ec;
        while (buffer.size() > 0 && !(header_only ? parser.is_header_done() : parser.is_done())) {
            auto const used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == http::error::need_more)
                return {};  // the rest has not arrived
            if (ec || used == 0)
                return ec;
        }
        return ec;
    }

    static bool is_malformed_request(boost::system::error_code const& ec) {
        namespace http = boost::beast::http;
        if (ec.category() != make_error_code(http::error::bad_method).category())
            return false;
        // These mean the peer went away or the parser was misused, not bad syntax.
        return ec != http::error::end_of_stream && ec != http::error::partial_message &&
               ec != http::error::need_more && ec != http::error::need_buffer;
    }

    /// Answers an error the service never saw, then lets the client read it
    /// before the connection closes.
    template <class Stream>
    boost::asio::awaitable<void> refuse(basic_connection<Stream>& c,
                                        boost::beast::http::status status, std::string_view code,
                                        std::string const& message) {
        namespace net = boost::asio;
        namespace beast = boost::beast;
        namespace http = beast::http;

        http_response res{status, 11};
        res.set(http::field::content_type, "application/json");
        res.set("X-Request-Id", "net-" + std::to_string(refused_.fetch_add(1) + 1));
        res.keep_alive(false);
        boost::json::object body;
        body["error_code"] = code;
        body["error_msg"] = message;
        res.body() = boost::json::serialize(body);
        res.prepare_payload();

        auto& stream = c.stream;
        auto& lowest = beast::get_lowest_layer(stream);
        c.expire_after(drain_time);
        auto [ec, n] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (ec)
            co_return;
        boost::system::error_code ignored;
        lowest.shutdown(tcp::socket::shutdown_send, ignored);
        // Unread bytes at close() make the kernel send RST, which may discard
        // the answer before the client reads it: drain until EOF or the deadline.
        char sink[4096];
        for (;;) {
            auto [drain_ec, got] = co_await lowest.async_read_some(
                net::buffer(sink), net::as_tuple(net::use_awaitable));
            if (drain_ec)
                break;
        }
    }

    // Declared before the io_context: coroutine frames destroyed with it still
    // unregister themselves from `connections_`.
    service service_;
    std::string host_;
    std::string scheme_;
    session_starter starter_;
    unsigned short port_ = 0;
    std::atomic<std::uint64_t> connections_accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> turned_away_{0};
    std::size_t max_connections_ = 1;

    mutable std::mutex mutex_;  // guards connections_ and stopping_
    std::set<std::shared_ptr<connection>> connections_;
    bool stopping_ = false;

    std::mutex stop_mutex_;  // serializes stop()
    bool stopped_ = false;

    bool one_thread_ = true;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_;
    boost::asio::steady_timer sweep_timer_;
    clock::duration sweep_every_;
    std::vector<std::thread> threads_;
};

}  // namespace aigallery::mock

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
