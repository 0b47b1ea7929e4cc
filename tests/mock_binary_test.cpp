// The standalone aigallery-mock: starts, prints its accounts and address,
// answers /__mock/health, and saves its state atomically on SIGTERM.
#include <aigallery/beast_transport.hpp>
#include <aigallery/version.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

/// A child process whose standard output is read line by line.
struct child {
    pid_t pid = -1;
    FILE* out = nullptr;

    /// With `with_stderr`, the standard error is read too (after the output).
    explicit child(std::vector<std::string> args, bool with_stderr = false) {
        int fds[2];
        BOOST_REQUIRE(pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        if (with_stderr)
            posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        BOOST_REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        out = fdopen(fds[0], "r");
    }

    std::string line() {
        char buf[512];
        if (!fgets(buf, sizeof buf, out))
            return {};
        std::string s(buf);
        if (!s.empty() && s.back() == '\n')
            s.pop_back();
        return s;
    }

    int stop(int sig) {
        kill(pid, sig);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    ~child() {
        if (pid > 0)
            stop(SIGKILL);
        if (out)
            fclose(out);
    }
};

aigallery::http_request get(std::string target) {
    aigallery::http_request r{boost::beast::http::verb::get, target, 11};
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mock_binary)

BOOST_AUTO_TEST_CASE(starts_answers_and_saves_state_on_sigterm) {
    auto dir =
        std::filesystem::temp_directory_path() / ("aigallery-bin-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto state = (dir / "state.json").string();

    std::string url;
    std::string alice_token;
    {
        child c({AIGALLERY_MOCK_BINARY, "--port", "0", "--account", "alice", "--account", "bob",
                 "--state", state});
        for (std::string l = c.line(); !l.empty(); l = c.line()) {
            if (l.rfind("account alice ", 0) == 0)
                alice_token = l.substr(l.find("token=") + 6);
            if (l.rfind("listening on ", 0) == 0) {
                url = l.substr(13);
                break;
            }
        }
        BOOST_TEST_REQUIRE(!url.empty());
        BOOST_TEST_REQUIRE(!alice_token.empty());
        aigallery::beast_transport t{url};
        auto health = t.send(get("/__mock/health"));
        BOOST_TEST_REQUIRE(health.has_value());
        BOOST_TEST(health->result_int() == 200u);
        BOOST_TEST(boost::json::parse(health->body()).at("status").as_string() == "ok");

        aigallery::http_request pub{boost::beast::http::verb::post, "/v1/aihub/contents", 11};
        pub.set("X-Auth-Token", alice_token);
        pub.set(boost::beast::http::field::content_type, "application/json");
        pub.body() = R"({"content_type":"algorithm","title":"kept across restarts"})";
        pub.prepare_payload();
        auto created = t.send(pub);
        BOOST_TEST_REQUIRE(created.has_value());
        BOOST_TEST(created->result_int() == 201u);

        BOOST_TEST(c.stop(SIGTERM) == 0);
    }
    // the state file exists, is private to its owner, and holds the asset
    struct stat st {};
    BOOST_TEST_REQUIRE(stat(state.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600);
    BOOST_TEST(!std::filesystem::exists(state + ".tmp"));
    std::ifstream in(state);
    std::stringstream text;
    text << in.rdbuf();
    BOOST_TEST(text.str().find("kept across restarts") != std::string::npos);

    // a restart loads it: the same token still works and sees the asset
    {
        child c({AIGALLERY_MOCK_BINARY, "--state", state});
        std::string l;
        std::vector<std::string> printed;
        while ((l = c.line()).rfind("listening on ", 0) != 0 && !l.empty())
            printed.push_back(l);
        BOOST_TEST_REQUIRE(!l.empty());
        // the loaded accounts are printed with their tokens, as at the first start
        BOOST_TEST_REQUIRE(printed.size() == 3u);
        BOOST_TEST(printed[0] == "loaded 2 account(s) from " + state);
        BOOST_TEST(printed[1].rfind("account alice ", 0) == 0);
        BOOST_TEST(printed[1].substr(printed[1].find("token=") + 6) == alice_token);
        BOOST_TEST(printed[2].rfind("account bob ", 0) == 0);
        aigallery::beast_transport t{l.substr(13)};
        auto req = get("/v1/aihub/contents?scope=mine");
        req.set("X-Auth-Token", alice_token);
        auto listed = t.send(req);
        BOOST_TEST_REQUIRE(listed.has_value());
        BOOST_TEST(listed->result_int() == 200u);
        BOOST_TEST(boost::json::parse(listed->body()).at("total").as_int64() == 1);
        BOOST_TEST(c.stop(SIGINT) == 0);
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(version_prints_the_project_version) {
    child c({AIGALLERY_MOCK_BINARY, "--version"});
    auto l = c.line();
    BOOST_TEST_REQUIRE(l.rfind("aigallery-mock ", 0) == 0);
    BOOST_TEST(aigallery::version_number::parse(l.substr(15)).has_value(), l);
    int status = 0;
    waitpid(c.pid, &status, 0);
    c.pid = -1;
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(kill_9_loses_no_answered_write_and_a_second_mock_is_refused) {
    auto dir =
        std::filesystem::temp_directory_path() / ("aigallery-kill-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto state = (dir / "state.json").string();
    auto listen = [](child& c, std::string* token) {
        for (std::string l = c.line(); !l.empty(); l = c.line()) {
            if (token && l.rfind("account alice ", 0) == 0)
                *token = l.substr(l.find("token=") + 6);
            if (l.rfind("listening on ", 0) == 0)
                return l.substr(13);
        }
        return std::string();
    };
    std::string token;
    {
        child c({AIGALLERY_MOCK_BINARY, "--account", "alice", "--state", state});
        std::string url = listen(c, &token);
        BOOST_TEST_REQUIRE(!url.empty());

        // The same file, while the first mock runs: refused, naming it.
        child second({AIGALLERY_MOCK_BINARY, "--state", state});
        int status = 0;
        waitpid(second.pid, &status, 0);
        second.pid = -1;
        BOOST_TEST(WIFEXITED(status));
        BOOST_TEST(WEXITSTATUS(status) == 1);

        aigallery::beast_transport t{url};
        for (int i = 0; i < 5; ++i) {
            aigallery::http_request pub{boost::beast::http::verb::post, "/v1/aihub/contents", 11};
            pub.set("X-Auth-Token", token);
            pub.set(boost::beast::http::field::content_type, "application/json");
            pub.body() =
                R"({"content_type":"algorithm","title":"answered )" + std::to_string(i) + R"("})";
            pub.prepare_payload();
            auto created = t.send(pub);
            BOOST_TEST_REQUIRE(created.has_value());
            BOOST_TEST_REQUIRE(created->result_int() == 201u);
        }
        c.stop(SIGKILL);  // no save, no clean exit
    }
    {
        child c({AIGALLERY_MOCK_BINARY, "--state", state});
        std::string url = listen(c, nullptr);
        BOOST_TEST_REQUIRE(!url.empty());
        aigallery::beast_transport t{url};
        auto req = get("/v1/aihub/contents?scope=mine");
        req.set("X-Auth-Token", token);
        auto listed = t.send(req);
        BOOST_TEST_REQUIRE(listed.has_value());
        BOOST_TEST(boost::json::parse(listed->body()).at("total").as_int64() == 5);
        BOOST_TEST(c.stop(SIGTERM) == 0);
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_state_file_repeating_an_access_key_is_refused_naming_it) {
    auto dir =
        std::filesystem::temp_directory_path() / ("aigallery-dupkey-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto state = (dir / "state.json").string();
    {
        std::ofstream out(state);
        out << R"({"accounts":[{"name":"a","domain_id":")" << std::string(32, 'a')
            << R"(","token":"t1","access_key":"AKSAME","secret_key":"sk-first"},)"
            << R"({"name":"b","domain_id":")" << std::string(32, 'b')
            << R"(","token":"t2","access_key":"AKSAME","secret_key":"sk-second"}],)"
            << R"("assets":[],"idempotency":[]})";
    }
    auto const before = std::filesystem::file_size(state);
    child c({AIGALLERY_MOCK_BINARY, "--state", state}, true);
    std::string said;
    for (std::string l = c.line(); !l.empty(); l = c.line())
        said += l + "\n";
    int status = 0;
    waitpid(c.pid, &status, 0);
    c.pid = -1;
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 1);
    BOOST_TEST(
        said.find("access_key 'AKSAME' is also that of accounts[0] ('a')") != std::string::npos,
        said);
    BOOST_TEST(said.find("sk-") == std::string::npos, said);
    BOOST_TEST(said.find("listening on") == std::string::npos, said);
    BOOST_TEST(std::filesystem::file_size(state) == before);  // left as it was
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_bad_option_is_named_and_exits_2) {
    child c({AIGALLERY_MOCK_BINARY, "--port", "not-a-port"});
    int status = 0;
    waitpid(c.pid, &status, 0);
    c.pid = -1;
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
