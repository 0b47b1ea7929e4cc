// The whitelist planners without any transport: order of the cascade, only
// the users each version lacks (or has), safe removal, and the refusals.
#include <aigallery/whitelist_planner.hpp>

#include <boost/test/unit_test.hpp>

namespace ag = aigallery;
using ag::errc;

namespace {

std::string const me(32, 'a');
std::string const bob(32, 'b');
std::string const carol(32, 'c');
using users = std::vector<std::string>;

ag::wire::version_response version(std::string id, std::string vis,
                                   std::optional<users> wl = std::nullopt,
                                   std::string v = "1.0.0") {
    ag::wire::version_response r;
    r.content_id = std::move(id);
    r.version_num = std::move(v);
    r.visibility = std::move(vis);
    r.group_users = std::move(wl);
    return r;
}

/// My group workflow "wf" 1.0.0 for [bob] over my group algorithm "alg"
/// ([bob]), my public "pub", and bob's "bobs" (no whitelist shown).
ag::whitelist_snapshot snapshot() {
    ag::whitelist_snapshot s;
    s.caller = me;
    s.version = version("wf", "group", users{bob});
    s.version.dependencies = {{"alg", "1.0.0"}, {"pub", "1.0.0"}, {"bobs", "1.0.0"}};
    s.dependencies = {version("alg", "group", users{bob}), version("pub", "public", users{}),
                      version("bobs", "group")};
    return s;
}

template <class F>
void expect_refusal(F f, errc code) {
    try {
        f();
        BOOST_ERROR("expected " << ag::error_code_text(code));
    } catch (ag::gallery_error const& e) {
        BOOST_TEST(e.is(code), e.what());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(whitelist_planner)

BOOST_AUTO_TEST_CASE(adding_goes_to_the_algorithms_first) {
    auto p = ag::make_add_whitelist_plan(snapshot(), {carol, bob, me});
    BOOST_TEST_REQUIRE(p.patches.size() == 2u);
    BOOST_TEST(p.patches[0].content_id == "alg");  // only my group algorithm
    BOOST_TEST(p.patches[0].add == users{carol});  // bob is there, me is the owner
    BOOST_TEST(p.patches[0].undo_remove == users{carol});
    BOOST_TEST(p.patches[1].workflow);
    BOOST_TEST(p.patches[1].content_id == "wf");
    BOOST_TEST(p.patches[1].undo_remove == users{carol});  // taking back leaves bob
    BOOST_TEST(p.kept.empty());
}

BOOST_AUTO_TEST_CASE(adding_what_everyone_has_changes_no_algorithm) {
    auto p = ag::make_add_whitelist_plan(snapshot(), {bob});
    BOOST_TEST_REQUIRE(p.patches.size() == 1u);
    BOOST_TEST(p.patches[0].workflow);
    BOOST_TEST(p.patches[0].undo_remove.empty());
}

BOOST_AUTO_TEST_CASE(removing_goes_to_the_workflow_first) {
    auto s = snapshot();
    s.version.group_users = users{bob, carol};
    s.dependencies[0].group_users = users{bob, carol};
    auto p = ag::make_delete_whitelist_plan(s, {carol});
    BOOST_TEST_REQUIRE(p.patches.size() == 2u);
    BOOST_TEST(p.patches[0].workflow);
    BOOST_TEST(p.patches[0].undo_add == users{carol});
    BOOST_TEST(p.patches[1].content_id == "alg");
    BOOST_TEST(p.patches[1].remove == users{carol});
    BOOST_TEST(p.patches[1].undo_add == users{carol});
}

BOOST_AUTO_TEST_CASE(safe_removal_keeps_what_another_of_my_workflows_grants) {
    auto s = snapshot();
    auto key = std::make_pair(std::string("alg"), ag::version_number("1.0.0"));
    s.dependents[key] = {version("wf", "group", users{bob}),  // itself: ignored
                         version("other", "group", users{bob}, "2.0.0"),
                         version("private-one", "private", users{})};
    auto p = ag::make_delete_whitelist_plan(s, {bob});
    BOOST_TEST_REQUIRE(p.patches.size() == 1u);  // the workflow only
    BOOST_TEST(p.patches[0].workflow);
    BOOST_TEST_REQUIRE(p.kept.size() == 1u);
    BOOST_TEST(p.kept[0].content_id == "alg");
    BOOST_TEST(p.kept[0].user == bob);
    BOOST_TEST(p.kept[0].reason.find("other 2.0.0") != std::string::npos, p.kept[0].reason);
}

BOOST_AUTO_TEST_CASE(refusals) {
    auto s = snapshot();
    s.version.visibility = "public";
    expect_refusal([&] { ag::make_add_whitelist_plan(s, {carol}); }, errc::not_group);
    s = snapshot();
    s.version.group_users.reset();  // not mine: no whitelist shown
    expect_refusal([&] { ag::make_add_whitelist_plan(s, {carol}); }, errc::forbidden);
    s = snapshot();
    s.dependencies[0].visibility = "private";
    expect_refusal([&] { ag::make_add_whitelist_plan(s, {carol}); }, errc::dependency_visibility);
    expect_refusal([&] { ag::make_add_whitelist_plan(snapshot(), {}); }, errc::bad_request);
    expect_refusal([&] { ag::make_delete_whitelist_plan(snapshot(), {"carol"}); },
                   errc::bad_domain_id);
}

BOOST_AUTO_TEST_SUITE_END()
