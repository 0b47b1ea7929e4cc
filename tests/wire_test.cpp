// Every wire type: round trip through its one JSON mapping, and strict
// refusal of malformed bodies, naming the field at fault.
#include <aigallery/wire.hpp>

#include <boost/json.hpp>
#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace aigallery;
namespace json = boost::json;

namespace {

std::string const alice = "0123456789abcdef0123456789abcdef";

// One fully populated sample of each type; every optional is set, so that the
// round trip and the field-by-field mutations below cover every member.
wire::dependency_ref sample(wire::dependency_ref*) {
    return {"algo-1", "1.0.0"};
}
wire::create_content_request sample(wire::create_content_request*) {
    return {"workflow",
            "Flower classifier",
            "1.0.0",
            "first",
            "group",
            wire::string_list{alice},
            std::vector<wire::dependency_ref>{{"algo-1", "1.0.0"}},
            json::object{{"algorithm_id", "a7"}}};
}
wire::create_version_request sample(wire::create_version_request*) {
    return {"1.0.1",
            "minor",
            "d",
            "T",
            "public",
            wire::string_list{},
            std::vector<wire::dependency_ref>{{"a", "1.0.0"}},
            json::object{{"k", 1}}};
}
wire::publish_response sample(wire::publish_response*) {
    return {"c1", "v1", "1.0.0", "/v1/aihub/contents/c1"};
}
wire::me_response sample(wire::me_response*) {
    return {alice, "alice"};
}
wire::content_response sample(wire::content_response*) {
    return {"c1",
            "workflow",
            "t",
            alice,
            "2026-11-25T21:29:54Z",
            "2026-11-25T21:29:54Z",
            "1.0.1",
            {{"v2", "1.0.1", "d", "group", "2026-11-25T21:29:54Z"}}};
}
wire::version_summary sample(wire::version_summary*) {
    return {"v", "1.0.0", "", "private", "2026-11-25T21:29:54Z"};
}
wire::version_response sample(wire::version_response*) {
    return {"c1",
            "v1",
            "1.0.0",
            "d",
            "group",
            wire::string_list{alice},
            {{"a", "1.0.0"}},
            json::object{{"x", json::array{1, 2}}},
            "2026-11-25T21:29:54Z"};
}
wire::set_visibility_request sample(wire::set_visibility_request*) {
    return {"group", wire::string_list{alice}};
}
wire::whitelist_patch_request sample(wire::whitelist_patch_request*) {
    return {wire::string_list{alice}, wire::string_list{}};
}
wire::whitelist_response sample(wire::whitelist_response*) {
    return {"c1", "1.0.0", {alice}};
}
wire::dependents_response sample(wire::dependents_response*) {
    return {{{"w1", "1.0.2"}}};
}
wire::content_list_item sample(wire::content_list_item*) {
    return {"c1",
            "algorithm",
            "t",
            alice,
            "1.0.0",
            "public",
            "2026-11-25T21:29:54Z",
            "2026-11-25T21:29:54Z"};
}
wire::content_list_response sample(wire::content_list_response*) {
    return {42, 1, {sample(static_cast<wire::content_list_item*>(nullptr))}};
}
wire::error_body sample(wire::error_body*) {
    return {"ModelArts.4091", "msg"};
}
wire::account_request sample(wire::account_request*) {
    return {"alice"};
}
wire::account_response sample(wire::account_response*) {
    return {"alice", alice, "tok-1", "AK1", "sk-1"};
}
wire::account_list_response sample(wire::account_list_response*) {
    return {{{"alice", alice, "tok-1", "AK1", "sk-1"}}};
}
wire::health_response sample(wire::health_response*) {
    return {"ok"};
}
wire::fault_spec sample(wire::fault_spec*) {
    return {"POST", "/v1/aihub/contents", "status", 503, 1, 200, 2, true};
}
wire::fault_response sample(wire::fault_response*) {
    return {3, sample(static_cast<wire::fault_spec*>(nullptr)), 2};
}
wire::fault_list_response sample(wire::fault_list_response*) {
    return {{sample(static_cast<wire::fault_response*>(nullptr))}};
}
wire::journal_entry sample(wire::journal_entry*) {
    return {"POST", "/v1/aihub/contents", 201, alice, "req-1", "k1"};
}
wire::journal_response sample(wire::journal_response*) {
    return {{sample(static_cast<wire::journal_entry*>(nullptr))}};
}

using all_wire_types = boost::mp11::mp_list<
    wire::dependency_ref, wire::create_content_request, wire::create_version_request,
    wire::publish_response, wire::me_response, wire::content_response, wire::version_summary,
    wire::version_response, wire::set_visibility_request, wire::whitelist_patch_request,
    wire::whitelist_response, wire::dependents_response, wire::content_list_item,
    wire::content_list_response, wire::error_body, wire::account_request, wire::account_response,
    wire::account_list_response, wire::health_response, wire::fault_spec, wire::fault_response,
    wire::fault_list_response, wire::journal_entry, wire::journal_response>;

json::value wrong_type_for(json::value const& v) {
    if (v.is_string())
        return 12345;
    if (v.is_array())
        return json::object{};
    if (v.is_object())
        return json::array{};
    return "text";
}

template <class T>
bool is_required(std::string_view field) {
    bool required = false;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
            if (field == d.name)
                required = !detail::is_optional<M>::value;
        });
    return required;
}

template <class T>
void expect_refused(std::string const& body, std::string const& mentions) {
    try {
        wire::parse<T>(body);
        BOOST_ERROR("accepted: " << body);
    } catch (gallery_error const& e) {
        BOOST_TEST(e.error_code() == "ModelArts.4001", body);
        BOOST_TEST(e.error_msg().find(mentions) != std::string::npos,
                   e.error_msg() << " should mention " << mentions);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wire_types)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip, T, all_wire_types) {
    T const original = sample(static_cast<T*>(nullptr));
    std::string text = wire::serialize(original);
    T back = wire::parse<T>(text);
    BOOST_TEST(wire::serialize(back) == text);
    // Every member appears in the text: the sample sets all of them.
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            BOOST_TEST(text.find("\"" + std::string(d.name) + "\":") != std::string::npos, d.name);
        });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(malformed_bodies_are_refused, T, all_wire_types) {
    json::object const good = json::value_from(sample(static_cast<T*>(nullptr))).as_object();
    std::string const text = json::serialize(good);

    expect_refused<T>("", "malformed JSON");
    expect_refused<T>("{", "malformed JSON");
    expect_refused<T>(text + "x", "malformed JSON");
    expect_refused<T>("[]", "expected an object");
    expect_refused<T>("null", "expected an object");
    expect_refused<T>("{\"zz_unknown\":1," + text.substr(1), "zz_unknown");
    expect_refused<T>("{\"bad\xff\":1}", "malformed JSON");

    for (auto const& kv : good) {
        std::string key(kv.key());
        // a wrong type, named
        json::object wrong = good;
        wrong[key] = wrong_type_for(kv.value());
        expect_refused<T>(json::serialize(wrong), key);
        // the same key twice
        std::string dup = "{\"" + key + "\":" + json::serialize(kv.value()) + "," + text.substr(1);
        expect_refused<T>(dup, key);
        // null is never a value
        json::object nulled = good;
        nulled[key] = nullptr;
        expect_refused<T>(json::serialize(nulled), key);
        // absent: refused when required, fine when optional
        json::object missing = good;
        missing.erase(key);
        if (is_required<T>(key))
            expect_refused<T>(json::serialize(missing), key);
        else
            BOOST_CHECK_NO_THROW(wire::parse<T>(json::serialize(missing)));
    }
}

BOOST_AUTO_TEST_CASE(nested_errors_give_the_path) {
    expect_refused<wire::create_content_request>(
        R"({"content_type":"workflow","title":"t","dependencies":[{"content_id":"a","version_num":"1.0.0"},{"content_id":"b"}]})",
        "dependencies[1].version_num");
    expect_refused<wire::create_content_request>(
        R"({"content_type":"workflow","title":"t","group_users":["a",7]})", "group_users[1]");
}

BOOST_AUTO_TEST_CASE(integers_are_range_checked) {
    expect_refused<wire::fault_spec>(R"({"action":"status","status":1.5})", "status");
    expect_refused<wire::fault_spec>(R"({"action":"status","status":99999999999})", "status");
    expect_refused<wire::content_list_response>(R"({"total":-1,"count":0,"items":[]})", "total");
    BOOST_TEST(
        wire::parse<wire::fault_spec>(R"({"action":"delay","delay_ms":0})").delay_ms.value() == 0);
}

BOOST_AUTO_TEST_CASE(source_stays_opaque_json) {
    auto r = wire::parse<wire::create_content_request>(
        R"({"content_type":"algorithm","title":"t","source":{"nested":{"deep":[1,"two",null,true]},"unicode":"\u00e9"}})");
    BOOST_TEST(json::serialize(*r.source) ==
               R"({"nested":{"deep":[1,"two",null,true]},"unicode":"é"})");
}

BOOST_AUTO_TEST_CASE(a_parsed_source_outlives_the_parse) {
    // parse() builds its document in a short-lived arena: the source it
    // returns must be a copy in ordinary storage, whole after the arena is
    // gone, also when the body is larger than the arena's first block.
    json::object big;
    for (int i = 0; i < 400; ++i)
        big["key " + std::to_string(i)] = json::array{i, "value " + std::to_string(i), nullptr};
    json::object body{{"content_type", "algorithm"}, {"title", "t"}, {"source", big}};
    auto const text = json::serialize(body);
    BOOST_TEST_REQUIRE(text.size() > 8192);
    auto r = wire::parse<wire::create_content_request>(text);
    BOOST_TEST(r.source->storage().get() == json::storage_ptr().get());
    BOOST_TEST(*r.source == big);
    auto moved = std::move(*r.source);  // still usable when handed on
    BOOST_TEST(moved.size() == 400u);
    BOOST_TEST(json::serialize(moved) == json::serialize(big));
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_found_in_small_and_large_objects) {
    for (int keys : {2, 16, 17, 40}) {
        for (bool nested : {false, true}) {
            std::string inner = "{";
            for (int i = 0; i < keys; ++i)
                inner += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
            inner += "\"k" + std::to_string(keys / 2) + "\":0}";  // a repeat, last
            std::string body =
                nested ? R"({"content_type":"algorithm","title":"t","source":{"a":1,"x":)" + inner +
                             "}}"
                       : inner;
            try {
                wire::parse<wire::create_content_request>(body);
                BOOST_FAIL("accepted a repeated key among " << keys);
            } catch (gallery_error const& e) {
                BOOST_TEST(std::string(e.what()).find("'k" + std::to_string(keys / 2) + "'") !=
                               std::string::npos,
                           e.what());
            }
        }
    }
    // the same key in sibling and nested objects is not a repeat
    BOOST_CHECK_NO_THROW(wire::parse<wire::create_content_request>(
        R"({"content_type":"algorithm","title":"t","source":{"a":{"a":1,"b":{"a":2}},"b":{"a":3}}})"));
}

// The reader keeps the first keys of the open objects inside itself and the
// rest in a list of its own: a repeat is found on either side of that line,
// a key written with escapes is the same key, and what is accepted reads
// back whole.
BOOST_AUTO_TEST_CASE(duplicate_keys_past_the_reader_s_inline_keys) {
    std::string outer;
    for (int i = 0; i < 20; ++i)
        outer += "\"o" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    std::string inner;
    for (int i = 0; i < 10; ++i)
        inner += "\"i" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    auto body = [&](std::string const& extra) {
        return R"({"content_type":"algorithm","title":"t","source":{)" + outer + "\"x\":{" + inner +
               "\"last\":1" + extra + "}}}";
    };
    auto const ok = wire::parse<wire::create_content_request>(body(""));
    BOOST_REQUIRE(ok.source);
    BOOST_TEST(ok.source->size() == 21u);
    BOOST_TEST(ok.source->at("o19").as_int64() == 19);
    BOOST_TEST(ok.source->at("x").as_object().size() == 11u);
    BOOST_TEST(ok.source->at("x").as_object().at("i9").as_int64() == 9);
    for (std::string repeat : {"i0", "i9", "last", "i\\u0035"}) {  // i\u0035 is i5
        try {
            wire::parse<wire::create_content_request>(body(",\"" + repeat + "\":2"));
            BOOST_FAIL("accepted a repeated key " << repeat);
        } catch (gallery_error const& e) {
            auto const named = repeat == "i\\u0035" ? std::string("i5") : repeat;
            BOOST_TEST(std::string(e.what()).find("'" + named + "': appears more than once") !=
                           std::string::npos,
                       e.what());
        }
    }
    // an empty key repeated is named too
    try {
        wire::parse<wire::create_content_request>(
            R"({"content_type":"algorithm","title":"t","source":{"":1,"":2}})");
        BOOST_FAIL("accepted a repeated empty key");
    } catch (gallery_error const& e) {
        BOOST_TEST(
            std::string(e.what()).find("field '': appears more than once") != std::string::npos,
            e.what());
    }
    // an outer key inside the inner object is not a repeat
    BOOST_CHECK_NO_THROW(wire::parse<wire::create_content_request>(body(",\"o3\":2")));
}

BOOST_AUTO_TEST_SUITE_END()
