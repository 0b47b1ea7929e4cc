// libFuzzer target: the strict JSON mappings of every request body (and the
// mock's state document). The first byte picks the type, the rest is the
// body. Properties: only gallery_error ModelArts.4001/4002 escape; what
// parses serializes to JSON that parses back to an equal value.
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

template <class T>
void round_trip(std::string_view body) {
    T value;
    try {
        value = aigallery::wire::parse<T>(body);
    } catch (aigallery::gallery_error const& e) {
        if (e.status() != 400)
            std::abort();
        return;
    }
    auto text = boost::json::serialize(boost::json::value_from(value));
    auto again = aigallery::wire::parse<T>(text);  // throws (and so crashes) if not
    if (boost::json::value_from(again) != boost::json::value_from(value))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0)
        return 0;
    std::string_view body(reinterpret_cast<char const*>(data) + 1, size - 1);
    namespace w = aigallery::wire;
    switch (data[0] % 8) {
        case 0:
            round_trip<w::create_content_request>(body);
            break;
        case 1:
            round_trip<w::create_version_request>(body);
            break;
        case 2:
            round_trip<w::set_visibility_request>(body);
            break;
        case 3:
            round_trip<w::whitelist_patch_request>(body);
            break;
        case 4:
            round_trip<w::account_request>(body);
            break;
        case 5:
            round_trip<w::fault_spec>(body);
            break;
        case 6:
            round_trip<aigallery::mock::doc::state_doc>(body);
            break;
        default:
            round_trip<w::publish_response>(body);
            break;
    }
    return 0;
}
