// The whitelist planners.
#pragma once

#include <aigallery/detail/checks.hpp>
#include <aigallery/whitelist_planner.hpp>

#include <algorithm>
#include <set>

namespace aigallery {

namespace detail {

/// The version's owner view and group sharing, or the errors the seed gives.
inline void check_whitelist_target(whitelist_snapshot const& s) {
    auto const& v = s.version;
    if (!v.group_users)  // only the owner is shown a whitelist
        throw gallery_error(errc::forbidden,
                            "asset '" + v.content_id + "' belongs to another account");
    if (v.visibility != "group")
        throw gallery_error(errc::not_group, "version " + v.version_num + " of " + v.content_id +
                                                 " is " + v.visibility + ", not group");
}

inline bool contains(std::vector<std::string> const& sorted_users, std::string const& u) {
    return std::binary_search(sorted_users.begin(), sorted_users.end(), u);
}

inline std::vector<std::string> sorted_copy(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace detail

inline bool is_cascade_target(wire::version_response const& d) {
    if (!d.group_users || d.visibility == "public")
        return false;  // another owner's (used as it is), or open to all
    if (d.visibility == "private")
        throw gallery_error(errc::dependency_visibility,
                            "dependency " + d.content_id + " " + d.version_num +
                                " is private: share it with group or public visibility first");
    return true;
}

inline void check_whitelist_request(std::vector<std::string> const& users) {
    if (users.empty())
        throw gallery_error(errc::bad_request, "field 'user_groups': give at least one domain_id");
    detail::throw_if(detail::check_users("user_groups", users));
}

inline whitelist_plan make_add_whitelist_plan(whitelist_snapshot const& s,
                                              std::vector<std::string> const& users) {
    using namespace detail;
    check_whitelist_request(users);
    check_whitelist_target(s);
    auto adding = fold(users, s.caller);
    whitelist_plan p;
    for (auto const& d : s.dependencies) {
        if (!is_cascade_target(d))
            continue;
        auto have = sorted_copy(*d.group_users);
        whitelist_patch patch{d.content_id, version_number(d.version_num), false, {}, {}, {}, {}};
        for (auto const& u : adding)
            if (!contains(have, u))
                patch.add.push_back(u);
        if (patch.add.empty())
            continue;
        patch.undo_remove = patch.add;
        p.patches.push_back(std::move(patch));
    }
    // The workflow is sent every user given (its answer is the new whitelist);
    // taking it back removes only those it did not have.
    whitelist_patch wf{
        s.version.content_id, version_number(s.version.version_num), true, users, {}, {}, {}};
    auto have = sorted_copy(*s.version.group_users);
    for (auto const& u : adding)
        if (!contains(have, u))
            wf.undo_remove.push_back(u);
    p.patches.push_back(std::move(wf));
    return p;
}

inline whitelist_plan make_delete_whitelist_plan(whitelist_snapshot const& s,
                                                 std::vector<std::string> const& users) {
    using namespace detail;
    check_whitelist_request(users);
    check_whitelist_target(s);
    auto removing = fold(users, s.caller);
    auto const self = std::make_pair(s.version.content_id, version_number(s.version.version_num));
    whitelist_plan p;

    whitelist_patch wf{self.first, self.second, true, {}, users, {}, {}};
    auto on_workflow = sorted_copy(*s.version.group_users);
    for (auto const& u : removing)
        if (contains(on_workflow, u))
            wf.undo_add.push_back(u);
    p.patches.push_back(std::move(wf));

    for (auto const& d : s.dependencies) {
        if (!is_cascade_target(d))
            continue;
        auto const key = std::make_pair(d.content_id, version_number(d.version_num));
        auto have = sorted_copy(*d.group_users);
        std::vector<std::string> present;
        for (auto const& u : removing)
            if (contains(have, u))
                present.push_back(u);
        std::set<std::string> needed;
        if (auto it = s.dependents.find(key); it != s.dependents.end()) {
            for (auto const& w : it->second) {
                if (std::make_pair(w.content_id, version_number(w.version_num)) == self)
                    continue;
                if (w.visibility != "group" || !w.group_users)
                    continue;
                auto grants = sorted_copy(*w.group_users);
                for (auto const& u : present)
                    if (contains(grants, u) && needed.insert(u).second)
                        p.kept.push_back({d.content_id, key.second, u,
                                          "workflow " + w.content_id + " " + w.version_num +
                                              " still grants it"});
            }
        }
        whitelist_patch patch{d.content_id, key.second, false, {}, {}, {}, {}};
        for (auto const& u : present)
            if (!needed.count(u))
                patch.remove.push_back(u);
        if (patch.remove.empty())
            continue;
        patch.undo_add = patch.remove;
        p.patches.push_back(std::move(patch));
    }
    return p;
}

}  // namespace aigallery
