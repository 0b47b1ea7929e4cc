// The C++ signer and the mock's verifier against the vendor's own signer: the
// Node.js SDK core signs a table of varied requests at a fixed time (see
// tests/node/aksk_crosscheck.js); the C++ signer must produce the very same
// Authorization for each, the mock must accept each, and must refuse every
// copy with one byte changed in a signed part.
//
// Runs from the CTest `aksk_node_crosscheck`, which installs the pinned SDK
// into the build folder and sets AIGALLERY_NODE and NODE_PATH; elsewhere it
// is skipped with a notice.
#include <aigallery/aksk_signer.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

boost::test_tools::assertion_result node_available(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(std::getenv("AIGALLERY_NODE") != nullptr);
    r.message() << "skipped: AIGALLERY_NODE is not set (run the CTest aksk_node_crosscheck, "
                   "which needs Node.js 20 and npm)";
    return r;
}

std::string run(std::string const& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(p != nullptr, "cannot run " << command);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        out.append(buf, n);
    int rc = ::pclose(p);
    BOOST_TEST_REQUIRE(rc == 0, "failed: " << command);
    return out;
}

std::string quoted(std::string const& s) {
    return "'" + s + "'";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(aksk_crosscheck, *boost::unit_test::precondition(node_available))

BOOST_AUTO_TEST_CASE(the_vendor_signer_the_cpp_signer_and_the_mock_agree) {
    // 2026-11-26T07:00:00Z, on the mock's clock and the signers'.
    auto const when =
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + std::chrono::hours{7};
    aigallery::mock::server_options o;
    o.fixed_time = when;
    aigallery::mock::server gallery(o);
    auto alice = gallery.add_account("alice");

    // Two assets for the table's paths: one to read and change, one to delete.
    auto publish = [&](std::string const& title) {
        aigallery::http_request r{http::verb::post, "/v1/aihub/contents", 11};
        r.set("X-Auth-Token", alice.token);
        r.set(http::field::content_type, "application/json");
        r.body() = R"({"content_type":"algorithm","title":")" + title + "\"}";
        r.prepare_payload();
        auto resp = gallery.handler_service().handle(r).response;
        BOOST_TEST_REQUIRE(resp.result_int() == 201u, resp.body());
        return std::string(json::parse(resp.body()).at("content_id").as_string());
    };
    auto const a = publish("to read"), b = publish("to delete");

    std::string const script = std::string(AIGALLERY_SOURCE_DIR) + "/tests/node/aksk_crosscheck.js";
    auto out = run(quoted(std::getenv("AIGALLERY_NODE")) + " " + quoted(script) + " " +
                   quoted(gallery.url()) + " " + quoted(alice.access_key) + " " +
                   quoted(alice.secret_key) + " 20261126T070000Z " + a + " " + b);
    auto cases = json::parse(out).at("cases").as_array();
    BOOST_TEST(cases.size() >= 30u);

    std::size_t compared = 0, accepted = 0, refused = 0, succeeded = 0;
    for (auto const& cv : cases) {
        auto const& c = cv.as_object();
        std::string const name(c.at("name").as_string());
        BOOST_TEST_CONTEXT("case '" << name << "'") {
            aigallery::http_request r{http::string_to_verb(c.at("method").as_string()),
                                      std::string(c.at("target").as_string()), 11};
            std::string node_authorization;
            for (auto const& [k, v] : c.at("headers").as_object()) {
                if (k == "Authorization")
                    node_authorization = std::string(v.as_string());
                else
                    r.set(std::string(k), std::string(v.as_string()));
            }
            r.body() = std::string(c.at("body").as_string());
            auto const& auth = c.at("auth").as_object();
            auto text = [&](char const* key) {
                auto p = auth.if_contains(key);
                return p ? std::string(p->as_string()) : std::string();
            };
            aigallery::aksk_credentials creds{alice.access_key, alice.secret_key,
                                              text("security_token"), text("project_id")};
            BOOST_TEST_REQUIRE(!aigallery::sign_request(r, creds, when));
            BOOST_TEST(std::string(r[http::field::authorization]) == node_authorization);
            ++compared;

            auto const& answer = c.at("answer").as_object();
            auto const status = answer.at("status").as_int64();
            BOOST_TEST(status != 401, answer.at("error_msg").as_string());
            BOOST_TEST(status != 0);
            accepted += status != 401 && status != 0;
            succeeded += status >= 200 && status < 300;
            for (auto const& tv : c.at("tampered").as_array()) {
                auto const& t = tv.as_object();
                BOOST_TEST(t.at("status").as_int64() == 401,
                           "tampered " << t.at("what").as_string());
                BOOST_TEST(t.at("error_code").as_string() == "APIG.0301");
                refused += t.at("status").as_int64() == 401;
            }
        }
    }
    BOOST_TEST_MESSAGE("aksk_crosscheck: " << compared << " Authorization headers identical, "
                                           << accepted << " accepted (" << succeeded
                                           << " of them 2xx), " << refused
                                           << " tampered copies refused");
    BOOST_TEST(succeeded >= 15u);  // most of the table reaches real operations
}

BOOST_AUTO_TEST_SUITE_END()
