// The async client seen through the sync client's interface, so that the
// client contract cases run unchanged against both: each call starts the
// async operation with a plain callback, runs the io_context until it
// completes, and turns the exception it delivered back into a result<T>.
// That the exceptions are the sync API's own types is part of the check.
#pragma once

#include <aigallery/async_client.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <optional>

namespace test {

template <class AsyncTransport>
class blocking_async_client {
public:
    using async_type = aigallery::async_client<AsyncTransport>;

    blocking_async_client(std::shared_ptr<boost::asio::io_context> io,
                          std::unique_ptr<async_type> c)
        : io_(std::move(io)), c_(std::move(c)) {}

    async_type& async() { return *c_; }

    template <class T, class Start>
    aigallery::result<T> wait(Start start) {
        std::optional<aigallery::result<T>> out;
        auto store = [&](std::exception_ptr e, auto&&... v) {
            if (!e) {
                if constexpr (sizeof...(v) == 0)
                    out.emplace();
                else
                    out.emplace(std::move(v)...);
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (aigallery::gallery_error const& g) {
                out.emplace(aigallery::error(g));
            } catch (aigallery::transport_error const& t) {
                out.emplace(aigallery::error(t.code(), t.note()));
            }
        };
        start(store);
        io_->restart();
        io_->run();
        BOOST_REQUIRE_MESSAGE(out.has_value(), "the async call never completed");
        return std::move(*out);
    }

    aigallery::result<aigallery::wire::me_response> try_me() {
        return wait<aigallery::wire::me_response>([&](auto h) { c_->async_me(h); });
    }
    aigallery::wire::me_response me() { return try_me().value(); }

    aigallery::result<aigallery::content_info> try_get_content(std::string const& id) {
        return wait<aigallery::content_info>([&](auto h) { c_->async_get_content(id, h); });
    }
    aigallery::content_info get_content(std::string const& id) {
        return try_get_content(id).value();
    }

    aigallery::result<aigallery::wire::version_response> try_get_version(
        std::string const& id, aigallery::version_number v) {
        return wait<aigallery::wire::version_response>(
            [&](auto h) { c_->async_get_version(id, v, h); });
    }
    aigallery::wire::version_response get_version(std::string const& id,
                                                  aigallery::version_number v) {
        return try_get_version(id, v).value();
    }

    aigallery::result<aigallery::wire::content_list_response> try_list_contents(
        aigallery::list_options const& o = {}) {
        return wait<aigallery::wire::content_list_response>(
            [&](auto h) { c_->async_list_contents(o, h); });
    }
    aigallery::wire::content_list_response list_contents(aigallery::list_options const& o = {}) {
        return try_list_contents(o).value();
    }

    aigallery::result<aigallery::wire::version_response> try_set_visibility(
        std::string const& id, aigallery::version_number v, aigallery::visibility vis,
        std::vector<std::string> users = {}) {
        return wait<aigallery::wire::version_response>(
            [&](auto h) { c_->async_set_visibility(id, v, vis, users, h); });
    }

    aigallery::result<aigallery::wire::whitelist_response> try_patch_whitelist(
        std::string const& id, aigallery::version_number v, std::vector<std::string> add,
        std::vector<std::string> remove) {
        return wait<aigallery::wire::whitelist_response>(
            [&](auto h) { c_->async_patch_whitelist(id, v, add, remove, h); });
    }

    aigallery::result<aigallery::wire::publish_response> try_create_content(
        aigallery::wire::create_content_request const& body, std::string key = {}) {
        return wait<aigallery::wire::publish_response>(
            [&](auto h) { c_->async_create_content(body, key, h); });
    }

    aigallery::result<aigallery::wire::publish_response> try_create_version(
        std::string const& id, aigallery::wire::create_version_request const& body,
        std::optional<aigallery::version_number> if_match = std::nullopt, std::string key = {}) {
        return wait<aigallery::wire::publish_response>(
            [&](auto h) { c_->async_create_version(id, body, if_match, key, h); });
    }

    aigallery::result<aigallery::release_plan> try_plan_release(
        aigallery::workflow const& wf, aigallery::release_options const& o = {}) {
        return wait<aigallery::release_plan>([&](auto h) { c_->async_plan_release(wf, o, h); });
    }
    aigallery::release_plan plan_release(aigallery::workflow const& wf,
                                         aigallery::release_options const& o = {}) {
        return try_plan_release(wf, o).value();
    }

    aigallery::result<aigallery::release_result> try_release_to_gallery(
        aigallery::workflow const& wf, aigallery::release_options const& o = {}) {
        return wait<aigallery::release_result>(
            [&](auto h) { c_->async_release_to_gallery(wf, o, h); });
    }
    aigallery::release_result release_to_gallery(aigallery::workflow const& wf,
                                                 aigallery::release_options const& o = {}) {
        return try_release_to_gallery(wf, o).value();
    }

    aigallery::result<aigallery::whitelist_change_result> try_add_whitelist_users(
        std::string const& id, aigallery::version_number v, std::vector<std::string> const& users) {
        return wait<aigallery::whitelist_change_result>(
            [&](auto h) { c_->async_add_whitelist_users(id, v, users, h); });
    }
    aigallery::whitelist_change_result add_whitelist_users(std::string const& id,
                                                           aigallery::version_number v,
                                                           std::vector<std::string> const& users) {
        return try_add_whitelist_users(id, v, users).value();
    }

    aigallery::result<aigallery::whitelist_change_result> try_delete_whitelist_users(
        std::string const& id, aigallery::version_number v, std::vector<std::string> const& users) {
        return wait<aigallery::whitelist_change_result>(
            [&](auto h) { c_->async_delete_whitelist_users(id, v, users, h); });
    }
    aigallery::whitelist_change_result delete_whitelist_users(
        std::string const& id, aigallery::version_number v, std::vector<std::string> const& users) {
        return try_delete_whitelist_users(id, v, users).value();
    }

private:
    std::shared_ptr<boost::asio::io_context> io_;
    std::unique_ptr<async_type> c_;
};

}  // namespace test
