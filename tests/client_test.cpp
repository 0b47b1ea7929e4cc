// The client against the mock gallery, every case run four ways: the sync
// client in process and over loopback (beast_transport), and the async
// client in process (async_in_process_transport) and over loopback
// (beast_async_transport), through a blocking adapter: the seed's release_to_gallery patterns,
// versions, sharing checks, cascades, all-or-nothing releases (undo after a
// server refusal, a concurrent publish, a hard failure), idempotent retries
// after lost answers, whitelist cascades, dry runs, retry policy and errors.
#include "async_support.hpp"
#include "support.hpp"

#include <aigallery/aigallery.hpp>
#include <aigallery/async_client.hpp>
#include <aigallery/beast_async_transport.hpp>
#include <aigallery/mock/async_in_process_transport.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <sstream>

using namespace test;
namespace ag = aigallery;
using ag::errc;
using ag::wire::fault_spec;
using ag::wire::journal_entry;
using std::chrono::milliseconds;

namespace {

// ---- clients that never sleep ------------------------------------------------------

/// Records every wait instead of sleeping.
struct sleep_log {
    std::shared_ptr<std::vector<milliseconds>> waits =
        std::make_shared<std::vector<milliseconds>>();
    ag::sleeper sleeper() const {
        return [w = waits](milliseconds d) { w->push_back(d); };
    }
    std::size_t count() const { return waits->size(); }
    void clear() const { waits->clear(); }
};

ag::client_options quiet(sleep_log const& log) {
    ag::client_options o;
    o.retry.max_attempts = 4;
    o.backoff.seed = 20261125;
    o.sleeper = log.sleeper();
    return o;
}

/// A fresh transport to the fixture's gallery: in process, or a new connection.
ag::mock::in_process_transport transport_to(in_process& via) {
    return ag::mock::in_process_transport{via.service};
}
ag::beast_transport transport_to(loopback& via) {
    return ag::beast_transport{via.server.url()};
}

template <class Via>
auto make_client(Via& via, std::string token, ag::client_options o) {
    auto t = transport_to(via);
    return ag::basic_client<decltype(t)>{std::move(t), std::move(token), std::move(o)};
}

/// The same fixtures, driven by the async client.
struct async_in_process : in_process {
    static constexpr char const* name = "async_in_process";
    using in_process::in_process;
};
struct async_loopback : loopback {
    static constexpr char const* name = "async_loopback";
    using loopback::loopback;
};
using all_clients = boost::mp11::mp_list<in_process, loopback, async_in_process, async_loopback>;

/// Back-off waits are recorded by the sleeper, as for the sync client, and
/// not waited for.
ag::client_options for_async(ag::client_options o) {
    o.async_delay = [s = o.sleeper](milliseconds d) {
        if (s)
            s(d);
        return milliseconds(0);
    };
    return o;
}

auto make_client(async_in_process& via, std::string token, ag::client_options o) {
    auto io = std::make_shared<boost::asio::io_context>();
    using T = ag::mock::async_in_process_transport;
    auto c = std::make_unique<ag::async_client<T>>(T{io->get_executor(), via.service},
                                                   std::move(token), for_async(std::move(o)));
    return blocking_async_client<T>{io, std::move(c)};
}

auto make_client(async_loopback& via, std::string token, ag::client_options o) {
    auto io = std::make_shared<boost::asio::io_context>();
    using T = ag::beast_async_transport;
    auto c = std::make_unique<ag::async_client<T>>(T{io->get_executor(), via.server.url()},
                                                   std::move(token), for_async(std::move(o)));
    return blocking_async_client<T>{io, std::move(c)};
}

/// Runs `before` on each request just before handing it to the inner transport.
template <class Inner>
struct hooked_transport {
    Inner inner;
    std::function<void(ag::http_request const&)> before;
    boost::system::result<ag::http_response> send(ag::http_request const& req) {
        if (before)
            before(req);
        return inner.send(req);
    }
};

template <class Via>
struct world {
    gallery<Via> g;
    ag::mock::account alice = g.account("alice");
    ag::mock::account bob = g.account("bob");
    ag::mock::account carol = g.account("carol");
    sleep_log sleeps;

    ag::mock::service& svc() { return g.via.svc(); }
    auto client(ag::mock::account const& who) {
        return make_client(g.via, who.token, quiet(sleeps));
    }
    auto client(ag::mock::account const& who, ag::client_options o) {
        return make_client(g.via, who.token, std::move(o));
    }
    auto hooked_client(ag::mock::account const& who,
                       std::function<void(ag::http_request const&)> before) {
        using T = hooked_transport<decltype(transport_to(g.via))>;
        return ag::basic_client<T>{T{transport_to(g.via), std::move(before)}, who.token,
                                   quiet(sleeps)};
    }
    json::value assets() {
        json::value s = svc().export_state();
        return s.at("assets");
    }
    std::vector<journal_entry> journal() { return svc().journal(); }
    void fault(fault_spec const& f) { svc().add_fault(f); }
};

// ---- building workflows ------------------------------------------------------------

ag::workflow_step local(std::string id, std::string name, std::string step = {}) {
    if (step.empty())
        step = "run-" + name;
    return {.name = step,
            .algorithm = ag::local_algorithm{.id = std::move(id), .name = std::move(name)}};
}

ag::workflow_step from_gallery(std::string content_id, ag::version_number v,
                               std::string step = "run") {
    return {.name = std::move(step), .algorithm = ag::gallery_algorithm{std::move(content_id), v}};
}

json::object algorithm_body(std::string title, std::string vis = "private", json::array wl = {}) {
    json::object o{{"content_type", "algorithm"}, {"title", title}, {"visibility", vis}};
    if (vis == "group")
        o["group_users"] = wl;
    return o;
}

// ---- reading the gallery -------------------------------------------------------------

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::string show_deps(std::vector<ag::wire::dependency_ref> const& deps) {
    std::string s;
    for (auto const& d : deps)
        s += (s.empty() ? "" : ", ") + d.content_id + "@" + d.version_num;
    return "[" + s + "]";
}

std::string show(std::vector<std::string> const& users) {
    std::string s;
    for (auto const& u : users)
        s += (s.empty() ? "" : ", ") + u;
    return "[" + s + "]";
}

std::string show_versions(ag::content_info const& c) {
    std::vector<std::string> v;
    for (auto const& s : c.content.versions)
        v.push_back(s.version_num);
    std::reverse(v.begin(), v.end());  // lowest first
    return show(v);
}

json::object const* find_asset(json::value const& assets, std::string const& id) {
    for (auto const& a : assets.as_array())
        if (a.as_object().at("content_id").as_string() == id)
            return &a.as_object();
    return nullptr;
}

std::string highest_ever(json::value const& assets, std::string const& id) {
    auto a = find_asset(assets, id);
    return a ? std::string(a->at("highest_ever").as_string()) : std::string("(gone)");
}

/// The assets with the one thing an undone release leaves changed removed:
/// numbers it used stay used.
json::value without_highest(json::value assets) {
    for (auto& a : assets.as_array())
        a.as_object().erase("highest_ever");
    return assets;
}

bool is_write(journal_entry const& e) {
    return e.method != "GET";
}

std::size_t count_writes(std::vector<journal_entry> const& j) {
    return static_cast<std::size_t>(std::count_if(j.begin(), j.end(), is_write));
}

std::vector<journal_entry> entries(std::vector<journal_entry> const& j, std::string const& method,
                                   std::string const& target_prefix = "/v1/") {
    std::vector<journal_entry> r;
    for (auto const& e : j)
        if (e.method == method && e.target.starts_with(target_prefix))
            r.push_back(e);
    return r;
}

std::string versions_path(std::string const& id) {
    return "/v1/aihub/contents/" + id + "/versions";
}

fault_spec make_fault(std::string method, std::string prefix, std::string action,
                      std::optional<int> status, int times, bool after_commit = false,
                      std::optional<int> retry_after = std::nullopt) {
    fault_spec f;
    f.method = std::move(method);
    f.path_prefix = std::move(prefix);
    f.action = std::move(action);
    f.status = status;
    f.retry_after_s = retry_after;
    f.times = times;
    if (after_commit)
        f.after_commit = true;
    return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client)

// 1. The seed's two usage patterns, defaults, and sharing kept by new versions.
BOOST_AUTO_TEST_CASE_TEMPLATE(seed_usage_patterns, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    auto bob = w.client(w.bob);

    // A new workflow with a local algorithm: both at 1.0.0.
    ag::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(local("algo-7f3a", "trainer", "train"));
    auto first = alice.release_to_gallery(wf);
    BOOST_TEST(first.version_num.to_string() == "1.0.0");
    BOOST_TEST(!first.version_id.empty());
    BOOST_TEST_REQUIRE(first.algorithms.size() == 1u);
    auto trainer = first.algorithms[0];
    BOOST_TEST(trainer.version_num.to_string() == "1.0.0");
    BOOST_TEST(trainer.content_id != first.content_id);

    auto algo = alice.get_version(trainer.content_id, "1.0.0");
    BOOST_TEST(algo.source.at("algorithm_id").as_string() == "algo-7f3a");
    BOOST_TEST(algo.visibility == "private");
    auto algo_asset = alice.get_content(trainer.content_id);
    BOOST_TEST(algo_asset.content.content_type == "algorithm");
    BOOST_TEST(algo_asset.content.title == "trainer");

    auto flow = alice.get_content(first.content_id);
    BOOST_TEST(flow.content.content_type == "workflow");
    BOOST_TEST(flow.content.title == "flowers");  // title defaults to the workflow's name
    auto v100 = alice.get_version(first.content_id, "1.0.0");
    BOOST_TEST(v100.visibility == "private");  // the default
    BOOST_TEST(v100.desc == "classifies flowers");
    BOOST_TEST(show_deps(v100.dependencies) == "[" + trainer.content_id + "@1.0.0]");
    BOOST_TEST(bob.try_get_content(first.content_id).error().is(errc::no_such_asset));

    // A new version by content_id: the workflow and the gallery algorithm it runs move on.
    wf.steps[0].algorithm = ag::gallery_algorithm{trainer.content_id, trainer.version_num};
    auto second =
        alice.release_to_gallery(wf, {.content_id = first.content_id, .desc = "retrained"});
    BOOST_TEST(second.content_id == first.content_id);
    BOOST_TEST(second.version_num.to_string() == "1.0.1");
    BOOST_TEST_REQUIRE(second.algorithms.size() == 1u);
    BOOST_TEST(second.algorithms[0].content_id == trainer.content_id);
    BOOST_TEST(second.algorithms[0].version_num.to_string() == "1.0.1");
    auto v101 = alice.get_version(first.content_id, "1.0.1");
    BOOST_TEST(show_deps(v101.dependencies) == "[" + trainer.content_id + "@1.0.1]");
    BOOST_TEST(v101.desc == "retrained");
    BOOST_TEST(v101.visibility == "private");
    BOOST_TEST(alice.get_content(first.content_id).content.title ==
               "flowers");  // absent title: kept
    BOOST_TEST(show_versions(alice.get_content(trainer.content_id)) == "[1.0.0, 1.0.1]");
    BOOST_TEST(
        alice.get_version(trainer.content_id, "1.0.1").source.at("algorithm_id").as_string() ==
        "algo-7f3a");

    // Shared with a group: the algorithm version it publishes is shared alike.
    auto third = alice.release_to_gallery(wf, {.content_id = first.content_id,
                                               .visibility = ag::visibility::group,
                                               .group_users = {w.bob.domain_id}});
    BOOST_TEST(third.version_num.to_string() == "1.0.2");
    BOOST_TEST_REQUIRE(third.algorithms.size() == 1u);
    BOOST_TEST(third.algorithms[0].version_num.to_string() == "1.0.2");
    auto a102 = alice.get_version(trainer.content_id, "1.0.2");
    BOOST_TEST(a102.visibility == "group");
    BOOST_TEST(show(a102.group_users.value_or(std::vector<std::string>{})) ==
               show({w.bob.domain_id}));

    // A new version keeps the sharing of the highest one unless told otherwise.
    auto fourth = alice.release_to_gallery(wf, {.content_id = first.content_id});
    BOOST_TEST(fourth.version_num.to_string() == "1.0.3");
    auto w103 = alice.get_version(first.content_id, "1.0.3");
    BOOST_TEST(w103.visibility == "group");
    BOOST_TEST(show(w103.group_users.value_or(std::vector<std::string>{})) ==
               show({w.bob.domain_id}));
    BOOST_TEST_REQUIRE(fourth.algorithms.size() == 1u);
    auto a103 = alice.get_version(trainer.content_id, fourth.algorithms[0].version_num);
    BOOST_TEST(a103.version_num == "1.0.3");
    BOOST_TEST(a103.visibility == "group");
    BOOST_TEST(show(a103.group_users.value_or(std::vector<std::string>{})) ==
               show({w.bob.domain_id}));
    BOOST_TEST(bob.try_get_version(first.content_id, "1.0.3").has_value());
    BOOST_TEST(bob.try_get_version(trainer.content_id, "1.0.3").has_value());

    auto fifth = alice.release_to_gallery(wf, {.content_id = first.content_id,
                                               .title = "Flower classifier",
                                               .visibility = ag::visibility::private_});
    BOOST_TEST(fifth.version_num.to_string() == "1.0.4");
    BOOST_TEST(alice.get_version(first.content_id, "1.0.4").visibility == "private");
    BOOST_TEST(alice.get_version(trainer.content_id, "1.0.4").visibility == "private");
    BOOST_TEST(alice.get_content(first.content_id).content.title ==
               "Flower classifier");  // renamed
    BOOST_TEST(bob.try_get_version(first.content_id, "1.0.4").error().is(errc::no_such_version));
}

// 2. Explicit versions, bumps, and their refusals before any write.
BOOST_AUTO_TEST_CASE_TEMPLATE(explicit_versions_and_bumps, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    ag::workflow wf{.name = "roses"};
    wf.steps.push_back(local("algo-r", "pruner"));

    auto r = alice.release_to_gallery(wf, {.version = "2.0.0"});
    BOOST_TEST(r.version_num.to_string() == "2.0.0");
    BOOST_TEST_REQUIRE(r.algorithms.size() == 1u);
    BOOST_TEST(r.algorithms[0].version_num.to_string() ==
               "1.0.0");  // the algorithm starts at 1.0.0

    for (char const* v : {"2.0.0", "1.9.9", "0.0.1"}) {
        w.svc().clear_journal();
        auto e = alice.try_release_to_gallery(wf, {.content_id = r.content_id, .version = v});
        BOOST_TEST_REQUIRE(!e.has_value(), v);
        BOOST_TEST(e.error().is(errc::version_conflict), e.error().message());
        BOOST_TEST(e.error().gallery()->status() == 409);
        BOOST_TEST(e.error().gallery()->request_id().empty());  // the library's own check
        BOOST_TEST(count_writes(w.journal()) == 0u, v);
    }

    // A malformed version never gets as far as a request.
    BOOST_CHECK_EXCEPTION((void)ag::version_number("1.0"), ag::gallery_error,
                          [](ag::gallery_error const& e) {
                              return e.is(errc::bad_version) && e.status() == 400 &&
                                     e.error_code() == "ModelArts.4002" && e.request_id().empty();
                          });
    BOOST_CHECK_THROW((void)ag::release_options{.version = "v1.0.0"}, ag::gallery_error);

    auto minor =
        alice.release_to_gallery(wf, {.content_id = r.content_id, .bump = ag::bump_kind::minor});
    BOOST_TEST(minor.version_num.to_string() == "2.1.0");
    auto major =
        alice.release_to_gallery(wf, {.content_id = r.content_id, .bump = ag::bump_kind::major});
    BOOST_TEST(major.version_num.to_string() == "3.0.0");
    auto patch = alice.release_to_gallery(wf, {.content_id = r.content_id});
    BOOST_TEST(patch.version_num.to_string() == "3.0.1");
    auto jump = alice.release_to_gallery(wf, {.content_id = r.content_id, .version = "5.0.0"});
    BOOST_TEST(jump.version_num.to_string() == "5.0.0");
    BOOST_TEST(show_versions(alice.get_content(r.content_id)) ==
               "[2.0.0, 2.1.0, 3.0.0, 3.0.1, 5.0.0]");

    // version and bump together: refused before any request
    w.svc().clear_journal();
    for (std::string id : {r.content_id, std::string()}) {
        auto both = alice.try_release_to_gallery(
            wf, {.content_id = id, .version = "9.0.0", .bump = ag::bump_kind::minor});
        BOOST_TEST_REQUIRE(!both.has_value());
        BOOST_TEST(both.error().is(errc::bad_version), both.error().message());
    }
    BOOST_TEST(w.journal().empty());
}

// 3. Sharing that cannot be right is refused before any request.
BOOST_AUTO_TEST_CASE_TEMPLATE(sharing_checked_before_any_request, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    ag::workflow wf{.name = "tulips"};
    wf.steps.push_back(local("algo-t", "sorter"));
    auto refused = [&](ag::release_options const& o, std::string const& what) {
        w.svc().clear_journal();
        auto r = alice.try_release_to_gallery(wf, o);
        BOOST_TEST_REQUIRE(!r.has_value(), what);
        BOOST_TEST(r.error().is(errc::bad_group_users), what << ": " << r.error().message());
        BOOST_TEST(r.error().gallery()->status() == 400);
        BOOST_TEST(r.error().gallery()->request_id().empty());
        BOOST_TEST(w.journal().empty(), what);
    };
    refused({.visibility = ag::visibility::group}, "group without users");
    refused({.visibility = ag::visibility::private_, .group_users = {w.bob.domain_id}},
            "group_users with private");
    refused({.visibility = ag::visibility::public_, .group_users = {w.bob.domain_id}},
            "group_users with public");
    refused({.group_users = {w.bob.domain_id}}, "group_users with a new asset's default, private");

    // For a new version the highest version decides; still nothing is written.
    auto first = alice.release_to_gallery(wf);
    w.svc().clear_journal();
    auto r = alice.try_release_to_gallery(
        wf, {.content_id = first.content_id, .group_users = {w.bob.domain_id}});
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().is(errc::bad_group_users), r.error().message());
    BOOST_TEST(count_writes(w.journal()) == 0u);
    refused({.content_id = first.content_id, .visibility = ag::visibility::group},
            "new version, group without users");

    // A malformed user is named, and nothing is sent.
    w.svc().clear_journal();
    auto bad = alice.try_release_to_gallery(
        wf, {.visibility = ag::visibility::group, .group_users = {"BOB"}});
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST(bad.error().is(errc::bad_domain_id));
    BOOST_TEST(bad.error().gallery()->error_msg().find("BOB") != std::string::npos);
    BOOST_TEST(w.journal().empty());

    // The same rule for a visibility change.
    auto vis = alice.try_set_visibility(first.content_id, "1.0.0", ag::visibility::group, {});
    BOOST_TEST_REQUIRE(!vis.has_value());
    BOOST_TEST(vis.error().is(errc::bad_group_users));
    BOOST_TEST(w.journal().empty());
}

// 4. The cascade: shared algorithms published once, owned ones bumped or
//    widened, narrower owned ones refused, others' used as they are.
BOOST_AUTO_TEST_CASE_TEMPLATE(text_and_size_checked_before_any_write, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    auto refused = [&](ag::workflow const& wf, ag::release_options const& o, errc code,
                       std::string const& what) {
        w.svc().clear_journal();
        auto r = alice.try_release_to_gallery(wf, o);
        BOOST_TEST_REQUIRE(!r.has_value(), what);
        BOOST_TEST(r.error().is(code), what << ": " << r.error().message());
        BOOST_TEST(count_writes(w.journal()) == 0u, what);
    };
    ag::workflow wf{.name = "irises"};
    wf.steps.push_back(local("algo-a", "shared name"));
    // the library gives the code the server would: 4001 for a control character, 4006 for size
    refused(wf, {.title = std::string("bad\x01title")}, errc::bad_request, "control character");
    refused(wf, {.title = std::string(129, 't')}, errc::limit_exceeded, "long title");
    refused(wf, {.desc = std::string(2001, 'd')}, errc::limit_exceeded, "long desc");
    // two different local algorithms would become two assets with one title
    auto twins = wf;
    twins.steps.push_back(local("algo-b", "shared name"));
    refused(twins, {}, errc::title_taken, "two new algorithms with one name");
    // a local definition over 256 KiB
    auto big = wf;
    std::get<ag::local_algorithm>(big.steps[0].algorithm).definition["blob"] =
        std::string(256 * 1024, 'x');
    refused(big, {}, errc::limit_exceeded, "oversized definition");
    BOOST_TEST(w.assets().as_array().empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(release_cascades, Via, all_clients) {
    world<Via> w;
    auto& g = w.g;
    auto alice = w.client(w.alice);
    auto carol = w.client(w.carol);
    auto bob_public = g.must_publish(w.bob.token, algorithm_body("bob-public", "public"));
    auto tool = g.must_publish(w.alice.token, algorithm_body("tool"));
    auto shared_tool = g.must_publish(
        w.alice.token, algorithm_body("shared-tool", "group", users({w.bob.domain_id})));
    auto secret = g.must_publish(w.alice.token, algorithm_body("secret"));

    // Several steps sharing one algorithm: it is published once.
    ag::workflow wf{.name = "pipeline"};
    wf.steps = {local("algo-prep", "prep", "prep-a"), local("algo-train", "train"),
                local("algo-prep", "prep", "prep-b"), from_gallery(bob_public, "1.0.0", "score-a"),
                from_gallery(bob_public, "1.0.0", "score-b")};
    w.svc().clear_journal();
    auto first = alice.release_to_gallery(wf);
    BOOST_TEST(first.algorithms.size() == 2u);
    BOOST_TEST(entries(w.journal(), "POST").size() == 3u);  // prep, train, the workflow
    auto v1 = alice.get_version(first.content_id, "1.0.0");
    BOOST_TEST(v1.dependencies.size() == 3u, show_deps(v1.dependencies));
    BOOST_TEST(alice.list_contents({.scope = "mine", .title = "prep"}).total == 1u);

    // A new version: local and owned gallery algorithms are bumped, bob's used as it is.
    wf.steps.push_back(from_gallery(tool, "1.0.0", "tool"));
    auto second = alice.release_to_gallery(wf, {.content_id = first.content_id});
    BOOST_TEST(second.version_num.to_string() == "1.0.1");
    BOOST_TEST_REQUIRE(second.algorithms.size() == 3u);
    std::set<std::string> bumped;
    for (auto const& a : second.algorithms) {
        BOOST_TEST(a.version_num.to_string() == "1.0.1");
        bumped.insert(a.content_id);
    }
    BOOST_TEST(bumped.count(tool) == 1u);
    BOOST_TEST(bumped.count(bob_public) == 0u);
    auto v2 = alice.get_version(first.content_id, "1.0.1");
    BOOST_TEST(v2.dependencies.size() == 4u, show_deps(v2.dependencies));
    for (auto const& d : v2.dependencies)
        BOOST_TEST(d.version_num == (d.content_id == bob_public ? "1.0.0" : "1.0.1"));
    BOOST_TEST(show_versions(alice.get_content(tool)) == "[1.0.0, 1.0.1]");
    BOOST_TEST(show_versions(alice.get_content(bob_public)) == "[1.0.0]");

    // A new asset's group release over an owned group algorithm widens its whitelist.
    ag::workflow team{.name = "team"};
    team.steps = {from_gallery(shared_tool, "1.0.0")};
    ag::release_options for_carol{.visibility = ag::visibility::group,
                                  .group_users = {w.carol.domain_id}};
    auto plan = alice.plan_release(team, for_carol);
    BOOST_TEST(plan.algorithms.empty());
    BOOST_TEST_REQUIRE(plan.widened.size() == 1u);
    BOOST_TEST(plan.widened[0].content_id == shared_tool);
    BOOST_TEST(plan.widened[0].version_num.to_string() == "1.0.0");
    BOOST_TEST(show(plan.widened[0].added) == show({w.carol.domain_id}));
    auto third = alice.release_to_gallery(team, for_carol);
    BOOST_TEST(third.algorithms.empty());
    BOOST_TEST(show(alice.get_version(shared_tool, "1.0.0")
                        .group_users.value_or(std::vector<std::string>{})) ==
               show(sorted({w.bob.domain_id, w.carol.domain_id})));
    BOOST_TEST(show_versions(alice.get_content(shared_tool)) == "[1.0.0]");  // widened, not bumped
    BOOST_TEST(carol.try_get_version(third.content_id, "1.0.0").has_value());
    BOOST_TEST(carol.try_get_version(shared_tool, "1.0.0").has_value());

    // Two versions of one owned algorithm in a release: refused before any write.
    auto before = w.assets();
    {
        ag::workflow twice{.name = "twice"};
        twice.steps = {from_gallery(tool, "1.0.0", "old"), from_gallery(tool, "1.0.1", "new")};
        for (std::string id : {std::string(), first.content_id}) {
            w.svc().clear_journal();
            auto r = alice.try_release_to_gallery(twice, {.content_id = id});
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().is(errc::bad_request), r.error().message());
            BOOST_TEST(count_writes(w.journal()) == 0u);
        }
    }

    // A narrower owned version is refused before any write, naming it.
    for (auto vis : {ag::visibility::group, ag::visibility::public_}) {
        ag::workflow leaky{.name = "leaky"};
        leaky.steps = {from_gallery(vis == ag::visibility::group ? secret : shared_tool, "1.0.0")};
        ag::release_options o{.visibility = vis};
        if (vis == ag::visibility::group)
            o.group_users = {w.carol.domain_id};
        w.svc().clear_journal();
        auto r = alice.try_release_to_gallery(leaky, o);
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().is(errc::dependency_visibility), r.error().message());
        BOOST_TEST(r.error().gallery()->request_id().empty());
        BOOST_TEST(r.error().message().find(vis == ag::visibility::group ? secret : shared_tool) !=
                   std::string::npos);
        BOOST_TEST(count_writes(w.journal()) == 0u);
    }
    BOOST_TEST(w.assets() == before);
}

// 5. Another's non-public algorithm under a public workflow: refused before any write.
BOOST_AUTO_TEST_CASE_TEMPLATE(public_workflow_over_unowned_non_public_algorithm, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    auto bobs =
        w.g.must_publish(w.bob.token, algorithm_body("bobs", "group", users({w.alice.domain_id})));
    ag::workflow wf{.name = "open"};
    wf.steps = {local("algo-o", "mine"), from_gallery(bobs, "1.0.0")};
    auto before = w.assets();
    w.svc().clear_journal();
    auto r = alice.try_release_to_gallery(wf, {.visibility = ag::visibility::public_});
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().is(errc::dependency_visibility), r.error().message());
    BOOST_TEST(r.error().message().find(bobs) != std::string::npos);
    BOOST_TEST(count_writes(w.journal()) == 0u);
    BOOST_TEST(w.assets() == before);

    // and for a new version of an existing workflow
    auto priv = alice.release_to_gallery(wf);
    before = w.assets();
    w.svc().clear_journal();
    auto again = alice.try_release_to_gallery(
        wf, {.content_id = priv.content_id, .visibility = ag::visibility::public_});
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error().is(errc::dependency_visibility), again.error().message());
    BOOST_TEST(count_writes(w.journal()) == 0u);
    BOOST_TEST(w.assets() == before);
}

// 6. The server's 4091 on the workflow's write: the whole release is undone.
BOOST_AUTO_TEST_CASE_TEMPLATE(server_refusal_undoes_the_release, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    // bob's group algorithm whitelists alice but not carol
    auto bobs =
        w.g.must_publish(w.bob.token, algorithm_body("bobs", "group", users({w.alice.domain_id})));
    auto shared_tool = w.g.must_publish(
        w.alice.token, algorithm_body("shared-tool", "group", users({w.bob.domain_id})));
    ag::workflow base{.name = "base"};
    base.steps = {local("algo-prep", "prep")};
    auto b = alice.release_to_gallery(base);
    auto prep = b.algorithms.at(0).content_id;

    auto before = w.assets();
    w.svc().clear_journal();
    ag::workflow wf{.name = "for-carol"};
    wf.steps = {local("algo-prep", "prep"), local("algo-fresh", "fresh"),
                from_gallery(shared_tool, "1.0.0"), from_gallery(bobs, "1.0.0")};
    auto r = alice.try_release_to_gallery(
        wf, {.visibility = ag::visibility::group, .group_users = {w.carol.domain_id}});
    BOOST_TEST_REQUIRE(!r.has_value());
    auto const err = r.error();  // error() answers a copy: keep it while pointing into it
    auto e = err.gallery();
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->is(errc::dependency_visibility), e->what());
    BOOST_TEST(e->status() == 409);
    auto j = w.journal();
    auto posts = entries(j, "POST");
    BOOST_TEST_REQUIRE(posts.size() == 3u);  // prep 1.0.1, fresh 1.0.0, the workflow
    BOOST_TEST(posts.back().status == 409);
    BOOST_TEST(e->request_id() == posts.back().request_id);  // the original error, not the undo's
    // error_msg() stays what the server said; what() and note() add what the undo did
    BOOST_TEST(e->error_msg().find("undone") == std::string::npos, e->error_msg());
    BOOST_TEST(e->note().find("release undone") != std::string::npos, e->note());
    BOOST_TEST(std::string(e->what()).find("release undone") != std::string::npos, e->what());
    BOOST_TEST(err.note() == e->note());
    BOOST_TEST(e->note().find("UNDO FAILED") == std::string::npos, e->note());
    BOOST_TEST(entries(j, "DELETE").size() == 2u);
    BOOST_TEST(entries(j, "PATCH").size() == 2u);  // widened, then taken back

    auto after = w.assets();
    BOOST_TEST(without_highest(after) == without_highest(before));
    BOOST_TEST(highest_ever(after, prep) == "1.0.1");  // the number it used stays used
    BOOST_TEST(highest_ever(after, shared_tool) == "1.0.0");
    BOOST_TEST(alice.list_contents({.scope = "mine", .title = "fresh"}).total ==
               0u);  // its asset is gone
    BOOST_TEST(alice.list_contents({.scope = "mine", .title = "for-carol"}).total == 0u);

    // the next release of that algorithm gets a higher number
    auto next = alice.release_to_gallery(base, {.content_id = b.content_id});
    BOOST_TEST_REQUIRE(next.algorithms.size() == 1u);
    BOOST_TEST(next.algorithms[0].version_num.to_string() == "1.0.2");
}

// 7. A concurrent publish between the plan and a write fails the release (412)
//    instead of shifting its numbers, and the release is undone.
// (sync only: it hooks the sync transport)
BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_publish_fails_the_release, Via, both_transports) {
    for (bool hit_workflow : {true, false}) {
        BOOST_TEST_CONTEXT("the concurrent publish hits the "
                           << (hit_workflow ? "workflow" : "algorithm")) {
            world<Via> w;
            auto alice = w.client(w.alice);
            ag::workflow wf{.name = "flowers"};
            wf.steps = {local("algo-7f3a", "trainer")};
            auto first = alice.release_to_gallery(wf);
            auto trainer = first.algorithms.at(0).content_id;
            auto target = hit_workflow ? first.content_id : trainer;

            auto other = w.client(w.alice);  // another session of the same owner
            json::value expected;
            bool fired = false;
            auto racing = w.hooked_client(w.alice, [&](ag::http_request const& req) {
                if (fired || req.method() != http::verb::post)
                    return;
                fired = true;
                ag::wire::create_version_request body;
                body.desc = "concurrent";
                auto c = other.try_create_version(target, body);
                BOOST_TEST_REQUIRE(c.has_value(), c.error().message());
                BOOST_TEST(c->version_num == "1.0.1");
                expected = w.assets();
            });
            auto r = racing.try_release_to_gallery(wf, {.content_id = first.content_id});
            BOOST_TEST(fired);
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().is(errc::precondition_failed), r.error().message());
            BOOST_TEST(r.error().gallery()->status() == 412);
            BOOST_TEST(r.error().gallery()->error_code() == "ModelArts.4120");
            auto after = w.assets();
            BOOST_TEST(without_highest(after) == without_highest(expected));
            BOOST_TEST(highest_ever(after, trainer) == "1.0.1");
            BOOST_TEST(show_versions(alice.get_content(target)) == "[1.0.0, 1.0.1]");
            BOOST_TEST(alice.get_version(target, "1.0.1").desc == "concurrent");
            if (hit_workflow)
                BOOST_TEST(show_versions(alice.get_content(trainer)) == "[1.0.0]");

            // planned afresh, it goes through above the concurrent numbers
            auto again = alice.release_to_gallery(wf, {.content_id = first.content_id});
            BOOST_TEST(again.version_num.to_string() == (hit_workflow ? "1.0.2" : "1.0.1"));
            BOOST_TEST(again.algorithms.at(0).version_num.to_string() == "1.0.2");
        }
    }
}

// 8. An answer lost after the gallery carried a write out: the retry with the
//    same Idempotency-Key learns the outcome, and nothing is published twice.
BOOST_AUTO_TEST_CASE_TEMPLATE(lost_answers_are_retried_with_the_same_key, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);

    // a new asset's first write, the algorithm's POST
    w.fault(make_fault("POST", "/v1/aihub/contents", "status", 503, 1, true));
    ag::workflow wf{.name = "flowers"};
    wf.steps = {local("algo-7f3a", "trainer")};
    auto first = alice.release_to_gallery(wf);
    BOOST_TEST(w.assets().as_array().size() == 2u);  // one algorithm, one workflow
    auto trainer = first.algorithms.at(0).content_id;
    BOOST_TEST(show_versions(alice.get_content(trainer)) == "[1.0.0]");
    auto posts = entries(w.journal(), "POST");
    BOOST_TEST_REQUIRE(posts.size() == 3u);
    BOOST_TEST(posts[0].status == 503);
    BOOST_TEST(posts[1].status == 201);
    BOOST_TEST(posts[0].idempotency_key.value_or("") == posts[1].idempotency_key.value_or("-"));
    BOOST_TEST(posts[1].idempotency_key.value_or("") !=
               posts[2].idempotency_key.value_or(""));  // each write has its own key
    BOOST_TEST(w.sleeps.count() == 1u);

    // each step of a new version, with the answer replaced by a 503 or by no answer at all
    int expected_patch = 0;
    for (std::string action : {"status", "reset"})
        for (bool on_workflow : {false, true}) {
            BOOST_TEST_CONTEXT(action << " after commit on the "
                                      << (on_workflow ? "workflow's" : "algorithm's") << " POST") {
                auto const& id = on_workflow ? first.content_id : trainer;
                w.svc().clear_journal();
                w.fault(make_fault("POST", versions_path(id), action,
                                   action == "status" ? std::optional<int>(503) : std::nullopt, 1,
                                   true));
                auto r = alice.try_release_to_gallery(wf, {.content_id = first.content_id});
                BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
                ++expected_patch;
                std::string num = "1.0." + std::to_string(expected_patch);
                BOOST_TEST(r->version_num.to_string() == num);
                BOOST_TEST(r->algorithms.at(0).version_num.to_string() == num);
                // nothing published twice
                std::string expected_versions;
                for (int i = 0; i <= expected_patch; ++i)
                    expected_versions += (i ? ", 1.0." : "[1.0.") + std::to_string(i);
                expected_versions += "]";
                BOOST_TEST(show_versions(alice.get_content(trainer)) == expected_versions);
                BOOST_TEST(show_versions(alice.get_content(first.content_id)) == expected_versions);
                BOOST_TEST(highest_ever(w.assets(), trainer) == num);
                auto tries = entries(w.journal(), "POST", versions_path(id));
                BOOST_TEST_REQUIRE(tries.size() >= 2u);
                BOOST_TEST(tries.front().status == (action == "status" ? 503 : 0));
                BOOST_TEST(tries.back().status == 201);
                for (auto const& t : tries) {
                    BOOST_TEST(t.idempotency_key.has_value());
                    BOOST_TEST(t.idempotency_key.value_or("") ==
                               tries.front().idempotency_key.value_or("-"));
                }
                BOOST_TEST(w.svc().faults().empty());
            }
        }
}

// 9. A write refused outright (not transient, not retried): nothing is left behind.
BOOST_AUTO_TEST_CASE_TEMPLATE(hard_failure_leaves_nothing_behind, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    auto shared_tool = w.g.must_publish(
        w.alice.token, algorithm_body("shared-tool", "group", users({w.bob.domain_id})));
    ag::workflow wf{.name = "flowers"};
    wf.steps = {local("algo-7f3a", "trainer")};
    auto first = alice.release_to_gallery(wf);
    auto trainer = first.algorithms.at(0).content_id;

    struct step {
        std::string name, method, path;
        int status;
        std::string code;
    };
    step const steps[] = {
        {"the algorithm's POST", "POST", versions_path(trainer), 400, "ModelArts.4001"},
        {"the workflow's POST", "POST", versions_path(first.content_id), 409, "ModelArts.4090"},
    };
    for (auto const& s : steps) {
        BOOST_TEST_CONTEXT(s.name) {
            auto before = w.assets();
            w.svc().clear_journal();
            w.sleeps.clear();
            w.fault(make_fault(s.method, s.path, "status", s.status, 1));
            auto r = alice.try_release_to_gallery(wf, {.content_id = first.content_id});
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().gallery()->status() == s.status);
            BOOST_TEST(r.error().gallery()->error_code() == s.code);
            BOOST_TEST(entries(w.journal(), s.method, s.path).size() == 1u);  // not retried
            BOOST_TEST(w.sleeps.count() == 0u);
            auto after = w.assets();
            BOOST_TEST(without_highest(after) == without_highest(before));
            BOOST_TEST(highest_ever(after, first.content_id) ==
                       "1.0.0");  // refused before its commit
        }
    }
    // no answer at all to the workflow's POST, through every retry and the
    // repeat that asks for the outcome: undone as well, reported as a transport error
    {
        auto before = w.assets();
        w.fault(make_fault("POST", versions_path(first.content_id), "reset", std::nullopt, 20));
        auto r = alice.try_release_to_gallery(wf, {.content_id = first.content_id});
        w.svc().clear_faults();
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(!r.error().is_gallery_error());
        BOOST_TEST(r.error().transport().failed());
        // the transport error still says what the undo did
        BOOST_TEST(r.error().note().find("release undone") != std::string::npos,
                   r.error().message());
        BOOST_CHECK_EXCEPTION(r.error().raise(), boost::system::system_error, [](auto const& e) {
            return std::string(e.what()).find("release undone") != std::string::npos;
        });
        auto after = w.assets();
        BOOST_TEST(without_highest(after) == without_highest(before));
        BOOST_TEST(highest_ever(after, first.content_id) == "1.0.0");
    }
    // the undone algorithm versions' numbers stay used
    BOOST_TEST(highest_ever(w.assets(), trainer) == "1.0.2");
    auto next = alice.release_to_gallery(wf, {.content_id = first.content_id});
    BOOST_TEST(next.version_num.to_string() == "1.0.1");
    BOOST_TEST(next.algorithms.at(0).version_num.to_string() == "1.0.3");
    BOOST_TEST(show_versions(alice.get_content(trainer)) == "[1.0.0, 1.0.3]");

    // the widening step of a new asset's release
    {
        ag::workflow team{.name = "team"};
        team.steps = {local("algo-fresh", "fresh"), from_gallery(shared_tool, "1.0.0")};
        auto before = w.assets();
        w.svc().clear_journal();
        w.fault(make_fault("PATCH", "/v1/aihub/contents/" + shared_tool, "status", 400, 1));
        auto r = alice.try_release_to_gallery(
            team, {.visibility = ag::visibility::group, .group_users = {w.carol.domain_id}});
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().gallery()->status() == 400);
        BOOST_TEST(entries(w.journal(), "DELETE").size() == 1u);  // fresh 1.0.0
        BOOST_TEST(w.assets() == before);  // fresh's asset is gone; the whitelist untouched
        BOOST_TEST(alice.list_contents({.scope = "mine", .title = "fresh"}).total == 0u);
    }
}

// 10. Whitelist cascades: order, safe removal, and another account's needs.
BOOST_AUTO_TEST_CASE_TEMPLATE(whitelist_cascades, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    auto carol = w.client(w.carol);
    ag::workflow wf{.name = "flowers"};
    wf.steps = {local("algo-7f3a", "trainer")};
    auto flow = alice.release_to_gallery(
        wf, {.visibility = ag::visibility::group, .group_users = {w.bob.domain_id}});
    auto algo = flow.algorithms.at(0).content_id;
    auto wl = [&](std::string const& id) {
        return show(
            alice.get_version(id, "1.0.0").group_users.value_or(std::vector<std::string>{}));
    };
    auto patched = [&](std::size_t i) {
        auto p = entries(w.journal(), "PATCH");
        return i < p.size() ? p[i].target : std::string("(none)");
    };
    std::string const algo_wl = "/v1/aihub/contents/" + algo + "/versions/1.0.0/whitelist";
    std::string const flow_wl =
        "/v1/aihub/contents/" + flow.content_id + "/versions/1.0.0/whitelist";

    // adding: the algorithms first, then the workflow
    w.svc().clear_journal();
    auto added = alice.add_whitelist_users(flow.content_id, "1.0.0", {w.carol.domain_id});
    BOOST_TEST(entries(w.journal(), "PATCH").size() == 2u);
    BOOST_TEST(patched(0) == algo_wl);
    BOOST_TEST(patched(1) == flow_wl);
    BOOST_TEST(show(added.group_users) == show(sorted({w.bob.domain_id, w.carol.domain_id})));
    BOOST_TEST(wl(algo) == show(sorted({w.bob.domain_id, w.carol.domain_id})));
    BOOST_TEST(carol.try_get_version(flow.content_id, "1.0.0").has_value());
    BOOST_TEST(carol.try_get_version(algo, "1.0.0").has_value());

    // removing: the workflow first, then the algorithms
    w.svc().clear_journal();
    auto removed = alice.delete_whitelist_users(flow.content_id, "1.0.0", {w.carol.domain_id});
    BOOST_TEST(entries(w.journal(), "PATCH").size() == 2u);
    BOOST_TEST(patched(0) == flow_wl);
    BOOST_TEST(patched(1) == algo_wl);
    BOOST_TEST(show(removed.group_users) == show({w.bob.domain_id}));
    BOOST_TEST(removed.kept.empty());
    BOOST_TEST(wl(algo) == show({w.bob.domain_id}));
    BOOST_TEST(!carol.try_get_version(algo, "1.0.0").has_value());

    // safe removal: another of alice's workflow versions still grants bob the algorithm
    ag::workflow other{.name = "other"};
    other.steps = {from_gallery(algo, "1.0.0")};
    auto second = alice.release_to_gallery(
        other, {.visibility = ag::visibility::group, .group_users = {w.bob.domain_id}});
    auto kept = alice.delete_whitelist_users(flow.content_id, "1.0.0", {w.bob.domain_id});
    BOOST_TEST(kept.group_users.empty());
    BOOST_TEST(wl(flow.content_id) == "[]");
    BOOST_TEST(wl(algo) == show({w.bob.domain_id}));
    BOOST_TEST_REQUIRE(kept.kept.size() == 1u);
    BOOST_TEST(kept.kept[0].content_id == algo);
    BOOST_TEST(kept.kept[0].version_num.to_string() == "1.0.0");
    BOOST_TEST(kept.kept[0].user == w.bob.domain_id);
    BOOST_TEST(kept.kept[0].reason.find(second.content_id) != std::string::npos,
               kept.kept[0].reason);

    // another account's workflow depends on alice's algorithm version: the server's 4091 keeps
    // carol there
    alice.add_whitelist_users(flow.content_id, "1.0.0", {w.carol.domain_id});
    BOOST_TEST(wl(algo) == show(sorted({w.bob.domain_id, w.carol.domain_id})));
    json::object bobs_flow{{"content_type", "workflow"},
                           {"title", "bobs-flow"},
                           {"visibility", "group"},
                           {"group_users", users({w.carol.domain_id})},
                           {"dependencies", deps({{algo, "1.0.0"}})}};
    w.g.must_publish(w.bob.token, bobs_flow);
    auto r = alice.delete_whitelist_users(flow.content_id, "1.0.0", {w.carol.domain_id});
    BOOST_TEST(wl(flow.content_id) == "[]");
    BOOST_TEST(wl(algo) == show(sorted({w.bob.domain_id, w.carol.domain_id})));
    BOOST_TEST_REQUIRE(r.kept.size() == 1u);
    BOOST_TEST(r.kept[0].content_id == algo);
    BOOST_TEST(r.kept[0].user == w.carol.domain_id);
    BOOST_TEST(r.kept[0].reason.find("another account") != std::string::npos, r.kept[0].reason);

    // a whitelist change on a version that is not group: 4094
    auto priv = alice.release_to_gallery(ag::workflow{.name = "private-one"});
    auto ng = alice.try_add_whitelist_users(priv.content_id, "1.0.0", {w.carol.domain_id});
    BOOST_TEST_REQUIRE(!ng.has_value());
    BOOST_TEST(ng.error().is(errc::not_group), ng.error().message());
}

// 11. A dry run writes nothing and shows the whole release.
BOOST_AUTO_TEST_CASE_TEMPLATE(dry_run_writes_nothing, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    ag::workflow wf{.name = "flowers"};
    wf.steps = {local("algo-7f3a", "trainer")};
    auto first = alice.release_to_gallery(wf);
    auto trainer = first.algorithms.at(0).content_id;

    auto before = w.assets();
    w.svc().clear_journal();
    ag::release_options o{.content_id = first.content_id,
                          .visibility = ag::visibility::group,
                          .group_users = {w.carol.domain_id, w.bob.domain_id, w.carol.domain_id}};
    auto plan = alice.plan_release(wf, o);
    auto j = w.journal();
    BOOST_TEST(!j.empty());
    BOOST_TEST(count_writes(j) == 0u);
    BOOST_TEST(w.assets() == before);

    auto users2 = sorted({w.bob.domain_id, w.carol.domain_id});
    BOOST_TEST(plan.caller == w.alice.domain_id);
    BOOST_TEST(plan.workflow.workflow);
    BOOST_TEST(!plan.workflow.new_asset);
    BOOST_TEST(plan.workflow.content_id == first.content_id);
    BOOST_TEST(plan.workflow.version_num.to_string() == "1.0.1");
    BOOST_TEST(plan.workflow.if_match.value_or(ag::version_number()).to_string() == "1.0.0");
    BOOST_TEST(plan.workflow.visibility == ag::visibility::group);
    BOOST_TEST(show(plan.workflow.group_users) == show(users2));  // folded and sorted
    BOOST_TEST_REQUIRE(plan.algorithms.size() == 1u);
    BOOST_TEST(plan.algorithms[0].content_id == trainer);
    BOOST_TEST(plan.algorithms[0].local_id == "algo-7f3a");
    BOOST_TEST(plan.algorithms[0].version_num.to_string() == "1.0.1");
    BOOST_TEST(plan.algorithms[0].visibility == ag::visibility::group);
    BOOST_TEST(show(plan.algorithms[0].group_users) == show(users2));
    BOOST_TEST(plan.widened.empty());
    BOOST_TEST_REQUIRE(plan.dependencies.size() == 1u);
    BOOST_TEST(plan.dependencies[0].published.value_or(99) == 0u);
    std::ostringstream printed;
    printed << plan;
    BOOST_TEST(printed.str().find("1.0.1 group") != std::string::npos, printed.str());

    // a new asset's plan names it by title
    auto fresh =
        alice.plan_release(ag::workflow{.name = "daisies", .steps = {local("algo-d", "picker")}});
    BOOST_TEST(fresh.workflow.new_asset);
    BOOST_TEST(fresh.workflow.title == "daisies");
    BOOST_TEST(fresh.workflow.version_num.to_string() == "1.0.0");
    BOOST_TEST(fresh.workflow.visibility == ag::visibility::private_);
    BOOST_TEST_REQUIRE(fresh.algorithms.size() == 1u);
    BOOST_TEST(fresh.algorithms[0].new_asset);
    BOOST_TEST(fresh.algorithms[0].title == "picker");
    BOOST_TEST(count_writes(w.journal()) == 0u);
    BOOST_TEST(w.assets() == before);

    // executing the release does what the plan said
    auto done = alice.release_to_gallery(wf, o);
    BOOST_TEST(done.version_num == plan.workflow.version_num);
    BOOST_TEST(done.algorithms.at(0).version_num == plan.algorithms[0].version_num);
    BOOST_TEST(show(alice.get_version(trainer, "1.0.1")
                        .group_users.value_or(std::vector<std::string>{})) == show(users2));
}

// 12. Retry decisions and back-off, without sleeping.
BOOST_AUTO_TEST_CASE_TEMPLATE(retry_policy_decisions, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    std::string const me = "/v1/aihub/me";

    // 503 with Retry-After, then success: one retry, waiting at least Retry-After
    w.fault(make_fault("GET", me, "status", 503, 1, false, 2));
    BOOST_TEST(alice.me().domain_id == w.alice.domain_id);
    BOOST_TEST_REQUIRE(w.sleeps.count() == 1u);
    BOOST_TEST(w.sleeps.waits->at(0).count() >= 2000);
    BOOST_TEST(entries(w.journal(), "GET", me).size() == 2u);

    // a POST is retried because it always carries a key, the same on each attempt
    w.svc().clear_journal();
    w.sleeps.clear();
    w.fault(make_fault("POST", "/v1/aihub/contents", "status", 503, 2));
    ag::wire::create_content_request direct;
    direct.content_type = "algorithm";
    direct.title = "direct";
    auto created = alice.try_create_content(direct);
    BOOST_TEST_REQUIRE(created.has_value(), created.error().message());
    auto posts = entries(w.journal(), "POST");
    BOOST_TEST_REQUIRE(posts.size() == 3u);
    BOOST_TEST(posts[0].status == 503);
    BOOST_TEST(posts[1].status == 503);
    BOOST_TEST(posts[2].status == 201);
    for (auto const& p : posts) {
        BOOST_TEST(p.idempotency_key.has_value());
        BOOST_TEST(p.idempotency_key.value_or("") == posts[0].idempotency_key.value_or("-"));
    }
    BOOST_TEST(w.sleeps.count() == 2u);
    BOOST_TEST(alice.list_contents().total == 1u);

    // attempts are capped at max_attempts
    w.svc().clear_journal();
    w.sleeps.clear();
    w.fault(make_fault("GET", me, "status", 503, 10));
    auto capped = alice.try_me();
    BOOST_TEST_REQUIRE(!capped.has_value());
    BOOST_TEST(capped.error().is(errc::unavailable));
    BOOST_TEST(entries(w.journal(), "GET", me).size() == 4u);
    BOOST_TEST(w.sleeps.count() == 3u);
    w.svc().clear_faults();

    // an error that is not transient is not retried
    w.svc().clear_journal();
    w.sleeps.clear();
    w.fault(make_fault("GET", me, "status", 409, 5));
    BOOST_TEST(!alice.try_me().has_value());
    BOOST_TEST(entries(w.journal(), "GET", me).size() == 1u);
    BOOST_TEST(w.sleeps.count() == 0u);
    w.svc().clear_faults();

    // a Retry-After beyond the time budget: no retry
    {
        auto o = quiet(w.sleeps);
        o.retry.max_elapsed = milliseconds(1000);
        auto impatient = w.client(w.alice, o);
        w.svc().clear_journal();
        w.sleeps.clear();
        w.fault(make_fault("GET", me, "status", 503, 1, false, 5));
        auto r = impatient.try_me();
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().is(errc::unavailable));
        BOOST_TEST(entries(w.journal(), "GET", me).size() == 1u);
        BOOST_TEST(w.sleeps.count() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(backoff_grows_within_bounds) {
    ag::backoff_policy b;
    b.initial = milliseconds(100);
    b.maximum = milliseconds(1000);
    b.multiplier = 2.0;
    b.seed = 42;
    ag::backoff_policy same = b;
    std::int64_t previous = 0;
    for (int retry = 1; retry <= 10; ++retry) {
        double ceiling = std::min(100.0 * std::pow(2.0, retry - 1), 1000.0);
        auto d = b.delay(retry);
        BOOST_TEST_CONTEXT("retry " << retry << ", ceiling " << ceiling) {
            BOOST_TEST(d.count() >= static_cast<std::int64_t>(ceiling / 2));
            BOOST_TEST(d.count() <= static_cast<std::int64_t>(ceiling));
            BOOST_TEST(d.count() <= b.maximum.count());
            if (ceiling < 1000.0)
                BOOST_TEST(d.count() >= previous);               // grows until capped
            BOOST_TEST(same.delay(retry).count() == d.count());  // a seed makes it reproducible
        }
        previous = d.count();
    }
    // a server's Retry-After is a floor
    BOOST_TEST(b.delay(1, std::chrono::seconds(3)).count() >= 3000);

    ag::retry_policy p{.max_attempts = 4, .max_elapsed = milliseconds(30000)};
    BOOST_TEST(p.allows_another(1, milliseconds(0), milliseconds(100)));
    BOOST_TEST(p.allows_another(3, milliseconds(0), milliseconds(100)));
    BOOST_TEST(!p.allows_another(4, milliseconds(0), milliseconds(100)));
    BOOST_TEST(!p.allows_another(1, milliseconds(29950), milliseconds(100)));

    BOOST_TEST(ag::is_transient_status(503));
    BOOST_TEST(ag::is_transient_status(429));
    BOOST_TEST(!ag::is_transient_status(409));
    BOOST_TEST(!ag::is_transient_status(400));
    BOOST_TEST(ag::parse_retry_after("7").value_or(std::chrono::seconds(0)).count() == 7);
    BOOST_TEST(!ag::parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT").has_value());
}

// 13. gallery_error keeps what the server said, request id included.
BOOST_AUTO_TEST_CASE_TEMPLATE(gallery_error_carries_the_answer, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    try {
        (void)alice.get_content("no-such-asset");
        BOOST_FAIL("expected a gallery_error");
    } catch (ag::gallery_error const& e) {
        BOOST_TEST(e.status() == 404);
        BOOST_TEST(e.error_code() == "ModelArts.4040");
        BOOST_TEST(e.is(errc::no_such_asset));
        BOOST_TEST(!e.error_msg().empty());
        auto j = w.journal();
        BOOST_TEST_REQUIRE(!j.empty());
        BOOST_TEST(!e.request_id().empty());
        BOOST_TEST(e.request_id() == j.back().request_id);
        BOOST_TEST(std::string(e.what()).find("ModelArts.4040") != std::string::npos);
    }

    // a write's refusal through the try_ form
    auto a = w.g.must_publish(w.alice.token, algorithm_body("solo"));
    auto r = alice.try_patch_whitelist(a, "1.0.0", {w.bob.domain_id}, {});
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().is_gallery_error());
    auto const err = r.error();
    auto e = err.gallery();
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->status() == 409);
    BOOST_TEST(e->error_code() == "ModelArts.4094");
    BOOST_TEST(e->error_msg().find("not group") != std::string::npos, e->error_msg());
    BOOST_TEST(e->request_id() == w.journal().back().request_id);
}

// 14. A transport failure that outlives the retries.
BOOST_AUTO_TEST_CASE_TEMPLATE(transport_failure_outlives_retries, Via, all_clients) {
    world<Via> w;
    auto alice = w.client(w.alice);
    w.fault(make_fault("GET", "/v1/aihub/me", "reset", std::nullopt, 10));
    BOOST_CHECK_EXCEPTION((void)alice.me(), boost::system::system_error,
                          [](boost::system::system_error const& e) { return e.code().failed(); });
    BOOST_TEST(w.sleeps.count() == 3u);
    BOOST_TEST(entries(w.journal(), "GET", "/v1/aihub/me").size() >= 4u);

    w.svc().clear_faults();
    w.sleeps.clear();
    w.fault(make_fault("GET", "/v1/aihub/me", "reset", std::nullopt, 10));
    auto r = alice.try_me();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(!r.error().is_gallery_error());
    BOOST_TEST(!r.error().gallery().has_value());
    BOOST_TEST(r.error().transport().failed());
    BOOST_TEST(w.sleeps.count() == 3u);

    // a single reset is ridden out
    w.svc().clear_faults();
    w.fault(make_fault("GET", "/v1/aihub/me", "reset", std::nullopt, 1));
    BOOST_TEST(alice.try_me().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
