// The mock's fast paths (issue 10) must answer exactly what the slow ones
// did: the direct JSON writer against wire::serialize(), byte for byte, and
// the arithmetic RFC 3339 formatting against strftime.
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/json_writer.hpp>
#include <aigallery/wire.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>

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
            BOOST_TEST(mock::parse_rfc3339(mock::format_rfc3339(t)).value() == t);
    }
}

BOOST_AUTO_TEST_SUITE_END()
