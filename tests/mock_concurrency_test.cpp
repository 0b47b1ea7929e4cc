// Concurrent use loses nothing: version numbers are assigned atomically,
// without gaps, under contention from several threads and connections.
#include "support.hpp"

#include <aigallery/version.hpp>

#include <set>
#include <thread>

using namespace test;
using http::verb;

BOOST_AUTO_TEST_SUITE(mock_concurrency)

BOOST_AUTO_TEST_CASE(eight_threads_publish_contiguous_versions) {
    aigallery::mock::service svc;
    auto alice = svc.add_account("alice");
    aigallery::mock::in_process_transport t{svc};
    auto publish = [&](std::string target, std::string body) {
        http_request req{verb::post, target, 11};
        req.set("X-Auth-Token", alice.token);
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
        req.prepare_payload();
        return t.send(req).value();
    };
    auto first = publish("/v1/aihub/contents", R"({"content_type":"algorithm","title":"hot"})");
    BOOST_TEST_REQUIRE(first.result_int() == 201u);
    std::string id(json::parse(first.body()).at("content_id").as_string());

    constexpr int threads = 8, per_thread = 500;
    std::vector<std::vector<std::string>> got(threads);
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&, i] {
            for (int k = 0; k < per_thread; ++k) {
                auto r = publish("/v1/aihub/contents/" + id + "/versions", "{}");
                if (r.result_int() == 201)
                    got[i].push_back(
                        std::string(json::parse(r.body()).at("version_num").as_string()));
            }
        });
    for (auto& th : pool)
        th.join();
    std::set<aigallery::version_number> all;
    std::size_t total = 0;
    for (auto const& v : got) {
        total += v.size();
        for (auto const& s : v)
            all.insert(aigallery::version_number(s));
    }
    BOOST_TEST(total == std::size_t(threads * per_thread));
    BOOST_TEST(all.size() == std::size_t(threads * per_thread));  // distinct
    // contiguous: 1.0.1 .. 1.0.4000
    BOOST_TEST(all.begin()->to_string() == "1.0.1");
    BOOST_TEST(all.rbegin()->to_string() == "1.0." + std::to_string(threads * per_thread));
}

BOOST_AUTO_TEST_CASE(concurrent_connections_over_loopback) {
    aigallery::mock::server_options o;
    o.threads = 2;
    aigallery::mock::server srv{o};
    auto alice = srv.add_account("alice");
    constexpr int clients = 4, per_client = 50;
    std::vector<int> created(clients, 0);
    std::vector<std::thread> pool;
    for (int i = 0; i < clients; ++i)
        pool.emplace_back([&, i] {
            aigallery::beast_transport t{srv.url()};
            for (int k = 0; k < per_client; ++k) {
                http_request req{verb::post, "/v1/aihub/contents", 11};
                req.set("X-Auth-Token", alice.token);
                req.set(http::field::content_type, "application/json");
                req.body() = R"({"content_type":"algorithm","title":"c)" + std::to_string(i) + "-" +
                             std::to_string(k) + "\"}";
                req.prepare_payload();
                auto r = t.send(req);
                if (r && r->result_int() == 201)
                    ++created[i];
            }
        });
    for (auto& th : pool)
        th.join();
    for (int i = 0; i < clients; ++i)
        BOOST_TEST(created[i] == per_client);
    BOOST_TEST(srv.journal().size() == std::size_t(clients * per_client));
}

BOOST_AUTO_TEST_SUITE_END()
