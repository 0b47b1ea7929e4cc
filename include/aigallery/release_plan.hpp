// What a release will do, computed before its first write: which assets get
// which versions, with which sharing, and which whitelists widen. A dry run
// returns it; executing it is all or nothing.
#pragma once

#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace aigallery {

/// One version the release will publish.
struct planned_version {
    /// A workflow version, else an algorithm version.
    bool workflow = false;
    /// A new asset, else a new version of an existing one.
    bool new_asset = false;
    std::string content_id{};  ///< empty for a new asset until it is written
    std::string title;         ///< a new asset's title, or a rename (empty: keep)
    /// The number it will get.
    version_number version_num{};
    std::optional<version_number> if_match{};  ///< the highest version the plan saw
    /// The visibility it will get.
    aigallery::visibility visibility = aigallery::visibility::private_;
    /// Its whitelist, with `group`.
    std::vector<std::string> group_users{};
    /// Its description.
    std::string desc{};
    /// Its source object.
    boost::json::object source{};
    std::string local_id{};  ///< a local algorithm's workspace id
};

/// An existing algorithm version whose whitelist the release widens.
struct planned_widening {
    /// The algorithm asset.
    std::string content_id{};
    /// The version whose whitelist widens.
    version_number version_num{};
    /// The users added to it.
    std::vector<std::string> added{};
};

/// A dependency of the workflow version: either an algorithm version the
/// release publishes (`published` indexes `release_plan::algorithms`) or an
/// existing one used as it is.
struct planned_dependency {
    /// Index into release_plan::algorithms when the release publishes it.
    std::optional<std::size_t> published{};
    /// The algorithm asset (empty for a new one until written).
    std::string content_id{};
    /// The version the workflow runs.
    version_number version_num{};
};

/// Everything a release will do, decided before its first write.
struct release_plan {
    std::string caller{};  ///< the domain_id releasing
    /// The workflow version to publish.
    planned_version workflow;
    /// The algorithm versions to publish first.
    std::vector<planned_version> algorithms{};
    /// The existing algorithm versions whose whitelists widen.
    std::vector<planned_widening> widened{};
    /// What the workflow version will depend on, in step order.
    std::vector<planned_dependency> dependencies{};
};

inline std::ostream& operator<<(std::ostream& os, planned_version const& p) {
    os << (p.workflow ? "workflow " : "algorithm ") << (p.new_asset ? "(new) " : "")
       << (p.content_id.empty() ? "'" + p.title + "'" : p.content_id) << " " << p.version_num << " "
       << p.visibility;
    if (p.visibility == visibility::group) {
        os << " [";
        for (std::size_t i = 0; i < p.group_users.size(); ++i)
            os << (i ? ", " : "") << p.group_users[i];
        os << "]";
    }
    return os;
}

inline std::ostream& operator<<(std::ostream& os, release_plan const& p) {
    for (auto const& a : p.algorithms)
        os << "  publish " << a << "\n";
    for (auto const& w : p.widened) {
        os << "  widen whitelist of " << w.content_id << " " << w.version_num << " +[";
        for (std::size_t i = 0; i < w.added.size(); ++i)
            os << (i ? ", " : "") << w.added[i];
        os << "]\n";
    }
    return os << "  publish " << p.workflow << "\n";
}

}  // namespace aigallery
