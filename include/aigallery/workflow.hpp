// The workflow model: what release_to_gallery publishes.
#pragma once

#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace aigallery {

/// An algorithm made in the user's own workspace, not from the gallery.
struct local_algorithm {
    std::string id{};    ///< the workspace's algorithm id; kept as source.algorithm_id
    std::string name{};  ///< the title of its gallery asset
    /// Its description, for the published versions.
    std::string desc{};
    boost::json::object definition{};  ///< published as the version's source
};

/// A version of an algorithm asset in the gallery.
struct gallery_algorithm {
    /// The algorithm asset.
    std::string content_id{};
    /// The version the step runs.
    version_number version_num{};
};

/// One step of a workflow: a name and the algorithm it runs.
struct workflow_step {
    /// The step's name.
    std::string name{};
    /// A local algorithm, or a version of one in the gallery.
    std::variant<local_algorithm, gallery_algorithm> algorithm{};
};

/// A workflow as release_to_gallery publishes it.
struct workflow {
    /// Its name: the new asset's default title.
    std::string name{};
    /// Its description: the version's default desc.
    std::string desc{};
    /// Its steps, in order (may be empty).
    std::vector<workflow_step> steps{};
};

/// The parameters of the seed's release_to_gallery, in its order, plus bump.
struct release_options {
    std::string content_id{};                 ///< empty: a new asset
    std::optional<version_number> version{};  ///< explicit version of the workflow
    std::optional<std::string> desc{};        ///< default: the workflow's desc
    std::optional<std::string> title{};       ///< new asset default: the workflow's name
    std::optional<aigallery::visibility>
        visibility{};  ///< new asset default: private; new version: as the highest
    std::vector<std::string> group_users{};  ///< with group only; empty: not given
    std::optional<bump_kind> bump{};         ///< not with `version`
};

/// A version a release published.
struct published_version {
    /// The asset.
    std::string content_id{};
    /// The version's opaque id.
    std::string version_id{};
    /// The version.
    version_number version_num{};
};

/// What release_to_gallery published.
struct release_result {
    /// The workflow asset.
    std::string content_id{};
    /// The workflow version's opaque id.
    std::string version_id{};
    /// The workflow version.
    version_number version_num{};
    std::vector<published_version> algorithms{};  ///< each algorithm version the release published
};

}  // namespace aigallery
