// Contract testing, way 3: record what an application does against the mock
// and export it as a Pact v4 file for a provider pipeline. Runs the seed's
// scenario (release, a new version, a group release, whitelist add and remove,
// a refused release) against a mock that records provider states, then writes
// the pact and the HAR of the same traffic.
//
//   contract_pact_export [PACT_FILE [HAR_FILE]]
//
// The pact verifies against any fresh aigallery-mock with the official Pact
// verifier, using POST /__mock/provider-states as providerStatesSetupUrl
// (docs/contract-testing.md shows the command).
#include <aigallery/aigallery.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/json/serialize.hpp>

#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    std::string const pact_file = argc > 1 ? argv[1] : "aigallery-app-ai-gallery.pact.json";
    std::string const har_file = argc > 2 ? argv[2] : "aigallery-app.har";

    aigallery::mock::server_options options;
    options.record_provider_states = true;  // each interaction gets the state it ran in
    aigallery::mock::server gallery{options};
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    auto carol = gallery.add_account("carol");
    aigallery::client client{aigallery::beast_transport{gallery.url()}, alice.token};

    // 1. a new workflow and its algorithm, both at 1.0.0
    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    auto first = client.release_to_gallery(wf, {.title = "Flower classifier"});
    auto trainer = first.algorithms.at(0);

    // 2. a new version of both
    wf.steps[0].algorithm = aigallery::gallery_algorithm{trainer.content_id, trainer.version_num};
    auto second =
        client.release_to_gallery(wf, {.content_id = first.content_id, .desc = "retrained"});

    // 3. shared with bob: the algorithm version first, then the workflow
    wf.steps[0].algorithm =
        aigallery::gallery_algorithm{trainer.content_id, second.algorithms.at(0).version_num};
    aigallery::release_options shared{.content_id = first.content_id,
                                      .visibility = aigallery::visibility::group,
                                      .group_users = {bob.domain_id}};
    auto third = client.release_to_gallery(wf, shared);

    // 4. and 5. whitelist add and remove
    client.add_whitelist_users(first.content_id, third.version_num, {carol.domain_id});
    client.delete_whitelist_users(first.content_id, third.version_num, {bob.domain_id});

    // 6. a refused release: 1.0.0 exists, and numbers are never reused
    aigallery::beast_transport http{gallery.url()};
    aigallery::http_request again{aigallery::http::verb::post,
                                  "/v1/aihub/contents/" + first.content_id + "/versions", 11};
    again.set("X-Auth-Token", alice.token);
    again.set(aigallery::http::field::content_type, "application/json");
    again.body() = R"({"version_num":"1.0.0","desc":"again"})";
    again.prepare_payload();
    auto refused = http.send(again).value();
    if (refused.result_int() != 409) {
        std::cerr << "expected the gallery to refuse 1.0.0 again, got " << refused.result_int()
                  << "\n";
        return 1;
    }

    auto pact = gallery.pact("aigallery-app", "ai-gallery");
    auto const& omitted = pact.at("metadata").at("aigallery").at("omitted").as_array();
    std::ofstream(pact_file) << boost::json::serialize(pact);
    std::ofstream(har_file) << boost::json::serialize(gallery.journal_har());
    std::cout << "recorded " << gallery.journal_records().size() << " requests; wrote "
              << pact.at("interactions").as_array().size() << " interactions to " << pact_file
              << " (" << omitted.size() << " left out) and the HAR to " << har_file << "\n";
    return pact.at("interactions").as_array().empty() ? 1 : 0;
}
