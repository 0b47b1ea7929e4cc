// The executor under every failure at every write, through the canned
// transport: no gallery, only a scripted conversation. For a release (two
// new algorithms, a widened whitelist, the workflow) and a whitelist
// cascade, each write in turn gets each failure: no answer before or after
// the commit, a 5xx before or after the commit, 412, 4091. The client must
// send exactly the expected requests (resolving unknown outcomes by reading,
// undoing in dependency order) and end with the full change or exactly the
// state before; when the undo itself is refused, the error names what is left.
#include <aigallery/client.hpp>
#include <aigallery/mock/canned_transport.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace ag = aigallery;
using ag::mock::canned_answer;
using ag::mock::canned_transport;
namespace json = boost::json;

namespace {

std::string const me(32, 'a');
std::string const bob(32, 'b');
std::string const carol(32, 'c');

enum class failure { lost_before, lost_after, status_before, status_after, precondition, refused };
char const* name(failure f) {
    switch (f) {
        case failure::lost_before:
            return "no answer before commit";
        case failure::lost_after:
            return "no answer after commit";
        case failure::status_before:
            return "503 before commit";
        case failure::status_after:
            return "503 after commit";
        case failure::precondition:
            return "412";
        default:
            return "409 4091";
    }
}
bool commits(failure f) {
    return f == failure::lost_after || f == failure::status_after;
}
bool transient(failure f) {
    return f != failure::precondition && f != failure::refused;
}

canned_answer error_answer(int status, std::string code) {
    return canned_answer::json(
        status, json::serialize(json::object{{"error_code", code},
                                             {"error_msg", "canned " + code},
                                             {"detail", "an extra field a reader must ignore"}}));
}

json::object version_body(std::string const& id, std::vector<std::string> const& users) {
    json::array u;
    for (auto const& x : users)
        u.emplace_back(x);
    return {{"content_id", id},
            {"version_id", id + "-v"},
            {"version_num", "1.0.0"},
            {"desc", ""},
            {"visibility", "group"},
            {"group_users", u},
            {"dependencies", json::array{}},
            {"source", json::object{}},
            {"created_at", "2026-11-26T00:00:00Z"},
            {"newer_field", true}};
}

canned_answer version_answer(std::string const& id, std::vector<std::string> const& users) {
    return canned_answer::json(200, json::serialize(version_body(id, users)));
}

canned_answer list_answer(std::optional<std::string> const& id, std::string const& title,
                          std::string const& type) {
    json::array items;
    if (id)
        items.emplace_back(json::object{{"content_id", *id},
                                        {"content_type", type},
                                        {"title", title},
                                        {"owner", me},
                                        {"latest_version", "1.0.0"},
                                        {"visibility", "group"},
                                        {"created_at", "2026-11-26T00:00:00Z"},
                                        {"updated_at", "2026-11-26T00:00:00Z"}});
    auto n = items.size();
    return canned_answer::json(
        200, json::serialize(json::object{{"total", n}, {"count", n}, {"items", items}}));
}

/// One write of a scenario: its request, answers, how to learn its outcome,
/// and how to take it back.
struct write_step {
    std::string request;  // "POST /v1/aihub/contents"
    canned_answer done;
    std::vector<std::string> probe;  // the reads that learn the outcome
    std::vector<canned_answer> present, absent;
    std::string undo;  // the request that takes it back
    canned_answer undone;
    std::string named;                // how an error names it when it is left behind
    std::string named_unknown;        // ... when its outcome could not be learned
    bool narrows_dependency = false;  // a removal's PATCH of an algorithm version
    std::string content_id{};         // the asset it changes (set for removals)
};

struct scenario {
    std::vector<std::string> reads;  // before the first write
    std::vector<canned_answer> read_answers;
    std::vector<write_step> writes;
};

std::string line(ag::http_request const& r) {
    return std::string(r.method_string()) + " " + std::string(r.target());
}

ag::client_options quick() {
    ag::client_options o;
    o.retry.max_attempts = 2;
    o.backoff.seed = 7;
    o.sleeper = [](std::chrono::milliseconds) {};
    return o;
}

canned_answer published(std::string const& id) {
    return canned_answer::json(201, json::serialize(json::object{{"content_id", id},
                                                                 {"version_id", id + "-v"},
                                                                 {"version_num", "1.0.0"},
                                                                 {"content_uri", "/x"}}));
}

write_step new_asset(std::string id, std::string title, std::string type) {
    std::string list =
        "GET /v1/aihub/contents?scope=mine&content_type=" + type + "&title=" + title + "&limit=1";
    return {"POST /v1/aihub/contents",
            published(id),
            {list, "GET /v1/aihub/contents/" + id + "/versions/1.0.0"},
            {list_answer(id, title, type), version_answer(id, {bob})},
            {list_answer(std::nullopt, title, type)},
            "DELETE /v1/aihub/contents/" + id + "/versions/1.0.0",
            canned_answer::json(204, ""),
            id + " 1.0.0",
            type + " '" + title + "' 1.0.0"};
}

write_step widen(std::string id, std::vector<std::string> before, std::string user) {
    auto after = before;
    after.push_back(user);
    std::sort(after.begin(), after.end());
    std::string path = "/v1/aihub/contents/" + id + "/versions/1.0.0";
    json::array a;
    for (auto const& u : after)
        a.emplace_back(u);
    json::array b;
    for (auto const& u : before)
        b.emplace_back(u);
    return {"PATCH " + path + "/whitelist",
            canned_answer::json(
                200, json::serialize(json::object{
                         {"content_id", id}, {"version_num", "1.0.0"}, {"group_users", a}})),
            {"GET " + path},
            {version_answer(id, after)},
            {version_answer(id, before)},
            "PATCH " + path + "/whitelist",
            canned_answer::json(
                200, json::serialize(json::object{
                         {"content_id", id}, {"version_num", "1.0.0"}, {"group_users", b}})),
            user,
            user};
}

/// Takes `user` off the whitelist of `id` 1.0.0 (which holds `before`).
write_step narrow(std::string id, std::vector<std::string> before, std::string user,
                  bool dependency) {
    auto after = before;
    after.erase(std::remove(after.begin(), after.end(), user), after.end());
    auto step = widen(id, after, user);  // the same PATCH, run the other way
    std::swap(step.done, step.undone);
    std::swap(step.present, step.absent);
    step.named = "removed [" + user + "] on whitelist of " + id + " 1.0.0";
    step.named_unknown = "the whitelist of " + id + " 1.0.0 (no answer";
    step.narrows_dependency = dependency;
    step.content_id = id;
    return step;
}

/// A new group workflow for [bob] with two new local algorithms and my group
/// algorithm "shared" (whitelist empty, so it widens to bob).
std::pair<scenario, ag::release_plan> release_scenario() {
    ag::release_snapshot s;
    s.caller = me;
    ag::content_info shared;
    shared.content.content_id = "shared";
    shared.content.content_type = "algorithm";
    shared.content.owner = me;
    shared.highest_ever = ag::version_number("1.0.0");
    s.assets.emplace("shared", shared);
    ag::wire::version_response v;
    v.content_id = "shared";
    v.version_num = "1.0.0";
    v.visibility = "group";
    v.group_users = std::vector<std::string>{};
    s.versions.emplace(std::pair{std::string("shared"), ag::version_number("1.0.0")}, v);
    ag::workflow wf{.name = "flowers"};
    wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}},
                {"s", ag::gallery_algorithm{"shared", "1.0.0"}}};
    auto plan =
        ag::make_release_plan(wf, {.visibility = ag::visibility::group, .group_users = {bob}}, s);
    scenario sc;
    sc.writes = {new_asset("A", "a", "algorithm"), new_asset("B", "b", "algorithm"),
                 widen("shared", {}, bob), new_asset("W", "flowers", "workflow")};
    return {sc, plan};
}

/// add_whitelist_users(wf 1.0.0, [carol]) over my group algorithms x and y.
scenario whitelist_scenario() {
    scenario sc;
    sc.reads = {"GET /v1/aihub/me", "GET /v1/aihub/contents/wf/versions/1.0.0",
                "GET /v1/aihub/contents/x/versions/1.0.0",
                "GET /v1/aihub/contents/y/versions/1.0.0"};
    auto wf = version_body("wf", {bob});
    wf["dependencies"] = json::array{json::object{{"content_id", "x"}, {"version_num", "1.0.0"}},
                                     json::object{{"content_id", "y"}, {"version_num", "1.0.0"}}};
    sc.read_answers = {canned_answer::json(200, json::serialize(json::object{{"domain_id", me},
                                                                             {"name", "alice"}})),
                       canned_answer::json(200, json::serialize(wf)), version_answer("x", {bob}),
                       version_answer("y", {bob})};
    sc.writes = {widen("x", {bob}, carol), widen("y", {bob}, carol), widen("wf", {bob}, carol)};
    return sc;
}

/// delete_whitelist_users(wf 1.0.0, [carol]) over my group algorithms x and
/// y, which no other workflow version uses: the workflow first, then x, y.
scenario removal_scenario() {
    scenario sc;
    std::vector<std::string> const both{bob, carol};
    sc.reads = {"GET /v1/aihub/me",
                "GET /v1/aihub/contents/wf/versions/1.0.0",
                "GET /v1/aihub/contents/x/versions/1.0.0",
                "GET /v1/aihub/contents/y/versions/1.0.0",
                "GET /v1/aihub/contents/x/versions/1.0.0/dependents",
                "GET /v1/aihub/contents/y/versions/1.0.0/dependents"};
    auto wf = version_body("wf", both);
    wf["dependencies"] = json::array{json::object{{"content_id", "x"}, {"version_num", "1.0.0"}},
                                     json::object{{"content_id", "y"}, {"version_num", "1.0.0"}}};
    // Each algorithm's only dependent is the workflow version being changed.
    auto only_wf = canned_answer::json(
        200,
        json::serialize(json::object{
            {"items", json::array{json::object{{"content_id", "wf"}, {"version_num", "1.0.0"}}}}}));
    sc.read_answers = {canned_answer::json(200, json::serialize(json::object{{"domain_id", me},
                                                                             {"name", "alice"}})),
                       canned_answer::json(200, json::serialize(wf)),
                       version_answer("x", both),
                       version_answer("y", both),
                       only_wf,
                       only_wf};
    sc.writes = {narrow("wf", both, carol, false), narrow("x", both, carol, true),
                 narrow("y", both, carol, true)};
    return sc;
}

/// How the undo of write `refuse_undo_of` is answered when it is refused.
struct variant {
    std::optional<std::size_t> refuse_undo_of{};
    bool probe_lost = false;  // the reads that would learn the outcome get no answer either
};

/// Scripts one case; returns the requests expected, and the writes that will
/// exist at the end.
struct script {
    std::vector<std::string> expected;
    std::set<std::size_t> exist;
    bool succeeds = false;
    std::vector<std::string> left;  // how the error must name what is left behind
    std::set<std::size_t> kept;     // a removal's writes that keep the user (named in `kept`)
};

script build(scenario const& sc, std::size_t pos, failure f, variant v, canned_transport& t) {
    script s;
    for (std::size_t i = 0; i < sc.reads.size(); ++i) {
        s.expected.push_back(sc.reads[i]);
        t.then(sc.read_answers[i]);
    }
    for (std::size_t i = 0; i < pos; ++i) {
        s.expected.push_back(sc.writes[i].request);
        t.then(sc.writes[i].done);
        s.exist.insert(i);
    }
    auto const& w = sc.writes[pos];
    bool unknown_stays = false;
    if (transient(f)) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            s.expected.push_back(w.request);
            t.then(f == failure::lost_before || f == failure::lost_after
                       ? canned_answer::lost()
                       : error_answer(503, "ModelArts.5030"));
        }
        if (commits(f))
            s.exist.insert(pos);
        if (v.probe_lost) {
            // the first read gets no answer through its whole budget
            for (int attempt = 0; attempt < 2; ++attempt) {
                s.expected.push_back(w.probe.front());
                t.then(canned_answer::lost());
            }
            unknown_stays = true;
        } else {
            auto const& answers = commits(f) ? w.present : w.absent;
            for (std::size_t i = 0; i < answers.size(); ++i) {
                s.expected.push_back(w.probe[i]);
                t.then(answers[i]);
            }
        }
    } else if (f == failure::refused && w.narrows_dependency) {
        // A removal's 4091 on an algorithm: another account's workflow needs
        // the user there. The client asks once per user, and keeps those the
        // gallery still refuses; the rest of the change goes on.
        s.expected.push_back(w.request);
        t.then(error_answer(409, "ModelArts.4091"));
        s.expected.push_back(w.request);
        t.then(error_answer(409, "ModelArts.4091"));
        s.kept.insert(pos);
        for (std::size_t i = pos + 1; i < sc.writes.size(); ++i) {
            s.expected.push_back(sc.writes[i].request);
            t.then(sc.writes[i].done);
            s.exist.insert(i);
        }
        s.succeeds = true;
        return s;
    } else {
        s.expected.push_back(w.request);
        t.then(f == failure::precondition ? error_answer(412, "ModelArts.4120")
                                          : error_answer(409, "ModelArts.4091"));
    }
    if (commits(f) && !unknown_stays) {
        for (std::size_t i = pos + 1; i < sc.writes.size(); ++i) {
            s.expected.push_back(sc.writes[i].request);
            t.then(sc.writes[i].done);
            s.exist.insert(i);
        }
        s.succeeds = true;
        return s;
    }
    if (unknown_stays)  // whether it exists or not, the client cannot know: it must say so
        s.left.push_back(w.named_unknown);
    for (std::size_t i = pos; i-- > 0;) {
        s.expected.push_back(sc.writes[i].undo);
        if (v.refuse_undo_of == i) {
            t.then(error_answer(409, "ModelArts.4095"));
            s.left.push_back(sc.writes[i].named);
        } else {
            t.then(sc.writes[i].undone);
            s.exist.erase(i);
        }
    }
    return s;
}

template <class Run>
void check_case(scenario const& sc, std::size_t pos, failure f, variant v, Run run) {
    canned_transport t;
    auto s = build(sc, pos, f, v, t);
    ag::basic_client<canned_transport> client{t, "token", quick()};
    auto r = run(client);
    std::vector<std::string> sent;
    for (auto const& req : t.requests())
        sent.push_back(line(req));
    BOOST_TEST(sent == s.expected, boost::test_tools::per_element());
    BOOST_TEST(t.pending() == 0u);
    BOOST_TEST(t.unexpected() == 0u);
    // the gallery ends with the whole change or nothing, unless named as left behind
    if (s.left.empty())
        BOOST_TEST((s.exist.empty() || s.exist.size() + s.kept.size() == sc.writes.size()));
    BOOST_TEST(r.has_value() == s.succeeds);
    if (r.has_value()) {
        if constexpr (requires { r->kept; }) {
            std::set<std::string> kept, expected;
            for (auto const& k : r->kept) {
                kept.insert(k.content_id);
                BOOST_TEST(k.user == carol);
            }
            for (auto i : s.kept)
                expected.insert(sc.writes[i].content_id);
            BOOST_TEST(kept == expected, boost::test_tools::per_element());
        }
        return;
    }
    auto const err = r.error();
    if (f == failure::lost_before || (f == failure::lost_after && v.probe_lost)) {
        BOOST_TEST(!err.is_gallery_error());
    } else if (transient(f)) {
        BOOST_TEST(err.is(ag::errc::unavailable), err.message());
    } else {
        BOOST_TEST(err.is(f == failure::precondition ? ag::errc::precondition_failed
                                                     : ag::errc::dependency_visibility),
                   err.message());
        BOOST_TEST(err.gallery()->error_msg().find("canned") == 0u);  // the server's words
    }
    for (auto const& l : s.left) {
        BOOST_TEST(err.note().find(l) != std::string::npos, err.note() << " should name " << l);
        BOOST_TEST(err.message().find(l) != std::string::npos, err.message());
        BOOST_TEST(err.note().find("UNDO FAILED") != std::string::npos, err.note());
    }
    if (s.left.empty())
        BOOST_TEST(err.note().find("UNDO FAILED") == std::string::npos, err.note());
    BOOST_TEST(err.message().find(" at /") == std::string::npos, err.message());  // no location
}

failure const all_failures[] = {failure::lost_before,   failure::lost_after,
                                failure::status_before, failure::status_after,
                                failure::precondition,  failure::refused};

}  // namespace

BOOST_AUTO_TEST_SUITE(executor_faults)

BOOST_AUTO_TEST_CASE(release_every_write_every_failure) {
    auto [sc, plan] = release_scenario();
    auto run = [plan = plan](auto& client) {
        return client.run(ag::ops::execute_release(client.shared_session(), plan));
    };
    for (std::size_t pos = 0; pos < sc.writes.size(); ++pos)
        for (auto f : all_failures)
            BOOST_TEST_CONTEXT("write " << pos << ": " << name(f)) {
                check_case(sc, pos, f, {}, run);
            }
}

BOOST_AUTO_TEST_CASE(release_undo_refused_names_what_is_left) {
    auto [sc, plan] = release_scenario();
    auto run = [plan = plan](auto& client) {
        return client.run(ag::ops::execute_release(client.shared_session(), plan));
    };
    for (std::size_t pos = 1; pos < sc.writes.size(); ++pos)
        for (std::size_t refused = 0; refused < pos; ++refused)
            BOOST_TEST_CONTEXT("412 at write " << pos << ", undo of write " << refused
                                               << " refused") {
                check_case(sc, pos, failure::precondition, {.refuse_undo_of = refused}, run);
            }
}

BOOST_AUTO_TEST_CASE(release_outcome_that_reading_cannot_learn_is_named) {
    auto [sc, plan] = release_scenario();
    auto run = [plan = plan](auto& client) {
        return client.run(ag::ops::execute_release(client.shared_session(), plan));
    };
    for (std::size_t pos = 0; pos < sc.writes.size(); ++pos)
        for (auto f : {failure::lost_before, failure::lost_after})
            BOOST_TEST_CONTEXT("write " << pos << ": " << name(f) << ", and no answer to reads") {
                check_case(sc, pos, f, {.probe_lost = true}, run);
            }
}

BOOST_AUTO_TEST_CASE(whitelist_every_write_every_failure) {
    auto sc = whitelist_scenario();
    auto run = [](auto& client) { return client.try_add_whitelist_users("wf", "1.0.0", {carol}); };
    for (std::size_t pos = 0; pos < sc.writes.size(); ++pos)
        for (auto f : all_failures)
            BOOST_TEST_CONTEXT("patch " << pos << ": " << name(f)) {
                check_case(sc, pos, f, {}, run);
            }
    for (std::size_t pos = 1; pos < sc.writes.size(); ++pos)
        BOOST_TEST_CONTEXT("412 at patch " << pos << ", first undo refused") {
            check_case(sc, pos, failure::precondition, {.refuse_undo_of = 0}, run);
        }
}

BOOST_AUTO_TEST_CASE(whitelist_removal_every_write_every_failure) {
    auto sc = removal_scenario();
    auto run = [](auto& client) {
        return client.try_delete_whitelist_users("wf", "1.0.0", {carol});
    };
    for (std::size_t pos = 0; pos < sc.writes.size(); ++pos)
        for (auto f : all_failures)
            BOOST_TEST_CONTEXT("removal patch " << pos << ": " << name(f)) {
                check_case(sc, pos, f, {}, run);
            }
}

BOOST_AUTO_TEST_CASE(whitelist_removal_undo_refused_names_what_is_left) {
    auto sc = removal_scenario();
    auto run = [](auto& client) {
        return client.try_delete_whitelist_users("wf", "1.0.0", {carol});
    };
    for (std::size_t pos = 1; pos < sc.writes.size(); ++pos)
        for (std::size_t refused = 0; refused < pos; ++refused)
            BOOST_TEST_CONTEXT("412 at removal patch " << pos << ", undo of patch " << refused
                                                       << " refused") {
                check_case(sc, pos, failure::precondition, {.refuse_undo_of = refused}, run);
            }
}

BOOST_AUTO_TEST_CASE(whitelist_removal_outcome_that_reading_cannot_learn_is_named) {
    auto sc = removal_scenario();
    auto run = [](auto& client) {
        return client.try_delete_whitelist_users("wf", "1.0.0", {carol});
    };
    for (std::size_t pos = 0; pos < sc.writes.size(); ++pos)
        for (auto f : {failure::lost_before, failure::lost_after})
            BOOST_TEST_CONTEXT("removal patch " << pos << ": " << name(f)
                                                << ", and no answer to reads") {
                check_case(sc, pos, f, {.probe_lost = true}, run);
            }
}

BOOST_AUTO_TEST_SUITE_END()
