// make_release_plan without any transport: a table of cases, one or more for
// each rule of "Releasing a workflow", each a snapshot of the gallery plus a
// workflow and options in, a plan (or the error a user would see) out; and a
// property test over random workflows.
#include <aigallery/release_planner.hpp>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace ag = aigallery;
using ag::errc;

namespace {

std::string const me(32, 'a');
std::string const bob(32, 'b');
std::string const carol(32, 'c');
std::string const dave(32, 'd');

ag::content_info asset(std::string id, std::string type, std::string owner, std::string title,
                       std::optional<ag::version_number> highest) {
    ag::content_info c;
    c.content.content_id = std::move(id);
    c.content.content_type = std::move(type);
    c.content.owner = std::move(owner);
    c.content.title = std::move(title);
    c.content.latest_version = highest ? highest->to_string() : "1.0.0";
    c.highest_ever = highest;
    return c;
}

ag::wire::version_response version(std::string id, std::string v, std::string vis,
                                   std::optional<std::vector<std::string>> users = std::nullopt) {
    ag::wire::version_response r;
    r.content_id = std::move(id);
    r.version_num = std::move(v);
    r.version_id = r.content_id + "-" + r.version_num;
    r.visibility = std::move(vis);
    r.group_users = std::move(users);
    r.desc = "desc of " + r.content_id;
    r.source = {{"from", r.content_id}};
    return r;
}

ag::workflow_step local(std::string id, std::string name) {
    return {.name = "run-" + name, .algorithm = ag::local_algorithm{.id = id, .name = name}};
}
ag::workflow_step gallery(std::string id, ag::version_number v) {
    return {.name = "run-" + id, .algorithm = ag::gallery_algorithm{id, v}};
}

/// A gallery where I own workflow "wf" (highest 1.0.4, head group [bob]),
/// algorithm "mine-g" (group [bob]), "mine-p" (private), "mine-pub" (public),
/// "trainer" published from local algorithm "algo-t", and bob owns "bobs"
/// (group) and "bobs-pub" (public).
ag::release_snapshot world() {
    ag::release_snapshot s;
    s.caller = me;
    s.published_locals.emplace("algo-t", asset("trainer", "algorithm", me, "trainer", "1.0.2"));
    for (auto [id, vis] :
         {std::pair{"mine-g", "group"}, {"mine-p", "private"}, {"mine-pub", "public"}}) {
        s.assets.emplace(id, asset(id, "algorithm", me, id, "1.0.0"));
        s.versions.emplace(
            std::pair{std::string(id), ag::version_number("1.0.0")},
            version(id, "1.0.0", vis,
                    std::string(vis) == "group" ? std::optional(std::vector<std::string>{bob})
                                                : std::optional(std::vector<std::string>{})));
    }
    s.assets.emplace("mine-g2", asset("mine-g2", "algorithm", me, "mine-g2", "1.1.0"));
    for (auto v : {"1.0.0", "1.1.0"})
        s.versions.emplace(std::pair{std::string("mine-g2"), ag::version_number(v)},
                           version("mine-g2", v, "group", std::vector<std::string>{bob}));
    s.assets.emplace("bobs", asset("bobs", "algorithm", bob, "bobs", std::nullopt));
    s.versions.emplace(std::pair{std::string("bobs"), ag::version_number("1.0.0")},
                       version("bobs", "1.0.0", "group"));
    s.assets.emplace("bobs-pub", asset("bobs-pub", "algorithm", bob, "bobs-pub", std::nullopt));
    s.versions.emplace(std::pair{std::string("bobs-pub"), ag::version_number("2.0.0")},
                       version("bobs-pub", "2.0.0", "public"));
    s.assets.emplace("a-workflow", asset("a-workflow", "workflow", me, "other", "1.0.0"));
    s.versions.emplace(std::pair{std::string("a-workflow"), ag::version_number("1.0.0")},
                       version("a-workflow", "1.0.0", "private", std::vector<std::string>{}));
    return s;
}

/// The same, releasing a new version of "wf".
ag::release_snapshot world_with_target(std::string owner = me, std::string type = "workflow",
                                       std::string head_vis = "group") {
    auto s = world();
    s.target = asset("wf", type, owner, "flowers", "1.0.4");
    s.target_head = version("wf", "1.0.3", head_vis,
                            head_vis == "group" ? std::optional(std::vector<std::string>{bob})
                                                : std::optional(std::vector<std::string>{}));
    return s;
}

ag::release_snapshot target_world() {
    return world_with_target();
}

/// The plan printed in one line per version: what a reviewer compares.
std::string show(ag::release_plan const& p) {
    std::ostringstream os;
    os << p;
    return os.str();
}

struct planner_case {
    std::string rule;
    std::function<ag::release_snapshot()> snapshot;
    ag::workflow wf;
    ag::release_options options;
    /// Either the expected error code ...
    std::optional<errc> refused{};
    /// ... or checks on the plan.
    std::function<void(ag::release_plan const&)> check{};
};

std::vector<planner_case> cases() {
    using V = ag::version_number;
    std::vector<planner_case> t;
    auto flowers = [](std::vector<ag::workflow_step> steps) {
        return ag::workflow{.name = "flowers", .desc = "classifies", .steps = std::move(steps)};
    };
    t.push_back({"new asset: title from the name, 1.0.0, private",
                 world,
                 flowers({}),
                 {},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.workflow.new_asset);
                     BOOST_TEST(p.workflow.title == "flowers");
                     BOOST_TEST(p.workflow.version_num == V("1.0.0"));
                     BOOST_TEST(p.workflow.visibility == ag::visibility::private_);
                     BOOST_TEST(p.algorithms.empty());
                     BOOST_TEST(p.workflow.desc == "classifies");
                 }});
    t.push_back({"new asset: explicit version, title and desc",
                 world,
                 flowers({}),
                 {.version = V("2.5.0"), .desc = "d", .title = "Flower classifier"},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.workflow.version_num == V("2.5.0"));
                     BOOST_TEST(p.workflow.title == "Flower classifier");
                     BOOST_TEST(p.workflow.desc == "d");
                 }});
    t.push_back({"new asset: a title I already use for a workflow is refused",
                 [] {
                     auto s = world();
                     s.taken_workflow_titles.insert("flowers");
                     return s;
                 },
                 flowers({}),
                 {},
                 errc::title_taken});
    t.push_back({"new local algorithm: a new asset at 1.0.0 titled with its name",
                 world,
                 flowers({local("algo-new", "picker")}),
                 {},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST_REQUIRE(p.algorithms.size() == 1u);
                     BOOST_TEST(p.algorithms[0].new_asset);
                     BOOST_TEST(p.algorithms[0].title == "picker");
                     BOOST_TEST(p.algorithms[0].local_id == "algo-new");
                     BOOST_TEST(p.algorithms[0].version_num == V("1.0.0"));
                     BOOST_TEST(p.algorithms[0].source.at("algorithm_id").as_string() ==
                                "algo-new");
                     BOOST_TEST_REQUIRE(p.dependencies.size() == 1u);
                     BOOST_TEST(p.dependencies[0].published.value_or(9) == 0u);
                 }});
    t.push_back({"new local algorithm whose title I use for another algorithm: 4093",
                 [] {
                     auto s = world();
                     s.taken_algorithm_titles.insert("picker");
                     return s;
                 },
                 flowers({local("algo-new", "picker")}),
                 {},
                 errc::title_taken});
    t.push_back({"two new local algorithms with one name: 4093",
                 world,
                 flowers({local("algo-1", "picker"), local("algo-2", "picker")}),
                 {},
                 errc::title_taken});
    t.push_back({"local algorithm published before: a new version above its highest",
                 world,
                 flowers({local("algo-t", "trainer")}),
                 {},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST_REQUIRE(p.algorithms.size() == 1u);
                     BOOST_TEST(!p.algorithms[0].new_asset);
                     BOOST_TEST(p.algorithms[0].content_id == "trainer");
                     BOOST_TEST(p.algorithms[0].version_num == V("1.0.3"));
                     BOOST_TEST(p.algorithms[0].if_match.value_or(V()) == V("1.0.2"));
                 }});
    t.push_back({"one local algorithm in three steps: published once",
                 world,
                 flowers({local("algo-n", "n"), local("algo-n", "n"), local("algo-n", "n")}),
                 {},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.algorithms.size() == 1u);
                     BOOST_TEST(p.dependencies.size() == 1u);
                 }});
    t.push_back({"new version: patch bump of the highest ever, If-Match it",
                 target_world,
                 flowers({}),
                 {.content_id = "wf"},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(!p.workflow.new_asset);
                     BOOST_TEST(p.workflow.version_num == V("1.0.5"));
                     BOOST_TEST(p.workflow.if_match.value_or(V()) == V("1.0.4"));
                     BOOST_TEST(p.workflow.title.empty());  // no rename
                 }});
    t.push_back({"new version: minor and major bumps",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .bump = ag::bump_kind::minor},
                 std::nullopt,
                 [](auto const& p) { BOOST_TEST(p.workflow.version_num == V("1.1.0")); }});
    t.push_back({"new version: major bump",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .bump = ag::bump_kind::major},
                 std::nullopt,
                 [](auto const& p) { BOOST_TEST(p.workflow.version_num == V("2.0.0")); }});
    t.push_back({"new version: an explicit version not above the highest ever: 4090",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .version = V("1.0.4")},
                 errc::version_conflict});
    t.push_back({"new version: an explicit version above it",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .version = V("3.0.0")},
                 std::nullopt,
                 [](auto const& p) { BOOST_TEST(p.workflow.version_num == V("3.0.0")); }});
    t.push_back({"version and bump together: 4002",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .version = V("3.0.0"), .bump = ag::bump_kind::minor},
                 errc::bad_version});
    t.push_back({"new version keeps the sharing of the highest existing version",
                 target_world,
                 flowers({}),
                 {.content_id = "wf"},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.workflow.visibility == ag::visibility::group);
                     BOOST_TEST(p.workflow.group_users == std::vector<std::string>{bob});
                 }});
    t.push_back({"new version: group_users without group when the highest is private: 4004",
                 [] { return world_with_target(me, "workflow", "private"); },
                 flowers({}),
                 {.content_id = "wf", .group_users = {carol}},
                 errc::bad_group_users});
    t.push_back({"new version: a rename to a title I use: 4093",
                 [] {
                     auto s = world_with_target();
                     s.taken_workflow_titles.insert("roses");
                     return s;
                 },
                 flowers({}),
                 {.content_id = "wf", .title = "roses"},
                 errc::title_taken});
    t.push_back({"new version: a rename",
                 target_world,
                 flowers({}),
                 {.content_id = "wf", .title = "tulips"},
                 std::nullopt,
                 [](auto const& p) { BOOST_TEST(p.workflow.title == "tulips"); }});
    t.push_back({"new version of another account's asset: 4030",
                 [] { return world_with_target(bob); },
                 flowers({}),
                 {.content_id = "wf"},
                 errc::forbidden});
    t.push_back({"new version of an algorithm asset as a workflow: 4001",
                 [] { return world_with_target(me, "algorithm"); },
                 flowers({}),
                 {.content_id = "wf"},
                 errc::bad_request});
    t.push_back(
        {"new version: my gallery algorithm gets a new version with the workflow's "
         "sharing and the used version's content",
         target_world,
         flowers({gallery("mine-pub", "1.0.0")}),
         {.content_id = "wf", .visibility = ag::visibility::group, .group_users = {carol}},
         std::nullopt,
         [](auto const& p) {
             BOOST_TEST_REQUIRE(p.algorithms.size() == 1u);
             auto const& a = p.algorithms[0];
             BOOST_TEST(a.content_id == "mine-pub");
             BOOST_TEST(a.version_num == V("1.0.1"));
             BOOST_TEST(a.visibility == ag::visibility::group);
             BOOST_TEST(a.group_users == std::vector<std::string>{carol});
             BOOST_TEST(a.desc == "desc of mine-pub");
             BOOST_TEST(a.source.at("from").as_string() == "mine-pub");
         }});
    t.push_back({"new asset: my group algorithm is used as it is, its whitelist widened",
                 world,
                 flowers({gallery("mine-g", "1.0.0")}),
                 {.visibility = ag::visibility::group, .group_users = {carol, bob, me, carol}},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.algorithms.empty());
                     BOOST_TEST(p.workflow.group_users ==
                                (std::vector<std::string>{bob, carol}));  // folded, no owner
                     BOOST_TEST_REQUIRE(p.widened.size() == 1u);
                     BOOST_TEST(p.widened[0].content_id == "mine-g");
                     BOOST_TEST(p.widened[0].added == std::vector<std::string>{carol});
                     BOOST_TEST_REQUIRE(p.dependencies.size() == 1u);
                     BOOST_TEST(!p.dependencies[0].published.has_value());
                 }});
    t.push_back({"new asset: a group workflow over my private algorithm: 4091",
                 world,
                 flowers({gallery("mine-p", "1.0.0")}),
                 {.visibility = ag::visibility::group, .group_users = {carol}},
                 errc::dependency_visibility});
    t.push_back({"new asset: a public workflow over my group algorithm: 4091",
                 world,
                 flowers({gallery("mine-g", "1.0.0")}),
                 {.visibility = ag::visibility::public_},
                 errc::dependency_visibility});
    t.push_back({"a public workflow over another account's group algorithm: 4091",
                 world,
                 flowers({gallery("bobs", "1.0.0")}),
                 {.visibility = ag::visibility::public_},
                 errc::dependency_visibility});
    t.push_back({"another account's algorithms are used as they are",
                 target_world,
                 flowers({gallery("bobs", "1.0.0"), gallery("bobs-pub", "2.0.0")}),
                 {.content_id = "wf"},
                 std::nullopt,
                 [](auto const& p) {
                     BOOST_TEST(p.algorithms.empty());
                     BOOST_TEST(p.widened.empty());
                     BOOST_TEST(p.dependencies.size() == 2u);
                 }});
    t.push_back({"a step naming an asset that is not an algorithm: 4001",
                 world,
                 flowers({gallery("a-workflow", "1.0.0")}),
                 {},
                 errc::bad_request});
    t.push_back({"two versions of my algorithm in one workflow: 4001",
                 target_world,
                 flowers({gallery("mine-g2", "1.0.0"), gallery("mine-g2", "1.1.0")}),
                 {.content_id = "wf"},
                 errc::bad_request});
    t.push_back(
        {"my algorithm named by a local step and a gallery step: published once, "
         "from the local definition",
         target_world,
         flowers({gallery("trainer", "1.0.2"), local("algo-t", "trainer")}),
         {.content_id = "wf"},
         std::nullopt,
         [](auto const& p) {
             BOOST_TEST_REQUIRE(p.algorithms.size() == 1u);
             BOOST_TEST(p.algorithms[0].content_id == "trainer");
             BOOST_TEST(p.algorithms[0].local_id == "algo-t");
             BOOST_TEST(p.algorithms[0].version_num == V("1.0.3"));
             BOOST_TEST(p.dependencies.size() == 1u);
         }});
    t.push_back(
        {"the same for a new asset: published once, not also used as it is",
         [] {
             auto s = world();
             s.assets.emplace("trainer", asset("trainer", "algorithm", me, "trainer", "1.0.2"));
             s.versions.emplace(std::pair{std::string("trainer"), V("1.0.2")},
                                version("trainer", "1.0.2", "private", std::vector<std::string>{}));
             return s;
         },
         flowers({local("algo-t", "trainer"), gallery("trainer", "1.0.2")}),
         {},
         std::nullopt,
         [](auto const& p) {
             BOOST_TEST(p.algorithms.size() == 1u);
             BOOST_TEST(p.dependencies.size() == 1u);
         }});
    t.push_back({"more than 100 distinct algorithm versions: 4006",
                 world,
                 [] {
                     ag::workflow wf{.name = "big"};
                     for (int i = 0; i < 101; ++i)
                         wf.steps.push_back(
                             local("algo-" + std::to_string(i), "n" + std::to_string(i)));
                     return wf;
                 }(),
                 {},
                 errc::limit_exceeded});
    t.push_back({"group without users: 4004, before anything",
                 world,
                 flowers({}),
                 {.visibility = ag::visibility::group},
                 errc::bad_group_users});
    t.push_back({"users for a new asset without visibility: 4004",
                 world,
                 flowers({}),
                 {.group_users = {bob}},
                 errc::bad_group_users});
    t.push_back({"a malformed domain_id: 4005",
                 world,
                 flowers({}),
                 {.visibility = ag::visibility::group, .group_users = {"bob"}},
                 errc::bad_domain_id});
    t.push_back({"a title with a control character: 4001",
                 world,
                 flowers({}),
                 {.title = "a\nb"},
                 errc::bad_request});
    return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(release_planner)

BOOST_AUTO_TEST_CASE(every_rule_as_a_table) {
    for (auto const& c : cases()) {
        BOOST_TEST_CONTEXT(c.rule) {
            auto snap = c.snapshot();
            if (c.refused) {
                try {
                    auto p = ag::make_release_plan(c.wf, c.options, snap);
                    BOOST_ERROR("expected " << ag::error_code_text(*c.refused) << ", got a plan:\n"
                                            << show(p));
                } catch (ag::gallery_error const& e) {
                    BOOST_TEST(e.is(*c.refused), e.what());
                    BOOST_TEST(e.request_id().empty());  // the library's own check
                }
            } else {
                auto p = ag::make_release_plan(c.wf, c.options, snap);
                BOOST_TEST(p.caller == me);
                c.check(p);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(pure_same_input_same_plan) {
    auto snap = world_with_target();
    ag::workflow wf{.name = "flowers",
                    .steps = {local("algo-t", "trainer"), local("algo-x", "x"),
                              gallery("mine-g", "1.0.0"), gallery("bobs-pub", "2.0.0")}};
    ag::release_options o{.content_id = "wf"};
    BOOST_TEST(show(ag::make_release_plan(wf, o, snap)) ==
               show(ag::make_release_plan(wf, o, snap)));
}

// Random workflows over random galleries: every plan keeps "everyone who can
// see the workflow version can see each dependency version" (for versions the
// caller can judge: its own, and public ones) and never publishes one
// algorithm twice.
BOOST_AUTO_TEST_CASE(random_workflows_keep_the_invariant) {
    std::mt19937 rng(20261126);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    std::vector<std::string> const people{bob, carol, dave};
    std::vector<std::string> const vis{"private", "group", "public"};
    auto some_users = [&] {
        std::vector<std::string> u;
        for (auto const& p : people)
            if (pick(2))
                u.push_back(p);
        return u;
    };
    int planned = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        ag::release_snapshot s;
        s.caller = me;
        int n_assets = 1 + pick(5);
        for (int i = 0; i < n_assets; ++i) {
            std::string id = "alg-" + std::to_string(i);
            bool mine = pick(2);
            auto highest = ag::version_number(1, 0, static_cast<std::uint32_t>(pick(3)));
            s.assets.emplace(id, asset(id, "algorithm", mine ? me : bob, id,
                                       mine ? std::optional(highest) : std::nullopt));
            for (std::uint32_t patch = 0; patch <= highest.patch_part(); ++patch) {
                auto v = vis[pick(3)];
                std::optional<std::vector<std::string>> users;
                if (mine)
                    users = v == "group" ? some_users() : std::vector<std::string>{};
                s.versions.emplace(
                    std::pair{id, ag::version_number(1, 0, patch)},
                    version(id, ag::version_number(1, 0, patch).to_string(), v, users));
            }
        }
        int n_locals = pick(3);
        for (int i = 0; i < n_locals; ++i)
            if (pick(2))  // published before, as one of my assets
                s.published_locals.emplace("local-" + std::to_string(i),
                                           asset("pub-local-" + std::to_string(i), "algorithm", me,
                                                 "l" + std::to_string(i), "1.0.0"));
        ag::workflow wf{.name = "random"};
        int n_steps = pick(7);
        for (int i = 0; i < n_steps; ++i) {
            if (n_locals && pick(3) == 0) {
                int l = pick(n_locals);
                wf.steps.push_back(local("local-" + std::to_string(l), "l" + std::to_string(l)));
            } else {
                auto id = "alg-" + std::to_string(pick(n_assets));
                auto const& a = s.assets.at(id);
                auto top = a.highest_ever.value_or(ag::version_number(1, 0, 0)).patch_part();
                // unowned assets: only versions that exist in the snapshot
                std::uint32_t patch = static_cast<std::uint32_t>(pick(static_cast<int>(top) + 1));
                if (!s.versions.count({id, ag::version_number(1, 0, patch)}))
                    patch = 0;
                if (!s.versions.count({id, ag::version_number(1, 0, patch)}))
                    continue;
                wf.steps.push_back(gallery(id, ag::version_number(1, 0, patch)));
            }
        }
        ag::release_options o;
        bool existing = pick(2);
        if (existing) {
            o.content_id = "wf";
            s.target = asset("wf", "workflow", me, "random", "1.0.0");
            auto hv = vis[pick(3)];
            s.target_head = version("wf", "1.0.0", hv,
                                    hv == "group" ? some_users() : std::vector<std::string>{});
        }
        if (pick(2)) {
            o.visibility = ag::parse_visibility(vis[pick(3)]);
            if (o.visibility == ag::visibility::group) {
                o.group_users = some_users();
                if (o.group_users.empty())
                    o.group_users = {carol};
            }
        }
        ag::release_plan p;
        try {
            p = ag::make_release_plan(wf, o, s);
        } catch (ag::gallery_error const&) {
            ++refused;
            continue;
        }
        ++planned;
        BOOST_TEST_CONTEXT("round " << round << ":\n" << show(p)) {
            // never one algorithm twice
            std::set<std::string> ids, locals;
            for (auto const& a : p.algorithms) {
                if (!a.content_id.empty())
                    BOOST_TEST(ids.insert(a.content_id).second, a.content_id);
                if (a.new_asset)
                    BOOST_TEST(locals.insert(a.local_id).second, a.local_id);
            }
            std::set<std::string> dep_ids;
            for (auto const& d : p.dependencies) {
                auto id = d.published ? p.algorithms.at(*d.published).content_id : d.content_id;
                if (!id.empty() && s.assets.count(id) && s.assets.at(id).content.owner == me)
                    BOOST_TEST(dep_ids.insert(id).second, "two versions of " << id);
            }
            // the invariant
            auto const& w = p.workflow;
            for (auto const& d : p.dependencies) {
                ag::visibility dv;
                std::vector<std::string> users;
                bool mine;
                if (d.published) {
                    auto const& a = p.algorithms.at(*d.published);
                    dv = a.visibility;
                    users = a.group_users;
                    mine = true;
                } else {
                    auto const& v = s.versions.at({d.content_id, d.version_num});
                    dv = *ag::parse_visibility(v.visibility);
                    users = v.group_users.value_or(std::vector<std::string>{});
                    mine = s.assets.at(d.content_id).content.owner == me;
                    for (auto const& wd : p.widened)
                        if (wd.content_id == d.content_id && wd.version_num == d.version_num)
                            users.insert(users.end(), wd.added.begin(), wd.added.end());
                }
                if (w.visibility == ag::visibility::public_) {
                    BOOST_TEST(dv == ag::visibility::public_, d.content_id);
                } else if (w.visibility == ag::visibility::group && mine) {
                    BOOST_TEST(dv != ag::visibility::private_, d.content_id);
                    if (dv == ag::visibility::group)
                        for (auto const& u : w.group_users)
                            BOOST_TEST(std::count(users.begin(), users.end(), u) == 1,
                                       d.content_id << " lacks " << u);
                }
            }
        }
    }
    BOOST_TEST_MESSAGE("random plans: " << planned << " planned, " << refused << " refused");
    BOOST_TEST(planned > 500);  // the generator exercises real plans, not only refusals
    BOOST_TEST(refused > 50);
}

BOOST_AUTO_TEST_SUITE_END()
