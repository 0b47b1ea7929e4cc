// The yardstick of benchmarks/run: the least an HTTP/1.1 server built on
// Boost.Beast can do per request. One thread, one coroutine per connection,
// keep-alive, a string_body request read whole, and every request answered
// with the same ~200-byte JSON body (shaped like a version of the mock). The
// mock's request rates are reported as ratios to this server's, measured in
// the same run, so the ratio shows what the mock adds on top of Beast itself.
//
//   limit_server [--port N]     prints "listening on http://127.0.0.1:PORT"
//   limit_server --self-test    serves one request to itself, then exits 0
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

// GCC 12 warns, wrongly, that an Asio coroutine frame is freed with a
// mismatched operator delete (GCC PR 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// What the mock answers to GET .../versions/1.0.0 of a benchmark asset, give
// or take a few bytes: the limit writes as many bytes as the mock does.
constexpr std::string_view answer =
    R"({"content_id":"5f0c2b4e-8d1a-4c3b-9e7f-0a1b2c3d4e5f","version_id":)"
    R"("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","version_num":"1.0.0","desc":"bench",)"
    R"("visibility":"private","group_users":[],"dependencies":[],"source":{},)"
    R"("created_at":"2026-11-26T07:00:00Z"})";

net::awaitable<void> session(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [read_ec, read_n] =
            co_await http::async_read(socket, buffer, req, net::as_tuple(net::use_awaitable));
        if (read_ec)
            co_return;  // the client left, or sent something that is not HTTP
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = answer;
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [write_ec, write_n] =
            co_await http::async_write(socket, res, net::as_tuple(net::use_awaitable));
        if (write_ec || !res.keep_alive())
            co_return;
    }
}

net::awaitable<void> listen(tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec == net::error::operation_aborted)
            co_return;
        if (!ec)
            net::co_spawn(acceptor.get_executor(), session(std::move(socket)), net::detached);
    }
}

/// One GET to our own port, checked: proof that the server answers as it should.
net::awaitable<void> self_test(tcp::endpoint ep, tcp::acceptor& acceptor, int& status) {
    tcp::socket s(acceptor.get_executor());
    co_await s.async_connect(ep, net::use_awaitable);
    http::request<http::string_body> req{http::verb::get, "/v1/aihub/me", 11};
    req.set(http::field::host, "127.0.0.1");
    co_await http::async_write(s, req, net::use_awaitable);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(s, buffer, res, net::use_awaitable);
    bool ok = res.result() == http::status::ok && res.body() == answer && res.keep_alive();
    std::cout << "self-test: " << res.result_int() << ", " << res.body().size() << " bytes"
              << (ok ? "" : " (WRONG)") << "\n";
    status = ok ? 0 : 1;
    acceptor.close();
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    bool test = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--self-test") {
            test = true;
        } else if (a == "--port" && i + 1 < argc) {
            std::string_view v = argv[++i];
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
            if (ec != std::errc{} || end != v.data() + v.size()) {
                std::cerr << "limit_server: --port: expected 0 to 65535, got '" << v << "'\n";
                return 2;
            }
        } else {
            std::cerr << "usage: limit_server [--port N] [--self-test]\n";
            return 2;
        }
    }
    try {
        net::io_context ioc{1};  // one thread: no locking anywhere
        tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), port});
        auto ep = acceptor.local_endpoint();
        net::co_spawn(ioc, listen(acceptor), net::detached);
        int status = 0;
        net::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](auto, int) { ioc.stop(); });
        if (test) {
            status = 1;
            net::co_spawn(ioc, self_test(ep, acceptor, status), [&](std::exception_ptr e) {
                if (e)
                    std::cerr << "self-test failed\n";
                ioc.stop();
            });
        }
        std::cout << "listening on http://127.0.0.1:" << ep.port() << std::endl;
        ioc.run();
        return status;
    } catch (std::exception const& e) {
        std::cerr << "limit_server: " << e.what() << "\n";
        return 1;
    }
}
