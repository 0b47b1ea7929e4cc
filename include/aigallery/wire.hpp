// The request and response bodies of docs/rest-api.md, with their one JSON mapping.
// Values whose syntax the server checks after authorization and lookup
// (versions, visibility, domain_ids) stay strings here, so that the order of
// faults in the contract can be kept; the typed layers above convert them.
#pragma once

#include <aigallery/detail/strict_json.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aigallery::wire {

using string_list = std::vector<std::string>;

/// An algorithm version a workflow version runs.
struct dependency_ref {
    /// The algorithm asset.
    std::string content_id;
    /// The version, x.y.z.
    std::string version_num;
    /// Same asset and version.
    friend bool operator==(dependency_ref const&, dependency_ref const&) = default;
};
BOOST_DESCRIBE_STRUCT(dependency_ref, (), (content_id, version_num))

/// POST /v1/aihub/contents
struct create_content_request {
    std::string content_type;
    std::string title;
    std::optional<std::string> version_num;
    std::optional<std::string> desc;
    std::optional<std::string> visibility;
    std::optional<string_list> group_users;
    std::optional<std::vector<dependency_ref>> dependencies;
    std::optional<boost::json::object> source;
};
BOOST_DESCRIBE_STRUCT(create_content_request, (),
                      (content_type, title, version_num, desc, visibility, group_users,
                       dependencies, source))

/// POST /v1/aihub/contents/{content_id}/versions
struct create_version_request {
    std::optional<std::string> version_num;
    std::optional<std::string> bump;
    std::optional<std::string> desc;
    std::optional<std::string> title;
    std::optional<std::string> visibility;
    std::optional<string_list> group_users;
    std::optional<std::vector<dependency_ref>> dependencies;
    std::optional<boost::json::object> source;
};
BOOST_DESCRIBE_STRUCT(create_version_request, (),
                      (version_num, bump, desc, title, visibility, group_users, dependencies,
                       source))

/// 201 answer of both publishing routes.
struct publish_response {
    std::string content_id;
    std::string version_id;
    std::string version_num;
    std::string content_uri;
};
BOOST_DESCRIBE_STRUCT(publish_response, (), (content_id, version_id, version_num, content_uri))

/// GET /v1/aihub/me
struct me_response {
    std::string domain_id;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(me_response, (), (domain_id, name))

struct version_summary {
    std::string version_id;
    std::string version_num;
    std::string desc;
    std::string visibility;
    std::string created_at;
};
BOOST_DESCRIBE_STRUCT(version_summary, (), (version_id, version_num, desc, visibility, created_at))

/// GET /v1/aihub/contents/{content_id}
struct content_response {
    std::string content_id;
    std::string content_type;
    std::string title;
    std::string owner;
    std::string created_at;
    std::string updated_at;
    std::string latest_version;
    std::vector<version_summary> versions;
};
BOOST_DESCRIBE_STRUCT(content_response, (),
                      (content_id, content_type, title, owner, created_at, updated_at,
                       latest_version, versions))

/// GET /v1/aihub/contents/{content_id}/versions/{version_num}, and the answer
/// of a visibility change.
struct version_response {
    std::string content_id;
    std::string version_id;
    std::string version_num;
    std::string desc;
    std::string visibility;
    std::optional<string_list> group_users;  // shown to the owner only
    std::vector<dependency_ref> dependencies;
    boost::json::object source;
    std::string created_at;
};
BOOST_DESCRIBE_STRUCT(version_response, (),
                      (content_id, version_id, version_num, desc, visibility, group_users,
                       dependencies, source, created_at))

/// PUT .../versions/{version_num}/visibility
struct set_visibility_request {
    std::string visibility;
    std::optional<string_list> group_users;
};
BOOST_DESCRIBE_STRUCT(set_visibility_request, (), (visibility, group_users))

/// PATCH .../versions/{version_num}/whitelist
struct whitelist_patch_request {
    std::optional<string_list> add;
    std::optional<string_list> remove;
};
BOOST_DESCRIBE_STRUCT(whitelist_patch_request, (), (add, remove))

struct whitelist_response {
    std::string content_id;
    std::string version_num;
    string_list group_users;
};
BOOST_DESCRIBE_STRUCT(whitelist_response, (), (content_id, version_num, group_users))

/// GET .../versions/{version_num}/dependents
struct dependents_response {
    std::vector<dependency_ref> items;
};
BOOST_DESCRIBE_STRUCT(dependents_response, (), (items))

struct content_list_item {
    std::string content_id;
    std::string content_type;
    std::string title;
    std::string owner;
    std::string latest_version;
    std::string visibility;
    std::string created_at;
    std::string updated_at;
};
BOOST_DESCRIBE_STRUCT(content_list_item, (),
                      (content_id, content_type, title, owner, latest_version, visibility,
                       created_at, updated_at))

/// GET /v1/aihub/contents
struct content_list_response {
    std::uint64_t total = 0;
    std::uint64_t count = 0;
    std::vector<content_list_item> items;
};
BOOST_DESCRIBE_STRUCT(content_list_response, (), (total, count, items))

/// Every error answer.
struct error_body {
    std::string error_code;
    std::string error_msg;
};
BOOST_DESCRIBE_STRUCT(error_body, (), (error_code, error_msg))

// ---- the control API (/__mock) --------------------------------------------------

struct account_request {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(account_request, (), (name))

struct account_response {
    std::string name;
    std::string domain_id;
    std::string token;
    std::string access_key;
    std::string secret_key;
};
BOOST_DESCRIBE_STRUCT(account_response, (), (name, domain_id, token, access_key, secret_key))

struct account_list_response {
    std::vector<account_response> items;
};
BOOST_DESCRIBE_STRUCT(account_list_response, (), (items))

struct health_response {
    std::string status;
};
BOOST_DESCRIBE_STRUCT(health_response, (), (status))

/// An injected fault; see docs/rest-api.md, "The mock's control API".
struct fault_spec {
    std::optional<std::string> method;       // absent: any method
    std::optional<std::string> path_prefix;  // absent: any /v1 path
    std::string action;                      // "status" | "delay" | "reset"
    std::optional<int> status;
    std::optional<int> retry_after_s;
    std::optional<int> delay_ms;
    std::optional<int> times;  // absent: 1
    std::optional<bool> after_commit;
};
BOOST_DESCRIBE_STRUCT(fault_spec, (),
                      (method, path_prefix, action, status, retry_after_s, delay_ms, times,
                       after_commit))

struct fault_response {
    std::uint64_t id = 0;
    fault_spec fault;
    int remaining = 0;
};
BOOST_DESCRIBE_STRUCT(fault_response, (), (id, fault, remaining))

struct fault_list_response {
    std::vector<fault_response> items;
};
BOOST_DESCRIBE_STRUCT(fault_list_response, (), (items))

struct journal_entry {
    std::string method;
    std::string target;
    int status = 0;
    std::optional<std::string> domain_id;
    std::string request_id;
    std::optional<std::string> idempotency_key;
};
BOOST_DESCRIBE_STRUCT(journal_entry, (),
                      (method, target, status, domain_id, request_id, idempotency_key))

struct journal_response {
    std::vector<journal_entry> items;
};
BOOST_DESCRIBE_STRUCT(journal_response, (), (items))

AIGALLERY_JSON_MAPPING_FOR_NAMESPACE

/// Parses a body strictly into T; throws gallery_error ModelArts.4001 naming
/// the field (or the byte) at fault.
template <detail::described T>
T parse(std::string_view body) {
    // The document lives only until T is read from it: build it in a
    // monotonic arena that starts on the stack (one allocation at most for
    // an ordinary body, not one per value). Every JSON value T keeps is
    // copied into T's own, default storage (strict_json.hpp's read()).
    unsigned char first_block[4096];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    return boost::json::value_to<T>(detail::parse_strict(body, &arena));
}

/// Parses an answer tolerantly into T: unknown fields are ignored, known
/// fields are type-checked, required ones required, duplicate keys allowed
/// (the last wins). Throws gallery_error ModelArts.4001 naming the field.
template <class T>
T parse_response(std::string_view body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec)
        detail::field_error({}, "malformed JSON: " + ec.message());
    return detail::read_tolerant<T>(v);
}

/// Serializes any wire type.
template <class T>
std::string serialize(T const& t) {
    return boost::json::serialize(boost::json::value_from(t));
}

}  // namespace aigallery::wire
