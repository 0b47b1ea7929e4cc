// Durable mode: every answered change is in the fsync'd log before its answer,
// a restart (after a crash: no save) finds it, a torn last record is dropped,
// and the state file is guarded against a second process.
#include <aigallery/mock/service.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using aigallery::http_request;
using aigallery::mock::server_options;
using aigallery::mock::service;

/// A fresh directory, removed with everything in it at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        static std::atomic<int> n{0};
        path = fs::temp_directory_path() /
               ("aigallery-durable-" + std::to_string(getpid()) + "-" + std::to_string(++n));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    std::string file(std::string const& name) const { return (path / name).string(); }
};

server_options durable(std::string const& state_file) {
    server_options o;
    o.state_file = state_file;
    o.durable = true;
    return o;
}

http_request request(http::verb v, std::string target, std::string const& token,
                     std::string body = {}, std::string key = {}) {
    http_request r{v, target, 11};
    r.set("X-Auth-Token", token);
    if (!body.empty()) {
        r.set(http::field::content_type, "application/json");
        r.body() = std::move(body);
    }
    if (!key.empty())
        r.set("Idempotency-Key", key);
    r.prepare_payload();
    return r;
}

/// Publishes an algorithm; returns its content_id.
std::string publish(service& s, std::string const& token, std::string const& title,
                    std::string key = {}) {
    auto out = s.handle(request(http::verb::post, "/v1/aihub/contents", token,
                                R"({"content_type":"algorithm","title":")" + title + R"("})", key));
    BOOST_TEST_REQUIRE(out.response.result_int() == 201u, out.response.body());
    return std::string(json::parse(out.response.body()).at("content_id").as_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(durable_state)

BOOST_AUTO_TEST_CASE(every_answered_change_survives_without_a_save) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    json::value before;
    {
        service s{durable(file)};
        auto alice = s.add_account("alice");
        auto bob = s.add_account("bob");
        auto a = publish(s, alice.token, "trainer");
        auto gone = publish(s, alice.token, "to delete");
        publish(s, alice.token, "keyed", "key-1");
        auto v = s.handle(request(http::verb::post, "/v1/aihub/contents/" + a + "/versions",
                                  alice.token, R"({"bump":"minor"})"));
        BOOST_TEST_REQUIRE(v.response.result_int() == 201u, v.response.body());
        auto vis = s.handle(request(
            http::verb::put, "/v1/aihub/contents/" + a + "/versions/1.1.0/visibility", alice.token,
            R"({"visibility":"group","group_users":[")" + bob.domain_id + R"("]})"));
        BOOST_TEST_REQUIRE(vis.response.result_int() == 200u, vis.response.body());
        auto del =
            s.handle(request(http::verb::delete_, "/v1/aihub/contents/" + gone, alice.token));
        BOOST_TEST_REQUIRE(del.response.result_int() == 204u, del.response.body());
        auto delv = s.handle(request(http::verb::delete_,
                                     "/v1/aihub/contents/" + a + "/versions/1.0.0", alice.token));
        BOOST_TEST_REQUIRE(delv.response.result_int() == 204u, delv.response.body());
        before = s.export_state();
        BOOST_TEST(s.log()->records() == 9u);  // 2 accounts + 7 changes, nothing saved
        // No save_state(): the service goes away as in a crash.
    }
    service again{durable(file)};
    BOOST_TEST(again.replayed_log_records() == 9u);
    BOOST_TEST(again.dropped_log_bytes() == 0u);
    BOOST_TEST(again.export_state() == before);
    BOOST_TEST(again.log()->records() == 0u);  // folded into the state file at start

    // The idempotency record came back too: the same key replays, it does not publish twice.
    auto alice = again.accounts()[0];
    auto replay = again.handle(request(http::verb::post, "/v1/aihub/contents", alice.token,
                                       R"({"content_type":"algorithm","title":"keyed"})", "key-1"));
    BOOST_TEST(replay.response.result_int() == 201u, replay.response.body());
    BOOST_TEST(again.export_state() == before);
}

BOOST_AUTO_TEST_CASE(a_torn_last_record_is_dropped_and_the_rest_kept) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    json::value after_first;
    {
        service s{durable(file)};
        auto alice = s.add_account("alice");
        publish(s, alice.token, "first");
        after_first = s.export_state();
        publish(s, alice.token, "second");
    }
    // A crash in the middle of the last write: its tail never reached the file.
    auto const log = file + ".log";
    auto const size = fs::file_size(log);
    fs::resize_file(log, size - 5);
    service again{durable(file)};
    BOOST_TEST(again.dropped_log_bytes() > 0u);
    BOOST_TEST(again.replayed_log_records() == 2u);
    BOOST_TEST(again.export_state() == after_first);
    // and it goes on from there
    publish(again, again.accounts()[0].token, "third");
}

BOOST_AUTO_TEST_CASE(a_corrupted_last_record_fails_its_checksum) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    json::value after_first;
    {
        service s{durable(file)};
        auto alice = s.add_account("alice");
        after_first = s.export_state();
        publish(s, alice.token, "second");
    }
    auto const log = file + ".log";
    {
        std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-3, std::ios::end);
        f.put('#');
    }
    service again{durable(file)};
    BOOST_TEST(again.dropped_log_bytes() > 0u);
    BOOST_TEST(again.export_state() == after_first);
}

BOOST_AUTO_TEST_CASE(save_folds_the_log_into_the_state_file_with_no_temporaries_left) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    service s{durable(file)};
    auto alice = s.add_account("alice");
    publish(s, alice.token, "x");
    BOOST_TEST(s.log()->records() == 2u);
    s.save_state();
    BOOST_TEST(s.log()->records() == 0u);
    BOOST_TEST(fs::file_size(file + ".log") == 0u);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(json::parse(text) == s.export_state());
    for (auto const& entry : fs::directory_iterator(dir.path)) {
        auto name = entry.path().filename().string();
        BOOST_TEST((name == "state.json" || name == "state.json.log"), "left behind: " << name);
    }
}

BOOST_AUTO_TEST_CASE(a_second_user_of_the_state_file_is_refused) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    service first{durable(file)};
    BOOST_CHECK_EXCEPTION(service{durable(file)}, aigallery::mock::storage_error,
                          [&](aigallery::mock::storage_error const& e) {
                              return std::string(e.what()).find("in use by another process") !=
                                         std::string::npos &&
                                     std::string(e.what()).find(file) != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(a_path_that_cannot_be_written_is_refused_at_start) {
    temp_dir dir;
    auto const file = dir.file("no-such-directory/state.json");
    BOOST_CHECK_EXCEPTION(service{durable(file)}, aigallery::mock::storage_error,
                          [&](aigallery::mock::storage_error const& e) {
                              return std::string(e.what()).find(file) != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(an_inconsistent_state_file_is_refused_at_start) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    {
        std::ofstream out(file);
        out << R"({"accounts":[{"name":"a","domain_id":")" << std::string(32, 'a')
            << R"(","token":"t1"},{"name":"b","domain_id":")" << std::string(32, 'a')
            << R"(","token":"t2"}],"assets":[],"idempotency":[]})";
    }
    BOOST_CHECK_EXCEPTION(
        service{durable(file)}, aigallery::gallery_error, [](aigallery::gallery_error const& e) {
            return std::string(e.what()).find("is also that of accounts[0]") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(a_state_file_repeating_an_access_key_is_refused_at_start) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    {
        std::ofstream out(file);
        out << R"({"accounts":[{"name":"a","domain_id":")" << std::string(32, 'a')
            << R"(","token":"t1","access_key":"AKSAME","secret_key":"sk-1"},)"
            << R"({"name":"b","domain_id":")" << std::string(32, 'b')
            << R"(","token":"t2","access_key":"AKSAME","secret_key":"sk-2"}],)"
            << R"("assets":[],"idempotency":[]})";
    }
    BOOST_CHECK_EXCEPTION(service{durable(file)}, aigallery::gallery_error,
                          [](aigallery::gallery_error const& e) {
                              std::string const what = e.what();
                              return what.find(
                                         "accounts[1] ('b'): access_key 'AKSAME' is also that of "
                                         "accounts[0] ('a')") != std::string::npos &&
                                     what.find("sk-") == std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(concurrent_writers_share_fsyncs) {
    temp_dir dir;
    auto const file = dir.file("state.json");
    service s{durable(file)};
    std::vector<aigallery::mock::account> accounts;
    for (int t = 0; t < 8; ++t)
        accounts.push_back(s.add_account("user" + std::to_string(t)));
    auto const flushes_before = s.log()->flushes();
    auto const records_before = s.log()->records();
    std::vector<std::thread> threads;
    std::atomic<int> created{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                auto out = s.handle(request(
                    http::verb::post, "/v1/aihub/contents", accounts[t].token,
                    R"({"content_type":"algorithm","title":"t)" + std::to_string(i) + R"("})"));
                created += out.response.result_int() == 201u;
            }
        });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(created.load() == 320);
    auto const records = s.log()->records() - records_before;
    auto const flushes = s.log()->flushes() - flushes_before;
    BOOST_TEST(records == 320u);
    BOOST_TEST(flushes < records, flushes << " fsyncs for " << records << " records");
    BOOST_TEST_MESSAGE("group commit: " << records << " records in " << flushes << " fsyncs");
}

BOOST_AUTO_TEST_SUITE_END()
