// A transport without a socket: each request goes straight to a mock
// gallery's handler. Tests of client logic run fast and deterministic on it,
// and the same cases run over loopback through beast_transport.
#pragma once

#include <aigallery/http.hpp>
#include <aigallery/mock/service.hpp>

#include <boost/system/errc.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <concepts>
#include <thread>

namespace aigallery::mock {

/// Satisfies `aigallery::transport`. Copyable; copies share the service,
/// which must outlive them. Thread-safe as the service is.
class in_process_transport {
public:
    /// Calls `s` directly; `s` must outlive the transport.
    explicit in_process_transport(service& s) noexcept : service_(&s) {}

    /// From anything that owns a service, such as `mock::server`, without
    /// making this header depend on the server's networking headers.
    template <class Gallery>
    requires(!std::same_as<Gallery, service>) && requires(Gallery& g) {
        { g.handler_service() } -> std::same_as<service&>;
    }
    explicit in_process_transport(Gallery& gallery) noexcept
        : service_(&gallery.handler_service()) {}

    /// The service's answer; a `reset` outcome is `connection_reset`, as a
    /// socket would report it, and a `delay` blocks the caller for that long.
    boost::system::result<http_response> send(http_request const& req) {
        if (auto before = service_->take_delay(req); before > std::chrono::milliseconds::zero())
            std::this_thread::sleep_for(before);
        handler_outcome outcome = service_->handle(req, /*peer_is_loopback=*/true);
        if (outcome.reset)
            return make_error_code(boost::system::errc::connection_reset);
        if (outcome.delay > std::chrono::milliseconds::zero()) {
            std::this_thread::sleep_for(outcome.delay);
        }
        return std::move(outcome.response);
    }

    /// The service it calls.
    service& target_service() const noexcept { return *service_; }

private:
    service* service_;
};

static_assert(transport<in_process_transport>);

}  // namespace aigallery::mock
