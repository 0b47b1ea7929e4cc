// Compile-time measure: a user's translation unit that publishes a workflow
// over the real transport, with the library header-only (the default).
#include <aigallery/aigallery.hpp>

int main() {
    aigallery::client client{aigallery::beast_transport{"http://127.0.0.1:9"}, "tok-unused"};
    aigallery::workflow wf{.name = "flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    try {
        auto r = client.release_to_gallery(wf, {.title = "Flower classifier"});
        return r.content_id.empty() ? 1 : 0;
    } catch (std::exception const&) {
        return 1;  // nothing listens on port 9: this program is compiled, not run
    }
}
