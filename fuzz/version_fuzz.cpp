// libFuzzer target: the version parser. Properties: parse never throws and
// agrees with check(); a parsed version prints back to the same text (the
// syntax has exactly one spelling per version); bumps stay ordered; the
// entity-tag form accepts the quoted text.
#include <aigallery/version.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view text(reinterpret_cast<char const*>(data), size);
    auto parsed = aigallery::version_number::parse(text);
    bool const valid = aigallery::version_number::check(text) == aigallery::version_syntax::none;
    if (parsed.has_value() != valid)
        std::abort();
    if (!parsed) {
        try {
            aigallery::version_number::parse_or_throw(text, "fuzz");
            std::abort();  // must have thrown
        } catch (aigallery::gallery_error const& e) {
            if (e.error_code() != "ModelArts.4002")
                std::abort();
        }
        return 0;
    }
    if (parsed->to_string() != text)
        std::abort();
    std::string quoted = "\"" + std::string(text) + "\"";
    if (aigallery::version_number::parse_entity_tag(quoted) != parsed)
        std::abort();
    for (auto kind :
         {aigallery::bump_kind::major, aigallery::bump_kind::minor, aigallery::bump_kind::patch}) {
        if (auto next = parsed->bumped(kind); next && !(*next > *parsed))
            std::abort();
    }
    return 0;
}
