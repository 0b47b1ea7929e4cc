// async_client's driver: a composed operation that runs a step machine,
// sending with the async transport and waiting with an Asio timer.
#pragma once

#include <aigallery/async_client.hpp>

namespace aigallery::detail {

template <class T, class Transport>
struct async_drive_op {
    Transport* transport;
    std::shared_ptr<session const> s;
    std::unique_ptr<operation<T>> op;
    std::unique_ptr<http_request> req{};
    std::unique_ptr<boost::asio::steady_timer> timer{};
    bool aborted = false;  // cancelled: no more I/O

    template <class Self>
    void operator()(Self& self) {
        step(self);
    }

    // the transport's answer
    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, http_response res) {
        note_cancellation(self, ec);
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

    template <class Self>
    void complete(Self& self) {
        auto r = op->outcome();
        op.reset();
        if (r) {
            if constexpr (std::is_void_v<T>)
                self.complete(std::exception_ptr());
            else
                self.complete(std::exception_ptr(), std::move(*r));
            return;
        }
        std::exception_ptr e;
        try {
            r.error().raise();
        } catch (...) {
            e = std::current_exception();
        }
        if constexpr (std::is_void_v<T>)
            self.complete(e);
        else
            self.complete(e, T{});
    }
};

}  // namespace aigallery::detail
