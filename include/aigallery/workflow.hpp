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
    std::string id{};    // the workspace's algorithm id; kept as source.algorithm_id
    std::string name{};  // the title of its gallery asset
    std::string desc{};
    boost::json::object definition{};  // published as the version's source
};

/// A version of an algorithm asset in the gallery.
struct gallery_algorithm {
    std::string content_id{};
    version_number version_num{};
};

struct workflow_step {
    std::string name{};
    std::variant<local_algorithm, gallery_algorithm> algorithm{};
};

struct workflow {
    std::string name{};
    std::string desc{};
    std::vector<workflow_step> steps{};
};

/// The parameters of the seed's release_to_gallery, in its order, plus bump.
struct release_options {
    std::string content_id{};                 // empty: a new asset
    std::optional<version_number> version{};  // explicit version of the workflow
    std::optional<std::string> desc{};        // default: the workflow's desc
    std::optional<std::string> title{};       // new asset default: the workflow's name
    std::optional<aigallery::visibility>
        visibility{};  // new asset default: private; new version: as the highest
    std::vector<std::string> group_users{};  // with group only; empty: not given
    std::optional<bump_kind> bump{};         // not with `version`
};

struct published_version {
    std::string content_id{};
    std::string version_id{};
    version_number version_num{};
};

struct release_result {
    std::string content_id{};
    std::string version_id{};
    version_number version_num{};
    std::vector<published_version> algorithms{};  // each algorithm version the release published
};

}  // namespace aigallery
