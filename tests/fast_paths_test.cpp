// The mock's fast paths (issue 10) must answer exactly what the slow ones
// did: the direct JSON writer against wire::serialize(), byte for byte, the
// arithmetic RFC 3339 formatting against strftime; and the compact version
// records must keep every id, dependency and dependent as they were.
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/compact.hpp>
#include <aigallery/mock/json_writer.hpp>
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace aigallery;
using mock::json_writer::to_json;

/// Strings a writer could get wrong: every control character, quotes,
/// backslashes, DEL, multi-byte UTF-8, and random bytes.
std::vector<std::string> awkward_strings() {
    std::vector<std::string> r{
        "",         "plain",  "quote \" and \\ backslash", "caf\xc3\xa9 \xe2\x82\xac",
        "\x7f del", "/slash/"};
    std::string controls;
    for (int c = 0; c < 0x20; ++c)
        controls += static_cast<char>(c);
    r.push_back(controls);
    std::mt19937 rng(42);
    for (int i = 0; i < 200; ++i) {
        std::string s;
        for (int n = rng() % 40; n > 0; --n)
            s += static_cast<char>(rng() % 128);  // ASCII, controls included: valid UTF-8
        r.push_back(s);
    }
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fast_paths)

BOOST_AUTO_TEST_CASE(json_writer_prints_what_wire_serialize_prints) {
    for (auto const& s : awkward_strings()) {
        wire::version_response v;
        v.content_id = s;
        v.version_id = "id";
        v.version_num = "1.0.0";
        v.desc = s;
        v.visibility = "group";
        v.group_users = wire::string_list{s, "b"};
        v.dependencies = {{s, "1.2.3"}, {"x", s}};
        v.source = boost::json::object{{"entry", s}, {"n", 7}, {"nested", {{"a", true}}}};
        v.created_at = "2026-11-26T07:00:00Z";
        BOOST_TEST(to_json(v) == wire::serialize(v));
        wire::error_body e{"ModelArts.4001", s};
        BOOST_TEST(to_json(e) == wire::serialize(e));
    }
}

BOOST_AUTO_TEST_CASE(json_writer_leaves_out_absent_optionals_and_prints_numbers) {
    wire::version_response v;  // no group_users: not the owner's view
    BOOST_TEST(to_json(v) == wire::serialize(v));
    BOOST_TEST(to_json(v).find("group_users") == std::string::npos);
    wire::content_list_response l;
    l.total = 18446744073709551615ull;
    l.count = 2;
    l.items.resize(2);
    l.items[1].title = "t\n";
    BOOST_TEST(to_json(l) == wire::serialize(l));
    wire::fault_response f{3, {}, -1};
    f.fault.action = "status";
    f.fault.status = 503;
    f.fault.after_commit = false;
    BOOST_TEST(to_json(f) == wire::serialize(f));
    wire::publish_response p{"c", "v", "1.0.0", "/v1/aihub/contents/c"};
    BOOST_TEST(to_json(p) == wire::serialize(p));
}

BOOST_AUTO_TEST_CASE(rfc3339_matches_strftime) {
    auto slow = [](mock::time_point t) {
        std::time_t tt = t.time_since_epoch().count();
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char buf[40];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(buf);
    };
    std::mt19937_64 rng(7);
    std::vector<std::int64_t> seconds{
        0,          -1,           86399,        86400,        951782400, 951868799,
        1780000000, 253402300799, -62135596800, -62167219200, 4102444800};  // 2000-02-29 etc.
    for (int i = 0; i < 2000; ++i)
        seconds.push_back(static_cast<std::int64_t>(rng() % 253402300800ull) - 62167219200);
    for (auto s : seconds) {
        mock::time_point t{std::chrono::seconds(s)};
        BOOST_TEST(mock::format_rfc3339(t) == slow(t), "at " << s);
        if (s >= -30610224000)  // from the year 1000: what the mock ever prints
            BOOST_TEST(
                mock::parse_rfc3339(mock::format_rfc3339(t)).value().time_since_epoch().count() ==
                s);
    }
}

BOOST_AUTO_TEST_CASE(compact_id_reads_back_what_was_written) {
    for (std::string id : std::vector<std::string>{
             "5f0c2b4e-8d1a-4c3b-9e7f-0a1b2c3d4e5f",  // canonical: 16 bytes
             "00000000-0000-0000-0000-000000000000",
             "5F0C2B4E-8D1A-4C3B-9E7F-0A1B2C3D4E5F",  // not lowercase: kept as text
             "5f0c2b4e-8d1a-4c3b-9e7f-0a1b2c3d4e5g", "5f0c2b4e8d1a4c3b9e7f0a1b2c3d4e5f", "x",
             std::string(64, 'a')}) {
        mock::compact_id c = id;
        BOOST_TEST(c.str() == id);
        mock::compact_id copy = c;  // an imported state copies the whole gallery
        BOOST_TEST(std::string(copy) == id);
    }
}

BOOST_AUTO_TEST_CASE(shared_list_shares_equal_lists_and_copies_before_a_change) {
    mock::shared_list<int> a = std::vector<int>{1, 2};
    mock::shared_list<int> b = std::vector<int>{1, 2};
    b.share_if_equal(a);
    BOOST_TEST(&a.items() == &b.items());  // one copy in memory
    b.push_back(3);
    BOOST_TEST(a.items() == (std::vector<int>{1, 2}));  // the other is untouched
    BOOST_TEST(b.items() == (std::vector<int>{1, 2, 3}));
    mock::shared_list<int> c = std::vector<int>{9};
    c.share_if_equal(a);
    BOOST_TEST(c.items() == (std::vector<int>{9}));
}

namespace {
using boost::beast::http::verb;
struct gallery {
    mock::service svc{[] {
        mock::server_options o;
        o.seed = 5;
        return o;
    }()};
    std::string token = svc.add_account("alice").token;

    http_response send(verb v, std::string target, std::string body = {}) {
        http_request r{v, target, 11};
        r.set("X-Auth-Token", token);
        if (!body.empty()) {
            r.set(boost::beast::http::field::content_type, "application/json");
            r.body() = std::move(body);
        }
        r.prepare_payload();
        return svc.handle(r).response;
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(dependents_stay_exact_as_versions_share_and_go) {
    gallery g;
    auto algo = boost::json::parse(g.send(verb::post, "/v1/aihub/contents",
                                          R"({"content_type":"algorithm","title":"a"})")
                                       .body())
                    .at("content_id")
                    .as_string();
    std::string dep =
        R"({"dependencies":[{"content_id":")" + std::string(algo) + R"(","version_num":"1.0.0"}]})";
    auto flow_answer =
        g.send(verb::post, "/v1/aihub/contents",
               R"({"content_type":"workflow","title":"w","dependencies":[{"content_id":")" +
                   std::string(algo) + R"(","version_num":"1.0.0"}]})");
    BOOST_TEST_REQUIRE(flow_answer.result_int() == 201u);
    std::string flow(boost::json::parse(flow_answer.body()).at("content_id").as_string());
    std::string versions = "/v1/aihub/contents/" + flow + "/versions";
    for (int i = 0; i < 3; ++i)  // 1.0.1 .. 1.0.3, each with the same dependency
        BOOST_TEST_REQUIRE(g.send(verb::post, versions, dep).result_int() == 201u);
    BOOST_TEST_REQUIRE(g.send(verb::post, versions, R"({"desc":"none"})").result_int() == 201u);
    auto v = boost::json::parse(g.send(verb::get, versions + "/1.0.2").body());
    BOOST_TEST(v.at("dependencies").as_array().size() == 1u);
    // 1.0.4 kept the sharing but not the dependencies: none were given
    BOOST_TEST(boost::json::parse(g.send(verb::get, versions + "/1.0.4").body())
                   .at("dependencies")
                   .as_array()
                   .empty());
    BOOST_TEST_REQUIRE(g.send(verb::delete_, versions + "/1.0.0").result_int() == 204u);
    BOOST_TEST_REQUIRE(g.send(verb::delete_, versions + "/1.0.2").result_int() == 204u);
    std::string algo_version = "/v1/aihub/contents/" + std::string(algo) + "/versions/1.0.0";
    auto d = boost::json::parse(g.send(verb::get, algo_version + "/dependents").body());
    auto const& items = d.at("items").as_array();
    BOOST_TEST_REQUIRE(items.size() == 2u);
    BOOST_TEST(items[0].at("version_num").as_string() == "1.0.1");
    BOOST_TEST(items[1].at("version_num").as_string() == "1.0.3");
    auto refused = g.send(verb::delete_, algo_version);
    BOOST_TEST(refused.result_int() == 409u);
    BOOST_TEST(refused.body().find(flow + " 1.0.1") != std::string::npos);
    // the state document keeps every id exactly, through an export and import
    auto before = g.svc.export_state();
    g.svc.import_state(before);
    BOOST_TEST(boost::json::serialize(g.svc.export_state()) == boost::json::serialize(before));
    BOOST_TEST(g.send(verb::delete_, versions + "/1.0.1").result_int() == 204u);
    BOOST_TEST(g.send(verb::delete_, versions + "/1.0.3").result_int() == 204u);
    BOOST_TEST(g.send(verb::delete_, algo_version).result_int() == 204u);  // no dependents left
}

BOOST_AUTO_TEST_SUITE_END()

// parse_target splits plain paths itself instead of through Boost.URL: the
// segments must be exactly Boost.URL's, for every path the fast split takes.
BOOST_AUTO_TEST_CASE(target_split_matches_boost_url) {
    std::mt19937 rng(20261206);
    std::string const alphabet = "/a.:@-~!$&'()*+,;=1%?";
    int split_here = 0;
    for (int i = 0; i < 200'000; ++i) {
        std::string t = "/";
        for (int k = 0, n = static_cast<int>(rng() % 12); k < n; ++k)
            t += alphabet[rng() % alphabet.size()];
        auto u = boost::urls::parse_origin_form(t);
        if (!u) {
            BOOST_CHECK_THROW(mock::parse_target(t), aigallery::gallery_error);
            continue;
        }
        std::vector<std::string> expected;
        for (auto s : u->segments())
            expected.push_back(s);
        auto got = mock::parse_target(t);
        std::vector<std::string> segments(got.segments.begin(), got.segments.end());
        BOOST_TEST(segments == expected, "target " << t);
        split_here += mock::is_plain_path(t) ? 1 : 0;
    }
    BOOST_TEST(split_here > 50'000);  // the fast split was really exercised
}
