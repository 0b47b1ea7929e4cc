// The async client with an IAM token provider, in process (no TLS, so that
// ThreadSanitizer sees the renewal thread cheaply): one renewal for many
// calls and clients, a failed renewal shared by the calls queued behind it,
// renewal as the token nears its expiry, and a 401 that makes the provider
// forget exactly the token it was given to.
#include <aigallery/async_client.hpp>
#include <aigallery/iam_token_provider.hpp>
#include <aigallery/mock/async_in_process_transport.hpp>
#include <aigallery/mock/in_process_transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace ag = aigallery;
namespace mock = aigallery::mock;
namespace net = boost::asio;
using namespace std::chrono_literals;

std::chrono::sys_seconds const start{std::chrono::seconds(1795642194)};

// Closed while a test starts its calls, opened once all of them are
// started: IAM answers nothing before that, however slowly the test runs.
using gate = std::shared_ptr<std::atomic<bool>>;
void wait_for(gate const& g) {
    while (g && !g->load())
        std::this_thread::sleep_for(1ms);
}

// IAM, in process: counts the requests that reach it, and holds each until
// the gate opens, so that every call of a batch queues behind the first renewal.
struct counting_iam {
    mock::in_process_transport inner;
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    gate opened = std::make_shared<std::atomic<bool>>(true);
    boost::system::result<ag::http_response> send(ag::http_request const& r) {
        ++*calls;
        wait_for(opened);
        return inner.send(r);
    }
};

// The gallery, asynchronously in process; answers 401 to the first
// `reject` requests (as a gateway does to a token it no longer accepts) and
// records the token each request carried.
struct gallery_transport {
    mock::async_in_process_transport inner;
    std::shared_ptr<std::atomic<int>> reject = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
    std::shared_ptr<std::vector<std::string>> tokens = std::make_shared<std::vector<std::string>>();

    using executor_type = mock::async_in_process_transport::executor_type;
    executor_type get_executor() const { return inner.get_executor(); }

    template <class CompletionToken>
    auto async_send(ag::http_request const& req, CompletionToken&& token) {
        {
            std::lock_guard lock(*mutex);
            tokens->emplace_back(req["X-Auth-Token"]);
        }
        if (reject->fetch_sub(1) > 0)
            return net::async_initiate<CompletionToken,
                                       void(boost::system::error_code, ag::http_response)>(
                [ex = inner.get_executor()](auto handler) {
                    ag::http_response res{boost::beast::http::status::unauthorized, 11};
                    res.set(boost::beast::http::field::content_type, "application/json");
                    res.body() = R"({"error_code":"APIG.0307","error_msg":"The token expired"})";
                    res.prepare_payload();
                    net::post(ex, [h = std::move(handler), res = std::move(res)]() mutable {
                        h(boost::system::error_code{}, std::move(res));
                    });
                },
                token);
        return inner.async_send(req, std::forward<CompletionToken>(token));
    }
};

struct fixture {
    fixture() : svc(options()) { alice = svc.add_account("alice"); }
    static mock::server_options options() {
        mock::server_options o;
        o.fixed_time = start;
        return o;
    }
    std::shared_ptr<ag::iam_token_provider> provider(counting_iam iam, std::string password) {
        ag::iam_token_options o;
        o.clock = [offset = offset_s] {
            return std::chrono::system_clock::time_point(start) + std::chrono::seconds(*offset);
        };
        return std::make_shared<ag::iam_token_provider>(
            std::move(iam),
            ag::iam_password_credentials{"alice", std::move(password), "alice", "cn-north-4", ""},
            std::move(o));
    }
    gallery_transport gallery(net::io_context& io) {
        return {mock::async_in_process_transport(io.get_executor(), svc)};
    }

    mock::service svc;
    mock::account alice;
    std::shared_ptr<std::atomic<long>> offset_s = std::make_shared<std::atomic<long>>(0);
};

// Starts `n` async_me calls spread over `clients`, then opens `g` (if any)
// and runs them on an io_context of two threads; returns how many succeeded
// as alice and the errors of the rest.
struct outcomes {
    int good = 0;
    std::vector<std::exception_ptr> failed;
};
outcomes me_calls(std::vector<ag::async_client<gallery_transport>*> const& clients, int n,
                  net::io_context& io, std::string const& domain_id, gate g = nullptr) {
    outcomes out;
    std::mutex m;
    for (int i = 0; i < n; ++i)
        clients[i % clients.size()]->async_me([&](std::exception_ptr e, ag::wire::me_response me) {
            std::lock_guard lock(m);
            if (e)
                out.failed.push_back(e);
            else
                out.good += me.domain_id == domain_id;
        });
    if (g)
        *g = true;
    io.restart();
    std::thread helper([&] { io.run(); });
    io.run();
    helper.join();
    return out;
}

boost::system::error_code transport_error_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (ag::transport_error const& t) {
        return t.code();
    } catch (...) {
    }
    return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(async_iam)

BOOST_FIXTURE_TEST_CASE(two_clients_on_one_provider_share_one_renewal, fixture) {
    counting_iam iam{mock::in_process_transport(svc)};
    auto calls = iam.calls;
    gate g = std::make_shared<std::atomic<bool>>(false);
    iam.opened = g;
    auto tokens = provider(std::move(iam), alice.token);
    net::io_context io;
    ag::async_client first{gallery(io), tokens};
    ag::async_client second{gallery(io), tokens};

    auto out = me_calls({&first, &second}, 16, io, alice.domain_id, g);
    BOOST_TEST(out.good == 16);
    BOOST_TEST(out.failed.empty());
    BOOST_TEST(*calls == 1);  // 16 calls, 2 clients, 1 request to IAM
}

BOOST_FIXTURE_TEST_CASE(calls_queued_behind_a_failed_renewal_share_its_failure, fixture) {
    counting_iam iam{mock::in_process_transport(svc)};
    auto calls = iam.calls;
    gate g = std::make_shared<std::atomic<bool>>(false);
    iam.opened = g;
    auto tokens = provider(std::move(iam), "not-the-password");
    net::io_context io;
    ag::async_client client{gallery(io), tokens};

    auto out = me_calls({&client}, 8, io, alice.domain_id, g);
    BOOST_TEST(out.good == 0);
    BOOST_TEST_REQUIRE(out.failed.size() == 8u);
    for (auto const& e : out.failed)
        BOOST_TEST(transport_error_of(e) == make_error_code(ag::security_errc::iam_refused));
    // Not one IAM request per queued call, and no retry of a refused
    // password (which could lock the IAM user).
    BOOST_TEST(*calls == 1);

    // A later call tries IAM again (the password may have been fixed).
    out = me_calls({&client}, 1, io, alice.domain_id);
    BOOST_TEST(out.failed.size() == 1u);
    BOOST_TEST(*calls == 2);
}

BOOST_FIXTURE_TEST_CASE(a_token_near_its_expiry_is_renewed_before_use, fixture) {
    counting_iam iam{mock::in_process_transport(svc)};
    auto calls = iam.calls;
    auto tokens = provider(std::move(iam), alice.token);
    net::io_context io;
    ag::async_client client{gallery(io), tokens};

    BOOST_TEST(me_calls({&client}, 2, io, alice.domain_id).good == 2);
    BOOST_TEST(*calls == 1);
    *offset_s = (24h - 6min) / 1s;  // more than the 5 minutes' margin left: kept
    BOOST_TEST(me_calls({&client}, 2, io, alice.domain_id).good == 2);
    BOOST_TEST(*calls == 1);
    *offset_s = (24h - 4min) / 1s;  // inside the margin: renewed first
    BOOST_TEST(me_calls({&client}, 1, io, alice.domain_id).good == 1);
    BOOST_TEST(*calls == 2);
}

BOOST_FIXTURE_TEST_CASE(a_401_makes_the_provider_forget_that_token_only, fixture) {
    counting_iam iam{mock::in_process_transport(svc)};
    auto calls = iam.calls;
    auto tokens = provider(std::move(iam), alice.token);
    net::io_context io;
    auto g = gallery(io);
    auto seen = g.tokens;
    *g.reject = 1;
    ag::async_client client{g, tokens};

    // The 401 fails that call (a 401 is not retried) ...
    auto out = me_calls({&client}, 1, io, alice.domain_id);
    BOOST_TEST_REQUIRE(out.failed.size() == 1u);
    BOOST_TEST(*calls == 1);
    // ... and the next call asks IAM for a new token.
    BOOST_TEST(me_calls({&client}, 1, io, alice.domain_id).good == 1);
    BOOST_TEST(*calls == 2);
    BOOST_TEST_REQUIRE(seen->size() == 2u);
    BOOST_TEST((*seen)[0] == alice.token);  // the token went out on both
    BOOST_TEST((*seen)[1] == alice.token);

    // A late 401 for a token that is no longer the cached one leaves the
    // cached one alone.
    tokens->invalidate("a-token-replaced-long-ago");
    BOOST_TEST(tokens->cached().has_value());
    BOOST_TEST(me_calls({&client}, 1, io, alice.domain_id).good == 1);
    BOOST_TEST(*calls == 2);
}

BOOST_FIXTURE_TEST_CASE(a_throwing_iam_transport_ends_the_renewal_for_everyone, fixture) {
    struct throwing_iam {
        std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
        gate opened;
        boost::system::result<ag::http_response> send(ag::http_request const& r) {
            ++*calls;
            wait_for(opened);
            throw std::runtime_error("cannot send " + r.body());  // quotes the password
        }
    };
    gate g = std::make_shared<std::atomic<bool>>(false);
    throwing_iam iam{.opened = g};
    auto calls = iam.calls;
    auto tokens = std::make_shared<ag::iam_token_provider>(
        iam, ag::iam_password_credentials{"alice", alice.token, "alice", "", ""});
    net::io_context io;
    ag::client_options no_retries;  // iam_unreachable is worth retrying; not here
    no_retries.retry.max_attempts = 1;
    ag::async_client client{gallery(io), tokens, no_retries};

    auto out = me_calls({&client}, 4, io, alice.domain_id, g);
    BOOST_TEST_REQUIRE(out.failed.size() == 4u);
    for (auto const& e : out.failed)
        BOOST_TEST(transport_error_of(e) == make_error_code(ag::security_errc::iam_unreachable));
    BOOST_TEST(*calls == 1);
    // Not stuck "renewing": the sync path asks again and gets the same error.
    auto r = tokens->token();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message().find("threw") != std::string::npos, r.error().message());
    BOOST_TEST(r.error().message().find(alice.token) == std::string::npos, r.error().message());
    BOOST_TEST(*calls == 2);
}

BOOST_AUTO_TEST_SUITE_END()
