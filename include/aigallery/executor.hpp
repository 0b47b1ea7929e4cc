// Every client call as a step machine (`operation<T>`): the REST calls with
// their retries, and the release and whitelist cascades as
// "read a snapshot -> plan (pure) -> execute, resolving unknown outcomes by
// reading and undoing on failure". The sync and async clients only drive
// these machines, so they share every decision. No Asio, no Beast.
#pragma once

#include <aigallery/content.hpp>
#include <aigallery/detail/config.hpp>
#include <aigallery/error.hpp>
#include <aigallery/operation.hpp>
#include <aigallery/progress.hpp>
#include <aigallery/release_plan.hpp>
#include <aigallery/release_planner.hpp>
#include <aigallery/retry.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/whitelist_planner.hpp>
#include <aigallery/wire.hpp>
#include <aigallery/workflow.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aigallery {

/// How a client retries, waits, names its writes and reports progress.
struct client_options {
    /// How many attempts, and how much time, one request may take. A write
    /// has this one budget for all its attempts (each repeats its
    /// Idempotency-Key); after it, an unknown outcome is resolved by reading.
    retry_policy retry{};
    /// How long to wait before each retry.
    backoff_policy backoff{};
    /// How the synchronous client waits (tests inject one that never sleeps).
    aigallery::sleeper sleeper = real_sleeper();
    /// Makes the Idempotency-Key of each write; default: "aigallery-" and a
    /// random (version 4, 122 random bits) UUID. Must be thread-safe when
    /// async calls run concurrently.
    std::function<std::string()> idempotency_key{};
    /// For the async client: maps each back-off wait to how long its Asio
    /// timer really waits (tests record the wait and return zero, as the
    /// sleeper lets them do for the sync client). Empty: wait as asked.
    std::function<std::chrono::milliseconds(std::chrono::milliseconds)> async_delay{};
    /// Told of each step of every call (optional).
    progress_observer observer{};
};

/// What all calls of one client share: its token and options. Immutable
/// once made, so concurrent calls may share it.
class session {
public:
    /// Fills in the default Idempotency-Key maker when none is given.
    AIGALLERY_DECL session(std::string token, client_options options);

    /// The X-Auth-Token sent with every request.
    std::string const& token() const noexcept { return token_; }
    /// The options given (with the default key maker filled in).
    client_options const& options() const noexcept { return options_; }
    /// A fresh Idempotency-Key.
    std::string new_idempotency_key() const { return options_.idempotency_key(); }
    /// Tells the observer, if any.
    void report(progress_event const& e) const {
        if (options_.observer)
            options_.observer(e);
    }

private:
    std::string token_;
    client_options options_;
};

/// The step machines of every client call. Each takes the session it runs
/// for (shared, so that an async call may outlive the client's scope).
namespace ops {

/// A client's token and options, shared by its calls.
using session_ptr = std::shared_ptr<session const>;

/// GET /v1/aihub/me.
AIGALLERY_DECL operation<wire::me_response> me(session_ptr s);
/// GET /v1/aihub/contents/{content_id}, with the ETag.
AIGALLERY_DECL operation<content_info> get_content(session_ptr s, std::string content_id);
/// GET .../versions/{version_num}.
AIGALLERY_DECL operation<wire::version_response> get_version(session_ptr s, std::string content_id,
                                                             version_number v);
/// GET /v1/aihub/contents.
AIGALLERY_DECL operation<wire::content_list_response> list_contents(session_ptr s, list_options o);
/// GET .../versions/{version_num}/dependents.
AIGALLERY_DECL operation<wire::dependents_response> dependents(session_ptr s,
                                                               std::string content_id,
                                                               version_number v);
/// PUT .../versions/{version_num}/visibility (group_users with group only).
AIGALLERY_DECL operation<wire::version_response> set_visibility(
    session_ptr s, std::string content_id, version_number v, visibility vis,
    std::vector<std::string> group_users);
/// PATCH .../versions/{version_num}/whitelist of that version alone.
AIGALLERY_DECL operation<wire::whitelist_response> patch_whitelist(session_ptr s,
                                                                   std::string content_id,
                                                                   version_number v,
                                                                   std::vector<std::string> add,
                                                                   std::vector<std::string> remove);
/// DELETE .../versions/{version_num}.
AIGALLERY_DECL operation<void> delete_version(session_ptr s, std::string content_id,
                                              version_number v);
/// DELETE /v1/aihub/contents/{content_id}.
AIGALLERY_DECL operation<void> delete_content(session_ptr s, std::string content_id);
/// POST /v1/aihub/contents with an Idempotency-Key (a fresh one unless given).
AIGALLERY_DECL operation<wire::publish_response> create_content(session_ptr s,
                                                                wire::create_content_request body,
                                                                std::string key);
/// POST .../versions, with If-Match when given and an Idempotency-Key.
AIGALLERY_DECL operation<wire::publish_response> create_version(
    session_ptr s, std::string content_id, wire::create_version_request body,
    std::optional<version_number> if_match, std::string key);
/// Reads the snapshot and plans the release; writes nothing (a dry run).
AIGALLERY_DECL operation<release_plan> plan_release(session_ptr s, workflow wf, release_options o);
/// Plans, then executes the plan: all or nothing.
AIGALLERY_DECL operation<release_result> release_to_gallery(session_ptr s, workflow wf,
                                                            release_options o);
/// Executes a plan made before (by `plan_release` or `make_release_plan`).
AIGALLERY_DECL operation<release_result> execute_release(session_ptr s, release_plan p);
/// The seed's add_whitelist_users, cascaded: all or nothing.
AIGALLERY_DECL operation<whitelist_change_result> add_whitelist_users(
    session_ptr s, std::string content_id, version_number v, std::vector<std::string> user_groups);
/// The seed's delete_whitelist_users, cascaded with safe removal: all or nothing.
AIGALLERY_DECL operation<whitelist_change_result> delete_whitelist_users(
    session_ptr s, std::string content_id, version_number v, std::vector<std::string> user_groups);

}  // namespace ops

}  // namespace aigallery

// Separately compiled, the machines are defined once by <aigallery/src.hpp>:
// they are coroutines, which GCC emits in every translation unit that
// includes their definitions, used or not.
#if defined(AIGALLERY_HEADER_ONLY)
#include <aigallery/impl/executor.hpp>
#endif
