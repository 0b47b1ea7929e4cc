// The step machine that every client call is: it says which request to send
// (or how long to wait before a retry), is told the outcome, and in the end
// holds the call's result. It does no I/O itself, so the synchronous client,
// the asynchronous client and the tests drive the very same decisions, each
// in its own way (a blocking transport, an Asio transport, a canned queue).
//
// Free of Asio and Beast on purpose: a request is plain data here, and the
// drivers translate it to and from the transport's message types.
#pragma once

#include <aigallery/error.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aigallery {

/// The HTTP methods of the REST contract.
enum class method { get, post, put, patch, delete_ };

/// The method's name as it goes on the request line.
constexpr std::string_view to_string(method m) noexcept {
    switch (m) {
        case method::post:
            return "POST";
        case method::put:
            return "PUT";
        case method::patch:
            return "PATCH";
        case method::delete_:
            return "DELETE";
        default:
            return "GET";
    }
}

/// A request as a step machine asks for it: the driver adds the framing
/// (Host, Content-Length) that its transport needs.
struct outgoing_request {
    /// The HTTP method.
    aigallery::method verb = aigallery::method::get;
    std::string target{};  ///< origin-form, such as "/v1/aihub/me"
    std::string body{};    ///< JSON, or empty
    /// Headers besides framing, in order (X-Auth-Token, Idempotency-Key, ...).
    std::vector<std::pair<std::string, std::string>> headers{};

    /// The value of header `name` (compared case-insensitively), or empty.
    std::string_view header(std::string_view name) const noexcept;
};

/// An answer as a step machine reads it: the status, the body and the only
/// headers the contract gives meaning to.
struct incoming_response {
    /// The HTTP status.
    int status = 0;
    std::string body{};         ///< the body, as received
    std::string etag{};         ///< ETag, or empty
    std::string request_id{};   ///< X-Request-Id, or empty
    std::string retry_after{};  ///< Retry-After, or empty
};

/// What happened to one request: an answer, or the transport's reason for
/// getting none (refused, reset, timed out).
using exchange_outcome = boost::system::result<incoming_response>;

namespace detail {
struct machine;
template <class T>
class task;
}  // namespace detail

/// What a step machine wants its driver to do next.
enum class want {
    send,  ///< send `request()` and hand its outcome to `deliver`
    wait,  ///< wait `delay()` (a back-off before a retry), then call `waited`
    done,  ///< finished: `outcome()` holds the outcome
};

/// One client call as a step machine. Move-only. Drive it as
/// `for (;;) switch (op.next()) { ... }`; every decision (retries, the
/// release plan, the undo) is made inside, none in the driver.
template <class T>
class operation {
public:
    /// Adopts the coroutine that implements the call (see `impl/executor.hpp`).
    explicit operation(detail::task<T> body);
    /// Moves the call; the moved-from one may only be destroyed.
    operation(operation&&) noexcept;
    /// Moves the call; the moved-from one may only be destroyed.
    operation& operator=(operation&&) noexcept;
    operation(operation const&) = delete;
    operation& operator=(operation const&) = delete;
    ~operation();

    /// Runs the machine until it needs the driver, and says for what.
    want next();
    /// The request to send; valid after `next()` returned `want::send`.
    outgoing_request const& request() const;
    /// How long to wait; valid after `next()` returned `want::wait`.
    std::chrono::milliseconds delay() const;
    /// The outcome of the request of the last `want::send`.
    void deliver(exchange_outcome outcome);
    /// The wait of the last `want::wait` is over.
    void waited();
    /// The call's outcome, once `next()` returned `want::done`: the value,
    /// a `gallery_error`, or a transport failure (with a note on what it left).
    result<T> outcome();

private:
    std::unique_ptr<detail::machine> machine_;
    std::coroutine_handle<> root_;
    bool started_ = false;
};

}  // namespace aigallery

#include <aigallery/detail/task.hpp>
#include <aigallery/impl/operation.hpp>
