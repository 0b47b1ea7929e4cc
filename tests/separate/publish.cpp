// The user's side of separate compilation: a translation unit that publishes
// with aigallery::client over beast_transport, compiled with
// AIGALLERY_SEPARATE_COMPILATION. It instantiates neither the client nor any
// Beast, Asio or OpenSSL code (check_symbols.cmake proves it on its object
// file); all of that comes from aigallery::compiled.
#include "publish.hpp"

#include <aigallery/aigallery.hpp>

namespace separate {

published publish_flowers(std::string const& url, std::string const& token) {
    aigallery::client client{aigallery::beast_transport{url}, token};
    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    aigallery::release_options options{.title = "Flower classifier"};
    auto first = client.release_to_gallery(wf, options);
    aigallery::release_options again{.content_id = first.content_id};  // a new version of it
    auto second = client.release_to_gallery(wf, again);
    auto read = client.get_version(second.content_id, second.version_num);
    return {first.content_id, second.content_id, first.version_num.to_string(),
            second.version_num.to_string(), read.version_num};
}

}  // namespace separate
