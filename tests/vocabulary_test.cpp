// Versions, visibility, ids and the error catalogue: the shared vocabulary.
#include <aigallery/aigallery.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <string>

using namespace aigallery;

BOOST_AUTO_TEST_SUITE(vocabulary)

BOOST_AUTO_TEST_CASE(valid_versions_parse_and_print_back) {
    for (std::string s :
         {"1.0.0", "0.0.0", "10.20.30", "4294967295.4294967295.4294967295", "0.1.99"}) {
        auto v = version_number::parse(s);
        BOOST_TEST_REQUIRE(v.has_value(), s);
        BOOST_TEST(v->to_string() == s);
        std::ostringstream os;
        os << *v;
        BOOST_TEST(os.str() == s);
    }
}

BOOST_AUTO_TEST_CASE(bad_versions_are_refused_with_the_reason) {
    struct row {
        std::string text;
        version_syntax why;
    };
    row const rows[] = {
        {"", version_syntax::empty},
        {"1.0", version_syntax::not_three_parts},
        {"1", version_syntax::not_three_parts},
        {"1.2.3.4", version_syntax::not_three_parts},
        {"01.0.0", version_syntax::leading_zero},
        {"1.00.0", version_syntax::leading_zero},
        {"1.0.00", version_syntax::leading_zero},
        {"1.0.0-rc1", version_syntax::bad_character},
        {"1.0.0+build", version_syntax::bad_character},
        {"1.0.0 ", version_syntax::bad_character},
        {" 1.0.0", version_syntax::bad_character},
        {"1. 0.0", version_syntax::bad_character},
        {"v1.0.0", version_syntax::bad_character},
        {"+1.0.0", version_syntax::bad_character},
        {"-1.0.0", version_syntax::bad_character},
        {"1.-0.0", version_syntax::bad_character},
        {"4294967296.0.0", version_syntax::too_large},
        {"0.0.99999999999999999999999", version_syntax::too_large},
        {"1..0", version_syntax::empty_part},
        {".1.0", version_syntax::empty_part},
        {"1.0.", version_syntax::empty_part},
        {"1.0.0.", version_syntax::empty_part},
        {"\xd9\xa1.0.0", version_syntax::bad_character},      // ARABIC-INDIC DIGIT ONE
        {"\xef\xbc\x91.0.0", version_syntax::bad_character},  // FULLWIDTH DIGIT ONE
        {"1.0.0\n", version_syntax::bad_character},
        {std::string("1.0\0.0", 6), version_syntax::bad_character},
        {std::string(5000, '9') + ".0.0", version_syntax::too_large},
    };
    for (auto const& r : rows) {
        BOOST_TEST((version_number::check(r.text) == r.why),
                   "'" << r.text << "' gave " << describe(version_number::check(r.text)));
        BOOST_TEST(!version_number::parse(r.text).has_value());
        try {
            version_number v{r.text};
            BOOST_FAIL("accepted '" << r.text << "' as " << v);
        } catch (gallery_error const& e) {
            BOOST_TEST(e.error_code() == "ModelArts.4002");
            BOOST_TEST(e.status() == 400);
            BOOST_TEST(e.request_id().empty());
            BOOST_TEST(e.error_msg().find("version") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(error_names_the_field_and_value) {
    try {
        version_number::parse_or_throw("01.0.0", "version_num");
        BOOST_FAIL("accepted");
    } catch (gallery_error const& e) {
        BOOST_TEST(e.error_msg().find("version_num") != std::string::npos);
        BOOST_TEST(e.error_msg().find("'01.0.0'") != std::string::npos);
        BOOST_TEST(e.error_msg().find("leading zero") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(order_is_numeric_per_component) {
    BOOST_TEST((version_number("1.10.0") > version_number("1.9.9")));
    BOOST_TEST((version_number("2.0.0") > version_number("1.99.99")));
    BOOST_TEST((version_number("1.0.1") > version_number("1.0.0")));
    BOOST_TEST((version_number("1.0.0") == version_number(1, 0, 0)));
    static_assert(version_number(0, 0, 1) < version_number(0, 1, 0));
}

BOOST_AUTO_TEST_CASE(entity_tags_and_printable_echoes) {
    BOOST_TEST((version_number::parse_entity_tag("\"1.0.2\"") == version_number(1, 0, 2)));
    BOOST_TEST((version_number::parse_entity_tag("1.0.2") == version_number(1, 0, 2)));
    for (auto bad : {"", "\"\"", "\"1.0\"", "W/\"1.0.0\"", "*", "\"1.0.0"})
        BOOST_TEST(!version_number::parse_entity_tag(bad).has_value(), bad);
    BOOST_TEST(printable("a\nb\x1b") == "a?b?");
    BOOST_TEST(printable(std::string(100, 'x'), 10) == std::string(10, 'x') + "...");
    // Not UTF-8 (a lone byte, a surrogate, an overlong form): '?' per byte;
    // a character is never cut in two, so the result is always valid UTF-8.
    BOOST_TEST(printable("\xff\xed\xa0\x80\xc0\xaf") == "??????");
    BOOST_TEST(printable("caf\xc3\xa9") == "caf\xc3\xa9");
    BOOST_TEST(printable("ab\xc3\xa9", 3) == "ab...");
    BOOST_TEST(printable("\xf0\x9f\x98\x80!", 4) == "\xf0\x9f\x98\x80...");
}

BOOST_AUTO_TEST_CASE(bumps_and_overflow) {
    version_number v{"1.4.2"};
    BOOST_TEST(v.bump(bump_kind::patch).to_string() == "1.4.3");
    BOOST_TEST(v.bump(bump_kind::minor).to_string() == "1.5.0");
    BOOST_TEST(v.bump(bump_kind::major).to_string() == "2.0.0");
    static_assert(version_number(1, 0, 0).bumped(bump_kind::patch) == version_number(1, 0, 1));
    constexpr auto top = version_number::max_part;
    BOOST_TEST(!version_number(1, 1, top).bumped(bump_kind::patch).has_value());
    BOOST_TEST(!version_number(1, top, 0).bumped(bump_kind::minor).has_value());
    BOOST_TEST(!version_number(top, 0, 0).bumped(bump_kind::major).has_value());
    BOOST_TEST(version_number(1, 1, top).bump(bump_kind::minor).to_string() == "1.2.0");
    try {
        version_number(1, 1, top).bump(bump_kind::patch);
        BOOST_FAIL("wrapped");
    } catch (gallery_error const& e) {
        BOOST_TEST(e.error_code() == "ModelArts.4090");
    }
    for (auto k : {bump_kind::patch, bump_kind::minor, bump_kind::major})
        BOOST_TEST((parse_bump(to_string(k)) == k));
    BOOST_TEST(!parse_bump("Patch").has_value());
}

BOOST_AUTO_TEST_CASE(visibility_text_round_trips) {
    for (auto v : {visibility::private_, visibility::group, visibility::public_})
        BOOST_TEST((parse_visibility(to_string(v)) == v));
    BOOST_TEST(to_string(visibility::private_) == "private");
    BOOST_TEST(to_string(visibility::public_) == "public");
    for (auto bad : {"", "Private", "PUBLIC", "whitelist", "group "})
        BOOST_TEST(!parse_visibility(bad).has_value());
}

BOOST_AUTO_TEST_CASE(domain_ids_and_ids) {
    BOOST_TEST(is_valid_domain_id("0123456789abcdef0123456789abcdef"));
    BOOST_TEST(!is_valid_domain_id("0123456789ABCDEF0123456789abcdef"));
    BOOST_TEST(!is_valid_domain_id("0123456789abcdef0123456789abcde"));
    BOOST_TEST(!is_valid_domain_id("0123456789abcdef0123456789abcdef0"));
    BOOST_TEST(!is_valid_domain_id("0123456789abcdeg0123456789abcdef"));
    BOOST_TEST(!is_valid_domain_id(""));
    BOOST_TEST(is_valid_id("abc-DEF-123"));
    BOOST_TEST(is_valid_id(std::string(64, 'a')));
    BOOST_TEST(!is_valid_id(std::string(65, 'a')));
    BOOST_TEST(!is_valid_id(""));
    BOOST_TEST(!is_valid_id("a_b"));
    BOOST_TEST(!is_valid_id("a/b"));
    BOOST_TEST(is_valid_idempotency_key("k 1~"));
    BOOST_TEST(!is_valid_idempotency_key(""));
    BOOST_TEST(!is_valid_idempotency_key(std::string(256, 'k')));
    BOOST_TEST(!is_valid_idempotency_key("k\x7f"));
    BOOST_TEST(code_points("h\xc3\xa9llo") == 5u);
}

BOOST_AUTO_TEST_CASE(error_catalogue_is_complete_and_consistent) {
    std::set<std::string_view> codes;
    for (std::size_t i = 0; i < error_catalogue.size(); ++i) {
        auto const& e = error_catalogue[i];
        BOOST_TEST(static_cast<std::size_t>(e.value) == i);
        BOOST_TEST(codes.insert(e.code).second, e.code);
        BOOST_TEST((errc_from_text(e.code) == e.value));
        BOOST_TEST(e.status >= 400);
        BOOST_TEST(e.status < 600);
    }
    BOOST_TEST(codes.size() == 26u);
    BOOST_TEST(http_status(errc::dependency_visibility) == 409);
    BOOST_TEST(error_code_text(errc::unauthorized) == "APIG.0301");
    BOOST_TEST(http_status(errc::precondition_failed) == 412);
    BOOST_TEST(!errc_from_text("ModelArts.9999").has_value());
}

BOOST_AUTO_TEST_CASE(gallery_error_and_the_non_throwing_form) {
    gallery_error g(409, "ModelArts.4091", "would break", "req-1");
    BOOST_TEST(g.status() == 409);
    BOOST_TEST(g.error_code() == "ModelArts.4091");
    BOOST_TEST(g.error_msg() == "would break");
    BOOST_TEST(g.request_id() == "req-1");
    BOOST_TEST(g.is(errc::dependency_visibility));
    BOOST_TEST(std::string(g.what()).find("ModelArts.4091") != std::string::npos);

    result<int> r = error(g);
    BOOST_TEST(!r.has_value());
    BOOST_TEST(r.error().is(errc::dependency_visibility));
    BOOST_CHECK_THROW(r.value(), gallery_error);

    result<int> t = error(make_error_code(boost::system::errc::connection_refused));
    BOOST_TEST(!t.error().is_gallery_error());
    BOOST_CHECK_THROW(t.value(), boost::system::system_error);
    result<int> fine = 7;
    BOOST_TEST(fine.value() == 7);
}

// The transport concept tells a conforming type from look-alikes.
struct good_transport {
    boost::system::result<http_response> send(http_request const&) { return http_response{}; }
};
struct wrong_return {
    http_response send(http_request const&) { return {}; }
};
struct wrong_argument {
    boost::system::result<http_response> send(std::string const&) { return http_response{}; }
};
struct no_send {};
static_assert(transport<good_transport>);
static_assert(!transport<wrong_return>);
static_assert(!transport<wrong_argument>);
static_assert(!transport<no_send>);

BOOST_AUTO_TEST_SUITE_END()
