// The /ui/ page's route in the mock: the same access rule as /__mock, a page
// that loads nothing from elsewhere, and the control token kept as a cookie.
#include <aigallery/mock/service.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

aigallery::http_request get(std::string target) {
    return aigallery::http_request{boost::beast::http::verb::get, target, 11};
}

std::string header(aigallery::http_response const& r, std::string_view name) {
    auto it = r.find(name);
    return it == r.end() ? std::string() : std::string(it->value());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ui_route)

BOOST_AUTO_TEST_CASE(loopback_only_without_a_control_token) {
    aigallery::mock::service s;
    s.add_account("alice");
    auto page = s.handle(get("/ui/"), true).response;
    BOOST_TEST(page.result_int() == 200u);
    BOOST_TEST(header(page, "Content-Type") == "text/html; charset=utf-8");
    BOOST_TEST(page.body().find("My Assets") != std::string::npos);
    // self-contained: no address of another origin, and a policy that forbids one
    BOOST_TEST(page.body().find("http://") == std::string::npos);
    BOOST_TEST(page.body().find("https://") == std::string::npos);
    BOOST_TEST(header(page, "Content-Security-Policy").starts_with("default-src 'none'"));

    auto accounts = s.handle(get("/ui/accounts"), true).response;
    BOOST_TEST(accounts.result_int() == 200u);
    BOOST_TEST(boost::json::parse(accounts.body()).at("items").at(0).at("name") == "alice");

    // a peer elsewhere learns nothing, as with /__mock
    BOOST_TEST(s.handle(get("/ui/"), false).response.result_int() == 404u);
    BOOST_TEST(s.handle(get("/ui/accounts"), false).response.result_int() == 404u);

    BOOST_TEST(s.handle(get("/ui"), true).response.result_int() == 301u);
    BOOST_TEST(header(s.handle(get("/ui"), true).response, "Location") == "/ui/");
    BOOST_TEST(s.handle(get("/ui/nothing"), true).response.result_int() == 404u);
    aigallery::http_request post{boost::beast::http::verb::post, "/ui/", 11};
    BOOST_TEST(s.handle(post, true).response.result_int() == 405u);
    BOOST_TEST(s.journal().empty());  // the page's own requests are not /v1 traffic
}

BOOST_AUTO_TEST_CASE(a_control_token_is_needed_once_then_kept_as_a_cookie) {
    aigallery::mock::server_options o;
    o.control_token = "t0ken";
    aigallery::mock::service s(o);
    s.add_account("alice");
    for (bool loopback : {true, false}) {
        BOOST_TEST(s.handle(get("/ui/"), loopback).response.result_int() == 401u);
        BOOST_TEST(s.handle(get("/ui/?control_token=wrong"), loopback).response.result_int() ==
                   401u);
    }
    auto page = s.handle(get("/ui/?control_token=t0ken"), false).response;
    BOOST_TEST(page.result_int() == 200u);
    auto cookie = header(page, "Set-Cookie");
    BOOST_TEST(cookie.starts_with("aigallery_mock_control=t0ken;"));
    BOOST_TEST(cookie.find("HttpOnly") != std::string::npos);
    BOOST_TEST(cookie.find("SameSite=Strict") != std::string::npos);
    // the token never appears in the page itself
    BOOST_TEST(page.body().find("t0ken") == std::string::npos);

    // the accounts need the cookie or the header, never the address
    BOOST_TEST(s.handle(get("/ui/accounts?control_token=t0ken"), false).response.result_int() ==
               401u);
    auto with_cookie = get("/ui/accounts");
    with_cookie.set(boost::beast::http::field::cookie, "other=1; aigallery_mock_control=t0ken");
    BOOST_TEST(s.handle(with_cookie, false).response.result_int() == 200u);
    auto with_header = get("/ui/");
    with_header.set("X-Mock-Control-Token", "t0ken");
    auto r = s.handle(with_header, false).response;
    BOOST_TEST(r.result_int() == 200u);
    BOOST_TEST(header(r, "Set-Cookie").empty());
}

BOOST_AUTO_TEST_SUITE_END()
