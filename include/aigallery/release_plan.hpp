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
    bool workflow = false;
    bool new_asset = false;
    std::string content_id{};  // empty for a new asset until it is written
    std::string title;         // a new asset's title, or a rename (empty: keep)
    version_number version_num{};
    std::optional<version_number> if_match{};  // the highest version the plan saw
    aigallery::visibility visibility = aigallery::visibility::private_;
    std::vector<std::string> group_users{};
    std::string desc{};
    boost::json::object source{};
    std::string local_id{};  // a local algorithm's workspace id
};

/// An existing algorithm version whose whitelist the release widens.
struct planned_widening {
    std::string content_id{};
    version_number version_num{};
    std::vector<std::string> added{};
};

/// A dependency of the workflow version: either an algorithm version the
/// release publishes (`published` indexes `release_plan::algorithms`) or an
/// existing one used as it is.
struct planned_dependency {
    std::optional<std::size_t> published{};
    std::string content_id{};
    version_number version_num{};
};

struct release_plan {
    std::string caller{};  // the domain_id releasing
    planned_version workflow;
    std::vector<planned_version> algorithms{};
    std::vector<planned_widening> widened{};
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
