// The SDK-HMAC-SHA256 signer as a pure function: known answers produced by the
// vendor's Node.js SDK core, the canonical form's rules one by one, and
// credentials from the environment.
#include <aigallery/aksk_signer.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <string>

namespace {

using aigallery::aksk_credentials;
using aigallery::http_request;
namespace http = boost::beast::http;
namespace detail = aigallery::detail;

// 2026-11-26T07:00:00Z
std::chrono::system_clock::time_point const fixed_time =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + std::chrono::hours{7};

aksk_credentials const example{"AKEXAMPLE123", "skExampleSecret/+=", "", ""};

http_request make(http::verb method, std::string target, std::string host) {
    http_request r{method, target, 11};
    r.set(http::field::host, host);
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(aksk_signer)

// Expected values: AKSKSigner.sign of @huaweicloud/huaweicloud-sdk-core 3.1.211
// for the same request, credentials and X-Sdk-Date.
BOOST_AUTO_TEST_CASE(matches_the_vendor_signer_on_a_listing) {
    auto r = make(http::verb::get,
                  "/v1/aihub/contents?scope=mine&limit=20&title=Flower%20classifier%20%C3%BC",
                  "gallery.example.com");
    r.set(http::field::content_type, "application/json");
    BOOST_TEST(!aigallery::sign_request(r, example, fixed_time));
    BOOST_TEST(r["X-Sdk-Date"] == "20261126T070000Z");
    BOOST_TEST(r[http::field::authorization] ==
               "SDK-HMAC-SHA256 Access=AKEXAMPLE123, SignedHeaders=content-type;host;x-sdk-date, "
               "Signature=9437c6a47146be5c78ddf735c117749a7457b534e477e423558b9d2326fcb429");
}

BOOST_AUTO_TEST_CASE(matches_the_vendor_signer_on_a_post_with_a_body) {
    auto r = make(http::verb::post, "/v1/aihub/contents", "gallery.example.com:8443");
    r.set(http::field::content_type, "application/json");
    r.set("Idempotency-Key", "k-1");
    r.body() = R"({"title":"x","n":1})";
    BOOST_TEST(!aigallery::sign_request(r, example, fixed_time));
    BOOST_TEST(r[http::field::authorization] ==
               "SDK-HMAC-SHA256 Access=AKEXAMPLE123, "
               "SignedHeaders=content-type;host;idempotency-key;x-sdk-date, "
               "Signature=d9d5c12bdadaaedfdcdb42c736395746f088e3a6c8e18059d0337d05a1e1cb01");
}

BOOST_AUTO_TEST_CASE(the_signature_depends_on_every_signed_part) {
    auto base = make(http::verb::post, "/v1/a?x=1", "h:1");
    base.set(http::field::content_type, "application/json");
    base.body() = "{}";
    auto sig = [&](http_request r, auto&& change, auto when) {
        change(r);
        BOOST_REQUIRE(!aigallery::sign_request(r, example, when));
        return std::string(r[http::field::authorization]);
    };
    auto same = [](http_request&) {};
    auto const original = sig(base, same, fixed_time);
    BOOST_TEST(sig(base, same, fixed_time) == original);  // deterministic
    BOOST_TEST(sig(base, same, fixed_time + std::chrono::seconds(1)) != original);
    BOOST_TEST(sig(
                   base, [](http_request& r) { r.body() = "{ }"; }, fixed_time) != original);
    BOOST_TEST(sig(
                   base, [](http_request& r) { r.target("/v1/b?x=1"); }, fixed_time) != original);
    BOOST_TEST(sig(
                   base, [](http_request& r) { r.target("/v1/a?x=2"); }, fixed_time) != original);
    BOOST_TEST(sig(
                   base, [](http_request& r) { r.method(http::verb::put); }, fixed_time) !=
               original);
    BOOST_TEST(sig(
                   base, [](http_request& r) { r.set(http::field::host, "h:2"); }, fixed_time) !=
               original);
    auto other_key = example;
    other_key.secret_key += "x";
    auto r = base;
    BOOST_REQUIRE(!aigallery::sign_request(r, other_key, fixed_time));
    BOOST_TEST(std::string(r[http::field::authorization]) != original);
}

BOOST_AUTO_TEST_CASE(temporary_credentials_and_project_are_sent_and_signed) {
    auto r = make(http::verb::get, "/v1/aihub/contents", "h");
    auto creds = example;
    creds.security_token = "temporary-token";
    creds.project_id = "0123456789abcdef";
    BOOST_TEST(!aigallery::sign_request(r, creds, fixed_time));
    BOOST_TEST(r["X-Security-Token"] == "temporary-token");
    BOOST_TEST(r["X-Project-Id"] == "0123456789abcdef");
    BOOST_TEST(std::string(r[http::field::authorization])
                   .find("SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(resigning_replaces_the_old_signature_and_date) {
    auto r = make(http::verb::get, "/v1/x", "h");
    BOOST_REQUIRE(!aigallery::sign_request(r, example, fixed_time));
    auto first = std::string(r[http::field::authorization]);
    BOOST_REQUIRE(!aigallery::sign_request(r, example, fixed_time));
    BOOST_TEST(std::string(r[http::field::authorization]) == first);
    BOOST_TEST(r.count(http::field::authorization) == 1u);
    BOOST_TEST(r.count("X-Sdk-Date") == 1u);
}

BOOST_AUTO_TEST_CASE(refuses_without_host_or_keys_and_changes_nothing) {
    http_request r{http::verb::get, "/v1/x", 11};
    BOOST_TEST(aigallery::sign_request(r, example, fixed_time) ==
               make_error_code(aigallery::security_errc::unsignable_request));
    BOOST_TEST(r.count("X-Sdk-Date") == 0u);
    auto h = make(http::verb::get, "/v1/x", "h");
    BOOST_TEST(aigallery::sign_request(h, aksk_credentials{"AK", "", "", ""}, fixed_time) ==
               make_error_code(aigallery::security_errc::missing_credentials));
    BOOST_TEST(h.count(http::field::authorization) == 0u);
    auto ec = make_error_code(aigallery::security_errc::missing_credentials);
    BOOST_TEST(std::string(ec.category().name()) == "aigallery.security");
    BOOST_TEST(ec.message().find("secret key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_clock_is_injectable) {
    aigallery::aksk_signer signer(example, [] { return fixed_time; });
    auto r = make(http::verb::get, "/v1/x", "h");
    BOOST_TEST(!signer(r));
    BOOST_TEST(r["X-Sdk-Date"] == "20261126T070000Z");
}

BOOST_AUTO_TEST_CASE(canonical_uri_query_and_headers_follow_the_reference) {
    BOOST_TEST(detail::canonical_uri("/v1/aihub/contents") == "/v1/aihub/contents/");
    BOOST_TEST(detail::canonical_uri("/v1/aihub/contents/") == "/v1/aihub/contents/");
    BOOST_TEST(detail::canonical_uri("/") == "/");
    BOOST_TEST(detail::canonical_uri("/a:b/c(d)!") == "/a%3Ab/c%28d%29%21/");
    BOOST_TEST(detail::canonical_uri("/a%20b") == "/a%2520b/");  // encoded again, like the SDK
    BOOST_TEST(detail::canonical_query("b=2&a=1&a=0&c") == "a=0&a=1&b=2&c=");
    BOOST_TEST(detail::canonical_query("k=a+b&s=%7E%20%2F") == "k=a%2Bb&s=~%20%2F");
    BOOST_TEST(detail::canonical_query("x=%E2%82%AC&&") == "x=%E2%82%AC");
    // JavaScript orders U+FF5E (one UTF-16 unit) after U+1F600 (a surrogate pair);
    // UTF-8 byte order would put it first.
    BOOST_TEST(detail::canonical_query("k=%EF%BD%9E&k=%F0%9F%98%80") ==
               "k=%F0%9F%98%80&k=%EF%BD%9E");
    // Header lines in collation order ('_' before '-' before digits and letters),
    // the SignedHeaders list in code-unit order.
    std::vector<detail::signed_header> h{{"x-b", "1"}, {"x_a", "2"}, {"x-a", "3"}, {"x0", "4"}};
    BOOST_TEST(detail::canonical_headers(h) == "x_a:2\nx-a:3\nx-b:1\nx0:4\n");
    BOOST_TEST(detail::signed_header_list(h) == "x-a;x-b;x0;x_a");
}

BOOST_AUTO_TEST_CASE(sdk_dates_round_trip_and_refuse_bad_forms) {
    BOOST_TEST(aigallery::format_sdk_date(fixed_time) == "20261126T070000Z");
    auto t = detail::parse_sdk_date("20240229T235959Z");
    BOOST_REQUIRE(t.has_value());
    BOOST_TEST(detail::format_sdk_date(*t) == "20240229T235959Z");
    for (auto bad : {"20230229T000000Z", "20261126T070000", "2026-11-26T07:00:00Z",
                     "20261326T070000Z", "20261126T246000Z", "2026112GT070000Z"})
        BOOST_TEST(!detail::parse_sdk_date(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(authorization_headers_parse_strictly) {
    auto p = detail::parse_authorization(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc");
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(p->access_key == "AK");
    BOOST_TEST(p->signed_headers == "host;x-sdk-date");
    BOOST_TEST(p->signature == "abc");
    BOOST_TEST(!detail::parse_authorization("Bearer x").has_value());
    BOOST_TEST(!detail::parse_authorization("SDK-HMAC-SHA256 Access=AK, Signature=abc"));
    BOOST_TEST(!detail::parse_authorization(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=a, Extra=1"));
}

BOOST_AUTO_TEST_CASE(credentials_come_from_the_vendor_variables) {
    std::map<std::string, std::string> env{{"HUAWEICLOUD_SDK_AK", "ak"},
                                           {"HUAWEICLOUD_SDK_SK", "sk-value"},
                                           {"HUAWEICLOUD_SDK_SECURITY_TOKEN", "st"},
                                           {"HUAWEICLOUD_SDK_PROJECT_ID", "pid"}};
    auto get = [&](char const* n) -> char const* {
        auto it = env.find(n);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    auto c = aksk_credentials::from_environment(get);
    BOOST_TEST(c.access_key == "ak");
    BOOST_TEST(c.secret_key == "sk-value");
    BOOST_TEST(c.security_token == "st");
    BOOST_TEST(c.project_id == "pid");
    env.erase("HUAWEICLOUD_SDK_AK");
    env.erase("HUAWEICLOUD_SDK_SK");
    try {
        aksk_credentials::from_environment(get);
        BOOST_FAIL("missing variables accepted");
    } catch (std::invalid_argument const& e) {
        std::string what = e.what();
        BOOST_TEST(what.find("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK") != std::string::npos);
        BOOST_TEST(what.find("pid") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
