// The in-process transport for `async_client`: each request goes straight to
// a mock gallery's handler on the caller's executor, no socket. Its own
// header, so that in_process_transport.hpp stays free of Asio.
#pragma once

#include <aigallery/async_transport.hpp>
#include <aigallery/http.hpp>
#include <aigallery/mock/service.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <concepts>
#include <memory>

namespace aigallery::mock {

/// Satisfies `aigallery::async_transport`. Copyable; copies share the
/// service, which must outlive them. Thread-safe as the service is. A
/// `delay` fault waits on an Asio timer (the thread is not blocked); a
/// `reset` is `connection_reset`, as a socket would report it.
class async_in_process_transport {
public:
    /// The executor handlers and timers run on.
    using executor_type = boost::asio::any_io_executor;

    /// Serves with `s` on `ex`.
    async_in_process_transport(executor_type ex, service& s) noexcept
        : ex_(std::move(ex)), service_(&s) {}

    /// From anything that owns a service, such as `mock::server`.
    template <class Gallery>
    requires(!std::same_as<Gallery, service>) && requires(Gallery& g) {
        { g.handler_service() } -> std::same_as<service&>;
    }
    async_in_process_transport(executor_type ex, Gallery& gallery) noexcept
        : ex_(std::move(ex)), service_(&gallery.handler_service()) {}

    /// The executor given.
    executor_type get_executor() const noexcept { return ex_; }
    /// The service requests go to.
    service& target_service() const noexcept { return *service_; }

    /// The service's answer, never completing inline. Completion signature
    /// `void(boost::system::error_code, http_response)`.
    template <class CompletionToken>
    auto async_send(http_request const& req, CompletionToken&& token) {
        return boost::asio::async_compose<CompletionToken,
                                          void(boost::system::error_code, http_response)>(
            op{service_, std::make_unique<http_request>(req), ex_}, token, ex_);
    }

private:
    struct op {
        service* svc;
        std::unique_ptr<http_request> req;
        executor_type ex;
        std::unique_ptr<boost::asio::steady_timer> timer{};
        std::unique_ptr<handler_outcome> outcome{};
        int stage = 0;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}) {
            if (ec)  // a cancelled delay
                return self.complete(ec, http_response{});
            switch (stage++) {
                case 0:  // never complete inline
                    boost::asio::post(ex, std::move(self));
                    return;
                case 1:
                    if (auto d = svc->take_delay(*req); d > std::chrono::milliseconds::zero())
                        return wait(self, d);
                    [[fallthrough]];
                case 2:
                    stage = 3;
                    outcome = std::make_unique<handler_outcome>(
                        svc->handle(*req, /*peer_is_loopback=*/true));
                    if (outcome->delay > std::chrono::milliseconds::zero())
                        return wait(self, outcome->delay);
                    [[fallthrough]];
                default:
                    if (outcome->reset)
                        return self.complete(make_error_code(boost::asio::error::connection_reset),
                                             http_response{});
                    self.complete({}, std::move(outcome->response));
            }
        }

        template <class Self>
        void wait(Self& self, std::chrono::milliseconds d) {
            timer = std::make_unique<boost::asio::steady_timer>(ex, d);
            timer->async_wait(std::move(self));
        }
    };

    executor_type ex_;
    service* service_;
};

static_assert(async_transport<async_in_process_transport>);

}  // namespace aigallery::mock
