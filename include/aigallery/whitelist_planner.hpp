// Whitelist cascades without I/O: the workflow version, its dependencies and
// (for removals) who else depends on them in, the ordered list of whitelist
// patches out. The order keeps the dependency-visibility invariant at every
// moment: adding goes to the algorithms first, removing to the workflow first.
#pragma once

#include <aigallery/content.hpp>
#include <aigallery/version.hpp>
#include <aigallery/wire.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aigallery {

/// What a whitelist change needs to know, read before its first write.
struct whitelist_snapshot {
    /// The caller's domain_id.
    std::string caller{};
    /// The workflow version being changed, as the caller sees it.
    wire::version_response version{};
    /// Each of its dependency versions, as the caller sees them.
    std::vector<wire::version_response> dependencies{};
    /// For a removal: for each cascade target (see `is_cascade_target`), the
    /// workflow versions that depend on it, as the caller sees them.
    std::map<std::pair<std::string, version_number>, std::vector<wire::version_response>>
        dependents{};
};

/// One PATCH of a whitelist change, and the PATCH that takes it back.
struct whitelist_patch {
    std::string content_id{};                ///< the asset
    version_number version_num{};            ///< its version
    bool workflow = false;                   ///< the workflow version itself (not a dependency)
    std::vector<std::string> add{};          ///< sent as "add"
    std::vector<std::string> remove{};       ///< sent as "remove"
    std::vector<std::string> undo_add{};     ///< what taking it back adds (what it really removed)
    std::vector<std::string> undo_remove{};  ///< what taking it back removes (what it really added)
};

/// The patches of a whitelist change, in the order to send them.
struct whitelist_plan {
    std::vector<whitelist_patch> patches{};  ///< in order
    std::vector<kept_user> kept{};           ///< users a removal keeps, and why
};

/// Whether a dependency version gets the cascade: the caller's own (its
/// whitelist is shown) and `group`. Throws `ModelArts.4091` for the caller's
/// own private version, which no group workflow may use.
bool is_cascade_target(wire::version_response const& dependency);

/// Refuses, before any request, an empty or malformed list of users.
void check_whitelist_request(std::vector<std::string> const& user_groups);

/// Adds `user_groups`: the caller's group algorithm versions first (each
/// only the users it lacks), then the workflow version.
whitelist_plan make_add_whitelist_plan(whitelist_snapshot const& snapshot,
                                       std::vector<std::string> const& user_groups);

/// Removes `user_groups`: the workflow version first, then each algorithm
/// version the users can leave (a user another of the caller's workflow
/// versions still grants is kept, and named in `kept`).
whitelist_plan make_delete_whitelist_plan(whitelist_snapshot const& snapshot,
                                          std::vector<std::string> const& user_groups);

}  // namespace aigallery

#include <aigallery/impl/whitelist_planner.hpp>
