// What the gallery's reads return and what a whitelist change reports, as
// the client hands them out: vocabulary, no I/O.
#pragma once

#include <aigallery/version.hpp>
#include <aigallery/wire.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aigallery {

/// GET /v1/aihub/contents parameters; unset ones are not sent.
struct list_options {
    std::string scope = "mine";                        ///< mine, public or shared
    std::optional<std::string> content_type{};         ///< workflow or algorithm
    std::optional<std::string> title{};                ///< exact title
    std::optional<std::string> source_algorithm_id{};  ///< a local algorithm's id
    std::uint64_t offset = 0;                          ///< items skipped
    std::uint64_t limit = 20;                          ///< items returned, at most
    std::optional<std::string> sort_key{};             ///< created_at or title
    std::optional<std::string> sort_dir{};             ///< asc or desc
};

/// An asset as GET shows it, with its ETag (the owner's view only).
struct content_info {
    wire::content_response content;              ///< the body
    std::optional<version_number> highest_ever;  ///< from the ETag: the highest ever published
};

/// A user that a removal left on an algorithm version, and why.
struct kept_user {
    std::string content_id;      ///< the algorithm asset
    version_number version_num;  ///< its version
    std::string user;            ///< the domain_id kept
    std::string reason;          ///< which workflow still needs it
};

/// What `add_whitelist_users` / `delete_whitelist_users` did.
struct whitelist_change_result {
    std::string content_id;                         ///< the workflow asset
    version_number version_num;                     ///< its version
    std::vector<std::string> group_users;           ///< its whitelist after the change
    std::vector<wire::whitelist_response> changed;  ///< every version changed, in order
    std::vector<kept_user> kept;                    ///< users a removal had to keep
};

}  // namespace aigallery
