// make_release_plan: the rules of "Releasing a workflow", over a snapshot.
#pragma once

#include <aigallery/detail/checks.hpp>
#include <aigallery/release_planner.hpp>

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace aigallery {

namespace detail {

inline boost::json::object workflow_source(workflow const& wf) {
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

inline version_number etag_of(content_info const& info) {
    if (!info.highest_ever)
        bad_answer("no ETag on " + info.content.content_id + " for its owner");
    return *info.highest_ever;
}

[[noreturn]] inline void incomplete(std::string const& what) {
    throw std::invalid_argument("aigallery::make_release_plan: the snapshot lacks " + what);
}

inline void share_like_workflow(planned_version& a, planned_version const& w) {
    a.visibility = w.visibility;
    a.group_users = w.group_users;
}

}  // namespace detail

inline boost::json::object local_source(local_algorithm const& l) {
    boost::json::object src = l.definition;
    src["algorithm_id"] = l.id;
    src["name"] = l.name;
    return src;
}

inline std::string release_title(workflow const& wf, release_options const& o) {
    return o.title.value_or(wf.name);
}

inline void check_release_request(workflow const& wf, release_options const& o) {
    using namespace detail;
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
        throw gallery_error(
            errc::bad_request,
            "field 'content_id' = '" + printable(o.content_id, 80) + "': 1 to 64 of [A-Za-z0-9-]");
    if (o.content_id.empty())
        check_text("workflow name (the default title)", release_title(wf, o), true);
    for (std::size_t i = 0; i < wf.steps.size(); ++i) {
        std::string at = "steps[" + std::to_string(i) + "].algorithm";
        if (auto l = std::get_if<local_algorithm>(&wf.steps[i].algorithm)) {
            if (l->id.empty())
                throw gallery_error(errc::bad_request,
                                    "field '" + at + ".id': a local algorithm needs its id");
            check_text(at + ".name", l->name, true);
            check_text(at + ".desc", l->desc, false);
            check_source(at + ".definition", local_source(*l));
        } else {
            auto const& g = std::get<gallery_algorithm>(wf.steps[i].algorithm);
            if (!is_valid_id(g.content_id))
                throw gallery_error(errc::bad_request, "field '" + at + ".content_id' = '" +
                                                           printable(g.content_id, 80) +
                                                           "': 1 to 64 of [A-Za-z0-9-]");
        }
    }
    check_source("workflow (as source)", workflow_source(wf));
}

inline release_plan make_release_plan(workflow const& wf, release_options const& o,
                                      release_snapshot const& snap) {
    using namespace detail;
    check_release_request(wf, o);
    std::optional<std::vector<std::string>> given_users;
    if (!o.group_users.empty())
        given_users = o.group_users;

    release_plan p;
    p.caller = snap.caller;
    auto& w = p.workflow;
    w.workflow = true;
    w.desc = o.desc.value_or(wf.desc);
    w.source = workflow_source(wf);
    if (o.content_id.empty()) {
        std::string title = release_title(wf, o);
        w.new_asset = true;
        w.title = title;
        w.version_num = o.version.value_or(version_number(1, 0, 0));
        w.visibility = o.visibility.value_or(visibility::private_);
        if (w.visibility == visibility::group)
            w.group_users = fold(o.group_users, p.caller);
        if (snap.taken_workflow_titles.count(title))
            throw gallery_error(errc::title_taken,
                                "you already have a workflow titled '" + title + "'");
    } else {
        if (!snap.target || !snap.target_head)
            incomplete("the asset named by content_id and its highest version");
        auto const& info = *snap.target;
        auto const& head = *snap.target_head;
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
            if (snap.taken_workflow_titles.count(*o.title))
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

    // Each algorithm once, identified by its content_id as soon as it is
    // known: a local algorithm published before and a gallery step naming
    // the same owned asset are one algorithm, published once (from the local
    // definition, which is what the user is releasing).
    std::map<std::string, std::size_t> published_by_key;  // "local:<id>" or "content:<id>"
    std::set<std::string> published_locally;              // content_ids that local steps publish
    for (auto const& step : wf.steps)
        if (auto l = std::get_if<local_algorithm>(&step.algorithm))
            if (auto it = snap.published_locals.find(l->id); it != snap.published_locals.end())
                published_locally.insert(it->second.content.content_id);

    std::map<std::string, version_number> owned_versions_used;
    std::set<std::pair<std::string, version_number>> used_as_is;
    std::set<std::string> new_titles;  // two new algorithm assets may not share one
    for (auto const& step : wf.steps) {
        if (auto l = std::get_if<local_algorithm>(&step.algorithm)) {
            auto found = snap.published_locals.find(l->id);
            std::string key = found != snap.published_locals.end()
                                  ? "content:" + found->second.content.content_id
                                  : "local:" + l->id;
            if (published_by_key.count(key))
                continue;
            planned_version a;
            a.local_id = l->id;
            a.desc = l->desc;
            a.source = local_source(*l);
            share_like_workflow(a, w);
            if (found != snap.published_locals.end()) {
                a.content_id = found->second.content.content_id;
                a.if_match = etag_of(found->second);
                a.version_num = a.if_match->bump(bump_kind::patch);
            } else {
                a.new_asset = true;
                a.title = l->name;
                a.version_num = version_number(1, 0, 0);
                if (!new_titles.insert(l->name).second ||
                    snap.taken_algorithm_titles.count(l->name))
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
        std::string key = "content:" + g.content_id;
        if (published_locally.count(g.content_id))
            continue;  // my algorithm, which the local step naming it publishes, once
        auto ai = snap.assets.find(g.content_id);
        auto vi = snap.versions.find({g.content_id, g.version_num});
        if (ai == snap.assets.end() || vi == snap.versions.end())
            incomplete("gallery algorithm " + g.content_id + " " + g.version_num.to_string());
        auto const& info = ai->second;
        auto const& used = vi->second;
        if (info.content.content_type != "algorithm")
            throw gallery_error(errc::bad_request, "'" + g.content_id + "' is not an algorithm");
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
                                    g.version_num.to_string() + ", which is " + used.visibility +
                                    (owned ? ": make it public first" : ""));
        if (owned && w.visibility == visibility::group) {
            if (vis == visibility::private_)
                throw gallery_error(errc::dependency_visibility,
                                    "share " + g.content_id + " " + g.version_num.to_string() +
                                        " (private) with group or public visibility first");
            if (vis == visibility::group) {
                auto have = used.group_users.value_or(wire::string_list{});
                std::sort(have.begin(), have.end());
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
        throw gallery_error(errc::limit_exceeded, "the workflow runs " +
                                                      std::to_string(p.dependencies.size()) +
                                                      " distinct algorithm versions, at most 100");
    return p;
}

}  // namespace aigallery
