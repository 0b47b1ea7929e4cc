// Release planning without I/O: what the gallery looked like (a snapshot)
// plus the workflow and options in, the release plan out. Every rule of
// "Releasing a workflow" that can be decided before the first write lives
// here, so it is tested with plain data, and the sync and async clients
// cannot disagree about it.
#pragma once

#include <aigallery/content.hpp>
#include <aigallery/release_plan.hpp>
#include <aigallery/version.hpp>
#include <aigallery/wire.hpp>
#include <aigallery/workflow.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace aigallery {

/// What a release plan needs to know about the gallery, read before the
/// plan is made (reads only). A missing entry means "not found".
struct release_snapshot {
    /// The releasing account's domain_id.
    std::string caller{};
    /// The asset named by `release_options::content_id`, with its ETag.
    std::optional<content_info> target{};
    /// That asset's highest existing version (its sharing is the default).
    std::optional<wire::version_response> target_head{};
    /// Titles looked up among the caller's workflows that are already used.
    std::set<std::string> taken_workflow_titles{};
    /// Titles looked up among the caller's algorithms that are already used.
    std::set<std::string> taken_algorithm_titles{};
    /// Local algorithm id -> the caller's asset that published it before.
    std::map<std::string, content_info> published_locals{};
    /// Gallery algorithm content_id -> the asset, as the caller sees it.
    std::map<std::string, content_info> assets{};
    /// (content_id, version) of each gallery algorithm step -> that version.
    std::map<std::pair<std::string, version_number>, wire::version_response> versions{};
};

/// Refuses, before any request, what the arguments alone show to be wrong
/// (each error names the field and value). Throws `gallery_error` with the
/// code the server would give.
void check_release_request(workflow const& wf, release_options const& options);

/// The release plan. Pure: same arguments, same plan. Throws `gallery_error`
/// for a release that must not start (a taken title, a version not above the
/// highest, a dependency too narrow to share, ...), naming what is wrong.
release_plan make_release_plan(workflow const& wf, release_options const& options,
                               release_snapshot const& snapshot);

/// The title a release gives (or checks for) the workflow asset.
std::string release_title(workflow const& wf, release_options const& options);

/// A local algorithm's version source: its definition plus its id and name.
boost::json::object local_source(local_algorithm const& l);

}  // namespace aigallery

#include <aigallery/impl/release_planner.hpp>
