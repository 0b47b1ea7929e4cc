// Reaching a gallery as the real one is reached: HTTPS with peer
// verification, AK/SK-signed requests and IAM tokens, against the mock's TLS
// server (in process and the standalone binary). Secrets never show up in
// errors, the journal or the logs.
#include "tls_support.hpp"

#include <aigallery/aigallery.hpp>
#include <aigallery/mock/tls_server.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace mock = aigallery::mock;
using test::keys_of;
using test::serving;
using test::test_pki;
using test::trusting;

aigallery::workflow flowers() {
    aigallery::workflow wf{.name = "flowers", .desc = "classifies flowers"};
    wf.steps.push_back(
        {.name = "train",
         .algorithm = aigallery::local_algorithm{.id = "algo-7f3a", .name = "trainer"}});
    return wf;
}

aigallery::http_request http_request_get(std::string target) {
    return aigallery::http_request{http::verb::get, target, 11};
}

/// aigallery-mock as a child process, its stdout and stderr read from one pipe.
struct mock_process {
    pid_t pid = -1;
    FILE* out = nullptr;
    std::string log;  // everything it printed so far

    explicit mock_process(std::vector<std::string> args) {
        int fds[2];
        BOOST_REQUIRE(pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        BOOST_REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        out = fdopen(fds[0], "r");
    }
    std::string line() {
        char buf[1024];
        if (!fgets(buf, sizeof buf, out))
            return {};
        log += buf;
        std::string s(buf);
        if (!s.empty() && s.back() == '\n')
            s.pop_back();
        return s;
    }
    /// SIGTERM, then the rest of its output.
    void stop() {
        kill(pid, SIGTERM);
        while (!line().empty()) {
        }
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
    }
    ~mock_process() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (out)
            fclose(out);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_client)

BOOST_AUTO_TEST_CASE(the_seed_scenario_over_https_signed_against_the_binary) {
    auto const& pki = test_pki::get();
    mock_process m({AIGALLERY_MOCK_BINARY, "--tls-cert", pki.cert(), "--tls-key", pki.key(),
                    "--account", "alice", "--account", "bob", "--account", "carol"});
    std::string url;
    for (std::string l; url.empty() && !(l = m.line()).empty();)
        if (l.starts_with("listening on "))
            url = l.substr(13);
    BOOST_TEST_REQUIRE(url.starts_with("https://127.0.0.1:"), url);

    // The keys, from the control API (over HTTPS too).
    aigallery::beast_transport control(url, trusting(pki.ca()));
    auto listed = control.send(http_request_get("/__mock/accounts"));
    BOOST_TEST_REQUIRE(listed.has_value(), listed.error().message());
    std::map<std::string, mock::account> accounts;
    auto const listing = json::parse(listed->body());  // outlives the loop
    for (auto const& v : listing.at("items").as_array()) {
        auto const& o = v.as_object();
        accounts[std::string(o.at("name").as_string())] = {
            std::string(o.at("name").as_string()), std::string(o.at("domain_id").as_string()),
            std::string(o.at("token").as_string()), std::string(o.at("access_key").as_string()),
            std::string(o.at("secret_key").as_string())};
    }
    auto const alice = accounts.at("alice"), bob = accounts.at("bob"), carol = accounts.at("carol");

    aigallery::client client{aigallery::beast_transport(url, trusting(pki.ca())), keys_of(alice)};
    BOOST_TEST(client.transport_layer().uses_tls());
    auto wf = flowers();
    auto first = client.release_to_gallery(wf, {.title = "Flower classifier"});
    BOOST_TEST(first.version_num.to_string() == "1.0.0");
    auto trainer = first.algorithms.at(0);
    wf.steps[0].algorithm = aigallery::gallery_algorithm{trainer.content_id, trainer.version_num};
    auto second =
        client.release_to_gallery(wf, {.content_id = first.content_id, .desc = "retrained"});
    BOOST_TEST(second.version_num.to_string() == "1.0.1");
    BOOST_TEST(second.algorithms.at(0).version_num.to_string() == "1.0.1");
    wf.steps[0].algorithm =
        aigallery::gallery_algorithm{trainer.content_id, second.algorithms.at(0).version_num};
    auto third = client.release_to_gallery(wf, {.content_id = first.content_id,
                                                .visibility = aigallery::visibility::group,
                                                .group_users = {bob.domain_id}});
    client.add_whitelist_users(first.content_id, third.version_num, {carol.domain_id});
    client.delete_whitelist_users(first.content_id, third.version_num, {bob.domain_id});

    aigallery::client as_carol{aigallery::beast_transport(url, trusting(pki.ca())), keys_of(carol)};
    BOOST_TEST(as_carol.list_contents({.scope = "shared"}).total == 2u);
    aigallery::client as_bob{aigallery::beast_transport(url, trusting(pki.ca())), keys_of(bob)};
    BOOST_TEST(as_bob.list_contents({.scope = "shared"}).total == 0u);

    // A wrong secret key: 401, saying the signature is wrong, never the key.
    auto wrong = keys_of(alice);
    wrong.secret_key = "sk-this-is-not-alices-secret";
    aigallery::client impostor{aigallery::beast_transport(url, trusting(pki.ca())), wrong};
    auto refused = impostor.try_me();
    BOOST_TEST_REQUIRE(!refused.has_value());
    auto const error_text = refused.error().message();
    BOOST_TEST(refused.error().is(aigallery::errc::unauthorized));
    BOOST_TEST(error_text.find("signature does not match") != std::string::npos, error_text);

    // Secrets: nowhere in the errors, the journal or the mock's output.
    auto journal = control.send(http_request_get("/__mock/journal"));
    BOOST_TEST_REQUIRE(journal.has_value(), journal.error().message());
    m.stop();
    std::string output_after_startup = m.log.substr(m.log.find("listening on"));
    for (std::string const& secret : {alice.secret_key, bob.secret_key, carol.secret_key,
                                      wrong.secret_key, std::string("Signature="), alice.token}) {
        BOOST_TEST(error_text.find(secret) == std::string::npos, secret);
        BOOST_TEST(journal->body().find(secret) == std::string::npos, secret);
        BOOST_TEST(output_after_startup.find(secret) == std::string::npos, secret);
    }
    BOOST_TEST(m.log.find(alice.secret_key) == std::string::npos);  // not even at startup
}

BOOST_AUTO_TEST_CASE(an_unknown_ca_is_a_verification_error_that_says_so) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    aigallery::client client{aigallery::beast_transport(gallery.url(), trusting(pki.other_ca())),
                             keys_of(alice)};
    auto r = client.try_me();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().transport() == make_error_code(aigallery::security_errc::tls_unknown_ca));
    BOOST_TEST(r.error().message().find("unknown CA") != std::string::npos, r.error().message());
    BOOST_TEST(gallery.journal().empty());  // nothing reached the gallery

    // The system store alone does not know the test CA either.
    aigallery::beast_transport plain_trust(gallery.url());
    auto again = plain_trust.send(http_request_get("/__mock/health"));
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error() == make_error_code(aigallery::security_errc::tls_unknown_ca));
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_refused) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.wrong_host_cert(), pki.wrong_host_key()));
    aigallery::beast_transport t(gallery.url(), trusting(pki.ca()));
    auto r = t.send(http_request_get("/__mock/health"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error() == make_error_code(aigallery::security_errc::tls_host_mismatch));
    BOOST_TEST(r.error().message().find("host name") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_refused_and_says_so) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.expired_cert(), pki.expired_key()));
    auto alice = gallery.add_account("alice");
    aigallery::client client{aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
                             keys_of(alice)};
    auto r = client.try_me();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().transport() ==
               make_error_code(aigallery::security_errc::tls_certificate_expired));
    BOOST_TEST(r.error().message().find("the certificate has expired") != std::string::npos,
               r.error().message());
    BOOST_TEST(gallery.journal().empty());  // nothing reached the gallery
}

BOOST_AUTO_TEST_CASE(keep_alive_and_clean_close_over_tls) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    aigallery::client client{aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
                             keys_of(alice)};
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(client.me().domain_id == alice.domain_id);
    BOOST_TEST(gallery.connections_accepted() == 1u);
    client.transport_layer().close();
    BOOST_TEST(client.me().domain_id == alice.domain_id);
    BOOST_TEST(gallery.connections_accepted() == 2u);
    BOOST_TEST(gallery.url().starts_with("https://"));
}

BOOST_AUTO_TEST_CASE(an_answer_larger_than_a_tls_record_arrives_whole_and_the_connection_goes_on) {
    // Over 16 KiB (one TLS record, and what a connection keeps for its
    // answers): the journal of 200 requests.
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    aigallery::client client{aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
                             keys_of(alice)};
    for (int i = 0; i < 200; ++i)
        client.me();
    aigallery::beast_transport control(gallery.url(), trusting(pki.ca()));
    for (int round = 0; round < 2; ++round) {
        auto journal = control.send(http_request_get("/__mock/journal"));
        BOOST_TEST_REQUIRE(journal.has_value(), journal.error().message());
        BOOST_TEST(journal->body().size() > 64u * 1024u);
        auto const doc = json::parse(journal->body());
        BOOST_TEST(doc.at("items").as_array().size() == 200u);
    }
    BOOST_TEST(client.me().domain_id == alice.domain_id);
    BOOST_TEST(gallery.connections_accepted() == 2u);  // one each, both kept alive
}

BOOST_AUTO_TEST_CASE(iam_tokens_over_https) {
    auto const& pki = test_pki::get();
    mock::tls_server gallery(serving(pki.cert(), pki.key()));
    auto alice = gallery.add_account("alice");
    auto tokens = std::make_shared<aigallery::iam_token_provider>(
        aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
        aigallery::iam_password_credentials{"alice", alice.token, "alice", "cn-north-4", ""});
    aigallery::client client{aigallery::beast_transport(gallery.url(), trusting(pki.ca())), tokens};
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(client.me().name == "alice");
    BOOST_TEST(tokens->requests_sent() == 1u);

    auto refused = std::make_shared<aigallery::iam_token_provider>(
        aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
        aigallery::iam_password_credentials{"alice", "not-the-password", "alice", "", ""});
    aigallery::client locked_out{aigallery::beast_transport(gallery.url(), trusting(pki.ca())),
                                 refused};
    auto r = locked_out.try_me();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().transport() == make_error_code(aigallery::security_errc::iam_refused));
    BOOST_TEST(r.error().message().find("not-the-password") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_setup_mistakes_are_named) {
    auto const& pki = test_pki::get();
    BOOST_CHECK_THROW(mock::server(serving(pki.cert(), pki.key())), std::invalid_argument);
    try {
        mock::tls_server s(serving(pki.cert(), "/nonexistent/key.pem"));
        BOOST_FAIL("a missing key was accepted");
    } catch (std::invalid_argument const& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent/key.pem") != std::string::npos);
    }
    try {
        aigallery::beast_transport t("https://127.0.0.1:1", trusting("/nonexistent/ca.pem"));
        BOOST_FAIL("a missing ca_file was accepted");
    } catch (boost::system::system_error const& e) {
        BOOST_TEST(std::string(e.what()).find("/nonexistent/ca.pem") != std::string::npos);
        BOOST_TEST(e.code() == make_error_code(aigallery::security_errc::tls_setup_failed));
    }
    aigallery::beast_transport https("https://gallery.example");
    BOOST_TEST(https.port() == "443");
}

BOOST_AUTO_TEST_SUITE_END()
