// The client: every call of the REST contract as a typed method over any
// transport, with retries, and the seed's release_to_gallery and whitelist
// cascades on top, planned first and undone on failure.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/http.hpp>
#include <aigallery/release_plan.hpp>
#include <aigallery/retry.hpp>
#include <aigallery/validation.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/wire.hpp>
#include <aigallery/workflow.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace aigallery {

struct client_options {
    retry_policy retry{};
    backoff_policy backoff{};
    aigallery::sleeper sleeper = real_sleeper();
    /// Makes the Idempotency-Key of each write; default: random.
    std::function<std::string()> idempotency_key{};
};

/// GET /v1/aihub/contents parameters; unset ones are not sent.
struct list_options {
    std::string scope = "mine";
    std::optional<std::string> content_type{};
    std::optional<std::string> title{};
    std::optional<std::string> source_algorithm_id{};
    std::uint64_t offset = 0;
    std::uint64_t limit = 20;
    std::optional<std::string> sort_key{};
    std::optional<std::string> sort_dir{};
};

/// An asset as GET shows it, with its ETag (the owner's view only).
struct content_info {
    wire::content_response content;
    std::optional<version_number> highest_ever;  // from the ETag
};

/// A user that a removal left on an algorithm version, and why.
struct kept_user {
    std::string content_id;
    version_number version_num;
    std::string user;
    std::string reason;
};

struct whitelist_change_result {
    std::string content_id;
    version_number version_num;
    std::vector<std::string> group_users;  // the workflow version's whitelist after the change
    std::vector<wire::whitelist_response> changed;  // every version changed, in order
    std::vector<kept_user> kept;
};

template <transport Transport>
class basic_client {
public:
    basic_client(Transport t, std::string token, client_options options = {})
        : transport_(std::move(t)), token_(std::move(token)), options_(std::move(options)) {
        if (!options_.idempotency_key) {
            auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
            auto mtx = std::make_shared<std::mutex>();
            options_.idempotency_key = [rng, mtx] {
                std::lock_guard lock(*mtx);
                static constexpr char hex[] = "0123456789abcdef";
                std::string k = "aigallery-";
                for (int i = 0; i < 2; ++i)
                    for (auto r = (*rng)(), j = decltype(r)(0); j < 16; ++j, r >>= 4)
                        k += hex[r & 15];
                return k;
            };
        }
    }

    Transport& transport_layer() noexcept { return transport_; }

    // ---- the REST calls --------------------------------------------------------

    result<wire::me_response> try_me() {
        return call<wire::me_response>(http::verb::get, "/v1/aihub/me");
    }
    wire::me_response me() { return try_me().value(); }

    result<content_info> try_get_content(std::string const& content_id) {
        auto r = exchange(make(http::verb::get, content_path(content_id)), true);
        if (!r)
            return r.error();
        auto body = decode<wire::content_response>(*r);
        if (!body)
            return body.error();
        content_info info{std::move(*body), std::nullopt};
        if (auto it = r->find(http::field::etag); it != r->end())
            info.highest_ever = version_number::parse_entity_tag(it->value());
        return info;
    }
    content_info get_content(std::string const& content_id) {
        return try_get_content(content_id).value();
    }

    result<wire::version_response> try_get_version(std::string const& content_id,
                                                   version_number v) {
        return call<wire::version_response>(http::verb::get, version_path(content_id, v));
    }
    wire::version_response get_version(std::string const& content_id, version_number v) {
        return try_get_version(content_id, v).value();
    }

    result<wire::content_list_response> try_list_contents(list_options const& o = {}) {
        boost::urls::url u("/v1/aihub/contents");
        auto p = u.params();
        p.append({"scope", o.scope});
        if (o.content_type)
            p.append({"content_type", *o.content_type});
        if (o.title)
            p.append({"title", *o.title});
        if (o.source_algorithm_id)
            p.append({"source_algorithm_id", *o.source_algorithm_id});
        if (o.offset)
            p.append({"offset", std::to_string(o.offset)});
        p.append({"limit", std::to_string(o.limit)});
        if (o.sort_key)
            p.append({"sort_key", *o.sort_key});
        if (o.sort_dir)
            p.append({"sort_dir", *o.sort_dir});
        return call<wire::content_list_response>(http::verb::get, std::string(u.buffer()));
    }
    wire::content_list_response list_contents(list_options const& o = {}) {
        return try_list_contents(o).value();
    }

    result<wire::dependents_response> try_dependents(std::string const& content_id,
                                                     version_number v) {
        return call<wire::dependents_response>(http::verb::get,
                                               version_path(content_id, v) + "/dependents");
    }
    wire::dependents_response dependents(std::string const& content_id, version_number v) {
        return try_dependents(content_id, v).value();
    }

    result<wire::version_response> try_set_visibility(std::string const& content_id,
                                                      version_number v, aigallery::visibility vis,
                                                      std::vector<std::string> group_users = {}) {
        if (auto e = check_sharing(
                vis, vis == visibility::group ? std::optional(group_users) : std::nullopt, true))
            return *e;
        wire::set_visibility_request body{std::string(to_string(vis)), std::nullopt};
        if (vis == visibility::group)
            body.group_users = std::move(group_users);
        return call<wire::version_response>(
            http::verb::put, version_path(content_id, v) + "/visibility", wire::serialize(body));
    }
    wire::version_response set_visibility(std::string const& content_id, version_number v,
                                          aigallery::visibility vis,
                                          std::vector<std::string> group_users = {}) {
        return try_set_visibility(content_id, v, vis, std::move(group_users)).value();
    }

    result<wire::whitelist_response> try_patch_whitelist(std::string const& content_id,
                                                         version_number v,
                                                         std::vector<std::string> add,
                                                         std::vector<std::string> remove) {
        if (auto e = check_users("add", add))
            return *e;
        if (auto e = check_users("remove", remove))
            return *e;
        wire::whitelist_patch_request body;
        if (!add.empty())
            body.add = std::move(add);
        if (!remove.empty())
            body.remove = std::move(remove);
        return call<wire::whitelist_response>(
            http::verb::patch, version_path(content_id, v) + "/whitelist", wire::serialize(body));
    }
    wire::whitelist_response patch_whitelist(std::string const& content_id, version_number v,
                                             std::vector<std::string> add,
                                             std::vector<std::string> remove) {
        return try_patch_whitelist(content_id, v, std::move(add), std::move(remove)).value();
    }

    result<void> try_delete_version(std::string const& content_id, version_number v) {
        auto r = exchange(make(http::verb::delete_, version_path(content_id, v)), true);
        if (!r)
            return r.error();
        return {};
    }
    void delete_version(std::string const& content_id, version_number v) {
        try_delete_version(content_id, v).value();
    }

    result<void> try_delete_content(std::string const& content_id) {
        auto r = exchange(make(http::verb::delete_, content_path(content_id)), true);
        if (!r)
            return r.error();
        return {};
    }
    void delete_content(std::string const& content_id) { try_delete_content(content_id).value(); }

    /// POST /v1/aihub/contents, with an Idempotency-Key (a fresh one unless given).
    result<wire::publish_response> try_create_content(wire::create_content_request const& body,
                                                      std::string key = {}) {
        auto req = make(http::verb::post, "/v1/aihub/contents", wire::serialize(body));
        req.set("Idempotency-Key", key.empty() ? options_.idempotency_key() : key);
        return decode_exchange<wire::publish_response>(std::move(req));
    }

    /// POST .../versions, with If-Match when given and an Idempotency-Key.
    result<wire::publish_response> try_create_version(
        std::string const& content_id, wire::create_version_request const& body,
        std::optional<version_number> if_match = std::nullopt, std::string key = {}) {
        auto req =
            make(http::verb::post, content_path(content_id) + "/versions", wire::serialize(body));
        req.set("Idempotency-Key", key.empty() ? options_.idempotency_key() : key);
        if (if_match)
            req.set(http::field::if_match, "\"" + if_match->to_string() + "\"");
        return decode_exchange<wire::publish_response>(std::move(req));
    }

    wire::publish_response create_content(wire::create_content_request const& body,
                                          std::string key = {}) {
        return try_create_content(body, std::move(key)).value();
    }
    wire::publish_response create_version(std::string const& content_id,
                                          wire::create_version_request const& body,
                                          std::optional<version_number> if_match = std::nullopt,
                                          std::string key = {}) {
        return try_create_version(content_id, body, if_match, std::move(key)).value();
    }

    // ---- release_to_gallery ----------------------------------------------------

    /// Computes the release without writing anything (a dry run).
    result<release_plan> try_plan_release(workflow const& wf, release_options const& opts = {}) {
        return capture([&] { return plan(wf, opts); });
    }
    release_plan plan_release(workflow const& wf, release_options const& opts = {}) {
        return try_plan_release(wf, opts).value();
    }

    result<release_result> try_release_to_gallery(workflow const& wf,
                                                  release_options const& opts = {}) {
        auto p = try_plan_release(wf, opts);
        if (!p)
            return p.error();
        return execute(*p);
    }
    release_result release_to_gallery(workflow const& wf, release_options const& opts = {}) {
        return try_release_to_gallery(wf, opts).value();
    }

    // ---- whitelist cascades ------------------------------------------------------

    result<whitelist_change_result> try_add_whitelist_users(
        std::string const& content_id, version_number version_num,
        std::vector<std::string> const& user_groups) {
        return capture([&] { return add_users(content_id, version_num, user_groups); });
    }
    whitelist_change_result add_whitelist_users(std::string const& content_id,
                                                version_number version_num,
                                                std::vector<std::string> const& user_groups) {
        return try_add_whitelist_users(content_id, version_num, user_groups).value();
    }

    result<whitelist_change_result> try_delete_whitelist_users(
        std::string const& content_id, version_number version_num,
        std::vector<std::string> const& user_groups) {
        return capture([&] { return remove_users(content_id, version_num, user_groups); });
    }
    whitelist_change_result delete_whitelist_users(std::string const& content_id,
                                                   version_number version_num,
                                                   std::vector<std::string> const& user_groups) {
        return try_delete_whitelist_users(content_id, version_num, user_groups).value();
    }

private:
    /// Runs code that throws (the cascades are written with the throwing
    /// calls) and hands back its outcome as a result.
    template <class F>
    static auto capture(F&& f) -> result<decltype(f())> {
        try {
            return f();
        } catch (gallery_error const& e) {
            return error(e);
        } catch (boost::system::system_error const& e) {
            return error(e.code(), e.what());
        }
    }

    // ---- requests, retries, answers ---------------------------------------------

    static std::string content_path(std::string const& id) {
        return "/v1/aihub/contents/" + boost::urls::encode(id, boost::urls::unreserved_chars);
    }
    static std::string version_path(std::string const& id, version_number v) {
        return content_path(id) + "/versions/" + v.to_string();
    }

    http_request make(http::verb method, std::string target,
                      std::optional<std::string> body = std::nullopt) const {
        http_request req{method, target, 11};
        req.set("X-Auth-Token", token_);
        req.set(http::field::accept, "application/json");
        if (body) {
            req.set(http::field::content_type, "application/json");
            req.body() = std::move(*body);
        }
        req.prepare_payload();
        return req;
    }

    /// Sends with retries. A POST is retried only with an Idempotency-Key;
    /// PUT, PATCH, DELETE and GET are idempotent by nature here.
    result<http_response> exchange(http_request const& req, bool idempotent) {
        idempotent = idempotent || req.find("Idempotency-Key") != req.end();
        auto start = std::chrono::steady_clock::now();
        for (int attempt = 1;; ++attempt) {
            auto r = transport_.send(req);
            std::optional<std::chrono::seconds> retry_after;
            bool transient = !r.has_value();
            if (r) {
                int status = static_cast<int>(r->result_int());
                if (status < 400)
                    return std::move(*r);
                transient = is_transient_status(status);
                if (auto it = r->find(http::field::retry_after); it != r->end())
                    retry_after = parse_retry_after(it->value());
            }
            auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
            std::chrono::milliseconds wait{0};
            bool again = transient && idempotent;
            if (again) {
                wait = options_.backoff.delay(attempt, retry_after);
                again = options_.retry.allows_another(attempt, elapsed, wait);
            }
            if (!again) {
                if (!r)
                    return error(r.error());
                return error(to_gallery_error(*r));
            }
            options_.sleeper(wait);
        }
    }

    static gallery_error to_gallery_error(http_response const& r) {
        std::string rid;
        if (auto it = r.find("X-Request-Id"); it != r.end())
            rid = std::string(it->value());
        try {
            auto body = wire::parse<wire::error_body>(r.body());
            return gallery_error(static_cast<int>(r.result_int()), body.error_code, body.error_msg,
                                 rid);
        } catch (gallery_error const&) {
            return gallery_error(static_cast<int>(r.result_int()),
                                 "HTTP." + std::to_string(r.result_int()),
                                 "unexpected error answer: " + r.body().substr(0, 200), rid);
        }
    }

    template <class T>
    static result<T> decode(http_response const& r) {
        try {
            return boost::json::value_to<T>(detail::parse_strict(r.body()));
        } catch (gallery_error const& e) {
            std::string rid;
            if (auto it = r.find("X-Request-Id"); it != r.end())
                rid = std::string(it->value());
            return error(gallery_error(
                static_cast<int>(r.result_int()), "HTTP.BadAnswer",
                "the gallery's answer does not match the contract: " + e.error_msg(), rid));
        }
    }

    template <class T>
    result<T> decode_exchange(http_request req) {
        auto r = exchange(req, false);
        if (!r)
            return r.error();
        return decode<T>(*r);
    }

    template <class T>
    result<T> call(http::verb method, std::string target,
                   std::optional<std::string> body = std::nullopt) {
        auto r =
            exchange(make(method, std::move(target), std::move(body)), method != http::verb::post);
        if (!r)
            return r.error();
        return decode<T>(*r);
    }

    // ---- checks the library makes before any request ------------------------------------

    static std::optional<error> check_users(std::string_view field,
                                            std::vector<std::string> const& users) {
        for (std::size_t i = 0; i < users.size(); ++i)
            if (!is_valid_domain_id(users[i]))
                return error(
                    gallery_error(errc::bad_domain_id,
                                  "field '" + std::string(field) + "[" + std::to_string(i) +
                                      "]' = '" + users[i].substr(0, 80) +
                                      "': a domain_id is 32 lowercase hexadecimal characters"));
        // counted after folding duplicates, as the server counts
        if (users.size() > limits::whitelist_max &&
            std::set<std::string>(users.begin(), users.end()).size() > limits::whitelist_max)
            return error(gallery_error(errc::limit_exceeded,
                                       "field '" + std::string(field) + "': at most 10000 users"));
        return std::nullopt;
    }

    /// The seed makes group_users mandatory with group, and meaningless without.
    static std::optional<error> check_sharing(std::optional<aigallery::visibility> vis,
                                              std::optional<std::vector<std::string>> const& users,
                                              bool explicit_vis) {
        if (explicit_vis && vis == visibility::group && (!users || users->empty()))
            return error(
                gallery_error(errc::bad_group_users,
                              "field 'group_users': required (non-empty) with visibility group"));
        if (users && vis && *vis != visibility::group)
            return error(gallery_error(errc::bad_group_users,
                                       "field 'group_users': only with visibility group, not " +
                                           std::string(to_string(*vis))));
        if (users)
            return check_users("group_users", *users);
        return std::nullopt;
    }

    static void throw_if(std::optional<error> const& e) {
        if (e)
            e->raise();
    }

    // ---- planning ------------------------------------------------------------------

    /// A title (1-128 characters, no control characters) or a desc (at most
    /// 2,000), refused with the code the server would give.
    static void check_text(std::string const& field, std::string const& text, bool is_title) {
        std::string shown = "field '" + field + "' = '" + text.substr(0, 80) + "': ";
        if (is_title && has_c0_control(text))
            throw gallery_error(errc::bad_request, shown + "must not contain control characters");
        auto n = code_points(text);
        if (is_title && (n == 0 || n > limits::title_max))
            throw gallery_error(errc::limit_exceeded, shown + "must be 1 to 128 characters");
        if (!is_title && n > limits::desc_max)
            throw gallery_error(errc::limit_exceeded, shown + "at most 2000 characters");
    }

    static void check_source(std::string const& field, boost::json::object const& source) {
        if (boost::json::serialize(source).size() > limits::source_max)
            throw gallery_error(errc::limit_exceeded,
                                "field '" + field + "': its JSON exceeds 262144 bytes");
    }

    static boost::json::object workflow_source(workflow const& wf) {
        boost::json::array steps;
        for (auto const& s : wf.steps) {
            boost::json::object alg;
            if (auto l = std::get_if<local_algorithm>(&s.algorithm)) {
                alg["local_id"] = l->id;
                alg["name"] = l->name;
            } else {
                auto const& g = std::get<gallery_algorithm>(s.algorithm);
                alg["content_id"] = g.content_id;
                alg["version_num"] = g.version_num.to_string();
            }
            steps.push_back(boost::json::object{{"name", s.name}, {"algorithm", alg}});
        }
        return {{"name", wf.name}, {"desc", wf.desc}, {"steps", steps}};
    }

    static boost::json::object local_source(local_algorithm const& l) {
        boost::json::object src = l.definition;
        src["algorithm_id"] = l.id;
        src["name"] = l.name;
        return src;
    }

    std::optional<wire::content_list_item> find_mine(list_options o) {
        o.limit = 1;
        auto l = try_list_contents(o).value();
        if (l.items.empty())
            return std::nullopt;
        return l.items.front();
    }

    /// The highest existing version of an asset the caller owns, and its ETag.
    std::pair<content_info, wire::version_response> owned_head(std::string const& content_id) {
        auto c = get_content(content_id);
        auto head = get_version(content_id, c.content.latest_version);
        return {std::move(c), std::move(head)};
    }

    release_plan plan(workflow const& wf, release_options const& o) {
        // Everything decidable from the arguments alone, before any request.
        if (o.version && o.bump)
            throw gallery_error(errc::bad_version, "give version or bump, not both");
        std::optional<std::vector<std::string>> given_users;
        if (!o.group_users.empty())
            given_users = o.group_users;
        throw_if(check_sharing(o.visibility, given_users, o.visibility.has_value()));
        // A new asset without a visibility is private, and group_users go with group only.
        if (o.content_id.empty() && !o.visibility && given_users)
            throw gallery_error(
                errc::bad_group_users,
                "field 'group_users': only with visibility group; a new asset is private unless "
                "visibility says otherwise");
        if (o.title)
            check_text("title", *o.title, true);
        check_text("desc", o.desc.value_or(wf.desc), false);
        if (!o.content_id.empty() && !is_valid_id(o.content_id))
            throw gallery_error(errc::bad_request, "field 'content_id' = '" +
                                                       o.content_id.substr(0, 80) +
                                                       "': 1 to 64 of [A-Za-z0-9-]");
        std::string title = o.title.value_or(wf.name);
        if (o.content_id.empty())
            check_text("workflow name (the default title)", title, true);
        std::map<std::string, version_number> owned_versions_used;
        for (std::size_t i = 0; i < wf.steps.size(); ++i) {
            if (auto l = std::get_if<local_algorithm>(&wf.steps[i].algorithm)) {
                if (l->id.empty())
                    throw gallery_error(errc::bad_request,
                                        "steps[" + std::to_string(i) +
                                            "].algorithm.id: a local algorithm needs its id");
                std::string at = "steps[" + std::to_string(i) + "].algorithm";
                check_text(at + ".name", l->name, true);
                check_text(at + ".desc", l->desc, false);
                check_source(at + ".definition", local_source(*l));
            } else if (!is_valid_id(
                           std::get<gallery_algorithm>(wf.steps[i].algorithm).content_id)) {
                throw gallery_error(errc::bad_request, "steps[" + std::to_string(i) +
                                                           "].algorithm.content_id is malformed");
            }
        }

        release_plan p;
        p.caller = me().domain_id;
        auto& w = p.workflow;
        w.workflow = true;
        w.desc = o.desc.value_or(wf.desc);
        w.source = workflow_source(wf);
        check_source("workflow (as source)", w.source);
        if (o.content_id.empty()) {
            w.new_asset = true;
            w.title = title;
            w.version_num = o.version.value_or(version_number(1, 0, 0));
            w.visibility = o.visibility.value_or(visibility::private_);
            if (w.visibility == visibility::group)
                w.group_users = fold(o.group_users, p.caller);
            if (find_mine({.scope = "mine", .content_type = "workflow", .title = title}))
                throw gallery_error(errc::title_taken,
                                    "you already have a workflow titled '" + title + "'");
        } else {
            auto [info, head] = owned_head(o.content_id);
            if (info.content.owner != p.caller)
                throw gallery_error(errc::forbidden,
                                    "asset '" + o.content_id + "' belongs to another account");
            if (info.content.content_type != "workflow")
                throw gallery_error(errc::bad_request,
                                    "field 'content_id' = '" + o.content_id + "': not a workflow");
            version_number base = etag_of(info);
            w.content_id = o.content_id;
            if (o.title && *o.title != info.content.title) {
                w.title = *o.title;
                if (find_mine({.scope = "mine", .content_type = "workflow", .title = *o.title}))
                    throw gallery_error(errc::title_taken,
                                        "you already have a workflow titled '" + *o.title + "'");
            }
            w.if_match = base;
            if (o.version) {
                if (*o.version <= base)
                    throw gallery_error(errc::version_conflict,
                                        "version " + o.version->to_string() +
                                            " is not above the highest version ever published, " +
                                            base.to_string());
                w.version_num = *o.version;
            } else {
                w.version_num = base.bump(o.bump.value_or(bump_kind::patch));
            }
            w.visibility = o.visibility.value_or(visibility_of(head.visibility));
            if (given_users && w.visibility != visibility::group)
                throw gallery_error(
                    errc::bad_group_users,
                    "field 'group_users': only with visibility group; the highest version is " +
                        head.visibility);
            if (w.visibility == visibility::group)
                w.group_users = given_users ? fold(o.group_users, p.caller)
                                            : head.group_users.value_or(wire::string_list{});
        }

        // The algorithms, each once.
        std::map<std::string, std::size_t>
            published_by_key;  // "local:<id>" or "gallery:<content_id>"
        std::set<std::pair<std::string, version_number>> used_as_is;
        std::set<std::string> new_titles;  // two new algorithm assets may not share one
        for (auto const& step : wf.steps) {
            if (auto l = std::get_if<local_algorithm>(&step.algorithm)) {
                std::string key = "local:" + l->id;
                if (published_by_key.count(key))
                    continue;
                planned_version a;
                a.local_id = l->id;
                a.desc = l->desc;
                a.source = local_source(*l);
                share_like_workflow(a, w);
                if (auto found = find_mine({.scope = "mine", .source_algorithm_id = l->id})) {
                    auto [info, head] = owned_head(found->content_id);
                    a.content_id = found->content_id;
                    a.if_match = etag_of(info);
                    a.version_num = a.if_match->bump(bump_kind::patch);
                } else {
                    a.new_asset = true;
                    a.title = l->name;
                    a.version_num = version_number(1, 0, 0);
                    if (!new_titles.insert(l->name).second ||
                        find_mine({.scope = "mine", .content_type = "algorithm", .title = l->name}))
                        throw gallery_error(errc::title_taken, "another algorithm is titled '" +
                                                                   l->name + "' (local algorithm " +
                                                                   l->id + ")");
                }
                published_by_key[key] = p.algorithms.size();
                p.dependencies.push_back({p.algorithms.size(), a.content_id, a.version_num});
                p.algorithms.push_back(std::move(a));
                continue;
            }
            auto const& g = std::get<gallery_algorithm>(step.algorithm);
            std::string key = "gallery:" + g.content_id;
            auto info = get_content(g.content_id);
            if (info.content.content_type != "algorithm")
                throw gallery_error(errc::bad_request,
                                    "'" + g.content_id + "' is not an algorithm");
            auto used = get_version(g.content_id, g.version_num);
            bool owned = info.content.owner == p.caller;
            if (owned) {
                if (auto [it, fresh] = owned_versions_used.emplace(g.content_id, g.version_num);
                    !fresh && it->second != g.version_num)
                    throw gallery_error(errc::bad_request,
                                        "the workflow uses two versions of your algorithm " +
                                            g.content_id + ": " + it->second.to_string() + " and " +
                                            g.version_num.to_string());
            }
            if (owned && !w.new_asset) {
                if (published_by_key.count(key))
                    continue;
                planned_version a;
                a.content_id = g.content_id;
                a.desc = used.desc;
                a.source = used.source;
                a.if_match = etag_of(info);
                a.version_num = a.if_match->bump(bump_kind::patch);
                share_like_workflow(a, w);
                published_by_key[key] = p.algorithms.size();
                p.dependencies.push_back({p.algorithms.size(), a.content_id, a.version_num});
                p.algorithms.push_back(std::move(a));
                continue;
            }
            if (!used_as_is.insert({g.content_id, g.version_num}).second)
                continue;
            auto vis = visibility_of(used.visibility);
            if (w.visibility == visibility::public_ && vis != visibility::public_)
                throw gallery_error(errc::dependency_visibility,
                                    "a public workflow cannot use " + g.content_id + " " +
                                        g.version_num.to_string() + ", which is " +
                                        used.visibility + (owned ? ": make it public first" : ""));
            if (owned && w.visibility == visibility::group) {
                if (vis == visibility::private_)
                    throw gallery_error(errc::dependency_visibility,
                                        "share " + g.content_id + " " + g.version_num.to_string() +
                                            " (private) with group or public visibility first");
                if (vis == visibility::group) {
                    auto const& have = used.group_users.value_or(wire::string_list{});
                    planned_widening wide{g.content_id, g.version_num, {}};
                    std::set_difference(w.group_users.begin(), w.group_users.end(), have.begin(),
                                        have.end(), std::back_inserter(wide.added));
                    if (!wide.added.empty())
                        p.widened.push_back(std::move(wide));
                }
            }
            p.dependencies.push_back({std::nullopt, g.content_id, g.version_num});
        }
        if (p.dependencies.size() > limits::dependencies_max)
            throw gallery_error(errc::limit_exceeded,
                                "the workflow runs " + std::to_string(p.dependencies.size()) +
                                    " distinct algorithm versions, at most 100");
        return p;
    }

    [[noreturn]] static void bad_answer(std::string const& what) {
        throw gallery_error(502, "HTTP.BadAnswer",
                            "the gallery's answer does not match the contract: " + what);
    }
    static version_number etag_of(content_info const& info) {
        if (!info.highest_ever)
            bad_answer("no ETag on " + info.content.content_id + " for its owner");
        return *info.highest_ever;
    }
    static aigallery::visibility visibility_of(std::string const& text) {
        auto v = parse_visibility(text);
        if (!v)
            bad_answer("visibility '" + text.substr(0, 40) + "'");
        return *v;
    }

    static std::vector<std::string> fold(std::vector<std::string> users, std::string const& owner) {
        users.erase(std::remove(users.begin(), users.end(), owner), users.end());
        std::sort(users.begin(), users.end());
        users.erase(std::unique(users.begin(), users.end()), users.end());
        return users;
    }

    static void share_like_workflow(planned_version& a, planned_version const& w) {
        a.visibility = w.visibility;
        a.group_users = w.group_users;
    }

    // ---- executing, and undoing ---------------------------------------------------

    struct undo_log {
        std::vector<std::pair<std::string, version_number>> created;  // in order
        std::vector<planned_widening> widened;
        std::string unknown;  // a write whose outcome stayed unknown
    };

    /// Writes one planned version; when the outcome stays unknown after the
    /// retries, asks once more with the same key to learn it.
    result<wire::publish_response> write(planned_version const& v,
                                         std::vector<wire::dependency_ref> const& deps) {
        std::string key = options_.idempotency_key();
        auto attempt = [&]() -> result<wire::publish_response> {
            std::optional<std::string> vis{std::string(to_string(v.visibility))};
            std::optional<wire::string_list> users;
            if (v.visibility == visibility::group)
                users = v.group_users;
            std::optional<std::vector<wire::dependency_ref>> d;
            if (v.workflow)
                d = deps;
            std::optional<std::string> desc;
            if (!v.desc.empty())
                desc = v.desc;
            if (v.new_asset) {
                wire::create_content_request body{v.workflow ? "workflow" : "algorithm",
                                                  v.title,
                                                  v.version_num.to_string(),
                                                  desc,
                                                  vis,
                                                  users,
                                                  d,
                                                  v.source};
                return try_create_content(body, key);
            }
            wire::create_version_request body{
                v.version_num.to_string(),
                std::nullopt,
                desc,
                v.title.empty() ? std::nullopt : std::optional(v.title),
                vis,
                users,
                d,
                v.source};
            return try_create_version(v.content_id, body, v.if_match, key);
        };
        auto r = attempt();
        if (!r && !r.error().is_gallery_error()) {
            auto again = attempt();
            if (again || again.error().is_gallery_error())
                return again;
        }
        return r;
    }

    result<release_result> execute(release_plan p) {
        undo_log log;
        release_result out;
        auto fail = [&](error const& e) -> result<release_result> { return undo(log, e); };
        for (auto& a : p.algorithms) {
            auto r = write(a, {});
            if (!r)
                return fail(r.error());
            a.content_id = r->content_id;
            // the number sent is the number published (the server refuses any other)
            log.created.emplace_back(r->content_id, a.version_num);
            out.algorithms.push_back({r->content_id, r->version_id, a.version_num});
        }
        for (auto const& wdn : p.widened) {
            auto r = try_patch_whitelist(wdn.content_id, wdn.version_num, wdn.added, {});
            if (!r)
                return fail(r.error());
            log.widened.push_back(wdn);
        }
        std::vector<wire::dependency_ref> deps;
        for (auto const& d : p.dependencies)
            deps.push_back({d.published ? p.algorithms[*d.published].content_id : d.content_id,
                            d.version_num.to_string()});
        auto r = write(p.workflow, deps);
        if (!r) {
            if (!r.error().is_gallery_error())  // no answer, even to the repeat
                log.unknown = "workflow " +
                              (p.workflow.content_id.empty() ? "'" + p.workflow.title + "'"
                                                             : p.workflow.content_id) +
                              " " + p.workflow.version_num.to_string() +
                              " (no answer: it may exist)";
            return fail(r.error());
        }
        out.content_id = r->content_id;
        out.version_id = r->version_id;
        out.version_num = p.workflow.version_num;
        return out;
    }

    /// Takes back what a failed release did, newest first, and reports the
    /// original error with what was undone (or left behind).
    error undo(undo_log const& log, error const& original) {
        std::vector<std::string> undone, left;
        if (!log.unknown.empty())
            left.push_back(log.unknown);
        for (auto it = log.widened.rbegin(); it != log.widened.rend(); ++it) {
            auto r = try_patch_whitelist(it->content_id, it->version_num, {}, it->added);
            (r ? undone : left)
                .push_back("whitelist of " + it->content_id + " " + it->version_num.to_string());
        }
        for (auto it = log.created.rbegin(); it != log.created.rend(); ++it) {
            auto r = try_delete_version(it->first, it->second);
            bool gone =
                r || r.error().is(errc::no_such_asset) || r.error().is(errc::no_such_version);
            (gone ? undone : left).push_back(it->first + " " + it->second.to_string());
        }
        std::string note;
        if (!undone.empty()) {
            note += " [release undone:";
            for (auto const& u : undone)
                note += " " + u + ";";
            note += "]";
        }
        if (!left.empty()) {
            note += " [UNDO FAILED, left behind:";
            for (auto const& u : left)
                note += " " + u + ";";
            note += "]";
        }
        if (auto g = original.gallery())
            return gallery_error(g->status(), g->error_code(), g->error_msg() + note,
                                 g->request_id());
        return error(original.transport(), note);
    }

    // ---- whitelist cascades ------------------------------------------------------

    struct owned_dependency {
        std::string content_id;
        version_number version_num;
        std::vector<std::string> group_users;
    };

    /// What a whitelist change reads before its first write.
    struct whitelist_target {
        std::string me;
        wire::version_response version;
        std::vector<owned_dependency> dependencies;  // group algorithm versions the caller owns
    };

    whitelist_target read_whitelist_target(std::string const& content_id, version_number v,
                                           std::vector<std::string> const& users) {
        if (users.empty())
            throw gallery_error(errc::bad_request,
                                "field 'user_groups': give at least one domain_id");
        throw_if(check_users("user_groups", users));
        whitelist_target t{me().domain_id, get_version(content_id, v), {}};
        if (!t.version.group_users)  // only the owner is shown a whitelist
            throw gallery_error(errc::forbidden,
                                "asset '" + content_id + "' belongs to another account");
        if (t.version.visibility != "group")
            throw gallery_error(errc::not_group, "version " + v.to_string() + " of " + content_id +
                                                     " is " + t.version.visibility + ", not group");
        for (auto const& d : t.version.dependencies) {
            auto dep = get_version(d.content_id, version_number(d.version_num));
            if (!dep.group_users || dep.visibility == "public")
                continue;  // another owner's (used as it is), or open to all
            if (dep.visibility == "private")
                throw gallery_error(
                    errc::dependency_visibility,
                    "dependency " + d.content_id + " " + d.version_num +
                        " is private: share it with group or public visibility first");
            t.dependencies.push_back(
                {d.content_id, version_number(d.version_num), *dep.group_users});
        }
        return t;
    }

    /// Patches already made by a whitelist change, to take back on failure.
    struct patch_log {
        struct entry {
            std::string content_id;
            version_number version_num;
            std::vector<std::string> add, remove;  // what was done
        };
        std::vector<entry> done;
    };

    /// Reverses the log, newest first, and raises the original error with
    /// what could not be reverted.
    [[noreturn]] void revert(patch_log const& log, error const& original) {
        std::string left;
        for (auto it = log.done.rbegin(); it != log.done.rend(); ++it)
            if (!try_patch_whitelist(it->content_id, it->version_num, it->remove, it->add))
                left += " " + it->content_id + " " + it->version_num.to_string() + ";";
        if (left.empty())
            original.raise();
        if (auto g = original.gallery())
            throw gallery_error(g->status(), g->error_code(),
                                g->error_msg() + " [REVERT FAILED, changed:" + left + "]",
                                g->request_id());
        error(original.transport(), "[REVERT FAILED, changed:" + left + "]").raise();
    }

    whitelist_change_result add_users(std::string const& content_id, version_number v,
                                      std::vector<std::string> const& users) {
        auto t = read_whitelist_target(content_id, v, users);
        auto adding = fold(users, t.me);
        whitelist_change_result out{content_id, v, {}, {}, {}};
        patch_log log;
        // algorithms first, so the workflow never shows users who cannot see them
        for (auto const& d : t.dependencies) {
            std::vector<std::string> added;
            for (auto const& u : adding)
                if (!std::binary_search(d.group_users.begin(), d.group_users.end(), u))
                    added.push_back(u);
            if (added.empty())
                continue;
            auto r = try_patch_whitelist(d.content_id, d.version_num, added, {});
            if (!r)
                revert(log, r.error());
            log.done.push_back({d.content_id, d.version_num, added, {}});
            out.changed.push_back(*r);
        }
        auto r = try_patch_whitelist(content_id, v, users, {});
        if (!r)
            revert(log, r.error());
        out.changed.push_back(*r);
        out.group_users = r->group_users;
        return out;
    }

    whitelist_change_result remove_users(std::string const& content_id, version_number v,
                                         std::vector<std::string> const& users) {
        auto t = read_whitelist_target(content_id, v, users);
        auto removing = fold(users, t.me);
        whitelist_change_result out{content_id, v, {}, {}, {}};

        // Every read before the first write: which users each algorithm
        // version must keep because another of the owner's workflow versions
        // still grants them.
        std::vector<std::pair<owned_dependency const*, std::vector<std::string>>> plan;
        for (auto const& d : t.dependencies) {
            std::vector<std::string> present;
            for (auto const& u : removing)
                if (std::binary_search(d.group_users.begin(), d.group_users.end(), u))
                    present.push_back(u);
            std::set<std::string> needed;
            for (auto const& w : dependents(d.content_id, d.version_num).items) {
                if (w.content_id == content_id && version_number(w.version_num) == v)
                    continue;
                auto wv = get_version(w.content_id, version_number(w.version_num));
                if (wv.visibility != "group" || !wv.group_users)
                    continue;
                for (auto const& u : present)
                    if (std::binary_search(wv.group_users->begin(), wv.group_users->end(), u) &&
                        needed.insert(u).second)
                        out.kept.push_back({d.content_id, d.version_num, u,
                                            "workflow " + w.content_id + " " + w.version_num +
                                                " still grants it"});
            }
            std::vector<std::string> take;
            for (auto const& u : present)
                if (!needed.count(u))
                    take.push_back(u);
            if (!take.empty())
                plan.emplace_back(&d, std::move(take));
        }

        // the workflow first, so it never shows users who cannot see its algorithms
        std::vector<std::string> on_workflow;
        for (auto const& u : removing)
            if (std::binary_search(t.version.group_users->begin(), t.version.group_users->end(), u))
                on_workflow.push_back(u);
        patch_log log;
        auto first = try_patch_whitelist(content_id, v, {}, users);
        if (!first)
            first.error().raise();
        log.done.push_back({content_id, v, {}, on_workflow});
        out.changed.push_back(*first);
        out.group_users = first->group_users;

        for (auto const& [d, take] : plan) {
            auto r = try_patch_whitelist(d->content_id, d->version_num, {}, take);
            if (r) {
                log.done.push_back({d->content_id, d->version_num, {}, take});
                out.changed.push_back(*r);
                continue;
            }
            if (!r.error().is(errc::dependency_visibility))
                revert(log, r.error());
            // another account's workflow needs some of them: find which, one by one
            std::optional<wire::whitelist_response> last;
            for (auto const& u : take) {
                auto one = try_patch_whitelist(d->content_id, d->version_num, {}, {u});
                if (one) {
                    log.done.push_back({d->content_id, d->version_num, {}, {u}});
                    last = *one;
                } else if (one.error().is(errc::dependency_visibility)) {
                    out.kept.push_back({d->content_id, d->version_num, u,
                                        "another account's workflow depends on this version"});
                } else {
                    revert(log, one.error());
                }
            }
            if (last)
                out.changed.push_back(*last);
        }
        return out;
    }

    Transport transport_;
    std::string token_;
    client_options options_;
};

}  // namespace aigallery
