// operation<T>: resuming the coroutine and mapping what it threw to result<T>.
#pragma once

#include <aigallery/detail/task.hpp>
#include <aigallery/operation.hpp>

#include <cctype>
#include <stdexcept>

namespace aigallery {

inline std::string_view outgoing_request::header(std::string_view name) const noexcept {
    for (auto const& [k, v] : headers) {
        if (k.size() != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < k.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(k[i])) ==
                   std::tolower(static_cast<unsigned char>(name[i]));
        if (same)
            return v;
    }
    return {};
}

template <class T>
operation<T>::operation(detail::task<T> body) : machine_(std::make_unique<detail::machine>()) {
    auto h = body.release();
    h.promise().m = machine_.get();
    root_ = h;
}

template <class T>
operation<T>::operation(operation&& o) noexcept
    : machine_(std::move(o.machine_)), root_(std::exchange(o.root_, {})), started_(o.started_) {}

template <class T>
operation<T>& operation<T>::operator=(operation&& o) noexcept {
    if (this != &o) {
        if (root_)
            root_.destroy();
        machine_ = std::move(o.machine_);
        root_ = std::exchange(o.root_, {});
        started_ = o.started_;
    }
    return *this;
}

template <class T>
operation<T>::~operation() {
    if (root_)
        root_.destroy();
}

template <class T>
want operation<T>::next() {
    if (!root_ || root_.done())
        return want::done;
    std::coroutine_handle<> h;
    if (!started_) {
        started_ = true;
        h = root_;
    } else if (machine_->ready) {
        h = machine_->resume_point;
    } else {
        return machine_->pending;  // still waiting for the driver's answer
    }
    machine_->ready = false;
    machine_->pending = want::done;
    h.resume();
    return root_.done() ? want::done : machine_->pending;
}

template <class T>
outgoing_request const& operation<T>::request() const {
    return machine_->request;
}

template <class T>
std::chrono::milliseconds operation<T>::delay() const {
    return machine_->delay;
}

template <class T>
void operation<T>::deliver(exchange_outcome outcome) {
    machine_->outcome.emplace(std::move(outcome));
    machine_->ready = true;
}

template <class T>
void operation<T>::waited() {
    machine_->ready = true;
}

template <class T>
result<T> operation<T>::outcome() {
    if (!root_ || !root_.done())
        throw std::logic_error("aigallery::operation::outcome() before the operation is done");
    auto h = detail::task<T>::handle::from_address(root_.address());
    auto& p = h.promise();
    if (p.error) {
        try {
            std::rethrow_exception(p.error);
        } catch (gallery_error const& e) {
            return error(e);
        } catch (transport_error const& e) {
            return error(e.code(), e.note());
        }
    }
    if constexpr (std::is_void_v<T>)
        return {};
    else
        return std::move(*p.value);
}

}  // namespace aigallery
