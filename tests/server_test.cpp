// The mock server's network layer and beast_transport, over real loopback sockets.
#include <aigallery/beast_transport.hpp>
#include <aigallery/mock/in_process_transport.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

aigallery::http_request get(std::string target) {
    aigallery::http_request req{http::verb::get, target, 11};
    return req;
}

aigallery::mock::server_options on_port(unsigned short port) {
    aigallery::mock::server_options o;
    o.port = port;
    return o;
}

aigallery::wire::fault_spec fault(std::string method, std::string action, int times = 1) {
    aigallery::wire::fault_spec f;
    f.method = std::move(method);
    f.path_prefix = "/v1/aihub";
    f.action = std::move(action);
    f.times = times;
    return f;
}

aigallery::http_request me(std::string const& token) {
    auto req = get("/v1/aihub/me");
    req.set("X-Auth-Token", token);
    return req;
}

aigallery::http_request create(std::string const& token, std::string const& title) {
    aigallery::http_request req{http::verb::post, "/v1/aihub/contents", 11};
    req.set("X-Auth-Token", token);
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"content_type":"algorithm","title":")" + title + R"("})";
    return req;
}

// A port that nobody listens on (right now).
unsigned short unused_port() {
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    return acceptor.local_endpoint().port();
}

// Writes raw bytes to the server and reads until it closes the connection.
std::string raw_exchange(unsigned short port, std::string const& bytes) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
    net::write(socket, net::buffer(bytes));
    std::string answer;
    boost::system::error_code ec;
    net::read(socket, net::dynamic_buffer(answer), ec);
    BOOST_TEST((ec == net::error::eof || ec == net::error::connection_reset));
    return answer;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(starts_on_a_free_port_and_answers_health) {
    aigallery::mock::server a;
    aigallery::mock::server b;
    BOOST_TEST(a.port() != 0);
    BOOST_TEST(b.port() != 0);
    BOOST_TEST(a.port() != b.port());
    BOOST_TEST(a.host() == "127.0.0.1");
    BOOST_TEST(a.url() == "http://127.0.0.1:" + std::to_string(a.port()));

    aigallery::beast_transport transport{a.url()};
    auto res = transport.send(get("/__mock/health"));
    BOOST_TEST_REQUIRE(res.has_value(), res.error().message());
    BOOST_TEST(res->result_int() == 200);
    BOOST_TEST(boost::json::parse(res->body()) == boost::json::parse(R"({"status":"ok"})"));
    BOOST_TEST(!(*res)["X-Request-Id"].empty());
}

BOOST_AUTO_TEST_CASE(an_answer_s_bytes_are_those_beast_s_serializer_would_send) {
    // The session writes its own rendering of the start line and fields
    // (detail::render_head) and the body after it; a peer must not be able to
    // tell it from Beast's own serializer, which operator<< uses.
    namespace http = boost::beast::http;
    std::vector<aigallery::http_response> answers;
    {
        aigallery::http_response r{http::status::created, 11};
        r.set(http::field::content_type, "application/json");
        r.set("X-Request-Id", "req-00ff-1");
        r.set(http::field::location, "/v1/aihub/contents/abc/versions/1.0.1");
        r.body() = R"({"version_num":"1.0.1"})";
        r.prepare_payload();
        answers.push_back(r);
    }
    {
        aigallery::http_response r{http::status::not_found, 10};  // HTTP/1.0
        r.reason("Nowhere To Be Found");
        r.set("X-Empty", "");
        r.insert("Set-Cookie", "a=1");
        r.insert("Set-Cookie", "b=2");  // a repeated field stays repeated, in order
        r.keep_alive(false);
        r.prepare_payload();
        answers.push_back(r);
    }
    {
        aigallery::http_response r;
        r.result(599u);  // no reason Beast knows
        r.version(11);
        r.body() = std::string(70'000, 'x');
        r.prepare_payload();
        answers.push_back(r);
    }
    for (auto const& r : answers) {
        std::ostringstream beast_bytes;
        beast_bytes << r;
        std::string head = "left over from the last answer";
        aigallery::mock::detail::render_head(r, head);
        BOOST_TEST((head + r.body()) == beast_bytes.str(), "status " << r.result_int());
    }
}

BOOST_AUTO_TEST_CASE(binds_the_port_it_is_given) {
    unsigned short const port = unused_port();
    aigallery::mock::server s{on_port(port)};
    BOOST_TEST(s.port() == port);
    aigallery::beast_transport transport{"http://127.0.0.1:" + std::to_string(port)};
    BOOST_TEST(transport.send(get("/__mock/health")).has_value());
}

BOOST_AUTO_TEST_CASE(keeps_one_connection_alive_across_requests) {
    aigallery::mock::server s;
    aigallery::beast_transport transport{s.url()};
    for (int i = 0; i < 100; ++i) {
        auto res = transport.send(get("/__mock/health"));
        BOOST_TEST_REQUIRE(res.has_value(), "request " << i << ": " << res.error().message());
        BOOST_TEST_REQUIRE(res->version() == 11);
    }
    BOOST_TEST(s.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(connection_close_is_honoured_and_the_transport_reconnects) {
    aigallery::mock::server s;
    aigallery::beast_transport transport{s.url()};
    auto req = get("/__mock/health");
    req.keep_alive(false);
    auto first = transport.send(req);
    BOOST_TEST_REQUIRE(first.has_value(), first.error().message());
    BOOST_TEST(!first->keep_alive());
    auto second = transport.send(get("/__mock/health"));
    BOOST_TEST_REQUIRE(second.has_value(), second.error().message());
    BOOST_TEST(s.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_transport_survives_a_server_restart_on_the_same_port) {
    std::optional<aigallery::mock::server> s{std::in_place};
    unsigned short const port = s->port();
    aigallery::beast_transport transport{s->url()};
    BOOST_TEST_REQUIRE(transport.send(get("/__mock/health")).has_value());

    s.reset();  // closes the kept-alive connection from the server's side
    s.emplace(on_port(port));
    auto res = transport.send(get("/__mock/health"));
    BOOST_TEST_REQUIRE(res.has_value(), res.error().message());
    BOOST_TEST(res->result_int() == 200);
}

BOOST_AUTO_TEST_CASE(serves_concurrent_clients_on_several_threads) {
    aigallery::mock::server_options opts;
    opts.threads = 4;
    aigallery::mock::server s{opts};
    std::vector<std::thread> clients;
    std::vector<int> ok(4, 0);
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&, c] {
            aigallery::beast_transport transport{s.url()};
            for (int i = 0; i < 50; ++i)
                ok[c] += transport.send(get("/__mock/health")).has_value();
        });
    }
    for (auto& t : clients)
        t.join();
    for (int c = 0; c < 4; ++c)
        BOOST_TEST(ok[c] == 50);
    BOOST_TEST(s.connections_accepted() == 4u);
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_closes_idle_connections) {
    aigallery::mock::server s;
    net::io_context ioc;
    tcp::socket idle(ioc);
    idle.connect(tcp::endpoint(net::ip::address_v4::loopback(), s.port()));

    auto const started = std::chrono::steady_clock::now();
    s.stop();
    s.stop();
    BOOST_TEST((std::chrono::steady_clock::now() - started < 1s));

    // The idle client sees the server close, and nobody listens any more.
    char byte;
    boost::system::error_code ec;
    idle.read_some(net::buffer(&byte, 1), ec);
    BOOST_TEST((ec == net::error::eof || ec == net::error::connection_reset));
    aigallery::beast_transport transport{s.url()};
    BOOST_TEST(transport.send(get("/__mock/health")).has_error());
}

BOOST_AUTO_TEST_CASE(destructor_returns_with_an_open_client_connection) {
    aigallery::beast_transport transport{"http://127.0.0.1:1"};
    auto const started = std::chrono::steady_clock::now();
    {
        aigallery::mock::server s;
        transport = aigallery::beast_transport{s.url()};
        BOOST_TEST(transport.send(get("/__mock/health")).has_value());
        // `transport` keeps its connection open while the server is destroyed.
    }
    BOOST_TEST((std::chrono::steady_clock::now() - started < 1s));
}

BOOST_AUTO_TEST_CASE(malformed_http_gets_400_and_a_close) {
    aigallery::mock::server s;
    std::string answer = raw_exchange(s.port(), "NOT HTTP AT ALL\r\n\r\n");
    BOOST_TEST(answer.starts_with("HTTP/1.1 400"), answer);
    BOOST_TEST(answer.find(R"("error_code":"ModelArts.4001")") != std::string::npos, answer);
    BOOST_TEST(answer.find("X-Request-Id") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_parser_limit_gets_413) {
    aigallery::mock::server s;
    // Only the header: the limit is checked against Content-Length first.
    std::string answer = raw_exchange(s.port(),
                                      "PUT /__mock/state HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Type: application/json\r\n"
                                      "Content-Length: 1000000000\r\n\r\n{");
    BOOST_TEST(answer.starts_with("HTTP/1.1 413"), answer);
    BOOST_TEST(answer.find(R"("error_code":"ModelArts.4130")") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(an_answer_of_many_segments_arrives_whole_and_the_connection_goes_on) {
    // Over 64 KiB, so the gathered write takes several sends: the journal of
    // 200 requests, fetched twice on one connection.
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    aigallery::beast_transport transport{s.url()};
    for (int i = 0; i < 200; ++i)
        BOOST_TEST_REQUIRE(transport.send(me(alice.token)).has_value());
    for (int round = 0; round < 2; ++round) {
        auto journal = transport.send(get("/__mock/journal"));
        BOOST_TEST_REQUIRE(journal.has_value(), journal.error().message());
        BOOST_TEST(journal->body().size() > 64u * 1024u);
        auto const doc = boost::json::parse(journal->body());
        BOOST_TEST(doc.at("items").as_array().size() == 200u);
    }
    BOOST_TEST_REQUIRE(transport.send(me(alice.token)).has_value());
    BOOST_TEST(s.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_reset_fault_is_an_error_for_the_client) {
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    s.add_fault(fault("POST", "reset"));
    aigallery::beast_transport transport{s.url()};
    auto res = transport.send(create(alice.token, "t"));
    BOOST_TEST(res.has_error());
    auto journal = s.journal();
    BOOST_TEST_REQUIRE(journal.size() == 1u);
    BOOST_TEST(journal[0].status == 0);
    // The connection is gone; the next request opens a new one.
    auto again = transport.send(create(alice.token, "t"));
    BOOST_TEST_REQUIRE(again.has_value(), again.error().message());
    BOOST_TEST(again->result_int() == 201);
}

BOOST_AUTO_TEST_CASE(a_reset_on_a_reused_connection_is_retried_only_when_safe) {
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    aigallery::beast_transport transport{s.url()};
    BOOST_TEST_REQUIRE(transport.send(me(alice.token)).has_value());

    // GET is safe to repeat: the transport sends it again on a new connection.
    s.add_fault(fault("GET", "reset"));
    auto got = transport.send(me(alice.token));
    BOOST_TEST_REQUIRE(got.has_value(), got.error().message());
    BOOST_TEST(got->result_int() == 200);

    // A POST without Idempotency-Key might have been carried out: not repeated.
    s.add_fault(fault("POST", "reset"));
    BOOST_TEST(transport.send(create(alice.token, "once")).has_error());
    BOOST_TEST_REQUIRE(transport.send(me(alice.token)).has_value());

    // With a key it is repeated, and the service's idempotency record answers.
    s.add_fault(fault("POST", "reset"));
    auto keyed = create(alice.token, "keyed");
    keyed.set("Idempotency-Key", "k-1");
    auto created = transport.send(keyed);
    BOOST_TEST_REQUIRE(created.has_value(), created.error().message());
    BOOST_TEST(created->result_int() == 201);
    BOOST_TEST(s.connections_accepted() == 4u);
}

BOOST_AUTO_TEST_CASE(a_delay_fault_delays_the_answer_and_can_time_out) {
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    auto slow = fault("GET", "delay");
    slow.delay_ms = 300;
    s.add_fault(slow);
    aigallery::beast_transport transport{s.url()};
    auto started = std::chrono::steady_clock::now();
    auto res = transport.send(me(alice.token));
    BOOST_TEST_REQUIRE(res.has_value(), res.error().message());
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 300ms));

    s.add_fault(slow);
    aigallery::beast_transport impatient{s.url(), {.request_timeout = 100ms}};
    started = std::chrono::steady_clock::now();
    auto late = impatient.send(me(alice.token));
    BOOST_TEST_REQUIRE(late.has_error());
    BOOST_TEST((late.error() == boost::beast::error::timeout), late.error().message());
    BOOST_TEST((std::chrono::steady_clock::now() - started < 300ms));
}

BOOST_AUTO_TEST_CASE(stop_drops_a_delayed_answer_without_waiting_for_it) {
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    auto slow = fault("GET", "delay");
    slow.delay_ms = 60000;
    s.add_fault(slow);
    std::thread client([&] {
        aigallery::beast_transport transport{s.url()};
        BOOST_TEST(transport.send(me(alice.token)).has_error());
    });
    // the delay is taken (and the fault spent) before the request is carried out
    while (!s.faults().empty())
        std::this_thread::sleep_for(1ms);
    auto const started = std::chrono::steady_clock::now();
    s.stop();
    client.join();
    BOOST_TEST((std::chrono::steady_clock::now() - started < 1s));
}

BOOST_AUTO_TEST_CASE(in_process_transport_answers_as_the_server_does) {
    aigallery::mock::server s;
    auto alice = s.add_account("alice");
    aigallery::mock::in_process_transport direct{s};
    aigallery::beast_transport wire{s.url()};
    auto a = direct.send(me(alice.token));
    auto b = wire.send(me(alice.token));
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(a->result_int() == b->result_int());
    BOOST_TEST(a->body() == b->body());

    s.add_fault(fault("GET", "reset"));
    auto reset = direct.send(me(alice.token));
    BOOST_TEST_REQUIRE(reset.has_error());
    BOOST_TEST((reset.error() == boost::system::errc::connection_reset));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(beast_transport)

BOOST_AUTO_TEST_CASE(a_closed_port_is_an_error_within_the_connect_timeout) {
    aigallery::beast_transport transport{"http://127.0.0.1:" + std::to_string(unused_port()),
                                         {.connect_timeout = 2000ms}};
    auto const started = std::chrono::steady_clock::now();
    auto res = transport.send(get("/x"));
    BOOST_TEST(res.has_error());
    BOOST_TEST((std::chrono::steady_clock::now() - started < 2500ms));
}

BOOST_AUTO_TEST_CASE(rejects_a_malformed_base_url_naming_it) {
    for (std::string url : {"not a url", "ftp://127.0.0.1/", "http://", "http://h:99999",
                            "http://h:0", "https://", "http://h/?q=1", "127.0.0.1:80"}) {
        try {
            aigallery::beast_transport transport{url};
            BOOST_ERROR("accepted " << url);
        } catch (std::invalid_argument const& e) {
            BOOST_TEST(std::string(e.what()).find("'" + url + "'") != std::string::npos, e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(puts_the_base_path_before_the_target) {
    aigallery::beast_transport transport{"http://localhost:8080/gallery/"};
    BOOST_TEST(transport.host() == "localhost");
    BOOST_TEST(transport.port() == "8080");
    BOOST_TEST(transport.base_path() == "/gallery");
    aigallery::beast_transport v6{"http://[::1]"};
    BOOST_TEST(v6.host() == "::1");
    BOOST_TEST(v6.port() == "80");
}

BOOST_AUTO_TEST_CASE(an_answer_through_a_base_path_reaches_the_route) {
    aigallery::mock::server s;
    // The mock serves from the root, so a base path shows up in the route.
    aigallery::beast_transport transport{s.url() + "/__mock"};
    auto res = transport.send(get("/health"));
    BOOST_TEST_REQUIRE(res.has_value(), res.error().message());
    BOOST_TEST(res->result_int() == 200);
}

BOOST_AUTO_TEST_SUITE_END()
