// The asynchronous client: every call of `basic_client` as an Asio
// asynchronous operation, for any completion token (use_awaitable,
// callbacks, use_future, deferred). It drives the same step machines as the
// synchronous client, so the two share every decision; failures arrive as
// the same exceptions (`gallery_error`, `transport_error`).
#pragma once

#include <aigallery/aksk_signer.hpp>
#include <aigallery/async_transport.hpp>
#include <aigallery/content.hpp>
#include <aigallery/credentials.hpp>
#include <aigallery/detail/beast_message.hpp>
#include <aigallery/executor.hpp>
#include <aigallery/http.hpp>
#include <aigallery/iam_token_provider.hpp>
#include <aigallery/operation.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aigallery {

namespace detail {

template <class T>
struct completion_of {
    using type = void(std::exception_ptr, T);
};
template <>
struct completion_of<void> {
    using type = void(std::exception_ptr);
};

template <class T, class Transport>
struct async_drive_op;

}  // namespace detail

/// The completion signature of an async call returning T:
/// `void(std::exception_ptr, T)` (`void(std::exception_ptr)` for none).
template <class T>
using completion_signature_of = typename detail::completion_of<T>::type;

/// The client over any `async_transport`, such as `beast_async_transport`
/// or `mock::async_in_process_transport`. Every `async_f` takes the same
/// arguments as `basic_client::f` plus a completion token.
///
/// Thread-safe: any number of calls may run at once, from any threads (the
/// transport must allow that too; both of ours do). The client, and so its
/// transport, must outlive the calls it started. Back-off waits are Asio
/// timers on the transport's executor; `client_options::async_delay` lets a
/// test shorten and record them. Cancelling a call (a cancellation slot's
/// emit) stops its I/O at once: it then fails with `operation_aborted`, and
/// anything it had written and could not take back is named in the error.
template <async_transport Transport>
class async_client {
public:
    /// The transport's executor; timers and completions use it.
    using executor_type = typename Transport::executor_type;

    /// Takes the transport, the X-Auth-Token and the options.
    async_client(Transport t, std::string token, client_options options = {})
        : transport_(std::move(t)),
          session_(std::make_shared<session const>(std::move(token), std::move(options))) {}

    /// Takes the transport and AK/SK credentials, as `basic_client` does:
    /// every request is signed (SDK-HMAC-SHA256, at the time `clock` tells)
    /// by the transport once it is final, through its `set_request_signer`
    /// (beast_async_transport has it; a transport without it cannot carry
    /// signed requests and does not compile here). No X-Auth-Token is sent.
    /// The transport's copies share the signer, so a second signing client
    /// on the same transport (or a copy) throws std::logic_error: give each
    /// its own transport.
    async_client(Transport t, aksk_credentials creds, client_options options = {},
                 clock_function clock = system_clock_function())
        : transport_(std::move(t)),
          session_(std::make_shared<session const>(std::string(), std::move(options))) {
        static_assert(
            requires(Transport & tr) {
                tr.set_request_signer(std::function<boost::system::error_code(http_request&)>{});
            },
            "AK/SK credentials need a transport with set_request_signer (such as "
            "beast_async_transport): the signature must cover the request exactly as the "
            "transport writes it");
        transport_.set_request_signer(aksk_signer(std::move(creds), std::move(clock)));
    }

    /// Takes the transport and an IAM token provider (shareable with other
    /// clients, sync or async), as `basic_client` does: each request carries
    /// the provider's current token; a 401 answer makes the provider fetch a
    /// new one for the next request; a failure to get a token is the call's
    /// `transport_error`, a `security_errc` (iam_refused, iam_unreachable, ...).
    ///
    /// The provider talks to IAM synchronously. So that a renewal never
    /// blocks the io_context, a call that finds no valid cached token asks
    /// for one on a private helper thread of this client (one thread: calls
    /// that need a token meanwhile queue there and then share the renewal)
    /// and resumes on its own executor with the answer. A valid token costs
    /// the io_context thread one short lock of the provider's mutex (never a
    /// wait for a renewal); a 401 makes the provider forget the token it was
    /// given to (for every client sharing it). Calls that queue behind a
    /// renewal that fails get that failure, without asking IAM again. A call cancelled
    /// while it waits for a renewal ends when that renewal ends (bounded by
    /// the IAM transport's timeouts).
    async_client(Transport t, std::shared_ptr<iam_token_provider> tokens,
                 client_options options = {})
        : transport_(std::move(t)),
          session_(std::make_shared<session const>(std::string(), std::move(options))),
          tokens_(std::move(tokens)) {
        if (!tokens_)
            throw std::invalid_argument("aigallery::async_client: the IAM token provider is null");
        renewer_ = std::make_unique<boost::asio::thread_pool>(1);
    }

    /// The transport's executor.
    executor_type get_executor() const { return transport_.get_executor(); }
    /// The transport.
    Transport& transport_layer() noexcept { return transport_; }
    /// The token and options all calls share.
    std::shared_ptr<session const> const& shared_session() const noexcept { return session_; }

    /// Drives any step machine (see `executor.hpp`) to its end.
    template <class T, class CompletionToken>
    auto async_run(operation<T> op, CompletionToken&& token) {
        return boost::asio::async_compose<CompletionToken, completion_signature_of<T>>(
            detail::async_drive_op<T, Transport>{
                &transport_, session_, std::make_unique<operation<T>>(std::move(op)), tokens_,
                renewer_ ? std::optional(renewer_->get_executor()) : std::nullopt},
            token, transport_.get_executor());
    }

    /// GET /v1/aihub/me.
    template <class CompletionToken>
    auto async_me(CompletionToken&& token) {
        return async_run(ops::me(session_), std::forward<CompletionToken>(token));
    }
    /// GET an asset, with its ETag.
    template <class CompletionToken>
    auto async_get_content(std::string content_id, CompletionToken&& token) {
        return async_run(ops::get_content(session_, std::move(content_id)),
                         std::forward<CompletionToken>(token));
    }
    /// GET one version.
    template <class CompletionToken>
    auto async_get_version(std::string content_id, version_number v, CompletionToken&& token) {
        return async_run(ops::get_version(session_, std::move(content_id), v),
                         std::forward<CompletionToken>(token));
    }
    /// GET a listing.
    template <class CompletionToken>
    auto async_list_contents(list_options o, CompletionToken&& token) {
        return async_run(ops::list_contents(session_, std::move(o)),
                         std::forward<CompletionToken>(token));
    }
    /// GET the workflow versions that depend on a version.
    template <class CompletionToken>
    auto async_dependents(std::string content_id, version_number v, CompletionToken&& token) {
        return async_run(ops::dependents(session_, std::move(content_id), v),
                         std::forward<CompletionToken>(token));
    }
    /// PUT a version's visibility.
    template <class CompletionToken>
    auto async_set_visibility(std::string content_id, version_number v, visibility vis,
                              std::vector<std::string> group_users, CompletionToken&& token) {
        return async_run(
            ops::set_visibility(session_, std::move(content_id), v, vis, std::move(group_users)),
            std::forward<CompletionToken>(token));
    }
    /// PATCH one version's whitelist (no cascade).
    template <class CompletionToken>
    auto async_patch_whitelist(std::string content_id, version_number v,
                               std::vector<std::string> add, std::vector<std::string> remove,
                               CompletionToken&& token) {
        return async_run(ops::patch_whitelist(session_, std::move(content_id), v, std::move(add),
                                              std::move(remove)),
                         std::forward<CompletionToken>(token));
    }
    /// DELETE one version.
    template <class CompletionToken>
    auto async_delete_version(std::string content_id, version_number v, CompletionToken&& token) {
        return async_run(ops::delete_version(session_, std::move(content_id), v),
                         std::forward<CompletionToken>(token));
    }
    /// DELETE an asset.
    template <class CompletionToken>
    auto async_delete_content(std::string content_id, CompletionToken&& token) {
        return async_run(ops::delete_content(session_, std::move(content_id)),
                         std::forward<CompletionToken>(token));
    }
    /// POST /v1/aihub/contents with an Idempotency-Key (a fresh one if `key` is empty).
    template <class CompletionToken>
    auto async_create_content(wire::create_content_request body, std::string key,
                              CompletionToken&& token) {
        return async_run(ops::create_content(session_, std::move(body), std::move(key)),
                         std::forward<CompletionToken>(token));
    }
    /// POST .../versions with If-Match when given and an Idempotency-Key.
    template <class CompletionToken>
    auto async_create_version(std::string content_id, wire::create_version_request body,
                              std::optional<version_number> if_match, std::string key,
                              CompletionToken&& token) {
        return async_run(ops::create_version(session_, std::move(content_id), std::move(body),
                                             if_match, std::move(key)),
                         std::forward<CompletionToken>(token));
    }
    /// The dry run of a release: reads only.
    template <class CompletionToken>
    auto async_plan_release(workflow wf, release_options o, CompletionToken&& token) {
        return async_run(ops::plan_release(session_, std::move(wf), std::move(o)),
                         std::forward<CompletionToken>(token));
    }
    /// The release: plans, then publishes, all or nothing.
    template <class CompletionToken>
    auto async_release_to_gallery(workflow wf, release_options o, CompletionToken&& token) {
        return async_run(ops::release_to_gallery(session_, std::move(wf), std::move(o)),
                         std::forward<CompletionToken>(token));
    }
    /// Adds users to a group workflow version and its algorithm versions.
    template <class CompletionToken>
    auto async_add_whitelist_users(std::string content_id, version_number v,
                                   std::vector<std::string> user_groups, CompletionToken&& token) {
        return async_run(
            ops::add_whitelist_users(session_, std::move(content_id), v, std::move(user_groups)),
            std::forward<CompletionToken>(token));
    }
    /// Removes users from a group workflow version, then its algorithm versions.
    template <class CompletionToken>
    auto async_delete_whitelist_users(std::string content_id, version_number v,
                                      std::vector<std::string> user_groups,
                                      CompletionToken&& token) {
        return async_run(
            ops::delete_whitelist_users(session_, std::move(content_id), v, std::move(user_groups)),
            std::forward<CompletionToken>(token));
    }

private:
    Transport transport_;
    std::shared_ptr<session const> session_;
    std::shared_ptr<iam_token_provider> tokens_;
    // Where token renewals wait, off the io_context; with a provider only.
    // Destroyed (joined) with the client, which must outlive its calls.
    std::unique_ptr<boost::asio::thread_pool> renewer_;
};

}  // namespace aigallery

#include <aigallery/impl/async_client.hpp>
