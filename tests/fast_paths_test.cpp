// The mock's fast paths (issue 10) must answer exactly what the slow ones
// did: the direct JSON writers against wire::serialize(), byte for byte, the
// arithmetic RFC 3339 formatting against strftime; and the compact version
// records must keep every id, dependency and dependent as they were.
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/compact.hpp>
#include <aigallery/mock/json_writer.hpp>
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
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

// append_json_string skips eight bytes at a time while none needs an
// escape: every byte that does, at every place in and around a block, and
// the bytes beside the ones it looks for (0x1f and 0x20, 0x21 and 0x23,
// 0x5b and 0x5d, 0x7f, 0x80 and above) must come out as Boost.JSON prints them.
BOOST_AUTO_TEST_CASE(json_strings_escape_as_boost_json_does_at_every_offset) {
    std::vector<char> const probes{'"', '\\', '\0', '\x01', '\n',   '\x1f', ' ',   '!',
                                   '#', '[',  ']',  '\x7f', '\x80', '\xc3', '\xff'};
    for (std::size_t length = 0; length <= 26; ++length)
        for (std::size_t at = 0; at < std::max<std::size_t>(length, 1); ++at)
            for (char c : probes) {
                std::string s(length, 'a');
                if (length > 0)
                    s[at] = c;
                std::string out;
                mock::json_writer::append_json_string(out, s);
                BOOST_TEST_REQUIRE(out == boost::json::serialize(boost::json::string(s)),
                                   "length " << length << ", byte " << int(c) << " at " << at);
            }
}

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

// GET of a version is written straight from the stored record; it must be
// the bytes the wire structure would print, for the owner (who sees the
// whitelist) and for a reader of the group, with every awkward description.
BOOST_AUTO_TEST_CASE(a_version_written_directly_is_what_the_wire_struct_prints) {
    mock::gallery_state st;
    auto const alice = st.add_account("alice");
    auto const bob = st.add_account("bob");
    wire::create_content_request algo_body;
    algo_body.content_type = "algorithm";
    algo_body.title = "algo";
    algo_body.visibility = "public";  // a shared workflow may only run what its readers see
    auto const algo = st.create_content(alice, algo_body);
    wire::create_content_request flow_body;
    flow_body.content_type = "workflow";
    flow_body.title = "flow";
    flow_body.visibility = "group";
    flow_body.group_users = wire::string_list{bob.domain_id};
    flow_body.dependencies = std::vector<wire::dependency_ref>{{algo.content_id, "1.0.0"}};
    flow_body.source = boost::json::object{{"entry", "train.py"}, {"n", 7}};
    auto const flow = st.create_content(alice, flow_body);
    int compared = 0;
    auto check = [&](std::string const& id, std::string const& num) {
        for (auto const* who : {&alice, &bob}) {
            auto const direct = st.get_version_json(*who, id, num);
            auto const slow = to_json(st.get_version(*who, id, num));
            BOOST_TEST(direct == slow, "version " << id << " " << num << " as " << who->name);
            ++compared;
        }
    };
    check(flow.content_id, "1.0.0");
    for (auto const& desc : awkward_strings()) {
        wire::create_version_request v;
        v.desc = desc;
        v.visibility = "group";
        v.group_users = wire::string_list{bob.domain_id};
        v.version_num = "2." + std::to_string(compared) + ".0";
        try {
            auto const made = st.create_version(alice, flow.content_id, v, std::nullopt);
            check(flow.content_id, made.version_num);
        } catch (gallery_error const&) {
            // a description the gallery refuses (validation.hpp) is not stored
        }
    }
    BOOST_TEST(compared > 100);
    // the same refusals as the slow path: no such version, no such asset
    BOOST_CHECK_THROW(st.get_version_json(alice, flow.content_id, "9.9.9"), gallery_error);
    BOOST_CHECK_THROW(st.get_version_json(bob, "no-such-asset", "1.0.0"), gallery_error);
}

// A publish answered straight as JSON must be the bytes the wire structure
// prints, with its content_uri as the Location: two galleries on one seed
// and one clock get the same requests, one answers each way.
BOOST_AUTO_TEST_CASE(a_publish_answered_directly_is_what_the_wire_struct_prints) {
    auto const fixed = [] { return mock::time_point(std::chrono::seconds(1780000000)); };
    mock::gallery_state slow_st(7, fixed), direct_st(7, fixed);
    std::string flow;
    for (auto* st : {&slow_st, &direct_st}) {
        auto const& alice = st->add_account("alice");
        wire::create_content_request algo;
        algo.content_type = "algorithm";
        algo.title = "algo";
        algo.visibility = "public";
        auto const a = st->create_content(alice, algo);
        wire::create_content_request w;
        w.content_type = "workflow";
        w.title = "flow";
        w.dependencies = std::vector<wire::dependency_ref>{{a.content_id, "1.0.0"}};
        flow = st->create_content(alice, w).content_id;  // the same id in both: one seed
    }
    auto const& alice_slow = *slow_st.account_by_name("alice");
    auto const& alice_direct = *direct_st.account_by_name("alice");
    int compared = 0;
    auto const strings = awkward_strings();
    for (std::size_t i = 0; i < 40; ++i) {
        wire::create_version_request v;
        v.desc = strings[i];
        if (i % 3 == 1)
            v.bump = i % 2 ? "minor" : "major";
        if (i % 7 == 3)
            v.version_num = std::to_string(100 + i) + ".0.0";
        if (i % 5 == 2)
            v.visibility = "public";
        std::string slow;
        try {
            slow = to_json(slow_st.create_version(alice_slow, flow, v, std::nullopt));
        } catch (gallery_error const&) {
            // refused alike, and nothing published on either side
            BOOST_CHECK_THROW(direct_st.create_version_json(alice_direct, flow, v, std::nullopt),
                              gallery_error);
            continue;
        }
        auto const direct = direct_st.create_version_json(alice_direct, flow, v, std::nullopt);
        BOOST_TEST(direct.body == slow, "request " << i);
        BOOST_TEST(
            direct.location == std::string(boost::json::parse(slow).at("content_uri").as_string()),
            "request " << i);
        ++compared;
    }
    BOOST_TEST(compared > 30);
    // a refusal names the same thing, and publishes nothing
    wire::create_version_request stale;
    BOOST_CHECK_THROW(
        direct_st.create_version_json(alice_direct, flow, stale, version_number::parse("1.0.0")),
        gallery_error);
    BOOST_TEST(to_json(slow_st.create_version(alice_slow, flow, stale, std::nullopt)) ==
               direct_st.create_version_json(alice_direct, flow, stale, std::nullopt).body);
}

BOOST_AUTO_TEST_CASE(a_list_page_written_directly_is_what_the_wire_struct_prints) {
    mock::gallery_state st;
    auto const alice = st.add_account("alice");
    auto const bob = st.add_account("bob");
    auto const strings = awkward_strings();
    int made = 0;
    for (std::size_t i = 0; i < strings.size(); i += 4) {
        wire::create_content_request body;
        body.content_type = i % 8 == 0 ? "algorithm" : "workflow";
        // titles are unique per owner and type: "plain" once of each type
        // (for the title filter), the others numbered, awkward or not
        body.title = i < 8 ? std::string("plain")
                           : (i % 8 == 4 ? std::string("t") : strings[i]) + " " + std::to_string(i);
        body.visibility = i % 12 == 0 ? "public" : i % 12 == 4 ? "group" : "private";
        if (*body.visibility == "group")
            body.group_users = wire::string_list{bob.domain_id};
        try {
            auto const c = st.create_content(alice, body);
            ++made;
            if (i % 5 == 0) {  // a later, public version: latest_version and updated_at move
                wire::create_version_request v;
                v.visibility = "public";
                st.create_version(alice, c.content_id, v, std::nullopt);
            }
        } catch (gallery_error const&) {
            // a title the gallery refuses (validation.hpp) is not stored
        }
    }
    BOOST_TEST_REQUIRE(made > 20);
    using scope = mock::list_query::scope_kind;
    int compared = 0;
    std::uint64_t items_seen = 0;
    for (auto const* who : {&alice, &bob})
        for (auto sc : {scope::mine, scope::shared, scope::public_})
            for (int type = 0; type < 3; ++type)
                for (bool titled : {false, true})
                    for (std::uint64_t offset : {0, 3, 1000})
                        for (bool by_title : {false, true})
                            for (bool ascending : {false, true}) {
                                mock::list_query q;
                                q.scope = sc;
                                if (type == 1)
                                    q.type = mock::content_type::algorithm;
                                if (type == 2)
                                    q.type = mock::content_type::workflow;
                                if (titled)
                                    q.title = "plain";
                                q.offset = offset;
                                q.limit = offset == 3 ? 5 : 20;
                                q.by_title = by_title;
                                q.ascending = ascending;
                                auto const slow = st.list(*who, q);
                                items_seen += slow.items.size();
                                BOOST_TEST(st.list_json(*who, q) == to_json(slow),
                                           "as " << who->name << " scope " << static_cast<int>(sc)
                                                 << " type " << type << " offset " << offset);
                                ++compared;
                            }
    BOOST_TEST(compared == 2 * 3 * 3 * 2 * 3 * 2 * 2);
    BOOST_TEST(items_seen > 500);  // the pages compared were not mostly empty
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
        0,
        -1,
        86399,
        86400,
        951782400,
        951868799,
        1780000000,
        253402300799,
        -62135596800,
        -62167219200,
        4102444800,  // 2000-02-29 etc.
        -30610224001,
        1000000000000000,
        -1000000000000000,
        9000000000000000000,
        -9000000000000000000};  // far out: strftime's text, where the calendar would wrap
    for (int i = 0; i < 2000; ++i)
        seconds.push_back(static_cast<std::int64_t>(rng() % 253402300800ull) - 62167219200);
    // One writer for all, as a list page uses it: it keeps the last date
    // it wrote. Each time also again a second later (mostly the same
    // date, sometimes the next), and years outside 1000-9999 in between.
    mock::rfc3339_writer kept;
    auto with_kept = [&](mock::time_point t) {
        char text[mock::rfc3339_max_size];
        return std::string(text, kept.write(text, t));
    };
    for (auto s : seconds) {
        mock::time_point t{std::chrono::seconds(s)};
        BOOST_TEST(mock::format_rfc3339(t) == slow(t), "at " << s);
        BOOST_TEST(with_kept(t) == slow(t), "at " << s);
        BOOST_TEST(with_kept(t + std::chrono::seconds(1)) == slow(t + std::chrono::seconds(1)),
                   "at " << s << " + 1");
        if (s >= -30610224000 && s <= 253402300799)  // years 1000-9999: what the mock prints
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

// Version ids are made as bytes, no longer as text: a seeded gallery must
// still hand out the ids it always has.
BOOST_AUTO_TEST_CASE(uuid_bytes_spell_what_uuid_spells) {
    mock::id_generator text(11), bytes(11);
    for (int i = 0; i < 1000; ++i) {
        auto const id = text.uuid();
        mock::compact_id const made(bytes.uuid_bytes());
        BOOST_TEST_REQUIRE(made.str() == id);
        BOOST_TEST(made.text_if_not_uuid() == nullptr);
        BOOST_TEST((made == mock::compact_id(id)));
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

    /// Publishes an algorithm; its content_id.
    std::string new_algorithm(std::string const& title) {
        auto answer = send(verb::post, "/v1/aihub/contents",
                           R"({"content_type":"algorithm","title":")" + title + R"("})");
        return std::string(boost::json::parse(answer.body()).at("content_id").as_string());
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(dependents_stay_exact_as_versions_share_and_go) {
    gallery g;
    auto algo = g.new_algorithm("a");
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

// The version table replaced a std::map: against one, it keeps the same
// versions in the same order, whatever the order they come in, and finds,
// refuses and erases exactly as the map does.
BOOST_AUTO_TEST_CASE(the_version_table_behaves_as_an_ordered_map) {
    std::mt19937 rng(7);
    mock::version_table table;
    std::map<version_number, std::string> oracle;  // number -> desc
    auto number = [&] { return version_number(rng() % 3, rng() % 4, rng() % 40); };
    for (int i = 0; i < 2000; ++i) {
        auto n = number();
        if (rng() % 4 == 0) {  // erase, sometimes one that is not there
            auto it = table.find(n);
            BOOST_TEST((it != table.end()) == (oracle.count(n) == 1));
            if (it != table.end()) {
                BOOST_TEST(it->desc == oracle.at(n));
                table.erase(it);
                oracle.erase(n);
            }
        } else {
            mock::version_record v;
            v.num = n;
            v.desc = "d" + std::to_string(i);
            auto [it, added] = table.emplace(std::move(v));
            auto [o, oracle_added] = oracle.emplace(n, "d" + std::to_string(i));
            BOOST_TEST(added == oracle_added);
            BOOST_TEST(it->num == n);
            BOOST_TEST(it->desc == o->second);  // a refused one keeps the first
        }
        BOOST_TEST_REQUIRE(table.size() == oracle.size());
    }
    auto o = oracle.begin();
    for (auto const& v : table) {
        BOOST_TEST(v.num == o->first);
        BOOST_TEST(v.desc == o->second);
        ++o;
    }
    BOOST_TEST(table.highest().num == oracle.rbegin()->first);
    BOOST_TEST(table.rbegin()->num == oracle.rbegin()->first);
    auto missing = version_number(9, 9, 9);
    BOOST_TEST(table.count(missing) == 0u);
    BOOST_CHECK_THROW(static_cast<void>(table.at(missing)), std::out_of_range);
    BOOST_TEST(table.at(oracle.begin()->first).desc == oracle.begin()->second);
}

// A find() among many versions whose lowest and highest differ only in their
// patch first guesses the position from the patch; any other spread goes to
// the binary search. Whatever the spread (an unbroken run, runs with holes,
// a few far-off numbers, parts near their maximum), it finds what a std::set
// finds, and nothing that is not there.
BOOST_AUTO_TEST_CASE(the_version_table_finds_every_number_however_they_are_spread) {
    std::mt19937 rng(11);
    auto const top = version_number::max_part;
    auto check = [](mock::version_table const& table, std::set<version_number> const& oracle,
                    std::vector<version_number> const& probes) {
        for (auto n : probes) {
            auto it = table.find(n);
            bool const held = oracle.count(n) == 1;
            BOOST_TEST_REQUIRE((it != table.end()) == held, "find " << n.to_string());
            if (held)
                BOOST_TEST_REQUIRE(it->num == n);
        }
    };
    struct layout {
        char const* name;
        std::function<std::vector<version_number>()> numbers;
    };
    std::vector<layout> layouts = {
        {"an unbroken run of patches",
         [] {
             std::vector<version_number> v;
             for (std::uint32_t p = 0; p < 3000; ++p)
                 v.emplace_back(1, 0, p);
             return v;
         }},
        {"patches with gaps",
         [&rng] {
             std::vector<version_number> v;
             for (std::uint32_t p = 5, i = 0; i < 3000; ++i, p += 1 + rng() % 3)
                 v.emplace_back(2, 4, p);
             return v;
         }},
        {"two runs far apart",
         [] {
             std::vector<version_number> v;
             for (std::uint32_t p = 0; p < 1000; ++p)
                 v.emplace_back(1, 0, p);
             for (std::uint32_t p = 0; p < 50; ++p)
                 v.emplace_back(7, 3, p);
             return v;
         }},
        {"every part bumped",
         [] {
             std::vector<version_number> v;
             for (std::uint32_t a = 0; a < 4; ++a)
                 for (std::uint32_t b = 0; b < 10; ++b)
                     for (std::uint32_t c = 0; c < 30; ++c)
                         v.emplace_back(a, b, c);
             return v;
         }},
        {"parts near their maximum",
         [top] {
             std::vector<version_number> v;
             for (std::uint32_t p = 0; p < 500; ++p) {
                 v.emplace_back(0, 0, p);
                 v.emplace_back(top, top, top - p);
                 v.emplace_back(top - 1, p, 0);
             }
             return v;
         }},
        {"random",
         [&rng] {
             std::vector<version_number> v;
             for (int i = 0; i < 2000; ++i)
                 v.emplace_back(rng() % 5, rng() % 100, rng());
             return v;
         }},
    };
    for (auto const& l : layouts) {
        BOOST_TEST_CONTEXT(l.name) {
            mock::version_table table;
            std::set<version_number> oracle;
            auto numbers = l.numbers();
            for (auto n : numbers) {
                mock::version_record v;
                v.num = n;
                table.emplace(std::move(v));
                oracle.insert(n);
            }
            // Probes: every number held, its neighbours, and the ends.
            std::vector<version_number> probes = {version_number(0, 0, 0),
                                                  version_number(top, top, top)};
            for (auto n : numbers) {
                probes.push_back(n);
                if (n.patch_part() < top)
                    probes.emplace_back(n.major_part(), n.minor_part(), n.patch_part() + 1);
                if (n.patch_part() > 0)
                    probes.emplace_back(n.major_part(), n.minor_part(), n.patch_part() - 1);
            }
            check(table, oracle, probes);
            // Holes: a third of them erased, at random; then every probe again.
            for (auto n : numbers)
                if (rng() % 3 == 0 && oracle.erase(n) == 1)
                    table.erase(table.find(n));
            BOOST_TEST_REQUIRE(table.size() == oracle.size());
            check(table, oracle, probes);
            // Put back into the holes (emplace uses the position found for a
            // number not held): the order stays that of the set.
            for (auto n : numbers) {
                mock::version_record v;
                v.num = n;
                auto const [it, added] = table.emplace(std::move(v));
                BOOST_TEST_REQUIRE(added == oracle.insert(n).second);
                BOOST_TEST_REQUIRE(it->num == n);
            }
            BOOST_TEST_REQUIRE(table.size() == oracle.size());
            auto o = oracle.begin();
            for (auto const& v : table)
                BOOST_TEST_REQUIRE(v.num == *o++);
            check(table, oracle, probes);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_state_document_may_list_versions_in_any_order) {
    gallery g;
    auto algo = g.new_algorithm("a");
    std::string versions = "/v1/aihub/contents/" + std::string(algo) + "/versions";
    for (int i = 0; i < 5; ++i)
        BOOST_TEST_REQUIRE(g.send(verb::post, versions, "{}").result_int() == 201u);
    auto const exported = g.svc.export_state();
    // the same versions, highest first: the import sorts them
    auto reversed = exported;
    auto& listed = reversed.as_object()["assets"].as_array()[0].as_object()["versions"].as_array();
    std::reverse(listed.begin(), listed.end());
    g.svc.import_state(reversed);
    BOOST_TEST(boost::json::serialize(g.svc.export_state()) == boost::json::serialize(exported));
    BOOST_TEST(g.send(verb::get, versions + "/1.0.3").result_int() == 200u);
    BOOST_TEST(boost::json::parse(g.send(verb::post, versions, "{}").body())
                   .at("version_num")
                   .as_string() == "1.0.6");
    // one version listed twice is refused by number, and changes nothing
    auto const before = g.svc.export_state();
    auto twice = exported;
    auto& v = twice.as_object()["assets"].as_array()[0].as_object()["versions"].as_array();
    v.push_back(v[2]);
    try {
        g.svc.import_state(twice);
        BOOST_FAIL("a version listed twice was imported");
    } catch (gallery_error const& e) {
        BOOST_TEST(std::string(e.what()).find("version 1.0.2 appears twice") != std::string::npos,
                   e.what());
    }
    BOOST_TEST(boost::json::serialize(g.svc.export_state()) == boost::json::serialize(before));
}

BOOST_AUTO_TEST_SUITE_END()

// parse_target splits plain targets itself instead of through Boost.URL: the
// segments and query parameters must be exactly Boost.URL's, for every
// target the fast split takes.
BOOST_AUTO_TEST_CASE(target_split_matches_boost_url) {
    std::mt19937 rng(20261206);
    std::string const alphabet = "/a.:@-~!$&'()*+,;=1%?";
    int split_here = 0;
    int split_query_here = 0;
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
        std::vector<std::pair<std::string, std::string>> expected_query;
        for (auto p : u->params())
            expected_query.emplace_back(p.key, p.has_value ? p.value : std::string());
        auto got = mock::parse_target(t);
        std::vector<std::string> segments(got.segments.begin(), got.segments.end());
        BOOST_TEST(segments == expected, "target " << t);
        BOOST_TEST((got.query == expected_query), "query of target " << t);
        auto const q = t.find('?');
        bool const fast = mock::is_plain_path(t.substr(0, q)) &&
                          (q == std::string::npos || mock::is_plain_query(t.substr(q + 1)));
        split_here += fast ? 1 : 0;
        split_query_here += fast && q != std::string::npos ? 1 : 0;
    }
    BOOST_TEST(split_here > 50'000);       // the fast split was really exercised
    BOOST_TEST(split_query_here > 5'000);  // with queries too
}
