// Contract testing, way 1: assert on the journal. The application under test
// (here: a release with the aigallery client) talks to the mock; afterwards
// the test reads what was really sent and answered (headers with secrets
// redacted, bodies, statuses, times) and checks it.
#include <aigallery/aigallery.hpp>
#include <aigallery/mock/server.hpp>

#include <boost/json/parse.hpp>

#include <iostream>

int main() {
    aigallery::mock::server gallery;
    auto alice = gallery.add_account("alice");
    aigallery::client client{aigallery::beast_transport{gallery.url()}, alice.token};

    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    client.release_to_gallery(wf, {.title = "Flower classifier"});

    // Only the writes: POSTs answered 2xx.
    aigallery::mock::journal_filter writes{.method = "POST", .status_class = 2};
    auto posts = gallery.journal_records(writes);
    int failures = 0;
    auto check = [&](bool ok, char const* what) {
        std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
        failures += ok ? 0 : 1;
    };
    check(posts.size() == 2, "two publishes: the algorithm, then the workflow");
    if (posts.size() == 2) {
        auto algo = boost::json::parse(posts[0].request.body_text());
        auto flow = boost::json::parse(posts[1].request.body_text());
        check(algo.at("content_type") == "algorithm", "the algorithm went first");
        check(flow.at("content_type") == "workflow", "then the workflow");
        check(flow.at("dependencies").as_array().size() == 1, "the workflow names its algorithm");
        check(posts[1].request.header("X-Auth-Token") == "***", "the token is never journaled");
        check(posts[1].request.header("Idempotency-Key").has_value(),
              "each publish carries an Idempotency-Key, so a retry cannot publish twice");
        std::cout << "     the workflow publish took " << posts[1].duration.count() << " us\n";
    }
    for (auto const& e : gallery.journal_records())
        std::cout << "  #" << e.seq << " " << e.method << " " << e.target << " -> " << e.status
                  << "\n";
    return failures == 0 ? 0 : 1;
}
