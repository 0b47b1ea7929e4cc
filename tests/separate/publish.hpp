// What the separately compiled publisher returns to the test's main.
#pragma once

#include <string>

namespace separate {

/// Two releases of the same workflow and the second one read back.
struct published {
    std::string first_id;
    std::string second_id;
    std::string first_version;
    std::string second_version;
    std::string read_version;
};

/// Publishes a workflow twice to the gallery at `url` as the user of `token`.
published publish_flowers(std::string const& url, std::string const& token);

}  // namespace separate
