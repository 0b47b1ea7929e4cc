// The step machines: retries, snapshot reads, plan execution, resolving
// unknown outcomes by reading, and the undo.
#pragma once

#include <aigallery/detail/checks.hpp>
#include <aigallery/detail/requests.hpp>
#include <aigallery/detail/task.hpp>
#include <aigallery/executor.hpp>
#include <aigallery/security_error.hpp>

#include <boost/url/url.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <chrono>
#include <mutex>
#include <set>

namespace aigallery {

session::session(std::string token, client_options options)
    : token_(std::move(token)), options_(std::move(options)) {
    if (!options_.idempotency_key) {
        // A version 4 UUID: 122 random bits from the operating system's
        // entropy, so keys of concurrent processes never collide in practice.
        struct generator {
            std::mutex mutex;
            boost::uuids::random_generator random;
        };
        auto g = std::make_shared<generator>();
        options_.idempotency_key = [g] {
            std::lock_guard lock(g->mutex);
            return "aigallery-" + boost::uuids::to_string(g->random());
        };
    }
}

namespace detail {

/// What one running call holds: its session and its own back-off (whose
/// random generator is not shared, so concurrent calls need no lock).
struct context {
    ops::session_ptr s;
    backoff_policy backoff;

    explicit context(ops::session_ptr p) : s(std::move(p)), backoff(s->options().backoff) {}

    outgoing_request request(method m, std::string target,
                             std::optional<std::string> body = std::nullopt) const {
        return make_request(s->token(), m, std::move(target), std::move(body));
    }
    void report(progress_event::kind k, std::string text, std::string content_id = {},
                std::optional<version_number> v = std::nullopt) const {
        s->report(progress_event{k, std::move(text), std::move(content_id), v});
    }
};

/// One request's final outcome, after its retries.
struct attempt_result {
    outgoing_request request{};
    std::optional<incoming_response> answer{};
    boost::system::error_code no_answer{};
    int attempts = 0;

    bool ok() const { return answer && answer->status < 400; }
    /// Whether it may have been carried out without our knowing: no answer,
    /// or a 5xx (a gateway may answer 503 after the gallery committed).
    bool unknown() const { return !answer || answer->status >= 500; }
    bool is_status(int s) const { return answer && answer->status == s; }
    error failure() const {
        if (answer)
            return error(to_gallery_error(*answer));
        return error(no_answer, "(" + describe(request) + ", " + std::to_string(attempts) +
                                    (attempts == 1 ? " attempt)" : " attempts)"));
    }
    /// A few words for a note: what the answer was.
    std::string reason() const {
        if (answer)
            return to_gallery_error(*answer).error_code() + " (HTTP " +
                   std::to_string(answer->status) + ")";
        return "no answer: " + no_answer.message();
    }
};

/// GET, PUT, PATCH and DELETE are idempotent here; a POST only with a key.
inline bool may_repeat(outgoing_request const& r) {
    return r.verb != method::post || !r.header("Idempotency-Key").empty();
}

/// Sends with retries: one budget (`retry_policy`) for all attempts; every
/// repeat of a keyed POST replays the same key, so it never runs twice.
inline task<attempt_result> exchange(context& c, outgoing_request req) {
    auto const start = std::chrono::steady_clock::now();
    bool const repeatable = may_repeat(req);
    attempt_result out;
    out.request = req;
    for (int attempt = 1;; ++attempt) {
        c.report(progress_event::kind::request, describe(req));
        auto r = co_await send(req);
        out.attempts = attempt;
        std::optional<std::chrono::seconds> retry_after;
        if (r) {
            out.answer = std::move(*r);
            out.no_answer = {};
            if (out.answer->status < 400)
                co_return out;
            if (!is_transient_status(out.answer->status))
                co_return out;
            if (!out.answer->retry_after.empty())
                retry_after = parse_retry_after(out.answer->retry_after);
        } else {
            out.answer.reset();
            out.no_answer = r.error();
            if (is_permanent_security_error(out.no_answer))
                co_return out;  // the same certificate or password again cannot help
        }
        if (!repeatable)
            co_return out;
        auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        auto pause = c.backoff.delay(attempt, retry_after);
        if (!c.s->options().retry.allows_another(attempt, elapsed, pause))
            co_return out;
        c.report(progress_event::kind::retry, describe(req) + ": " + out.reason() +
                                                  "; trying again in " +
                                                  std::to_string(pause.count()) + " ms");
        co_await wait(pause);
    }
}

template <class T>
std::optional<T> try_decode(incoming_response const& r) {
    try {
        return wire::parse_response<T>(r.body);
    } catch (gallery_error const&) {
        return std::nullopt;
    }
}

/// The answer as T, or the failure thrown.
template <class T>
task<T> call(context& c, outgoing_request req) {
    auto a = co_await exchange(c, std::move(req));
    if (!a.ok())
        a.failure().raise();
    co_return decode<T>(*a.answer);
}

inline task<void> call_void(context& c, outgoing_request req) {
    auto a = co_await exchange(c, std::move(req));
    if (!a.ok())
        a.failure().raise();
}

inline task<content_info> read_content(context& c, std::string id) {
    auto a = co_await exchange(c, c.request(method::get, content_path(id)));
    if (!a.ok())
        a.failure().raise();
    content_info info{decode<wire::content_response>(*a.answer), std::nullopt};
    if (!a.answer->etag.empty())
        info.highest_ever = version_number::parse_entity_tag(a.answer->etag);
    co_return info;
}

inline std::string list_target(list_options const& o) {
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
    return std::string(u.buffer());
}

inline std::string join(std::vector<std::string> const& parts, std::string const& sep) {
    std::string s;
    for (auto const& p : parts)
        s += (s.empty() ? "" : sep) + p;
    return s;
}

inline std::string show_users(std::vector<std::string> const& users) {
    return "[" + join(users, ", ") + "]";
}

// ---- the release snapshot -------------------------------------------------------------

inline task<bool> title_taken(context& c, std::string type, std::string title) {
    list_options o{.scope = "mine", .content_type = type, .title = title, .limit = 1};
    auto l = co_await call<wire::content_list_response>(c, c.request(method::get, list_target(o)));
    bool taken = false;
    for (auto const& i : l.items)
        taken = taken || i.title == title;
    co_return taken;
}

/// Every read the release plan needs, before its first write.
inline task<release_snapshot> read_release_snapshot(context& c, workflow const& wf,
                                                    release_options const& o) {
    check_release_request(wf, o);  // bad input makes no request at all
    release_snapshot s;
    auto me = co_await call<wire::me_response>(c, c.request(method::get, "/v1/aihub/me"));
    s.caller = me.domain_id;
    if (o.content_id.empty()) {
        auto title = release_title(wf, o);
        if (co_await title_taken(c, "workflow", title))
            s.taken_workflow_titles.insert(title);
    } else {
        auto target = co_await read_content(c, o.content_id);
        auto head_num =
            version_number::parse_or_throw(target.content.latest_version, "latest_version");
        auto head = co_await call<wire::version_response>(
            c, c.request(method::get, version_path(o.content_id, head_num)));
        bool renamed = o.title && *o.title != target.content.title;
        s.target = std::move(target);
        s.target_head = std::move(head);
        if (renamed && co_await title_taken(c, "workflow", *o.title))
            s.taken_workflow_titles.insert(*o.title);
    }
    std::set<std::string> locals_seen;
    for (auto const& step : wf.steps) {
        if (auto l = std::get_if<local_algorithm>(&step.algorithm)) {
            if (!locals_seen.insert(l->id).second)
                continue;
            list_options lo{.scope = "mine", .source_algorithm_id = l->id, .limit = 1};
            auto found = co_await call<wire::content_list_response>(
                c, c.request(method::get, list_target(lo)));
            if (!found.items.empty()) {
                auto info = co_await read_content(c, found.items.front().content_id);
                s.published_locals.emplace(l->id, std::move(info));
            } else if (co_await title_taken(c, "algorithm", l->name)) {
                s.taken_algorithm_titles.insert(l->name);
            }
            continue;
        }
        auto const& g = std::get<gallery_algorithm>(step.algorithm);
        if (!s.assets.count(g.content_id)) {
            auto info = co_await read_content(c, g.content_id);
            s.assets.emplace(g.content_id, std::move(info));
        }
        auto key = std::make_pair(g.content_id, g.version_num);
        if (!s.versions.count(key)) {
            auto v = co_await call<wire::version_response>(
                c, c.request(method::get, version_path(g.content_id, g.version_num)));
            s.versions.emplace(key, std::move(v));
        }
    }
    co_return s;
}

// ---- resolving unknown outcomes by reading ----------------------------------------------

enum class known { yes, no, unknown };

inline std::string_view to_text(known k) {
    return k == known::yes ? "it exists" : k == known::no ? "it does not exist" : "still unknown";
}

struct probe_result {
    known state = known::unknown;
    published_version found{};
    std::optional<wire::version_response> version{};
};

/// Whether version v of content_id exists (for the caller).
inline task<probe_result> probe_version(context& c, std::string content_id, version_number v) {
    auto a = co_await exchange(c, c.request(method::get, version_path(content_id, v)));
    probe_result p;
    if (a.ok()) {
        if (auto body = try_decode<wire::version_response>(*a.answer)) {
            p.state = known::yes;
            p.found = {content_id, body->version_id, v};
            p.version = std::move(body);
        }
    } else if (a.is_status(404)) {
        p.state = known::no;
    }
    co_return p;
}

/// Whether a planned version exists: by its asset's versions, or for a new
/// asset (whose content_id is unknown) by the caller's assets of its title.
inline task<probe_result> probe_publish(context& c, planned_version const& v) {
    if (!v.content_id.empty()) {
        auto p = co_await probe_version(c, v.content_id, v.version_num);
        co_return p;
    }
    list_options o{.scope = "mine",
                   .content_type = v.workflow ? "workflow" : "algorithm",
                   .title = v.title,
                   .limit = 1};
    auto a = co_await exchange(c, c.request(method::get, list_target(o)));
    probe_result none;
    if (!a.ok())
        co_return none;
    auto l = try_decode<wire::content_list_response>(*a.answer);
    if (!l)
        co_return none;
    for (auto const& item : l->items) {
        if (item.title != v.title)
            continue;
        auto p = co_await probe_version(c, item.content_id, v.version_num);
        co_return p;
    }
    none.state = known::no;
    co_return none;
}

/// Whether a whitelist patch took effect, judged by what it really changes.
inline task<probe_result> probe_patch(context& c, whitelist_patch const& patch) {
    auto p = co_await probe_version(c, patch.content_id, patch.version_num);
    if (p.state != known::yes)
        co_return p;
    auto users = p.version->group_users.value_or(wire::string_list{});
    std::sort(users.begin(), users.end());
    auto has = [&](std::string const& u) {
        return std::binary_search(users.begin(), users.end(), u);
    };
    bool applied = true, untouched = true;
    for (auto const& u : patch.undo_remove) {  // what it adds
        applied = applied && has(u);
        untouched = untouched && !has(u);
    }
    for (auto const& u : patch.undo_add) {  // what it removes
        applied = applied && !has(u);
        untouched = untouched && has(u);
    }
    p.state = applied ? known::yes : untouched ? known::no : known::unknown;
    co_return p;
}

// ---- writes -----------------------------------------------------------------------------

struct write_result {
    known state = known::no;
    published_version published{};
    std::optional<wire::whitelist_response> patched{};
    error failure{};
};

inline std::string label(planned_version const& v) {
    std::string kind = v.workflow ? "workflow" : "algorithm";
    if (v.content_id.empty())
        return "new " + kind + " '" + v.title + "' " + v.version_num.to_string();
    return kind + " " + v.content_id + " " + v.version_num.to_string();
}

inline std::string whitelist_name(whitelist_patch const& p) {
    return "whitelist of " + p.content_id + " " + p.version_num.to_string();
}

inline std::string label(whitelist_patch const& p) {
    return "the " + whitelist_name(p);
}

// Why an undo step did not take: the gallery's code, or that no answer came.
inline std::string undo_failure(error const& failure) {
    return failure.is_gallery_error() ? failure.gallery()->error_code() : std::string("no answer");
}

// The note an undone operation carries: what was taken back, then loudly
// what was not, so a caller can see every leftover in what().
inline std::string undo_note(std::string_view undone_heading,
                             std::vector<std::string> const& undone, std::string_view left_heading,
                             std::vector<std::string> const& left) {
    std::string note;
    if (!undone.empty())
        note = "[" + std::string(undone_heading) + ": " + join(undone, "; ") + "]";
    if (!left.empty())
        note += std::string(note.empty() ? "" : " ") + "[UNDO FAILED, " +
                std::string(left_heading) + ": " + join(left, "; ") + "]";
    return note;
}

inline outgoing_request publish_request(context const& c, planned_version const& v,
                                        std::vector<wire::dependency_ref> const& deps,
                                        std::string const& key) {
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
    outgoing_request r;
    if (v.new_asset) {
        wire::create_content_request body{v.workflow ? "workflow" : "algorithm",
                                          v.title,
                                          v.version_num.to_string(),
                                          desc,
                                          vis,
                                          users,
                                          d,
                                          v.source};
        r = c.request(method::post, "/v1/aihub/contents", wire::serialize(body));
    } else {
        wire::create_version_request body{v.version_num.to_string(),
                                          std::nullopt,
                                          desc,
                                          v.title.empty() ? std::nullopt : std::optional(v.title),
                                          vis,
                                          users,
                                          d,
                                          v.source};
        r = c.request(method::post, content_path(v.content_id) + "/versions",
                      wire::serialize(body));
        if (v.if_match)
            r.headers.emplace_back("If-Match", "\"" + v.if_match->to_string() + "\"");
    }
    r.headers.emplace_back("Idempotency-Key", key);
    return r;
}

/// Publishes one planned version; an unknown outcome is resolved by reading.
inline task<write_result> publish(context& c, planned_version const& v,
                                  std::vector<wire::dependency_ref> const& deps) {
    auto const name = label(v);
    c.report(progress_event::kind::write, "publish " + name, v.content_id, v.version_num);
    auto a = co_await exchange(c, publish_request(c, v, deps, c.s->new_idempotency_key()));
    write_result w;
    if (a.ok()) {
        if (auto body = try_decode<wire::publish_response>(*a.answer)) {
            w.state = known::yes;
            w.published = {body->content_id, body->version_id, v.version_num};
            c.report(progress_event::kind::written, "published " + name, body->content_id,
                     v.version_num);
            co_return w;
        }
        w.failure = gallery_error(
            a.answer->status, "HTTP.BadAnswer",
            "the gallery's answer to " + describe(a.request) + " does not match the contract",
            a.answer->request_id);
    } else {
        w.failure = a.failure();
        if (!a.unknown())
            co_return w;  // refused: known not to be done
    }
    c.report(progress_event::kind::resolving,
             name + ": " + a.reason() + "; reading whether it was published", v.content_id,
             v.version_num);
    auto p = co_await probe_publish(c, v);
    c.report(progress_event::kind::resolved, name + ": " + std::string(to_text(p.state)),
             p.found.content_id, v.version_num);
    w.state = p.state;
    w.published = p.found;
    co_return w;
}

/// Sends one whitelist patch; an unknown outcome is resolved by reading.
inline task<write_result> apply_patch(context& c, whitelist_patch const& patch) {
    auto const name = label(patch);
    c.report(progress_event::kind::write,
             name + ": add " + show_users(patch.add) + ", remove " + show_users(patch.remove),
             patch.content_id, patch.version_num);
    wire::whitelist_patch_request body;
    if (!patch.add.empty())
        body.add = patch.add;
    if (!patch.remove.empty())
        body.remove = patch.remove;
    auto a = co_await exchange(
        c,
        c.request(method::patch, version_path(patch.content_id, patch.version_num) + "/whitelist",
                  wire::serialize(body)));
    write_result w;
    if (a.ok()) {
        if (auto r = try_decode<wire::whitelist_response>(*a.answer)) {
            w.state = known::yes;
            w.patched = std::move(r);
            c.report(progress_event::kind::written, name + " changed", patch.content_id,
                     patch.version_num);
            co_return w;
        }
        w.failure = gallery_error(
            a.answer->status, "HTTP.BadAnswer",
            "the gallery's answer to " + describe(a.request) + " does not match the contract",
            a.answer->request_id);
    } else {
        w.failure = a.failure();
        if (!a.unknown())
            co_return w;
    }
    c.report(progress_event::kind::resolving, name + ": " + a.reason() + "; reading it back",
             patch.content_id, patch.version_num);
    auto p = co_await probe_patch(c, patch);
    c.report(progress_event::kind::resolved,
             name + ": " +
                 (p.state == known::yes  ? "changed"
                  : p.state == known::no ? "unchanged"
                                         : "still unknown"),
             patch.content_id, patch.version_num);
    w.state = p.state;
    if (p.state == known::yes)
        w.patched = wire::whitelist_response{patch.content_id, patch.version_num.to_string(),
                                             p.version->group_users.value_or(wire::string_list{})};
    co_return w;
}

/// The original error with `note` added: in what() and note(), never error_msg().
inline error with_note(error const& original, std::string const& note) {
    if (note.empty())
        return original;
    if (auto g = original.gallery())
        return g->with_note(note);
    return error(original.transport(),
                 original.note().empty() ? note : original.note() + " " + note);
}

// ---- the release: execute, and undo -----------------------------------------------------

struct release_undo_item {
    bool created = true;  // a published version (else a widened whitelist)
    std::string content_id;
    version_number version_num;
    std::string name;
    std::vector<std::string> users;  // a widening's added users
};

/// Takes back what a failed release did, in dependency order (what depends
/// on a version goes before it), and returns the original error with a
/// note naming what was undone and what is left behind.
inline task<error> undo_release(context& c, std::vector<release_undo_item> done,
                                std::vector<std::string> left, error original) {
    std::vector<std::string> undone;
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
        if (it->created) {
            c.report(progress_event::kind::undo, "delete " + it->name, it->content_id,
                     it->version_num);
            auto a = co_await exchange(
                c, c.request(method::delete_, version_path(it->content_id, it->version_num)));
            bool gone = a.ok() || a.is_status(404);
            if (!gone && a.unknown()) {
                auto p = co_await probe_version(c, it->content_id, it->version_num);
                gone = p.state == known::no;
            }
            if (gone) {
                undone.push_back("deleted " + it->name);
            } else {
                left.push_back(it->name + " (its DELETE: " + a.reason() + ")");
                c.report(progress_event::kind::left, "left behind: " + it->name, it->content_id,
                         it->version_num);
            }
            continue;
        }
        whitelist_patch back{it->content_id, it->version_num, false, {}, it->users, it->users, {}};
        auto const what = show_users(it->users) + " on the whitelist of " + it->content_id + " " +
                          it->version_num.to_string();
        c.report(progress_event::kind::undo, "take back " + what, it->content_id, it->version_num);
        auto w = co_await apply_patch(c, back);
        if (w.state == known::yes) {
            undone.push_back("took back " + what);
        } else {
            left.push_back(what + " (" + undo_failure(w.failure) + ")");
            c.report(progress_event::kind::left, "left behind: " + what, it->content_id,
                     it->version_num);
        }
    }
    co_return with_note(original, undo_note("release undone", undone, "left behind", left));
}

inline std::string plan_summary(release_plan const& p) {
    return "release planned: " + std::to_string(p.algorithms.size()) + " algorithm version(s), " +
           std::to_string(p.widened.size()) + " whitelist(s) widened, then " + label(p.workflow);
}

inline task<release_result> execute(context& c, release_plan p) {
    c.report(progress_event::kind::planned, plan_summary(p), p.workflow.content_id,
             p.workflow.version_num);
    std::vector<release_undo_item> done;
    std::vector<std::string> maybe;  // writes whose outcome stayed unknown
    std::optional<error> failed;
    release_result out;
    for (auto& a : p.algorithms) {
        auto w = co_await publish(c, a, {});
        if (w.state == known::yes) {
            a.content_id = w.published.content_id;
            done.push_back({true, a.content_id, a.version_num, label(a), {}});
            out.algorithms.push_back(w.published);
            continue;
        }
        if (w.state == known::unknown)
            maybe.push_back(label(a) + " (no answer, and reading could not tell: it may exist)");
        failed = w.failure;
        break;
    }
    if (!failed) {
        for (auto const& wd : p.widened) {
            whitelist_patch patch{wd.content_id, wd.version_num, false, wd.added, {}, {}, wd.added};
            auto w = co_await apply_patch(c, patch);
            if (w.state == known::yes) {
                done.push_back({false, wd.content_id, wd.version_num, label(patch), wd.added});
                continue;
            }
            if (w.state == known::unknown)
                maybe.push_back(show_users(wd.added) + " on the whitelist of " + wd.content_id +
                                " " + wd.version_num.to_string() +
                                " (no answer, and reading could not tell: they may be there)");
            failed = w.failure;
            break;
        }
    }
    if (!failed) {
        std::vector<wire::dependency_ref> deps;
        for (auto const& d : p.dependencies)
            deps.push_back({d.published ? p.algorithms[*d.published].content_id : d.content_id,
                            d.version_num.to_string()});
        auto w = co_await publish(c, p.workflow, deps);
        if (w.state == known::yes) {
            out.content_id = w.published.content_id;
            out.version_id = w.published.version_id;
            out.version_num = p.workflow.version_num;
            c.report(progress_event::kind::done,
                     "released " + out.content_id + " " + out.version_num.to_string(),
                     out.content_id, out.version_num);
            co_return out;
        }
        if (w.state == known::unknown)
            maybe.insert(maybe.begin(), label(p.workflow) +
                                            " (no answer, and reading could not tell: "
                                            "it may exist)");
        failed = w.failure;
    }
    auto e = co_await undo_release(c, std::move(done), std::move(maybe), *failed);
    c.report(progress_event::kind::done, "release failed: " + e.message());
    e.raise();
}

// ---- whitelist changes --------------------------------------------------------------------

inline task<whitelist_snapshot> read_whitelist_snapshot(context& c, std::string content_id,
                                                        version_number v,
                                                        std::vector<std::string> const& users,
                                                        bool removing) {
    check_whitelist_request(users);
    whitelist_snapshot s;
    auto me = co_await call<wire::me_response>(c, c.request(method::get, "/v1/aihub/me"));
    s.caller = me.domain_id;
    s.version = co_await call<wire::version_response>(
        c, c.request(method::get, version_path(content_id, v)));
    check_whitelist_target(s);
    for (auto const& d : s.version.dependencies) {
        auto dv = co_await call<wire::version_response>(
            c,
            c.request(method::get, version_path(d.content_id, version_number::parse_or_throw(
                                                                  d.version_num, "dependencies"))));
        s.dependencies.push_back(std::move(dv));
    }
    if (!removing)
        co_return s;
    for (auto const& d : s.dependencies) {
        if (!is_cascade_target(d))
            continue;
        auto key = std::make_pair(d.content_id, version_number(d.version_num));
        auto list = co_await call<wire::dependents_response>(
            c, c.request(method::get, version_path(key.first, key.second) + "/dependents"));
        auto& into = s.dependents[key];
        for (auto const& w : list.items) {
            auto wv = version_number::parse_or_throw(w.version_num, "dependents");
            if (w.content_id == content_id && wv == v)
                continue;
            auto a = co_await exchange(c, c.request(method::get, version_path(w.content_id, wv)));
            if (a.ok())
                into.push_back(decode<wire::version_response>(*a.answer));
            else if (!a.is_status(404))  // one the caller cannot see grants nothing it knows of
                a.failure().raise();
        }
    }
    co_return s;
}

/// Takes back the applied patches, newest first; the original error with a note.
inline task<error> undo_whitelist(context& c, std::vector<whitelist_patch> applied,
                                  std::vector<std::string> left, error original) {
    std::vector<std::string> undone;
    for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
        if (it->undo_add.empty() && it->undo_remove.empty())
            continue;  // it changed nothing
        whitelist_patch back{it->content_id,  it->version_num, it->workflow, it->undo_add,
                             it->undo_remove, it->undo_remove, it->undo_add};
        c.report(progress_event::kind::undo, "take back the change of " + label(*it),
                 it->content_id, it->version_num);
        auto w = co_await apply_patch(c, back);
        std::string what;
        if (!it->undo_remove.empty())
            what += "added " + show_users(it->undo_remove);
        if (!it->undo_add.empty())
            what += std::string(what.empty() ? "" : ", ") + "removed " + show_users(it->undo_add);
        what += " on " + whitelist_name(*it);
        if (w.state == known::yes) {
            undone.push_back("took back " + what);
        } else {
            left.push_back(what + " (" + undo_failure(w.failure) + ")");
            c.report(progress_event::kind::left, "not taken back: " + what, it->content_id,
                     it->version_num);
        }
    }
    co_return with_note(original, undo_note("change undone", undone, "not taken back", left));
}

inline task<whitelist_change_result> change_whitelist(context& c, whitelist_plan plan,
                                                      std::string content_id, version_number v,
                                                      bool removing) {
    c.report(progress_event::kind::planned,
             "whitelist change planned: " + std::to_string(plan.patches.size()) + " version(s)",
             content_id, v);
    whitelist_change_result out{content_id, v, {}, {}, plan.kept};
    std::vector<whitelist_patch> applied;
    std::vector<std::string> maybe;
    std::optional<error> failed;
    for (auto const& patch : plan.patches) {
        auto w = co_await apply_patch(c, patch);
        if (w.state == known::yes) {
            applied.push_back(patch);
            if (patch.workflow)
                out.group_users = w.patched->group_users;
            out.changed.push_back(std::move(*w.patched));
            continue;
        }
        if (w.state == known::no && removing && !patch.workflow &&
            w.failure.is(errc::dependency_visibility)) {
            // another account's workflow needs some of them: find which, one by one
            std::optional<wire::whitelist_response> last;
            for (auto const& u : patch.remove) {
                whitelist_patch one{patch.content_id, patch.version_num, false, {}, {u}, {u}, {}};
                auto r = co_await apply_patch(c, one);
                if (r.state == known::yes) {
                    applied.push_back(one);
                    last = std::move(r.patched);
                } else if (r.state == known::no && r.failure.is(errc::dependency_visibility)) {
                    out.kept.push_back({patch.content_id, patch.version_num, u,
                                        "another account's workflow depends on this version"});
                } else {
                    if (r.state == known::unknown)
                        maybe.push_back("[" + u + "] removed from " + whitelist_name(one) +
                                        " (no answer, and reading could not tell)");
                    failed = r.failure;
                    break;
                }
            }
            if (failed)
                break;
            if (last)
                out.changed.push_back(std::move(*last));
            continue;
        }
        if (w.state == known::unknown)
            maybe.push_back("the change of " + label(patch) +
                            " (no answer, and reading could not tell)");
        failed = w.failure;
        break;
    }
    if (!failed) {
        c.report(progress_event::kind::done, "whitelist changed", content_id, v);
        co_return out;
    }
    auto e = co_await undo_whitelist(c, std::move(applied), std::move(maybe), *failed);
    c.report(progress_event::kind::done, "whitelist change failed: " + e.message(), content_id, v);
    e.raise();
}

// ---- the roots: each owns its context ----------------------------------------------------

template <class T>
task<T> call_root(ops::session_ptr s, outgoing_request req) {
    context c(std::move(s));
    auto r = co_await call<T>(c, std::move(req));
    co_return r;
}

inline task<void> call_void_root(ops::session_ptr s, outgoing_request req) {
    context c(std::move(s));
    co_await call_void(c, std::move(req));
}

inline task<content_info> get_content_root(ops::session_ptr s, std::string id) {
    context c(std::move(s));
    auto r = co_await read_content(c, std::move(id));
    co_return r;
}

inline task<release_plan> plan_root(ops::session_ptr s, workflow wf, release_options o) {
    context c(std::move(s));
    auto snap = co_await read_release_snapshot(c, wf, o);
    co_return make_release_plan(wf, o, snap);
}

inline task<release_result> release_root(ops::session_ptr s, workflow wf, release_options o) {
    context c(std::move(s));
    auto snap = co_await read_release_snapshot(c, wf, o);
    auto plan = make_release_plan(wf, o, snap);
    auto r = co_await execute(c, std::move(plan));
    co_return r;
}

inline task<release_result> execute_root(ops::session_ptr s, release_plan p) {
    context c(std::move(s));
    auto r = co_await execute(c, std::move(p));
    co_return r;
}

inline task<whitelist_change_result> whitelist_root(ops::session_ptr s, std::string content_id,
                                                    version_number v,
                                                    std::vector<std::string> users, bool removing) {
    context c(std::move(s));
    auto snap = co_await read_whitelist_snapshot(c, content_id, v, users, removing);
    auto plan =
        removing ? make_delete_whitelist_plan(snap, users) : make_add_whitelist_plan(snap, users);
    auto r = co_await change_whitelist(c, std::move(plan), content_id, v, removing);
    co_return r;
}

/// A request made by a root that first checks its arguments (so bad input
/// is refused inside the machine, as every failure is).
template <class T, class Check>
task<T> checked_root(ops::session_ptr s, Check check, outgoing_request req) {
    check();
    context c(std::move(s));
    auto r = co_await call<T>(c, std::move(req));
    co_return r;
}

}  // namespace detail

namespace ops {

operation<wire::me_response> me(session_ptr s) {
    auto req = detail::make_request(s->token(), method::get, "/v1/aihub/me");
    return operation<wire::me_response>(detail::call_root<wire::me_response>(s, std::move(req)));
}

operation<content_info> get_content(session_ptr s, std::string content_id) {
    return operation<content_info>(detail::get_content_root(std::move(s), std::move(content_id)));
}

operation<wire::version_response> get_version(session_ptr s, std::string content_id,
                                              version_number v) {
    auto req = detail::make_request(s->token(), method::get, detail::version_path(content_id, v));
    return operation<wire::version_response>(
        detail::call_root<wire::version_response>(s, std::move(req)));
}

operation<wire::content_list_response> list_contents(session_ptr s, list_options o) {
    auto req = detail::make_request(s->token(), method::get, detail::list_target(o));
    return operation<wire::content_list_response>(
        detail::call_root<wire::content_list_response>(s, std::move(req)));
}

operation<wire::dependents_response> dependents(session_ptr s, std::string content_id,
                                                version_number v) {
    auto req = detail::make_request(s->token(), method::get,
                                    detail::version_path(content_id, v) + "/dependents");
    return operation<wire::dependents_response>(
        detail::call_root<wire::dependents_response>(s, std::move(req)));
}

operation<wire::version_response> set_visibility(session_ptr s, std::string content_id,
                                                 version_number v, visibility vis,
                                                 std::vector<std::string> group_users) {
    wire::set_visibility_request body{std::string(to_string(vis)), std::nullopt};
    if (vis == visibility::group)
        body.group_users = group_users;
    auto req = detail::make_request(s->token(), method::put,
                                    detail::version_path(content_id, v) + "/visibility",
                                    wire::serialize(body));
    auto check = [vis, users = std::move(group_users)] {
        detail::throw_if(detail::check_sharing(
            vis, vis == visibility::group ? std::optional(users) : std::nullopt, true));
    };
    return operation<wire::version_response>(
        detail::checked_root<wire::version_response>(s, std::move(check), std::move(req)));
}

operation<wire::whitelist_response> patch_whitelist(session_ptr s, std::string content_id,
                                                    version_number v, std::vector<std::string> add,
                                                    std::vector<std::string> remove) {
    auto check = [add, remove] {
        detail::throw_if(detail::check_users("add", add));
        detail::throw_if(detail::check_users("remove", remove));
    };
    wire::whitelist_patch_request body;
    if (!add.empty())
        body.add = std::move(add);
    if (!remove.empty())
        body.remove = std::move(remove);
    auto req = detail::make_request(s->token(), method::patch,
                                    detail::version_path(content_id, v) + "/whitelist",
                                    wire::serialize(body));
    return operation<wire::whitelist_response>(
        detail::checked_root<wire::whitelist_response>(s, std::move(check), std::move(req)));
}

operation<void> delete_version(session_ptr s, std::string content_id, version_number v) {
    auto req =
        detail::make_request(s->token(), method::delete_, detail::version_path(content_id, v));
    return operation<void>(detail::call_void_root(s, std::move(req)));
}

operation<void> delete_content(session_ptr s, std::string content_id) {
    auto req = detail::make_request(s->token(), method::delete_, detail::content_path(content_id));
    return operation<void>(detail::call_void_root(s, std::move(req)));
}

operation<wire::publish_response> create_content(session_ptr s, wire::create_content_request body,
                                                 std::string key) {
    auto req =
        detail::make_request(s->token(), method::post, "/v1/aihub/contents", wire::serialize(body));
    req.headers.emplace_back("Idempotency-Key", key.empty() ? s->new_idempotency_key() : key);
    return operation<wire::publish_response>(
        detail::call_root<wire::publish_response>(s, std::move(req)));
}

operation<wire::publish_response> create_version(session_ptr s, std::string content_id,
                                                 wire::create_version_request body,
                                                 std::optional<version_number> if_match,
                                                 std::string key) {
    auto req =
        detail::make_request(s->token(), method::post,
                             detail::content_path(content_id) + "/versions", wire::serialize(body));
    req.headers.emplace_back("Idempotency-Key", key.empty() ? s->new_idempotency_key() : key);
    if (if_match)
        req.headers.emplace_back("If-Match", "\"" + if_match->to_string() + "\"");
    return operation<wire::publish_response>(
        detail::call_root<wire::publish_response>(s, std::move(req)));
}

operation<release_plan> plan_release(session_ptr s, workflow wf, release_options o) {
    return operation<release_plan>(detail::plan_root(std::move(s), std::move(wf), std::move(o)));
}

operation<release_result> release_to_gallery(session_ptr s, workflow wf, release_options o) {
    return operation<release_result>(
        detail::release_root(std::move(s), std::move(wf), std::move(o)));
}

operation<release_result> execute_release(session_ptr s, release_plan p) {
    return operation<release_result>(detail::execute_root(std::move(s), std::move(p)));
}

operation<whitelist_change_result> add_whitelist_users(session_ptr s, std::string content_id,
                                                       version_number v,
                                                       std::vector<std::string> user_groups) {
    return operation<whitelist_change_result>(detail::whitelist_root(
        std::move(s), std::move(content_id), v, std::move(user_groups), false));
}

operation<whitelist_change_result> delete_whitelist_users(session_ptr s, std::string content_id,
                                                          version_number v,
                                                          std::vector<std::string> user_groups) {
    return operation<whitelist_change_result>(detail::whitelist_root(
        std::move(s), std::move(content_id), v, std::move(user_groups), true));
}

}  // namespace ops

}  // namespace aigallery
