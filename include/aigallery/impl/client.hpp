// basic_client: the synchronous driver of the step machines.
#pragma once

#include <aigallery/client.hpp>
#include <aigallery/detail/beast_message.hpp>

#include <functional>
#include <stdexcept>

namespace aigallery {

template <transport Transport>
basic_client<Transport>::basic_client(Transport t, std::string token, client_options options)
    : transport_(std::move(t)),
      session_(std::make_shared<session const>(std::move(token), std::move(options))) {}

template <transport Transport>
basic_client<Transport>::basic_client(Transport t, aksk_credentials creds, client_options options,
                                      clock_function clock)
    : transport_(std::move(t)),
      session_(std::make_shared<session const>(std::string(), std::move(options))) {
    static_assert(
        requires(Transport & tr) {
            tr.set_request_signer(std::function<boost::system::error_code(http_request&)>{});
        },
        "AK/SK credentials need a transport with set_request_signer (such as beast_transport): "
        "the signature must cover the request exactly as the transport writes it");
    transport_.set_request_signer(aksk_signer(std::move(creds), std::move(clock)));
}

template <transport Transport>
basic_client<Transport>::basic_client(Transport t, std::shared_ptr<iam_token_provider> tokens,
                                      client_options options)
    : transport_(std::move(t)),
      session_(std::make_shared<session const>(std::string(), std::move(options))),
      tokens_(std::move(tokens)) {
    if (!tokens_)
        throw std::invalid_argument("aigallery::basic_client: the IAM token provider is null");
}

template <transport Transport>
template <class T>
result<T> basic_client<Transport>::run(operation<T> op) {
    for (;;) {
        switch (op.next()) {
            case want::send: {
                auto req = detail::to_http(op.request());
                std::string sent_token;
                if (tokens_) {
                    auto token = tokens_->token();
                    if (!token) {  // a transport failure to the step machine, so it can undo
                        op.deliver(detail::from_http(
                            boost::system::result<http_response>(token.error().transport())));
                        break;
                    }
                    sent_token = std::move(token->value);
                    req.set("X-Auth-Token", sent_token);
                }
                auto answer = transport_.send(req);
                if (tokens_ && answer && answer->result_int() == 401)
                    tokens_->invalidate(sent_token);  // not a newer token another call got
                op.deliver(detail::from_http(std::move(answer)));
                break;
            }
            case want::wait:
                session_->options().sleeper(op.delay());
                op.waited();
                break;
            case want::done:
                return op.outcome();
        }
    }
}

template <transport Transport>
result<wire::me_response> basic_client<Transport>::try_me() {
    return run(ops::me(session_));
}

template <transport Transport>
wire::me_response basic_client<Transport>::me() {
    return try_me().value();
}

template <transport Transport>
result<content_info> basic_client<Transport>::try_get_content(std::string const& content_id) {
    return run(ops::get_content(session_, content_id));
}

template <transport Transport>
content_info basic_client<Transport>::get_content(std::string const& content_id) {
    return try_get_content(content_id).value();
}

template <transport Transport>
result<wire::version_response> basic_client<Transport>::try_get_version(
    std::string const& content_id, version_number v) {
    return run(ops::get_version(session_, content_id, v));
}

template <transport Transport>
wire::version_response basic_client<Transport>::get_version(std::string const& content_id,
                                                            version_number v) {
    return try_get_version(content_id, v).value();
}

template <transport Transport>
result<wire::content_list_response> basic_client<Transport>::try_list_contents(
    list_options const& o) {
    return run(ops::list_contents(session_, o));
}

template <transport Transport>
wire::content_list_response basic_client<Transport>::list_contents(list_options const& o) {
    return try_list_contents(o).value();
}

template <transport Transport>
result<wire::dependents_response> basic_client<Transport>::try_dependents(
    std::string const& content_id, version_number v) {
    return run(ops::dependents(session_, content_id, v));
}

template <transport Transport>
wire::dependents_response basic_client<Transport>::dependents(std::string const& content_id,
                                                              version_number v) {
    return try_dependents(content_id, v).value();
}

template <transport Transport>
result<wire::version_response> basic_client<Transport>::try_set_visibility(
    std::string const& content_id, version_number v, aigallery::visibility vis,
    std::vector<std::string> group_users) {
    return run(ops::set_visibility(session_, content_id, v, vis, std::move(group_users)));
}

template <transport Transport>
wire::version_response basic_client<Transport>::set_visibility(
    std::string const& content_id, version_number v, aigallery::visibility vis,
    std::vector<std::string> group_users) {
    return try_set_visibility(content_id, v, vis, std::move(group_users)).value();
}

template <transport Transport>
result<wire::whitelist_response> basic_client<Transport>::try_patch_whitelist(
    std::string const& content_id, version_number v, std::vector<std::string> add,
    std::vector<std::string> remove) {
    return run(ops::patch_whitelist(session_, content_id, v, std::move(add), std::move(remove)));
}

template <transport Transport>
wire::whitelist_response basic_client<Transport>::patch_whitelist(std::string const& content_id,
                                                                  version_number v,
                                                                  std::vector<std::string> add,
                                                                  std::vector<std::string> remove) {
    return try_patch_whitelist(content_id, v, std::move(add), std::move(remove)).value();
}

template <transport Transport>
result<void> basic_client<Transport>::try_delete_version(std::string const& content_id,
                                                         version_number v) {
    return run(ops::delete_version(session_, content_id, v));
}

template <transport Transport>
void basic_client<Transport>::delete_version(std::string const& content_id, version_number v) {
    try_delete_version(content_id, v).value();
}

template <transport Transport>
result<void> basic_client<Transport>::try_delete_content(std::string const& content_id) {
    return run(ops::delete_content(session_, content_id));
}

template <transport Transport>
void basic_client<Transport>::delete_content(std::string const& content_id) {
    try_delete_content(content_id).value();
}

template <transport Transport>
result<wire::publish_response> basic_client<Transport>::try_create_content(
    wire::create_content_request const& body, std::string key) {
    return run(ops::create_content(session_, body, std::move(key)));
}

template <transport Transport>
wire::publish_response basic_client<Transport>::create_content(
    wire::create_content_request const& body, std::string key) {
    return try_create_content(body, std::move(key)).value();
}

template <transport Transport>
result<wire::publish_response> basic_client<Transport>::try_create_version(
    std::string const& content_id, wire::create_version_request const& body,
    std::optional<version_number> if_match, std::string key) {
    return run(ops::create_version(session_, content_id, body, if_match, std::move(key)));
}

template <transport Transport>
wire::publish_response basic_client<Transport>::create_version(
    std::string const& content_id, wire::create_version_request const& body,
    std::optional<version_number> if_match, std::string key) {
    return try_create_version(content_id, body, if_match, std::move(key)).value();
}

template <transport Transport>
result<release_plan> basic_client<Transport>::try_plan_release(workflow const& wf,
                                                               release_options const& opts) {
    return run(ops::plan_release(session_, wf, opts));
}

template <transport Transport>
release_plan basic_client<Transport>::plan_release(workflow const& wf,
                                                   release_options const& opts) {
    return try_plan_release(wf, opts).value();
}

template <transport Transport>
result<release_result> basic_client<Transport>::try_release_to_gallery(
    workflow const& wf, release_options const& opts) {
    return run(ops::release_to_gallery(session_, wf, opts));
}

template <transport Transport>
release_result basic_client<Transport>::release_to_gallery(workflow const& wf,
                                                           release_options const& opts) {
    return try_release_to_gallery(wf, opts).value();
}

template <transport Transport>
result<whitelist_change_result> basic_client<Transport>::try_add_whitelist_users(
    std::string const& content_id, version_number version_num,
    std::vector<std::string> const& user_groups) {
    return run(ops::add_whitelist_users(session_, content_id, version_num, user_groups));
}

template <transport Transport>
whitelist_change_result basic_client<Transport>::add_whitelist_users(
    std::string const& content_id, version_number version_num,
    std::vector<std::string> const& user_groups) {
    return try_add_whitelist_users(content_id, version_num, user_groups).value();
}

template <transport Transport>
result<whitelist_change_result> basic_client<Transport>::try_delete_whitelist_users(
    std::string const& content_id, version_number version_num,
    std::vector<std::string> const& user_groups) {
    return run(ops::delete_whitelist_users(session_, content_id, version_num, user_groups));
}

template <transport Transport>
whitelist_change_result basic_client<Transport>::delete_whitelist_users(
    std::string const& content_id, version_number version_num,
    std::vector<std::string> const& user_groups) {
    return try_delete_whitelist_users(content_id, version_num, user_groups).value();
}

}  // namespace aigallery
