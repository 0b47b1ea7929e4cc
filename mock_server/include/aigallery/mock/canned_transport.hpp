// A transport double with no gallery behind it: a queue of canned answers
// and a record of every request, in the manner of AWS's MockHttpClient. A
// test scripts the exact conversation (including answers lost on the way)
// and then checks what the client sent. Light: no Asio, no mock service.
#pragma once

#include <aigallery/http.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/result.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aigallery::mock {

/// One canned answer: a response, or no answer at all (a transport error).
struct canned_answer {
    std::optional<http_response> response{};  ///< the answer, if any
    boost::system::error_code no_answer{};    ///< why there is none

    /// A JSON answer with `status`, and headers such as ETag.
    static canned_answer json(int status, std::string body,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
        http_response r{static_cast<http::status>(status), 11};
        r.set(http::field::content_type, "application/json");
        for (auto const& [k, v] : headers)
            r.set(k, v);
        r.body() = std::move(body);
        r.prepare_payload();
        return {std::move(r), {}};
    }
    /// No answer: the connection was reset (or `ec`).
    static canned_answer lost(
        boost::system::error_code ec = make_error_code(boost::asio::error::connection_reset)) {
        return {std::nullopt, ec};
    }
};

/// Satisfies `aigallery::transport`. Copies share one queue and one record,
/// so a test keeps a copy while the client owns another. Thread-safe.
class canned_transport {
public:
    canned_transport() : state_(std::make_shared<state>()) {}

    /// Queues the next answer.
    canned_transport& then(canned_answer a) {
        std::lock_guard lock(state_->mutex);
        state_->answers.push_back(std::move(a));
        return *this;
    }

    /// Records `req` and hands out the next answer; with none left, records
    /// the request as unexpected and answers `not_connected`.
    boost::system::result<http_response> send(http_request const& req) {
        std::lock_guard lock(state_->mutex);
        state_->requests.push_back(req);
        if (state_->answers.empty()) {
            ++state_->unexpected;
            return make_error_code(boost::asio::error::not_connected);
        }
        auto a = std::move(state_->answers.front());
        state_->answers.pop_front();
        if (a.response)
            return std::move(*a.response);
        return a.no_answer;
    }

    /// Every request sent so far, in order.
    std::vector<http_request> requests() const {
        std::lock_guard lock(state_->mutex);
        return state_->requests;
    }
    /// Answers queued and not yet handed out.
    std::size_t pending() const {
        std::lock_guard lock(state_->mutex);
        return state_->answers.size();
    }
    /// Requests that came when no answer was left.
    std::size_t unexpected() const {
        std::lock_guard lock(state_->mutex);
        return state_->unexpected;
    }

private:
    struct state {
        std::mutex mutex;
        std::deque<canned_answer> answers;
        std::vector<http_request> requests;
        std::size_t unexpected = 0;
    };
    std::shared_ptr<state> state_;
};

static_assert(transport<canned_transport>);

}  // namespace aigallery::mock
