// The async client with every kind of completion token, failures as the
// sync API's exceptions, cancellation, and many releases at once on one
// io_context run by several threads, in process and over loopback.
#include "support.hpp"

#include <aigallery/aigallery.hpp>
#include <aigallery/async_client.hpp>
#include <aigallery/beast_async_transport.hpp>
#include <aigallery/mock/async_in_process_transport.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <mutex>
#include <thread>

using namespace test;
namespace ag = aigallery;
namespace net = boost::asio;

namespace {

ag::workflow flowers(std::string name, std::string local_id) {
    ag::workflow wf{.name = std::move(name)};
    wf.steps.push_back(
        {.name = "train", .algorithm = ag::local_algorithm{.id = local_id, .name = local_id}});
    return wf;
}

/// The same test over both async transports.
struct via_in_process {
    static constexpr char const* name = "async_in_process";
    static ag::mock::async_in_process_transport make(net::any_io_executor ex, ag::mock::server& g) {
        return {std::move(ex), g};
    }
};
struct via_loopback {
    static constexpr char const* name = "beast_async";
    static ag::beast_async_transport make(net::any_io_executor ex, ag::mock::server& g) {
        return {std::move(ex), g.url()};
    }
};
using async_transports = boost::mp11::mp_list<via_in_process, via_loopback>;

}  // namespace

BOOST_AUTO_TEST_SUITE(async_client)

// The example: co_await a release, then a whitelist change.
BOOST_AUTO_TEST_CASE_TEMPLATE(coroutines, Via, async_transports) {
    ag::mock::server gallery;
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    auto carol = gallery.add_account("carol");
    net::io_context io;
    ag::async_client client{Via::make(io.get_executor(), gallery), alice.token};
    auto wf = flowers("flowers", "algo-7f3a");
    std::optional<ag::release_result> released;
    std::optional<ag::whitelist_change_result> widened;
    int caught_status = 0;
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            ag::release_options o{.title = "x",
                                  .visibility = ag::visibility::group,
                                  .group_users = {carol.domain_id}};
            auto r = co_await client.async_release_to_gallery(wf, o, net::use_awaitable);
            released = r;
            std::vector<std::string> add{bob.domain_id};
            widened = co_await client.async_add_whitelist_users(r.content_id, r.version_num, add,
                                                                net::use_awaitable);
            try {
                co_await client.async_get_content("no-such-asset", net::use_awaitable);
            } catch (ag::gallery_error const& e) {  // the sync API's exception
                caught_status = e.status();
            }
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    io.run();
    BOOST_TEST_REQUIRE(released.has_value());
    BOOST_TEST(released->version_num.to_string() == "1.0.0");
    BOOST_TEST_REQUIRE(released->algorithms.size() == 1u);
    BOOST_TEST_REQUIRE(widened.has_value());
    BOOST_TEST(widened->group_users.size() == 2u);
    BOOST_TEST(widened->changed.size() == 2u);  // the algorithm, then the workflow
    BOOST_TEST(caught_status == 404);
    // bob sees both versions now
    ag::client as_bob{ag::beast_transport{gallery.url()}, bob.token};
    BOOST_TEST(as_bob.try_get_version(released->algorithms[0].content_id, "1.0.0").has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(callbacks_futures_and_deferred, Via, async_transports) {
    ag::mock::server gallery;
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::async_client client{Via::make(io.get_executor(), gallery), alice.token};

    // a plain callback: (exception_ptr, value)
    std::string who;
    client.async_me([&](std::exception_ptr e, ag::wire::me_response me) {
        BOOST_TEST(!e);
        who = me.domain_id;
    });
    io.run();
    BOOST_TEST(who == alice.domain_id);

    // deferred: nothing happens until the deferred operation is started
    io.restart();
    auto later = client.async_plan_release(flowers("daisies", "algo-d"), {}, net::deferred);
    BOOST_TEST(gallery.journal().size() == 1u);  // only the me() above
    std::optional<ag::release_plan> plan;
    std::move(later)([&](std::exception_ptr e, ag::release_plan p) {
        BOOST_TEST(!e);
        plan = std::move(p);
    });
    io.run();
    BOOST_TEST_REQUIRE(plan.has_value());
    BOOST_TEST(plan->workflow.title == "daisies");

    // use_future, with the io_context run by another thread; the future
    // rethrows the same gallery_error the sync client throws
    io.restart();
    auto guard = net::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    auto released =
        client.async_release_to_gallery(flowers("roses", "algo-r"), {}, net::use_future);
    auto missing = client.async_get_version("no-such-asset", "1.0.0", net::use_future);
    ag::release_result r;
    bool threw_404 = false;
    std::string error;
    try {
        r = released.get();
        missing.get();
    } catch (ag::gallery_error const& e) {
        threw_404 = e.status() == 404 && e.is(ag::errc::no_such_asset);
        error = e.what();
    }
    guard.reset();
    runner.join();
    BOOST_TEST(r.version_num.to_string() == "1.0.0");
    BOOST_TEST(threw_404, error);
}

// Many releases at once on one io_context run by 4 threads: each is all
// there, none published twice. (Run under TSan by the tsan preset.)
BOOST_AUTO_TEST_CASE_TEMPLATE(thirty_two_concurrent_releases_on_four_threads, Via,
                              async_transports) {
    ag::mock::server gallery;
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::async_client client{Via::make(io.get_executor(), gallery), alice.token};
    constexpr int n = 32;
    std::mutex m;
    std::vector<std::string> failures;
    std::vector<ag::release_result> results;
    for (int i = 0; i < n; ++i) {
        auto id = std::to_string(i);
        client.async_release_to_gallery(flowers("flow-" + id, "algo-" + id), {},
                                        [&](std::exception_ptr e, ag::release_result r) {
                                            std::lock_guard lock(m);
                                            if (!e) {
                                                results.push_back(std::move(r));
                                                return;
                                            }
                                            try {
                                                std::rethrow_exception(e);
                                            } catch (std::exception const& x) {
                                                failures.push_back(x.what());
                                            }
                                        });
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] { io.run(); });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(failures.empty(), (failures.empty() ? "" : failures.front()));
    BOOST_TEST(results.size() == std::size_t(n));
    std::set<std::string> ids;
    for (auto const& r : results) {
        ids.insert(r.content_id);
        BOOST_TEST(r.version_num.to_string() == "1.0.0");
        BOOST_TEST(r.algorithms.size() == 1u);
    }
    BOOST_TEST(ids.size() == std::size_t(n));
    auto assets = gallery.export_state().at("assets").as_array();
    BOOST_TEST(assets.size() == std::size_t(2 * n));  // a workflow and an algorithm each
}

// Cancelling a call through its cancellation slot stops its I/O at once.
BOOST_AUTO_TEST_CASE_TEMPLATE(cancellation, Via, async_transports) {
    ag::mock::server gallery;
    auto alice = gallery.add_account("alice");
    net::io_context io;
    ag::client_options o;
    o.retry.max_attempts = 2;
    o.async_delay = [](std::chrono::milliseconds) { return std::chrono::milliseconds(0); };
    ag::async_client client{Via::make(io.get_executor(), gallery), alice.token, o};
    ag::wire::fault_spec slow;
    slow.method = "POST";
    slow.action = "delay";
    slow.delay_ms = 10000;
    gallery.add_fault(slow);
    net::cancellation_signal signal;
    std::exception_ptr outcome;
    bool done = false;
    auto start = std::chrono::steady_clock::now();
    client.async_release_to_gallery(
        flowers("slow", "algo-s"), {},
        net::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, ag::release_result) {
            outcome = e;
            done = true;
        }));
    net::steady_timer t(io, std::chrono::milliseconds(200));
    t.async_wait([&](boost::system::error_code) { signal.emit(net::cancellation_type::terminal); });
    io.run();
    auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST(done);
    BOOST_TEST(took < std::chrono::seconds(5));
    std::string what;
    bool aborted = false;
    BOOST_TEST_REQUIRE(static_cast<bool>(outcome));  // a cancelled call must end in an error
    try {
        std::rethrow_exception(outcome);
    } catch (ag::transport_error const& e) {
        aborted = e.code() == net::error::operation_aborted;
        what = e.what();
    }
    BOOST_TEST(aborted, what);
    BOOST_TEST(what.find("'algo-s'") != std::string::npos, what);  // named: it may exist
    gallery.clear_faults();
}

// TLS through the async transport (verification, keep-alive, cancellation,
// signing, IAM tokens) is tested in async_tls_test.cpp.

BOOST_AUTO_TEST_SUITE_END()
