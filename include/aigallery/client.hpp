// The synchronous client: every call of the REST contract as a typed method
// over any `transport`, plus the seed's release_to_gallery and whitelist
// cascades. Each method runs one step machine of `executor.hpp` to its end
// over the transport, so it shares every decision with the async client.
#pragma once

#include <aigallery/aksk_signer.hpp>
#include <aigallery/content.hpp>
#include <aigallery/credentials.hpp>
#include <aigallery/error.hpp>
#include <aigallery/executor.hpp>
#include <aigallery/http.hpp>
#include <aigallery/iam_token_provider.hpp>
#include <aigallery/operation.hpp>
#include <aigallery/release_plan.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/wire.hpp>
#include <aigallery/workflow.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aigallery {

/// The client over any `transport`; `aigallery::client` uses `beast_transport`.
/// One thread at a time, like its transport. Each throwing call `f` has a
/// non-throwing `try_f` returning `result<T>`.
template <transport Transport>
class basic_client {
public:
    /// Takes the transport, the X-Auth-Token and the options.
    basic_client(Transport t, std::string token, client_options options = {});

    /// Takes the transport and AK/SK credentials: every request is signed
    /// (SDK-HMAC-SHA256, at the time `clock` tells) by the transport once it
    /// is final, through its `set_request_signer` (beast_transport has it; a
    /// transport without it cannot carry signed requests and does not
    /// compile here). No X-Auth-Token is sent.
    basic_client(Transport t, aksk_credentials creds, client_options options = {},
                 clock_function clock = system_clock_function());

    /// Takes the transport and an IAM token provider (shareable between
    /// clients): each request carries the provider's current token, renewed
    /// before it expires. A 401 answer makes the provider fetch a new token
    /// for the next request. A failure to get a token is the request's
    /// transport error, a `security_errc` (iam_refused, iam_unreachable, ...).
    basic_client(Transport t, std::shared_ptr<iam_token_provider> tokens,
                 client_options options = {});

    /// The transport, for its own settings (timeouts, closing).
    Transport& transport_layer() noexcept { return transport_; }
    /// The token and options all calls share.
    std::shared_ptr<session const> const& shared_session() const noexcept { return session_; }

    /// Drives any step machine to its end over this client's transport,
    /// waiting with the options' sleeper.
    template <class T>
    result<T> run(operation<T> op);

    // ---- the REST calls ----

    /// GET /v1/aihub/me.
    result<wire::me_response> try_me();
    /// GET /v1/aihub/me; throws on failure.
    wire::me_response me();
    /// GET an asset, with its ETag.
    result<content_info> try_get_content(std::string const& content_id);
    /// GET an asset; throws on failure.
    content_info get_content(std::string const& content_id);
    /// GET one version.
    result<wire::version_response> try_get_version(std::string const& content_id, version_number v);
    /// GET one version; throws on failure.
    wire::version_response get_version(std::string const& content_id, version_number v);
    /// GET a listing.
    result<wire::content_list_response> try_list_contents(list_options const& o = {});
    /// GET a listing; throws on failure.
    wire::content_list_response list_contents(list_options const& o = {});
    /// GET the workflow versions that depend on a version.
    result<wire::dependents_response> try_dependents(std::string const& content_id,
                                                     version_number v);
    /// GET the dependents; throws on failure.
    wire::dependents_response dependents(std::string const& content_id, version_number v);
    /// PUT a version's visibility (group_users with group only).
    result<wire::version_response> try_set_visibility(std::string const& content_id,
                                                      version_number v, aigallery::visibility vis,
                                                      std::vector<std::string> group_users = {});
    /// PUT a version's visibility; throws on failure.
    wire::version_response set_visibility(std::string const& content_id, version_number v,
                                          aigallery::visibility vis,
                                          std::vector<std::string> group_users = {});
    /// PATCH one version's whitelist (no cascade).
    result<wire::whitelist_response> try_patch_whitelist(std::string const& content_id,
                                                         version_number v,
                                                         std::vector<std::string> add,
                                                         std::vector<std::string> remove);
    /// PATCH one version's whitelist; throws on failure.
    wire::whitelist_response patch_whitelist(std::string const& content_id, version_number v,
                                             std::vector<std::string> add,
                                             std::vector<std::string> remove);
    /// DELETE one version.
    result<void> try_delete_version(std::string const& content_id, version_number v);
    /// DELETE one version; throws on failure.
    void delete_version(std::string const& content_id, version_number v);
    /// DELETE an asset.
    result<void> try_delete_content(std::string const& content_id);
    /// DELETE an asset; throws on failure.
    void delete_content(std::string const& content_id);
    /// POST /v1/aihub/contents, with an Idempotency-Key (a fresh one unless given).
    result<wire::publish_response> try_create_content(wire::create_content_request const& body,
                                                      std::string key = {});
    /// POST /v1/aihub/contents; throws on failure.
    wire::publish_response create_content(wire::create_content_request const& body,
                                          std::string key = {});
    /// POST .../versions, with If-Match when given and an Idempotency-Key.
    result<wire::publish_response> try_create_version(
        std::string const& content_id, wire::create_version_request const& body,
        std::optional<version_number> if_match = std::nullopt, std::string key = {});
    /// POST .../versions; throws on failure.
    wire::publish_response create_version(std::string const& content_id,
                                          wire::create_version_request const& body,
                                          std::optional<version_number> if_match = std::nullopt,
                                          std::string key = {});

    // ---- release_to_gallery ----

    /// Computes the release without writing anything (a dry run).
    result<release_plan> try_plan_release(workflow const& wf, release_options const& opts = {});
    /// The dry run; throws on failure.
    release_plan plan_release(workflow const& wf, release_options const& opts = {});
    /// Plans, then publishes: all or nothing.
    result<release_result> try_release_to_gallery(workflow const& wf,
                                                  release_options const& opts = {});
    /// The release; throws on failure (what() names anything left behind).
    release_result release_to_gallery(workflow const& wf, release_options const& opts = {});

    // ---- whitelist cascades ----

    /// Adds users to a group workflow version and the algorithm versions it runs.
    result<whitelist_change_result> try_add_whitelist_users(
        std::string const& content_id, version_number version_num,
        std::vector<std::string> const& user_groups);
    /// Adds users; throws on failure.
    whitelist_change_result add_whitelist_users(std::string const& content_id,
                                                version_number version_num,
                                                std::vector<std::string> const& user_groups);
    /// Removes users from a group workflow version, then from its algorithm versions.
    result<whitelist_change_result> try_delete_whitelist_users(
        std::string const& content_id, version_number version_num,
        std::vector<std::string> const& user_groups);
    /// Removes users; throws on failure.
    whitelist_change_result delete_whitelist_users(std::string const& content_id,
                                                   version_number version_num,
                                                   std::vector<std::string> const& user_groups);

private:
    Transport transport_;
    std::shared_ptr<session const> session_;
    std::shared_ptr<iam_token_provider> tokens_;
};

}  // namespace aigallery

#include <aigallery/impl/client.hpp>
