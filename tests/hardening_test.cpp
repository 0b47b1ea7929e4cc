// The mock under abuse: connections that idle, trickle or flood, bodies over
// their route's limit, and state documents that contradict themselves.
#include <aigallery/beast_transport.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using aigallery::http_request;
using aigallery::http_response;

/// A raw loopback connection, for clients no well-behaved library would be.
struct raw_client {
    net::io_context ioc;
    tcp::socket socket{ioc};

    explicit raw_client(unsigned short port) {
        socket.connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
    }

    bool send(std::string_view bytes) {
        boost::system::error_code ec;
        net::write(socket, net::buffer(bytes.data(), bytes.size()), ec);
        return !ec;
    }

    /// Everything until the server closes (or resets) the connection.
    std::string read_to_close() {
        std::string answer;
        boost::system::error_code ec;
        net::read(socket, net::dynamic_buffer(answer), ec);
        return answer;
    }

    /// Whether the server has closed the connection, waiting at most `wait`.
    bool closed_within(std::chrono::milliseconds wait) {
        socket.non_blocking(true);
        auto const until = clock_type::now() + wait;
        char byte;
        while (clock_type::now() < until) {
            boost::system::error_code ec;
            socket.read_some(net::buffer(&byte, 1), ec);
            if (ec == net::error::eof || ec == net::error::connection_reset)
                return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }
};

aigallery::mock::server_options quick(std::chrono::milliseconds idle = 15s,
                                      std::chrono::milliseconds header = 10s,
                                      std::chrono::milliseconds request = 30s) {
    aigallery::mock::server_options o;
    o.idle_timeout = idle;
    o.header_timeout = header;
    o.request_timeout = request;
    return o;
}

constexpr std::string_view health = "GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n";

http_request control(http::verb v, std::string target, std::string body = {},
                     bool json_type = true) {
    http_request r{v, target, 11};
    if (!body.empty() && json_type)
        r.set(http::field::content_type, "application/json");
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

std::string code_of(http_response const& r) {
    return std::string(json::parse(r.body()).at("error_code").as_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connection_hygiene)

BOOST_AUTO_TEST_CASE(an_idle_kept_alive_connection_is_closed_after_the_idle_timeout) {
    aigallery::mock::server s{quick(300ms)};
    raw_client c{s.port()};
    // One full exchange first: the timeout is about waiting for the *next* request.
    BOOST_TEST_REQUIRE(c.send(health));
    std::this_thread::sleep_for(100ms);
    auto const started = clock_type::now();
    BOOST_TEST(c.closed_within(2s));
    auto const waited = clock_type::now() - started;
    BOOST_TEST((waited >= 150ms), "closed after " << (waited / 1ms) << " ms");
    for (int i = 0; i < 100 && s.open_connections() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    BOOST_TEST(s.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(a_slowloris_header_is_cut_off_at_the_header_timeout) {
    aigallery::mock::server s{quick(10s, 400ms)};
    raw_client c{s.port()};
    std::string const header = "GET /__mock/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    auto const started = clock_type::now();
    bool closed = false;
    // A byte every 50 ms: never idle, never complete.
    for (int i = 0; i < 60 && !closed; ++i) {
        closed = !c.send(i < int(header.size()) ? header.substr(i, 1) : "a");
        if (!closed)
            closed = c.closed_within(50ms);
    }
    BOOST_TEST(closed);
    BOOST_TEST((clock_type::now() - started < 1500ms));
}

BOOST_AUTO_TEST_CASE(a_trickled_body_is_cut_off_at_the_request_timeout) {
    aigallery::mock::server s{quick(10s, 10s, 500ms)};
    raw_client c{s.port()};
    BOOST_TEST_REQUIRE(
        c.send("POST /__mock/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 100\r\n\r\n{"));
    auto const started = clock_type::now();
    bool closed = false;
    for (int i = 0; i < 60 && !closed; ++i)
        closed = !c.send(" ") || c.closed_within(50ms);
    BOOST_TEST(closed);
    BOOST_TEST((clock_type::now() - started < 1500ms));
}

BOOST_AUTO_TEST_CASE(an_injected_delay_does_not_count_against_the_request_timeout) {
    aigallery::mock::server s{quick(10s, 10s, 300ms)};
    auto alice = s.add_account("alice");
    aigallery::wire::fault_spec slow;
    slow.action = "delay";
    slow.delay_ms = 700;
    slow.times = 2;
    s.add_fault(slow);  // taken before the request ...
    slow.after_commit = true;
    s.add_fault(slow);  // ... and after it: 1.4 s in all
    raw_client c{s.port()};
    BOOST_TEST_REQUIRE(
        c.send("GET /v1/aihub/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "X-Auth-Token: " +
               alice.token + "\r\n\r\n"));
    std::string answer = c.read_to_close();
    BOOST_TEST(answer.starts_with("HTTP/1.1 200"), answer);
}

BOOST_AUTO_TEST_CASE(an_oversize_body_is_refused_before_it_is_read) {
    aigallery::mock::server s;
    // Only the header is sent: the answer cannot wait for the 60 MiB.
    raw_client c{s.port()};
    BOOST_TEST_REQUIRE(
        c.send("POST /v1/aihub/contents HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nContent-Length: 62914560\r\n\r\n"));
    std::string answer = c.read_to_close();
    BOOST_TEST(answer.starts_with("HTTP/1.1 413"), answer);
    BOOST_TEST(answer.find("ModelArts.4130") != std::string::npos, answer);
    BOOST_TEST(answer.find("at most 1048576") != std::string::npos, answer);
    // The control API has the same limit, except the state document.
    raw_client d{s.port()};
    BOOST_TEST_REQUIRE(
        d.send("POST /__mock/faults HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nContent-Length: 1048577\r\n\r\n"));
    BOOST_TEST(d.read_to_close().starts_with("HTTP/1.1 413"));
}

BOOST_AUTO_TEST_CASE(the_state_document_has_its_own_limit) {
    auto opts = quick();
    opts.state_body_limit = 4u << 20;
    aigallery::mock::server s{opts};
    aigallery::beast_transport t{s.url()};
    // 2 MiB of whitespace around a valid document: above /v1's limit, under the state's.
    std::string doc =
        std::string(2u << 20, ' ') + R"({"accounts":[],"assets":[],"idempotency":[]})";
    auto ok = t.send(control(http::verb::put, "/__mock/state", doc));
    BOOST_TEST_REQUIRE(ok.has_value(), ok.error().message());
    BOOST_TEST(ok->result_int() == 204u, ok->body());

    raw_client c{s.port()};
    BOOST_TEST_REQUIRE(
        c.send("PUT /__mock/state HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nContent-Length: 4194305\r\n\r\n"));
    std::string answer = c.read_to_close();
    BOOST_TEST(answer.starts_with("HTTP/1.1 413"), answer);
    BOOST_TEST(answer.find("at most 4194304") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_is_counted_as_it_arrives) {
    aigallery::mock::server s;
    raw_client c{s.port()};
    BOOST_TEST_REQUIRE(
        c.send("POST /__mock/accounts HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    std::string const chunk = "100000\r\n" + std::string(0x100000, 'a') + "\r\n";
    bool refused = false;
    for (int i = 0; i < 3 && !refused; ++i)
        refused = !c.send(chunk);
    std::string answer = c.read_to_close();
    BOOST_TEST(answer.starts_with("HTTP/1.1 413"), answer);
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_get_503_and_are_closed) {
    auto opts = quick();
    opts.max_connections = 3;
    aigallery::mock::server s{opts};
    BOOST_TEST(s.max_connections() == 3u);
    std::vector<std::unique_ptr<raw_client>> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(std::make_unique<raw_client>(s.port()));
    for (int i = 0; i < 100 && s.open_connections() < 3; ++i)
        std::this_thread::sleep_for(10ms);
    BOOST_TEST_REQUIRE(s.open_connections() == 3u);

    raw_client extra{s.port()};
    std::string answer = extra.read_to_close();
    BOOST_TEST(answer.starts_with("HTTP/1.1 503"), answer);
    BOOST_TEST(answer.find("ModelArts.5030") != std::string::npos, answer);
    BOOST_TEST(answer.find("Retry-After: 1") != std::string::npos, answer);
    BOOST_TEST(answer.find("X-Request-Id: busy-1") != std::string::npos, answer);
    BOOST_TEST(s.connections_turned_away() == 1u);

    // One held connection leaves: the next client is served again.
    held.pop_back();
    for (int i = 0; i < 100 && s.open_connections() >= 3; ++i)
        std::this_thread::sleep_for(10ms);
    raw_client next{s.port()};
    BOOST_TEST_REQUIRE(
        next.send("GET /__mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    BOOST_TEST(next.read_to_close().starts_with("HTTP/1.1 200"));
}

BOOST_AUTO_TEST_CASE(a_timeout_that_is_not_positive_is_refused_naming_it) {
    auto opts = quick(0ms);
    BOOST_CHECK_EXCEPTION(
        aigallery::mock::server{opts}, std::invalid_argument, [](std::invalid_argument const& e) {
            return std::string(e.what()).find("idle_timeout") != std::string::npos;
        });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(control_bodies)

BOOST_AUTO_TEST_CASE(body_less_operations_ignore_a_body_of_any_type) {
    aigallery::mock::service svc;
    // curl -X POST -d x sends application/x-www-form-urlencoded
    for (auto [verb, target] : {std::pair{http::verb::post, "/__mock/reset"},
                                std::pair{http::verb::delete_, "/__mock/journal"},
                                std::pair{http::verb::delete_, "/__mock/faults"},
                                std::pair{http::verb::get, "/__mock/health"}}) {
        auto req = control(verb, target, "x", false);
        req.set(http::field::content_type, "application/x-www-form-urlencoded");
        auto out = svc.handle(req);
        BOOST_TEST(out.response.result_int() / 100 == 2u, target << ": " << out.response.body());
    }
    // Those that read one still say what they need.
    auto out = svc.handle(control(http::verb::post, "/__mock/accounts", R"({"name":"a"})", false));
    BOOST_TEST(out.response.result_int() == 415u);
    BOOST_TEST(code_of(out.response) == "ModelArts.4150");
}

BOOST_AUTO_TEST_CASE(the_service_applies_the_same_limits_without_a_socket) {
    aigallery::mock::server_options opts;
    opts.state_body_limit = 2u << 20;
    aigallery::mock::service svc{opts};
    auto big = control(http::verb::post, "/__mock/faults", std::string((1u << 20) + 1, ' '));
    auto out = svc.handle(big);
    BOOST_TEST(out.response.result_int() == 413u);
    BOOST_TEST(out.response.body().find("at most 1048576") != std::string::npos);
    auto state = control(
        http::verb::put, "/__mock/state",
        std::string((1u << 20) + 1, ' ') + R"({"accounts":[],"assets":[],"idempotency":[]})");
    BOOST_TEST(svc.handle(state).response.result_int() == 204u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(state_validation)

namespace {

struct fixture {
    aigallery::mock::service svc;
    aigallery::mock::account alice = svc.add_account("alice");
    aigallery::mock::account bob = svc.add_account("bob");
    std::string algo;

    fixture() {
        http_request req{http::verb::post, "/v1/aihub/contents", 11};
        req.set("X-Auth-Token", alice.token);
        req.set(http::field::content_type, "application/json");
        req.body() = R"({"content_type":"algorithm","title":"trainer"})";
        req.prepare_payload();
        auto out = svc.handle(req);
        BOOST_TEST_REQUIRE(out.response.result_int() == 201u, out.response.body());
        algo = std::string(json::parse(out.response.body()).at("content_id").as_string());
    }

    /// PUT /__mock/state with `changed`, expecting a 400 that mentions
    /// `named` and leaves the state exactly as it was.
    void refused(json::value const& changed, std::string const& named) {
        auto const before = svc.export_state();
        auto out = svc.handle(control(http::verb::put, "/__mock/state", json::serialize(changed)));
        BOOST_TEST(out.response.result_int() == 400u, out.response.body());
        BOOST_TEST(out.response.body().find(named) != std::string::npos,
                   "'" << named << "' not in " << out.response.body());
        for (auto const& a : svc.accounts()) {
            BOOST_TEST(out.response.body().find(a.token) == std::string::npos,
                       "a token in " << out.response.body());
            BOOST_TEST(out.response.body().find(a.secret_key) == std::string::npos,
                       "a secret key in " << out.response.body());
        }
        BOOST_TEST(svc.export_state() == before);
    }

    json::value state() const { return svc.export_state(); }
};

json::array& accounts(json::value& v) {
    return v.as_object()["accounts"].as_array();
}
json::object& asset0(json::value& v) {
    return v.as_object()["assets"].as_array()[0].as_object();
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_second_account_with_the_owners_domain_id_is_refused, fixture) {
    auto doc = state();
    auto mallory = accounts(doc)[1].as_object();
    mallory["name"] = "mallory";
    mallory["token"] = "tok-mallory";
    mallory["domain_id"] = alice.domain_id;
    accounts(doc).push_back(mallory);
    refused(doc, "domain_id " + alice.domain_id + " is also that of accounts[0] ('alice')");
}

BOOST_FIXTURE_TEST_CASE(a_duplicated_token_is_refused_without_showing_it, fixture) {
    auto doc = state();
    accounts(doc)[1].as_object()["token"] = alice.token;
    refused(doc, "accounts[1] ('bob'): token is also that of accounts[0] ('alice')");
}

BOOST_FIXTURE_TEST_CASE(a_duplicated_access_key_is_refused_naming_it, fixture) {
    // With alice's access key, bob's requests signed with his own secret
    // would be judged against whichever account the lookup finds.
    auto doc = state();
    BOOST_TEST_REQUIRE(!alice.access_key.empty());
    accounts(doc)[1].as_object()["access_key"] = alice.access_key;
    refused(doc, "accounts[1] ('bob'): access_key '" + alice.access_key +
                     "' is also that of accounts[0] ('alice')");
}

BOOST_FIXTURE_TEST_CASE(access_keys_come_in_pairs_and_are_usable, fixture) {
    auto doc = state();
    accounts(doc)[1].as_object().erase("secret_key");
    refused(doc, "accounts[1] ('bob'): access_key is given without secret_key: both or neither");
    doc = state();
    accounts(doc)[1].as_object().erase("access_key");
    refused(doc, "accounts[1] ('bob'): secret_key is given without access_key");
    doc = state();
    accounts(doc)[1].as_object()["access_key"] = "";
    refused(doc, "accounts[1] ('bob'): access_key '': give a key or leave the field out");
    doc = state();
    accounts(doc)[1].as_object()["access_key"] = "AK with space";
    refused(doc, "access_key 'AK with space': 1 to 128 printable ASCII characters");
    doc = state();
    accounts(doc)[1].as_object()["secret_key"] = "";
    refused(doc, "accounts[1] ('bob'): secret_key is empty");
}

BOOST_FIXTURE_TEST_CASE(accounts_without_keys_still_load_and_get_new_ones, fixture) {
    // A document from before account keys: neither field. Keys are made.
    auto doc = state();
    for (auto& a : accounts(doc)) {
        a.as_object().erase("access_key");
        a.as_object().erase("secret_key");
    }
    auto out = svc.handle(control(http::verb::put, "/__mock/state", json::serialize(doc)));
    BOOST_TEST_REQUIRE(out.response.result_int() == 204u, out.response.body());
    auto const now = svc.accounts();
    BOOST_TEST_REQUIRE(now.size() == 2u);
    BOOST_TEST(!now[0].access_key.empty());
    BOOST_TEST(now[0].access_key != now[1].access_key);
}

BOOST_FIXTURE_TEST_CASE(empty_names_and_tokens_are_refused, fixture) {
    auto doc = state();
    accounts(doc)[1].as_object()["name"] = "";
    refused(doc, "accounts[1]: name '': 1 to 128 characters");
    doc = state();
    accounts(doc)[1].as_object()["token"] = "";
    refused(doc, "accounts[1] ('bob'): token: 1 to 255 printable ASCII");
    doc = state();
    accounts(doc)[1].as_object()["name"] = "alice";
    refused(doc, "accounts[1]: name 'alice' is also that of accounts[0]");
}

BOOST_FIXTURE_TEST_CASE(an_asset_owned_by_no_account_is_refused, fixture) {
    auto doc = state();
    asset0(doc)["owner"] = std::string(32, 'f');
    refused(doc, "owner '" + std::string(32, 'f') + "' is not an account");
    doc = state();
    accounts(doc).erase(accounts(doc).begin());  // alice goes, her asset stays
    refused(doc, "is not an account");
}

BOOST_FIXTURE_TEST_CASE(a_dependency_on_a_missing_version_is_refused, fixture) {
    auto doc = state();
    json::object wf = asset0(doc);
    wf["content_id"] = "wf-1";
    wf["content_type"] = "workflow";
    wf["title"] = "flow";
    auto& v = wf["versions"].as_array()[0].as_object();
    v["version_id"] = "v-wf-1";
    v["dependencies"] = json::array{json::object{{"content_id", algo}, {"version_num", "9.9.9"}}};
    doc.as_object()["assets"].as_array().push_back(wf);
    refused(doc, "names a dependency that is not an algorithm version: " + algo + " 9.9.9");
}

BOOST_FIXTURE_TEST_CASE(repeated_ids_titles_and_keys_are_refused, fixture) {
    auto doc = state();
    json::object copy = asset0(doc);
    doc.as_object()["assets"].as_array().push_back(copy);
    refused(doc, "content_id is given twice");

    doc = state();
    copy = asset0(doc);
    copy["content_id"] = "other-id";
    copy["versions"].as_array()[0].as_object()["version_id"] = "other-version";
    doc.as_object()["assets"].as_array().push_back(copy);
    refused(doc, "the owner has another algorithm titled 'trainer'");

    doc = state();
    json::object record{{"domain_id", alice.domain_id},   {"key", "k1"},   {"method", "POST"},
                        {"target", "/v1/aihub/contents"}, {"body", "{}"},  {"status", 201},
                        {"response_body", "{}"},          {"location", ""}};
    doc.as_object()["idempotency"] = json::array{record, record};
    refused(doc, "idempotency[1]: key 'k1' is given twice");
    record["domain_id"] = std::string(32, 'e');
    doc.as_object()["idempotency"] = json::array{record};
    refused(doc, "idempotency[0]: domain_id '" + std::string(32, 'e') + "' is not an account");
}

BOOST_FIXTURE_TEST_CASE(a_valid_document_still_replaces_the_state, fixture) {
    auto doc = state();
    accounts(doc).erase(accounts(doc).begin() + 1);  // bob owns nothing: he may go
    auto out = svc.handle(control(http::verb::put, "/__mock/state", json::serialize(doc)));
    BOOST_TEST(out.response.result_int() == 204u, out.response.body());
    BOOST_TEST(svc.accounts().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
