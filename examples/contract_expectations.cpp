// Contract testing, way 2: expectations. Say beforehand what the application
// must send (WireMock-style: a request pattern and a count), run it, then
// check; a missed expectation says what was sent instead. In a Boost.Test
// suite, <aigallery/mock/boost_test.hpp> turns the same check into an
// assertion: AIGALLERY_CHECK_EXPECTATIONS(gallery).
#include <aigallery/aigallery.hpp>
#include <aigallery/mock/server.hpp>

#include <iostream>

namespace mock = aigallery::mock;

int main() {
    mock::server gallery;
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    aigallery::client client{aigallery::beast_transport{gallery.url()}, alice.token};

    // A group release for bob: exactly one workflow publish with group
    // visibility, bob on its whitelist, and nothing deleted.
    gallery.expect({.method = "POST",
                    .path_prefix = "/v1/aihub/contents",
                    .body_contains = {{"content_type", "workflow"}, {"visibility", "group"}}},
                   mock::times(1));
    gallery.expect(
        {.method = "POST",
         .body_contains = {{"group_users", boost::json::array{boost::json::value(bob.domain_id)}}}},
        mock::at_least(2));  // the algorithm and the workflow
    gallery.expect({.method = "DELETE"}, mock::never());

    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    client.release_to_gallery(wf, {.title = "Flower classifier",
                                   .visibility = aigallery::visibility::group,
                                   .group_users = {bob.domain_id}});

    auto all = gallery.verify_expectations();
    std::cout << (all.met ? "every expectation met\n" : all.message + "\n");

    // What a failure looks like: nobody asked for a public version.
    auto miss = gallery.verify({.method = "POST", .body_contains = {{"visibility", "public"}}},
                               mock::times(1));
    std::cout << "\na deliberately wrong expectation reports:\n" << miss.message << "\n";
    return all.met && !miss.met && !miss.closest.empty() ? 0 : 1;
}
