// The service without any transport: who may use the control API, and the
// response headers every answer carries.
#include <aigallery/mock/service.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace aigallery;
using boost::beast::http::verb;

namespace {
http_request request(verb v, std::string target, std::string token = {}) {
    http_request r{v, target, 11};
    if (!token.empty())
        r.set("X-Auth-Token", token);
    r.prepare_payload();
    return r;
}
std::string code_of(http_response const& r) {
    return std::string(boost::json::parse(r.body()).at("error_code").as_string());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(mock_service)

BOOST_AUTO_TEST_CASE(control_api_answers_loopback_peers_only) {
    mock::service svc;
    auto far = svc.handle(request(verb::get, "/__mock/health"), /*peer_is_loopback=*/false);
    BOOST_TEST(far.response.result_int() == 404u);
    BOOST_TEST(code_of(far.response) == "ModelArts.4042");
    BOOST_TEST(svc.handle(request(verb::get, "/__mock/health"), true).response.result_int() ==
               200u);
    // /v1 is for everyone with a token
    auto a = svc.add_account("alice");
    BOOST_TEST(
        svc.handle(request(verb::get, "/v1/aihub/me", a.token), false).response.result_int() ==
        200u);
}

BOOST_AUTO_TEST_CASE(a_control_token_is_required_when_configured) {
    mock::server_options o;
    o.control_token = "secret";
    mock::service svc{o};
    auto none = svc.handle(request(verb::get, "/__mock/accounts"), true);
    BOOST_TEST(none.response.result_int() == 401u);
    BOOST_TEST(none.response.body().find("secret") == std::string::npos);  // never echoed
    auto with = request(verb::get, "/__mock/accounts");
    with.set("X-Mock-Control-Token", "secret");
    BOOST_TEST(svc.handle(with, false).response.result_int() == 200u);  // and from afar
    with.set("X-Mock-Control-Token", "wrong");
    BOOST_TEST(svc.handle(with, true).response.result_int() == 401u);
}

BOOST_AUTO_TEST_CASE(every_answer_has_a_unique_request_id) {
    mock::service svc;
    auto a = svc.add_account("alice");
    std::set<std::string> ids;
    for (int i = 0; i < 50; ++i) {
        for (auto const& target : {"/v1/aihub/me", "/v1/nothing", "/__mock/health", "/elsewhere"}) {
            auto o = svc.handle(request(verb::get, target, a.token), true);
            auto it = o.response.find("X-Request-Id");
            BOOST_TEST_REQUIRE((it != o.response.end()));
            BOOST_TEST(ids.insert(std::string(it->value())).second);
        }
    }
    // the journal's ids are the answers' ids
    for (auto const& e : svc.journal())
        BOOST_TEST(ids.count(e.request_id) == 1u);
}

BOOST_AUTO_TEST_CASE(tokens_never_appear_in_the_journal_or_errors) {
    mock::service svc;
    auto a = svc.add_account("alice");
    auto o = svc.handle(request(verb::post, "/v1/aihub/contents", a.token), true);
    BOOST_TEST(o.response.body().find(a.token) == std::string::npos);
    auto j = boost::json::serialize(boost::json::value_from(wire::journal_response{svc.journal()}));
    BOOST_TEST(j.find(a.token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
