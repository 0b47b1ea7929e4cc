// The shared vocabulary at work: versions, visibility, the error catalogue and
// a wire body, as the client and the mock server both see them.
#include <aigallery/aigallery.hpp>

#include <iostream>

int main() {
    using namespace aigallery;
    version_number v = "1.4.2";
    std::cout << "version " << v << ": patch -> " << v.bump(bump_kind::patch) << ", minor -> "
              << v.bump(bump_kind::minor) << ", major -> " << v.bump(bump_kind::major) << "\n";
    for (auto text : {"1.0", "01.0.0", "1.0.0-rc1", "4294967296.0.0"}) {
        try {
            version_number bad = text;
            std::cout << "unexpectedly accepted " << bad << "\n";
            return 1;
        } catch (gallery_error const& e) {
            std::cout << "refused: " << e.what() << "\n";
        }
    }
    std::cout << "visibilities: " << visibility::private_ << ", " << visibility::group << ", "
              << visibility::public_ << "\n";
    wire::create_content_request body;
    body.content_type = "workflow";
    body.title = "Flower classifier";
    body.visibility = "group";
    body.group_users = wire::string_list{"0123456789abcdef0123456789abcdef"};
    std::cout << "POST /v1/aihub/contents " << wire::serialize(body) << "\n";
    try {
        wire::parse<wire::create_content_request>(R"({"content_type":"workflow","titel":"typo"})");
    } catch (gallery_error const& e) {
        std::cout << "strict: " << e.what() << "\n";
    }
    for (auto const& e : error_catalogue)
        std::cout << "  " << e.status << " " << e.code << "\n";
    return 0;
}
