// The all-or-nothing promise against the real mock, in process and over
// loopback: every write of a release and of a whitelist cascade, in turn,
// fails in every way the mock can inject (no answer before or after the
// commit, 503 before or after the commit, 412, a 409 refusal), through the
// whole retry budget. The gallery must end with the full change or exactly
// as before; an undo the gallery refuses is named in the error.
#include "support.hpp"

#include <aigallery/aigallery.hpp>

using namespace test;
namespace ag = aigallery;
using ag::wire::fault_spec;

namespace {

struct fault_kind {
    char const* name;
    char const* action;
    std::optional<int> status;
    bool after_commit;
    // Through the whole retry budget: 2 attempts, each of which
    // beast_transport may resend once on a fresh connection; or once.
    int times;
};

fault_kind const kinds[] = {
    {"no answer before commit", "reset", std::nullopt, false, 4},
    {"no answer after commit", "reset", std::nullopt, true, 4},
    {"503 before commit", "status", 503, false, 4},
    {"503 after commit", "status", 503, true, 4},
    {"412", "status", 412, false, 1},
    {"409 refusal", "status", 409, false, 1},
};

ag::client_options quick() {
    ag::client_options o;
    o.retry.max_attempts = 2;
    o.backoff.seed = 11;
    o.sleeper = [](std::chrono::milliseconds) {};
    return o;
}

template <class Via>
auto client_for(Via& via, std::string token) {
    if constexpr (std::is_same_v<Via, in_process>) {
        return ag::basic_client<ag::mock::in_process_transport>{
            ag::mock::in_process_transport{via.service}, std::move(token), quick()};
    } else {
        return ag::basic_client<ag::beast_transport>{ag::beast_transport{via.server.url()},
                                                     std::move(token), quick()};
    }
}

json::value without_highest(json::value assets) {
    for (auto& a : assets.as_array())
        a.as_object().erase("highest_ever");
    return assets;
}

fault_spec fault(std::string method, std::string prefix, fault_kind const& k) {
    fault_spec f;
    f.method = std::move(method);
    f.path_prefix = std::move(prefix);
    f.action = k.action;
    f.status = k.status;
    f.times = k.times;
    if (k.after_commit)
        f.after_commit = true;
    return f;
}

std::size_t version_count(json::value const& assets) {
    std::size_t n = 0;
    for (auto const& a : assets.as_array())
        n += a.at("versions").as_array().size();
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_faults)

BOOST_AUTO_TEST_CASE_TEMPLATE(release_every_write_every_fault, Via, both_transports) {
    for (int position = 0; position < 3; ++position)
        for (auto const& k : kinds)
            BOOST_TEST_CONTEXT("write " << position << ": " << k.name) {
                gallery<Via> g;
                auto alice = g.account("alice");
                auto bob = g.account("bob");
                auto client = client_for(g.via, alice.token);
                ag::workflow wf{.name = "flowers"};
                wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                            {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}}};
                auto first = client.release_to_gallery(
                    wf, {.visibility = ag::visibility::group, .group_users = {bob.domain_id}});
                std::string const ids[] = {first.algorithms.at(0).content_id,
                                           first.algorithms.at(1).content_id, first.content_id};
                auto before = g.via.svc().export_state().at("assets");
                g.via.svc().add_fault(
                    fault("POST", "/v1/aihub/contents/" + ids[position] + "/versions", k));
                auto r = client.try_release_to_gallery(wf, {.content_id = first.content_id});
                g.via.svc().clear_faults();
                auto after = g.via.svc().export_state().at("assets");
                if (std::string(k.action) == "status" && !k.after_commit && *k.status != 503)
                    BOOST_TEST(!r.has_value());  // a refusal is final
                if (k.after_commit)              // a committed write is learned, by reading
                    BOOST_TEST(r.has_value(), r.error().message());
                if (r) {
                    BOOST_TEST(r->version_num.to_string() == "1.0.1");
                    for (auto const& id : ids)  // each published once, at 1.0.1
                        BOOST_TEST(client.get_content(id).content.versions.size() == 2u);
                    BOOST_TEST(version_count(after) == version_count(before) + 3);
                } else {
                    BOOST_TEST(without_highest(after) == without_highest(before),
                               r.error().message());
                    BOOST_TEST(r.error().note().find("UNDO FAILED") == std::string::npos,
                               r.error().message());
                }
            }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(whitelist_every_patch_every_fault, Via, both_transports) {
    for (int position = 0; position < 3; ++position)
        for (auto const& k : kinds)
            BOOST_TEST_CONTEXT("patch " << position << ": " << k.name) {
                gallery<Via> g;
                auto alice = g.account("alice");
                auto bob = g.account("bob");
                auto carol = g.account("carol");
                auto client = client_for(g.via, alice.token);
                ag::workflow wf{.name = "flowers"};
                wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                            {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}}};
                auto first = client.release_to_gallery(
                    wf, {.visibility = ag::visibility::group, .group_users = {bob.domain_id}});
                std::string const ids[] = {first.algorithms.at(0).content_id,
                                           first.algorithms.at(1).content_id, first.content_id};
                auto before = g.via.svc().export_state().at("assets");
                g.via.svc().add_fault(
                    fault("PATCH",
                          "/v1/aihub/contents/" + ids[position] + "/versions/1.0.0/whitelist", k));
                auto r =
                    client.try_add_whitelist_users(first.content_id, "1.0.0", {carol.domain_id});
                g.via.svc().clear_faults();
                auto after = g.via.svc().export_state().at("assets");
                if (k.after_commit)
                    BOOST_TEST(r.has_value(), r.error().message());
                if (r) {
                    for (auto const& id : ids) {
                        auto users = client.get_version(id, "1.0.0").group_users.value();
                        BOOST_TEST(std::count(users.begin(), users.end(), carol.domain_id) == 1);
                    }
                } else {
                    BOOST_TEST(after == before, r.error().message());
                }
            }
}

// Removal goes the other way: the workflow version first, then each
// algorithm version; the same failures, the same promise.
BOOST_AUTO_TEST_CASE_TEMPLATE(whitelist_removal_every_patch_every_fault, Via, both_transports) {
    for (int position = 0; position < 3; ++position)
        for (auto const& k : kinds)
            BOOST_TEST_CONTEXT("removal patch " << position << ": " << k.name) {
                gallery<Via> g;
                auto alice = g.account("alice");
                auto bob = g.account("bob");
                auto carol = g.account("carol");
                auto client = client_for(g.via, alice.token);
                ag::workflow wf{.name = "flowers"};
                wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                            {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}}};
                auto first = client.release_to_gallery(
                    wf, {.visibility = ag::visibility::group,
                         .group_users = {bob.domain_id, carol.domain_id}});
                std::string const ids[] = {first.content_id, first.algorithms.at(0).content_id,
                                           first.algorithms.at(1).content_id};
                auto before = g.via.svc().export_state().at("assets");
                g.via.svc().add_fault(
                    fault("PATCH",
                          "/v1/aihub/contents/" + ids[position] + "/versions/1.0.0/whitelist", k));
                auto r =
                    client.try_delete_whitelist_users(first.content_id, "1.0.0", {carol.domain_id});
                g.via.svc().clear_faults();
                auto after = g.via.svc().export_state().at("assets");
                if (k.after_commit)  // a committed PATCH is learned, by reading
                    BOOST_TEST(r.has_value(), r.error().message());
                if (r) {
                    BOOST_TEST(r->kept.empty());
                    for (auto const& id : ids) {
                        auto users = client.get_version(id, "1.0.0").group_users.value();
                        BOOST_TEST(std::count(users.begin(), users.end(), carol.domain_id) == 0);
                        BOOST_TEST(std::count(users.begin(), users.end(), bob.domain_id) == 1);
                    }
                } else {
                    BOOST_TEST(after == before, r.error().message());
                    BOOST_TEST(r.error().note().find("UNDO FAILED") == std::string::npos,
                               r.error().message());
                }
            }
}

// A removal whose undo is refused: the second algorithm's PATCH fails (412,
// a fault added the moment that write starts, whatever the planner's order
// of the two algorithms), the first algorithm is given carol back, and then
// the workflow's undo is refused (a fault added the moment that undo
// starts). The error names the whitelist left narrowed; the gallery holds
// exactly that.
BOOST_AUTO_TEST_CASE_TEMPLATE(refused_removal_undo_is_named, Via, both_transports) {
    gallery<Via> g;
    auto alice = g.account("alice");
    auto bob = g.account("bob");
    auto carol = g.account("carol");
    auto setup = client_for(g.via, alice.token);
    ag::workflow wf{.name = "flowers"};
    wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}}};
    auto first = setup.release_to_gallery(
        wf, {.visibility = ag::visibility::group, .group_users = {bob.domain_id, carol.domain_id}});
    auto const w = first.content_id;
    std::vector<std::string> writes, undos;
    auto options = quick();
    options.observer = [&](ag::progress_event const& e) {
        auto whitelist_of = [&](std::string const& id) {
            return "/v1/aihub/contents/" + id + "/versions/1.0.0/whitelist";
        };
        if (e.what == ag::progress_event::kind::write && undos.empty()) {
            writes.push_back(e.content_id);
            if (writes.size() == 3)  // the workflow's, then two algorithms'
                g.via.svc().add_fault(fault("PATCH", whitelist_of(e.content_id), kinds[4]));
        }
        if (e.what == ag::progress_event::kind::undo) {
            undos.push_back(e.content_id);
            if (e.content_id == w)
                g.via.svc().add_fault(fault("PATCH", whitelist_of(w), kinds[5]));
        }
    };
    auto client = [&] {
        if constexpr (std::is_same_v<Via, in_process>)
            return ag::basic_client<ag::mock::in_process_transport>{
                ag::mock::in_process_transport{g.via.service}, alice.token, options};
        else
            return ag::basic_client<ag::beast_transport>{ag::beast_transport{g.via.server.url()},
                                                         alice.token, options};
    }();
    auto r = client.try_delete_whitelist_users(w, "1.0.0", {carol.domain_id});
    g.via.svc().clear_faults();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST_REQUIRE(writes.size() == 3u);
    BOOST_TEST(writes[0] == w);  // removal narrows the workflow first
    auto const given_back = writes[1], untouched = writes[2];
    auto const err = r.error();
    BOOST_TEST(err.is(ag::errc::precondition_failed));
    BOOST_TEST(err.gallery()->error_msg() == "injected fault");  // the server's words
    auto const note = err.note();
    BOOST_TEST(note.find("UNDO FAILED") != std::string::npos, note);
    BOOST_TEST(note.find("removed [" + carol.domain_id + "] on whitelist of " + w + " 1.0.0") !=
                   std::string::npos,
               note);
    BOOST_TEST(note.find("took back removed [" + carol.domain_id + "] on whitelist of " +
                         given_back) != std::string::npos,
               note);
    BOOST_TEST(err.message().find(w + " 1.0.0") != std::string::npos, err.message());
    BOOST_TEST((undos == std::vector<std::string>{given_back, w}), "undo order");
    auto has_carol = [&](std::string const& id) {
        auto u = client.get_version(id, "1.0.0").group_users.value();
        return std::count(u.begin(), u.end(), carol.domain_id) == 1;
    };
    BOOST_TEST(!has_carol(w));          // left narrowed, as named
    BOOST_TEST(has_carol(given_back));  // given back
    BOOST_TEST(has_carol(untouched));   // its PATCH was refused before commit
}

// The undo itself refused: the error names the version left behind, with its
// content_id and number, and error_msg() stays the server's.
BOOST_AUTO_TEST_CASE_TEMPLATE(refused_undo_is_named, Via, both_transports) {
    gallery<Via> g;
    auto alice = g.account("alice");
    auto client = client_for(g.via, alice.token);
    ag::workflow wf{.name = "flowers"};
    wf.steps = {{"a", ag::local_algorithm{.id = "algo-a", .name = "a"}},
                {"b", ag::local_algorithm{.id = "algo-b", .name = "b"}}};
    auto first = client.release_to_gallery(wf);
    auto a = first.algorithms.at(0).content_id;
    auto b = first.algorithms.at(1).content_id;
    g.via.svc().add_fault(
        fault("POST", "/v1/aihub/contents/" + first.content_id + "/versions", kinds[4]));
    g.via.svc().add_fault(fault("DELETE", "/v1/aihub/contents/" + a, kinds[5]));
    auto r = client.try_release_to_gallery(wf, {.content_id = first.content_id});
    BOOST_TEST_REQUIRE(!r.has_value());
    auto const err = r.error();
    BOOST_TEST(err.is(ag::errc::precondition_failed));
    BOOST_TEST(err.gallery()->error_msg() == "injected fault");
    auto note = err.note();
    BOOST_TEST(note.find("UNDO FAILED") != std::string::npos, note);
    BOOST_TEST(note.find(a + " 1.0.1") != std::string::npos, note);  // left behind
    BOOST_TEST(note.find("deleted algorithm " + b + " 1.0.1") != std::string::npos, note);
    BOOST_TEST(std::string(err.gallery()->what()).find(a + " 1.0.1") != std::string::npos);
    BOOST_TEST(client.get_content(a).content.versions.size() == 2u);  // as named
    BOOST_TEST(client.get_content(b).content.versions.size() == 1u);
    try {
        err.raise();
    } catch (ag::gallery_error const& e) {
        BOOST_TEST(std::string(e.what()).find(a + " 1.0.1") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
