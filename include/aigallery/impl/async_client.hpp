// async_client's driver: a composed operation that runs a step machine,
// sending with the async transport and waiting with an Asio timer.
#pragma once

#include <aigallery/async_client.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>

namespace aigallery::detail {

// The answer of a token renewal done off the io_context.
struct token_answer {
    result<iam_token> token;
};

// Asks the provider on the helper thread; whatever happens there becomes an
// answer, so the call always resumes on its own executor.
inline token_answer renew_token(iam_token_provider& provider, std::uint64_t seen) noexcept {
    try {
        return {provider.token_since(seen)};
    } catch (...) {  // token_since catches the transport's; this is for the rest
        return {error(make_error_code(security_errc::iam_unreachable),
                      "(the token renewal threw an exception)")};
    }
}

template <class T, class Transport>
struct async_drive_op {
    Transport* transport;
    std::shared_ptr<session const> s;
    std::unique_ptr<operation<T>> op;
    std::shared_ptr<iam_token_provider> tokens{};  // null: the session's token, or signing
    std::optional<boost::asio::thread_pool::executor_type> renewer{};
    std::unique_ptr<http_request> req{};
    std::unique_ptr<boost::asio::steady_timer> timer{};
    std::string sent_token{};  // the IAM token on the request in flight
    bool aborted = false;      // cancelled: no more I/O

    template <class Self>
    void operator()(Self& self) {
        step(self);
    }

    // the transport's answer
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, http_response res) {
        note_cancellation(self, ec);
        if (tokens && !ec && res.result_int() == 401)
            tokens->invalidate(sent_token);  // the next request asks IAM again
        if (ec)
            op->deliver(exchange_outcome(ec));
        else
            op->deliver(exchange_outcome(from_http(std::move(res))));
        step(self);
    }

    // the back-off timer
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec) {
        note_cancellation(self, ec);
        op->waited();
        step(self);
    }

    // a token from the helper thread, back on the call's executor
    template <class Self>
    void operator()(Self& self, token_answer answer) {
        note_cancellation(self, {});
        if (aborted)
            op->deliver(exchange_outcome(make_error_code(boost::asio::error::operation_aborted)));
        else if (!answer.token)  // a transport failure to the step machine, so it can undo
            op->deliver(exchange_outcome(answer.token.error().transport()));
        else
            return send_with(self, answer.token->value);
        step(self);
    }

    template <class Self>
    void send_with(Self& self, std::string token) {
        sent_token = std::move(token);
        req->set("X-Auth-Token", sent_token);
        transport->async_send(*req, std::move(self));
    }

    // No valid cached token: renew on the helper thread (which may wait for
    // a renewal another caller started), then resume where the call runs.
    // Calls queue on that one thread; `seen` lets a call that queued behind
    // a renewal which then failed take that failure instead of asking IAM
    // once more.
    template <class Self>
    void renew(Self& self, std::uint64_t seen) {
        auto provider = tokens;
        auto helper = *renewer;  // before `self` (which holds `renewer`) moves
        boost::asio::post(helper, [provider, seen, self = std::move(self)]() mutable {
            token_answer answer = renew_token(*provider, seen);
            auto ex = self.get_executor();
            boost::asio::dispatch(ex,
                                  [answer = std::move(answer), self = std::move(self)]() mutable {
                                      self(std::move(answer));
                                  });
        });
    }

    template <class Self>
    void note_cancellation(Self& self, boost::system::error_code ec) {
        if (ec == boost::asio::error::operation_aborted ||
            self.cancelled() != boost::asio::cancellation_type::none)
            aborted = true;
    }

    template <class Self>
    void step(Self& self) {
        for (;;) {
            switch (op->next()) {
                case want::send:
                    if (aborted) {  // answered at once: the machine ends without I/O
                        op->deliver(exchange_outcome(
                            make_error_code(boost::asio::error::operation_aborted)));
                        continue;
                    }
                    req = std::make_unique<http_request>(to_http(op->request()));
                    if (tokens) {
                        // `seen` first: a renewal that fails after it is this call's answer
                        auto const seen = tokens->renewals();
                        if (auto cached = tokens->cached())  // never waits on a renewal
                            return send_with(self, std::move(cached->value));
                        return renew(self, seen);
                    }
                    transport->async_send(*req, std::move(self));
                    return;
                case want::wait: {
                    if (aborted) {
                        op->waited();
                        continue;
                    }
                    auto d = op->delay();
                    if (s->options().async_delay)
                        d = s->options().async_delay(d);
                    timer = std::make_unique<boost::asio::steady_timer>(transport->get_executor());
                    timer->expires_after(d);
                    timer->async_wait(std::move(self));
                    return;
                }
                case want::done:
                    return complete(self);
            }
        }
    }

    // Every exception reaches the caller's handler, never io_context::run:
    // outcome() passes on whatever the machine threw (a gallery_error, or
    // anything unexpected, such as std::bad_alloc). The handler is called
    // outside the try block, so it is called exactly once.
    template <class Self>
    void complete(Self& self) {
        std::exception_ptr e;
        std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
        try {
            auto r = op->outcome();
            if (!r)
                r.error().raise();
            if constexpr (std::is_void_v<T>)
                value.emplace(true);
            else
                value.emplace(std::move(*r));
        } catch (...) {
            e = std::current_exception();
        }
        op.reset();
        if constexpr (std::is_void_v<T>)
            self.complete(e);
        else
            self.complete(e, e ? T{} : std::move(*value));
    }
};

}  // namespace aigallery::detail
