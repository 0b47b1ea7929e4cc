// Compile-time measure: the same user's translation unit as
// release_header_only.cpp, in separate-compilation mode: the client, the step
// machines and the transport's I/O are compiled once elsewhere (a TU that
// includes <aigallery/src.hpp>, e.g. the aigallery::compiled target), so this
// one only parses declarations and calls them.
#define AIGALLERY_SEPARATE_COMPILATION
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
