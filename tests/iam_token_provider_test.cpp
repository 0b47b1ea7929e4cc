// The IAM token provider against the mock's /v3/auth/tokens: obtains, caches,
// renews before expiry, shares one renewal among concurrent callers, and says
// why it failed without repeating the password.
#include <aigallery/iam_token_provider.hpp>
#include <aigallery/mock/in_process_transport.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace mock = aigallery::mock;
using namespace std::chrono_literals;

// Counts the requests that reach IAM and makes each take a while, so that
// concurrent callers really overlap.
struct slow_counting_transport {
    mock::in_process_transport inner;
    std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
    std::chrono::milliseconds pause{0};
    boost::system::result<aigallery::http_response> send(aigallery::http_request const& r) {
        ++*calls;
        std::this_thread::sleep_for(pause);
        return inner.send(r);
    }
};

struct iam_fixture {
    iam_fixture() : svc(options()) { alice = svc.add_account("alice"); }
    static mock::server_options options() {
        mock::server_options o;
        o.fixed_time = start;
        return o;
    }
    static inline std::chrono::sys_seconds const start{std::chrono::seconds(1795642194)};

    aigallery::iam_password_credentials creds(std::string password) const {
        return {"alice", std::move(password), "alice", "cn-north-4", ""};
    }
    aigallery::iam_token_options at(std::shared_ptr<std::atomic<long>> offset_s) const {
        aigallery::iam_token_options o;
        o.clock = [offset_s] {
            return std::chrono::system_clock::time_point(start) + std::chrono::seconds(*offset_s);
        };
        return o;
    }

    mock::service svc;
    mock::account alice;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(iam_token_provider)

BOOST_FIXTURE_TEST_CASE(obtains_caches_and_renews_before_expiry, iam_fixture) {
    auto offset = std::make_shared<std::atomic<long>>(0);
    slow_counting_transport t{mock::in_process_transport(svc)};
    auto calls = t.calls;
    aigallery::iam_token_provider p(t, creds(alice.token), at(offset));

    auto first = p.token();
    BOOST_TEST_REQUIRE(first.has_value(), first.error().message());
    BOOST_TEST(first->value == alice.token);
    BOOST_TEST((first->expires == std::chrono::system_clock::time_point(start) + 24h));
    BOOST_TEST(p.token().has_value());
    BOOST_TEST(*calls == 1);  // cached

    *offset = (24h - 6min) / 1s;  // still more than renew_before (5 min) left
    BOOST_TEST(p.token().has_value());
    BOOST_TEST(*calls == 1);
    *offset = (24h - 4min) / 1s;  // inside the margin: renewed before it is handed out
    BOOST_TEST(p.token().has_value());
    BOOST_TEST(*calls == 2);

    p.invalidate();
    BOOST_TEST(p.token().has_value());
    BOOST_TEST(*calls == 3);
    BOOST_TEST(p.requests_sent() == 3u);
}

BOOST_FIXTURE_TEST_CASE(concurrent_callers_share_one_renewal, iam_fixture) {
    auto offset = std::make_shared<std::atomic<long>>(0);
    slow_counting_transport t{mock::in_process_transport(svc)};
    t.pause = 100ms;
    auto calls = t.calls;
    aigallery::iam_token_provider p(t, creds(alice.token), at(offset));

    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            auto r = p.token();
            good += r.has_value() && r->value == alice.token;
        });
    for (auto& th : threads)
        th.join();
    BOOST_TEST(good == 8);
    BOOST_TEST(*calls == 1);
}

BOOST_FIXTURE_TEST_CASE(a_refused_password_is_a_clear_error_without_the_password, iam_fixture) {
    auto offset = std::make_shared<std::atomic<long>>(0);
    slow_counting_transport t{mock::in_process_transport(svc)};
    t.pause = 50ms;
    aigallery::iam_token_provider p(t, creds("the-wrong-password"), at(offset));

    std::vector<std::thread> threads;
    std::atomic<int> refused{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            auto r = p.token();
            refused += !r && r.error().transport() ==
                                 make_error_code(aigallery::security_errc::iam_refused);
        });
    for (auto& th : threads)
        th.join();
    BOOST_TEST(refused == 4);
    BOOST_TEST(*t.calls == 1);  // the waiters got the same outcome

    auto r = p.token();  // a later call tries again
    BOOST_TEST_REQUIRE(!r.has_value());
    auto const text = r.error().message();
    BOOST_TEST(text.find("refused") != std::string::npos, text);
    BOOST_TEST(text.find("HTTP 401") != std::string::npos, text);
    BOOST_TEST(text.find("the-wrong-password") == std::string::npos, text);
    BOOST_TEST(*t.calls == 2);
}

BOOST_FIXTURE_TEST_CASE(expires_at_is_read_strictly, iam_fixture) {
    using P = aigallery::iam_token_provider;
    BOOST_TEST(P::parse_expires_at("2026-11-27T07:00:00.000000Z").has_value());
    BOOST_TEST(P::parse_expires_at("2026-11-27T07:00:00Z").has_value());
    BOOST_TEST(!P::parse_expires_at("2026-11-27T07:00:00").has_value());
    BOOST_TEST(!P::parse_expires_at("2026-11-27T07:00:00.Z").has_value());
    BOOST_TEST(!P::parse_expires_at("tomorrow").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
