// The async client reaching a gallery as the real one is reached: HTTPS
// through beast_async_transport (verification, keep-alive, clean close,
// cancellation), AK/SK-signed requests and IAM tokens, against the mock's TLS
// server. Certificates are made at test time (tls_support.hpp).
#include "tls_support.hpp"

#include <aigallery/aigallery.hpp>
#include <aigallery/async_client.hpp>
#include <aigallery/beast_async_transport.hpp>
#include <aigallery/mock/tls_server.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace ag = aigallery;
namespace mock = aigallery::mock;
namespace net = boost::asio;
namespace http = boost::beast::http;
using test::keys_of;
using test::serving;
using test::test_pki;
using test::trusting;

ag::workflow flowers(std::string name, std::string local_id) {
    ag::workflow wf{.name = std::move(name), .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train", .algorithm = ag::local_algorithm{.id = local_id, .name = local_id}});
    return wf;
}

/// One raw exchange through the async transport, the io_context run to its end.
boost::system::error_code send_once(ag::beast_async_transport& t, net::io_context& io,
                                    std::string target, ag::http_response* out = nullptr) {
    ag::http_request req{http::verb::get, target, 11};
    std::optional<boost::system::error_code> got;
    t.async_send(req, [&](boost::system::error_code ec, ag::http_response res) {
        got = ec;
        if (out)
            *out = std::move(res);
    });
    io.restart();
    io.run();
    BOOST_TEST_REQUIRE(got.has_value(), "the async send never completed");
    return *got;
}

/// The exception an async call ended with, as what() and the transport code.
struct failure {
    std::string what;
    boost::system::error_code transport;  // empty for a gallery_error
    int status = 0;                       // HTTP status of a gallery_error
    bool unauthorized = false;
};

failure caught(std::exception_ptr e) {
    failure f;
    BOOST_TEST_REQUIRE(static_cast<bool>(e), "the call succeeded");
    try {
        std::rethrow_exception(e);
    } catch (ag::transport_error const& t) {
        f.what = t.what();
        f.transport = t.code();
    } catch (ag::gallery_error const& g) {
        f.what = g.what();
        f.status = g.status();
        f.unauthorized = g.is(ag::errc::unauthorized);
    }
    return f;
}

/// An IAM transport that holds the first request until `release()`: the
/// renewal is "in progress" until the io_context thread itself releases it,
/// which it can only do when the renewal does not block it. It gives up
/// after 10 s (the test then fails) rather than hang.
struct held_transport {
    ag::beast_transport inner;
    std::shared_ptr<std::promise<void>> gate = std::make_shared<std::promise<void>>();
    std::shared_future<void> opened = gate->get_future().share();
    std::shared_ptr<std::atomic<bool>> waiting = std::make_shared<std::atomic<bool>>(false);

    boost::system::result<ag::http_response> send(ag::http_request const& r) {
        waiting->store(true);
        if (opened.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
            return make_error_code(net::error::timed_out);
        return inner.send(r);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(async_tls)

// The seed's release, signed, over HTTPS, with coroutines (options built
// before co_await: GCC 12 rejects designated initializers inside it).
BOOST_AUTO_TEST_CASE(a_signed_release_over_https_succeeds) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    net::io_context io;
    ag::beast_async_transport transport(io.get_executor(), gallery.url(), trusting(pki.ca()));
    BOOST_TEST(transport.uses_tls());
    ag::async_client client{transport, keys_of(alice)};
    // Copies share one pool: a second signer there would re-sign alice's
    // requests as bob, so it is refused.
    BOOST_CHECK_THROW((ag::async_client{transport, keys_of(bob)}), std::logic_error);
    std::optional<ag::release_result> released;
    std::optional<ag::wire::me_response> me;
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            ag::release_options o{.title = "Flower classifier",
                                  .visibility = ag::visibility::group,
                                  .group_users = {bob.domain_id}};
            released = co_await client.async_release_to_gallery(flowers("flowers", "algo-7f3a"), o,
                                                                net::use_awaitable);
            me = co_await client.async_me(net::use_awaitable);
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    io.run();
    BOOST_TEST_REQUIRE(released.has_value());
    BOOST_TEST(released->version_num.to_string() == "1.0.0");
    BOOST_TEST(released->algorithms.size() == 1u);
    BOOST_TEST_REQUIRE(me.has_value());
    BOOST_TEST(me->domain_id == alice.domain_id);
    // The client holds keys and no token: every request the gallery took as
    // alice's was judged by its signature alone.
    auto journal = gallery.journal();
    BOOST_TEST(journal.size() >= 4u);
    for (auto const& e : journal) {
        BOOST_TEST(e.domain_id.value_or("(none)") == alice.domain_id, e.method << " " << e.target);
        BOOST_TEST(e.status / 100 == 2, e.method << " " << e.target << " " << e.status);
    }
    // bob sees the release, through the sync client, over HTTPS too
    ag::client as_bob{ag::beast_transport(gallery.url(), trusting(pki.ca())), keys_of(bob)};
    BOOST_TEST(as_bob.list_contents({.scope = "shared"}).total == 2u);
}

BOOST_AUTO_TEST_CASE(an_unknown_ca_is_refused_and_says_so) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::async_client client{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.other_ca())),
        keys_of(alice)};
    std::exception_ptr outcome;
    client.async_me([&](std::exception_ptr e, ag::wire::me_response) { outcome = e; });
    io.run();
    auto f = caught(outcome);
    BOOST_TEST(f.transport == make_error_code(ag::security_errc::tls_unknown_ca));
    BOOST_TEST(f.what.find("unknown CA") != std::string::npos, f.what);
    BOOST_TEST(gallery.journal().empty());  // nothing reached the gallery

    // The system store alone does not know the test CA either.
    ag::beast_async_transport system_only(io.get_executor(), gallery.url());
    BOOST_TEST(send_once(system_only, io, "/__mock/health") ==
               make_error_code(ag::security_errc::tls_unknown_ca));
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.wrong_host_cert(), pki.wrong_host_key()));
    net::io_context io;
    ag::beast_async_transport t(io.get_executor(), gallery.url(), trusting(pki.ca()));
    auto ec = send_once(t, io, "/__mock/health");
    BOOST_TEST(ec == make_error_code(ag::security_errc::tls_host_mismatch));
    BOOST_TEST(ec.message().find("does not match the host name") != std::string::npos,
               ec.message());
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_refused_and_says_so) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.expired_cert(), pki.expired_key()));
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::async_client client{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())),
        keys_of(alice)};
    std::exception_ptr outcome;
    client.async_me([&](std::exception_ptr e, ag::wire::me_response) { outcome = e; });
    io.run();
    auto f = caught(outcome);
    BOOST_TEST(f.transport == make_error_code(ag::security_errc::tls_certificate_expired));
    BOOST_TEST(f.what.find("the certificate has expired") != std::string::npos, f.what);
    BOOST_TEST(gallery.journal().empty());
}

// Sequential calls share one TLS connection; close_idle ends it with
// close_notify (the server sees a clean end) and the next call opens another.
BOOST_AUTO_TEST_CASE(keep_alive_and_clean_close_over_tls) {
    auto const& pki = test_pki::get();
    auto options = serving(pki.cert(), pki.key());
    options.idle_timeout = std::chrono::milliseconds(500);
    mock::tls_server gallery(options);
    net::io_context io;
    ag::beast_async_transport t(io.get_executor(), gallery.url(), trusting(pki.ca()));
    for (int i = 0; i < 5; ++i) {
        ag::http_response res;
        BOOST_TEST_REQUIRE(!send_once(t, io, "/__mock/health", &res));
        BOOST_TEST(res.result_int() == 200);
    }
    BOOST_TEST(gallery.connections_accepted() == 1u);

    t.close_idle();
    io.restart();
    io.run();  // close_notify sent and answered
    BOOST_TEST(!send_once(t, io, "/__mock/health"));
    BOOST_TEST(gallery.connections_accepted() == 2u);

    // A connection the server has closed meanwhile (idle too long) is
    // noticed and replaced.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    BOOST_TEST(!send_once(t, io, "/__mock/health"));
    BOOST_TEST(gallery.connections_accepted() == 3u);
}

// Many signed releases at once over TLS, on one io_context run by 2 threads.
BOOST_AUTO_TEST_CASE(concurrent_signed_releases_over_tls) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::async_client client{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())),
        keys_of(alice)};
    constexpr int n = 8;
    std::mutex m;
    std::vector<std::string> failures;
    int succeeded = 0;
    for (int i = 0; i < n; ++i) {
        auto id = std::to_string(i);
        client.async_release_to_gallery(flowers("flow-" + id, "algo-" + id), {},
                                        [&](std::exception_ptr e, ag::release_result) {
                                            std::lock_guard lock(m);
                                            if (e)
                                                failures.push_back(caught(e).what);
                                            else
                                                ++succeeded;
                                        });
    }
    std::thread second([&] { io.run(); });
    io.run();
    second.join();
    BOOST_TEST(failures.empty(), (failures.empty() ? "" : failures.front()));
    BOOST_TEST(succeeded == n);
    BOOST_TEST(gallery.export_state().at("assets").as_array().size() == std::size_t(2 * n));
}

// Cancelling a call stops its TLS I/O at once, as over plain TCP.
BOOST_AUTO_TEST_CASE(cancellation_over_tls) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    ag::wire::fault_spec slow;
    slow.action = "delay";
    slow.delay_ms = 10000;
    gallery.add_fault(slow);
    net::io_context io;
    ag::async_client client{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())),
        keys_of(alice)};
    net::cancellation_signal signal;
    std::exception_ptr outcome;
    bool done = false;
    client.async_me(net::bind_cancellation_slot(signal.slot(),
                                                [&](std::exception_ptr e, ag::wire::me_response) {
                                                    outcome = e;
                                                    done = true;
                                                }));
    net::steady_timer timer(io, std::chrono::milliseconds(200));
    timer.async_wait(
        [&](boost::system::error_code) { signal.emit(net::cancellation_type::terminal); });
    auto start = std::chrono::steady_clock::now();
    io.run();
    BOOST_TEST(done);
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
    BOOST_TEST(caught(outcome).transport == net::error::operation_aborted);
    gallery.clear_faults();
}

// A wrong secret key: the gateway's 401 (APIG.0301) saying the signature does
// not match; never the secret key or the signature in the message. Missing
// keys: a security_errc before anything is sent.
BOOST_AUTO_TEST_CASE(a_wrong_secret_key_is_refused_without_showing_it) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    net::io_context io;
    auto wrong = keys_of(alice);
    wrong.secret_key = "sk-this-is-not-alices-secret";
    ag::async_client impostor{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())), wrong};
    std::exception_ptr outcome;
    impostor.async_release_to_gallery(
        flowers("flowers", "algo-1"), {},
        [&](std::exception_ptr e, ag::release_result) { outcome = e; });
    io.run();
    auto f = caught(outcome);
    BOOST_TEST(f.unauthorized, f.what);
    BOOST_TEST(f.status == 401);
    BOOST_TEST(f.what.find("signature does not match") != std::string::npos, f.what);
    BOOST_TEST(f.what.find(wrong.secret_key) == std::string::npos, f.what);
    BOOST_TEST(f.what.find(alice.secret_key) == std::string::npos, f.what);
    BOOST_TEST(f.what.find("Signature=") == std::string::npos, f.what);
    BOOST_TEST(gallery.export_state().at("assets").as_array().empty());  // nothing published

    auto incomplete = keys_of(alice);
    incomplete.secret_key.clear();
    ag::async_client nobody{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())),
        incomplete};
    auto served = gallery.journal().size();
    outcome = nullptr;
    nobody.async_me([&](std::exception_ptr e, ag::wire::me_response) { outcome = e; });
    io.restart();
    io.run();
    auto g = caught(outcome);
    BOOST_TEST(g.transport == make_error_code(ag::security_errc::missing_credentials), g.what);
    BOOST_TEST(gallery.journal().size() == served);  // not sent
}

// Eight calls need a token at once while IAM is slow: one renewal, shared;
// the io_context thread stays free meanwhile (it is the one that lets IAM
// answer), and the token is then reused from the cache.
BOOST_AUTO_TEST_CASE(iam_tokens_renewed_off_the_io_context_once_for_all) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    held_transport iam{ag::beast_transport(gallery.url(), trusting(pki.ca()))};
    auto gate = iam.gate;
    auto waiting = iam.waiting;
    auto tokens = std::make_shared<ag::iam_token_provider>(
        std::move(iam),
        ag::iam_password_credentials{"alice", alice.token, "alice", "cn-north-4", ""});
    net::io_context io;
    ag::async_client client{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())), tokens};
    constexpr int n = 8;
    int succeeded = 0;
    std::vector<std::string> failures;
    for (int i = 0; i < n; ++i)
        client.async_me([&](std::exception_ptr e, ag::wire::me_response me) {
            if (e)
                failures.push_back(caught(e).what);
            else if (me.domain_id == alice.domain_id)
                ++succeeded;
        });
    // Runs on the io_context's only thread: it opens the gate once the
    // renewal waits at it, which only happens if the thread is not blocked.
    net::steady_timer poll(io);
    std::function<void(boost::system::error_code)> check = [&](boost::system::error_code) {
        if (waiting->load()) {
            gate->set_value();
            return;
        }
        poll.expires_after(std::chrono::milliseconds(5));
        poll.async_wait(check);
    };
    poll.expires_after(std::chrono::milliseconds(5));
    poll.async_wait(check);
    io.run();
    BOOST_TEST(failures.empty(), (failures.empty() ? "" : failures.front()));
    BOOST_TEST(succeeded == n);
    BOOST_TEST(tokens->requests_sent() == 1u);

    // A refused password: the call's transport_error is iam_refused, without it.
    auto refused = std::make_shared<ag::iam_token_provider>(
        ag::beast_transport(gallery.url(), trusting(pki.ca())),
        ag::iam_password_credentials{"alice", "not-the-password", "alice", "", ""});
    ag::async_client locked_out{
        ag::beast_async_transport(io.get_executor(), gallery.url(), trusting(pki.ca())), refused};
    std::exception_ptr outcome;
    locked_out.async_me([&](std::exception_ptr e, ag::wire::me_response) { outcome = e; });
    io.restart();
    io.run();
    auto f = caught(outcome);
    BOOST_TEST(f.transport == make_error_code(ag::security_errc::iam_refused), f.what);
    BOOST_TEST(f.what.find("not-the-password") == std::string::npos, f.what);
}

BOOST_AUTO_TEST_CASE(tls_setup_mistakes_are_named) {
    net::io_context io;
    try {
        ag::beast_async_transport t(io.get_executor(), "https://127.0.0.1:1",
                                    trusting("/nonexistent/ca.pem"));
        BOOST_FAIL("a missing ca_file was accepted");
    } catch (boost::system::system_error const& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent/ca.pem") != std::string::npos);
        BOOST_TEST(e.code() == make_error_code(ag::security_errc::tls_setup_failed));
    }
    BOOST_CHECK_THROW(ag::beast_async_transport(io.get_executor(), "ftp://127.0.0.1:1"),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
