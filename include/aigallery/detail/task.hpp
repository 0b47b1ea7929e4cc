// The coroutine behind `operation<T>`: a lazy task whose awaits of `send`
// and `wait` hand control back to the driver, and whose awaits of other
// tasks nest (symmetric transfer). Plain C++20 coroutines, no executor: the
// driver decides where and when the machine runs.
#pragma once

#include <aigallery/operation.hpp>

#include <chrono>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace aigallery::detail {

/// What the innermost suspended coroutine of one operation asks for.
struct machine {
    want pending = want::done;
    outgoing_request request{};
    std::chrono::milliseconds delay{0};
    std::optional<exchange_outcome> outcome{};
    std::coroutine_handle<> resume_point{};
    bool ready = false;  // the driver has answered `pending`
};

struct promise_base {
    machine* m = nullptr;
    std::coroutine_handle<> continuation{};
    std::exception_ptr error{};

    std::suspend_always initial_suspend() noexcept { return {}; }
    struct final_awaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            auto c = h.promise().continuation;
            return c ? c : std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    final_awaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct value_promise : promise_base {
    std::optional<T> value{};
    template <class U>
    void return_value(U&& v) {
        value.emplace(std::forward<U>(v));
    }
};
template <>
struct value_promise<void> : promise_base {
    void return_void() noexcept {}
};

/// A lazily started coroutine returning T; awaitable from another task.
template <class T>
class task {
public:
    struct promise_type : value_promise<T> {
        task get_return_object() {
            return task(std::coroutine_handle<promise_type>::from_promise(*this));
        }
    };
    using handle = std::coroutine_handle<promise_type>;

    explicit task(handle h) noexcept : h_(h) {}
    task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    task& operator=(task&&) = delete;
    ~task() {
        if (h_)
            h_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
        h_.promise().continuation = parent;
        h_.promise().m = parent.promise().m;
        return h_;
    }
    T await_resume() {
        auto& p = h_.promise();
        if (p.error)
            std::rethrow_exception(p.error);
        if constexpr (!std::is_void_v<T>)
            return std::move(*p.value);
    }

    handle release() noexcept { return std::exchange(h_, {}); }

private:
    handle h_;
};

/// `co_await send(req)`: the driver sends `req`; the outcome comes back.
struct send_awaiter {
    outgoing_request req;
    machine* m = nullptr;
    bool await_ready() noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
        m = h.promise().m;
        m->request = std::move(req);
        m->outcome.reset();
        m->pending = want::send;
        m->resume_point = h;
    }
    exchange_outcome await_resume() { return std::move(*m->outcome); }
};
inline send_awaiter send(outgoing_request req) {
    return {std::move(req)};
}

/// `co_await wait(d)`: the driver waits `d` (a sleeper, an Asio timer).
struct wait_awaiter {
    std::chrono::milliseconds delay;
    bool await_ready() noexcept { return delay.count() <= 0; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
        auto m = h.promise().m;
        m->delay = delay;
        m->pending = want::wait;
        m->resume_point = h;
    }
    void await_resume() noexcept {}
};
inline wait_awaiter wait(std::chrono::milliseconds d) {
    return {d};
}

}  // namespace aigallery::detail
