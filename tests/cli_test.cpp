// The `aigallery` command line against a standalone aigallery-mock, as a
// person or a CI job would use it: release a workflow file, share a version
// with a group, add and remove a user, list what is shared as that user, in
// human and JSON form; plus its exit codes and the workflow file's errors.
#include "tls_support.hpp"
#include "workflow_file.hpp"

#include <aigallery/beast_transport.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct ran {
    int status = -1;
    std::string out, err;
    json::value doc() const {
        boost::system::error_code ec;
        auto v = json::parse(out, ec);
        BOOST_TEST_REQUIRE(!ec, "not one JSON document: " << out);
        return v;
    }
};

std::ostream& operator<<(std::ostream& os, ran const& r) {
    return os << "exit " << r.status << "\nstdout: " << r.out << "\nstderr: " << r.err;
}

std::string slurp(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A scratch folder, and the standalone mock with alice, bob and carol
/// (over HTTPS when given a certificate and key; `ca_file` then trusts it).
struct cli_fixture {
    fs::path dir = fs::temp_directory_path() / ("aigallery-cli-" + std::to_string(getpid()));
    pid_t mock = -1;
    std::string url;
    std::string ca_file;
    std::map<std::string, std::pair<std::string, std::string>> accounts;  // name: domain_id, token

    cli_fixture() : cli_fixture({}, "") {}
    cli_fixture(std::vector<std::string> extra, std::string ca) : ca_file(std::move(ca)) {
        fs::create_directories(dir);
        auto out = dir / "mock.out";
        std::vector<std::string> args{
            AIGALLERY_MOCK_BINARY, "--port", "0",         "--account", "alice",
            "--account",           "bob",    "--account", "carol"};
        args.insert(args.end(), extra.begin(), extra.end());
        mock = spawn(args, {}, out, dir / "mock.err");
        for (int i = 0; i < 500 && url.empty(); ++i) {  // up to 5 s to start
            usleep(10000);
            std::stringstream lines(slurp(out));
            for (std::string l; std::getline(lines, l);) {
                if (l.starts_with("listening on "))
                    url = l.substr(13);
                if (l.starts_with("account ")) {
                    auto name = l.substr(8, l.find(' ', 8) - 8);
                    auto d = l.find("domain_id=") + 10;
                    accounts[name] = {l.substr(d, l.find(' ', d) - d),
                                      l.substr(l.find("token=") + 6)};
                }
            }
        }
        BOOST_TEST_REQUIRE(!url.empty(), "aigallery-mock did not start");
        BOOST_TEST_REQUIRE(accounts.size() == 3u);
    }
    ~cli_fixture() {
        if (mock > 0) {
            kill(mock, SIGTERM);
            waitpid(mock, nullptr, 0);
        }
        fs::remove_all(dir);
    }

    static pid_t spawn(std::vector<std::string> args, std::vector<std::string> env,
                       fs::path const& out, fs::path const& err) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<char*> argv, envp;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (char** e = environ; *e; ++e)
            if (!std::string_view(*e).starts_with("AIGALLERY_") &&
                !std::string_view(*e).starts_with("HUAWEICLOUD_SDK_"))
                envp.push_back(*e);
        for (auto& e : env)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        pid_t pid = -1;
        BOOST_TEST_REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0);
        posix_spawn_file_actions_destroy(&fa);
        return pid;
    }

    /// Runs `aigallery args...` as `who` (through AIGALLERY_ENDPOINT and
    /// AIGALLERY_TOKEN, as a CI job would), or with no account when empty.
    ran cli(std::string const& who, std::vector<std::string> args) {
        std::vector<std::string> env;
        if (!who.empty())
            env.push_back("AIGALLERY_TOKEN=" + accounts.at(who).second);
        return cli_with(env, std::move(args));
    }

    /// Runs `aigallery args...` with AIGALLERY_ENDPOINT and `env` only.
    ran cli_with(std::vector<std::string> env, std::vector<std::string> args) {
        args.insert(args.begin(), AIGALLERY_CLI_BINARY);
        env.push_back("AIGALLERY_ENDPOINT=" + url);
        auto pid = spawn(args, env, dir / "cli.out", dir / "cli.err");
        int status = 0;
        waitpid(pid, &status, 0);
        ran r;
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(dir / "cli.out");
        r.err = slurp(dir / "cli.err");
        return r;
    }

    std::string id(std::string const& who) const { return accounts.at(who).first; }

    fs::path file(std::string const& name, std::string const& text) const {
        std::ofstream(dir / name) << text;
        return dir / name;
    }

    /// How many /v1 requests the mock has served: proves what was not sent.
    std::size_t requests_served() {
        return control("/__mock/journal").at("items").as_array().size();
    }

    /// GET on the mock's control API (over HTTPS when it serves HTTPS).
    json::value control(std::string const& target) {
        aigallery::beast_transport_options o;
        o.tls.ca_file = ca_file;
        aigallery::beast_transport t{url, o};
        auto r = t.send(aigallery::http_request{boost::beast::http::verb::get, target, 11});
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return json::parse(r->body());
    }

    /// HUAWEICLOUD_SDK_AK and _SK of an account, from the control API (the
    /// mock never prints secret keys).
    std::vector<std::string> keys_env(std::string const& who) {
        auto const listing = control("/__mock/accounts");  // outlives the loop
        for (auto const& v : listing.at("items").as_array())
            if (v.at("name").as_string() == who)
                return {"HUAWEICLOUD_SDK_AK=" + std::string(v.at("access_key").as_string()),
                        "HUAWEICLOUD_SDK_SK=" + std::string(v.at("secret_key").as_string())};
        BOOST_FAIL("no account " << who);
        return {};
    }
};

bool has(std::string const& text, std::string const& part) {
    return text.find(part) != std::string::npos;
}

constexpr char const* flowers = R"({
  "name": "flowers", "desc": "classifies flowers",
  "steps": [{"name": "train", "algorithm": {"id": "algo-7f3a", "name": "trainer",
                                            "definition": {"image": "trainer:3"}}}]
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_FIXTURE_TEST_CASE(releases_shares_and_lists_in_human_and_json_form, cli_fixture) {
    auto wf = file("flowers.json", flowers).string();

    // A dry run prints the plan and writes nothing.
    auto plan = cli("alice", {"release", wf, "--title", "Flower classifier", "--dry-run"});
    BOOST_TEST_REQUIRE(plan.status == 0, plan);
    BOOST_TEST(has(plan.out, "dry run"), plan);
    BOOST_TEST(has(plan.out, "algorithm (new) 'trainer' 1.0.0 private"), plan);
    BOOST_TEST(has(plan.out, "workflow (new) 'Flower classifier' 1.0.0 private"), plan);
    BOOST_TEST(requests_served() > 0u);  // the plan's reads
    auto mine = cli("alice", {"list", "--json"});
    BOOST_TEST_REQUIRE(mine.status == 0, mine);
    BOOST_TEST(mine.doc().at("total").as_int64() == 0);

    // The first release, in human form, with each write shown as it happens.
    auto first = cli("alice", {"release", wf, "--title", "Flower classifier", "--progress"});
    BOOST_TEST_REQUIRE(first.status == 0, first);
    BOOST_TEST(has(first.out, "released workflow "), first);
    BOOST_TEST(has(first.out, " 1.0.0\n"), first);
    BOOST_TEST(has(first.err, "publish new algorithm 'trainer' 1.0.0 ... done ("), first);
    BOOST_TEST(has(first.err, "publish new workflow 'Flower classifier' 1.0.0 ... done ("), first);
    auto workflows = cli("alice", {"list", "--type", "workflow", "--json"}).doc();
    BOOST_TEST_REQUIRE(workflows.at("total").as_int64() == 1);
    std::string w(workflows.at("items").at(0).at("content_id").as_string());

    // Shared with bob and carol as a new version, in JSON form: 1.0.1, and the
    // algorithm got a new version with the same whitelist (the cascade).
    auto users = id("bob") + "," + id("carol");
    auto shared = cli("alice", {"--json", "release", wf, "--content-id", w, "--visibility", "group",
                                "--users", users});
    BOOST_TEST_REQUIRE(shared.status == 0, shared);
    auto s = shared.doc();
    BOOST_TEST(s.at("content_id").as_string() == w);
    BOOST_TEST(s.at("version_num").as_string() == "1.0.1");
    BOOST_TEST_REQUIRE(s.at("algorithms").as_array().size() == 1u);
    std::string a(s.at("algorithms").at(0).at("content_id").as_string());
    auto version = cli("alice", {"show", w, "1.0.1", "--json"}).doc();
    BOOST_TEST(version.at("visibility").as_string() == "group");
    BOOST_TEST(version.at("group_users").as_array().size() == 2u);
    BOOST_TEST(version.at("dependencies").at(0).at("content_id").as_string() == a);

    // carol sees both assets as shared, in both forms.
    auto carol = cli("carol", {"list", "--scope", "shared", "--json"});
    BOOST_TEST_REQUIRE(carol.status == 0, carol);
    BOOST_TEST(carol.doc().at("total").as_int64() == 2);
    auto carol_text = cli("carol", {"list", "--scope", "shared"});
    BOOST_TEST(has(carol_text.out, "Flower classifier"), carol_text);
    BOOST_TEST(has(carol_text.out, "trainer"), carol_text);
    BOOST_TEST(has(carol_text.out, id("alice")), carol_text);

    // Removing carol takes her off the workflow and its algorithm version.
    auto removed = cli("alice", {"whitelist", "remove", w, "1.0.1", id("carol")});
    BOOST_TEST_REQUIRE(removed.status == 0, removed);
    BOOST_TEST(has(removed.out, "removed from " + w + " 1.0.1; its whitelist is now: " + id("bob")),
               removed);
    BOOST_TEST(has(removed.out, "also " + a + " 1.0.1: " + id("bob")), removed);
    auto gone = cli("carol", {"list", "--scope", "shared"});
    BOOST_TEST(gone.status == 0);
    BOOST_TEST(has(gone.out, "no assets (shared)"), gone);
    BOOST_TEST(cli("carol", {"list", "--scope", "shared", "--json"}).doc().at("total").as_int64() ==
               0);
    BOOST_TEST(cli("bob", {"list", "--scope", "shared", "--json"}).doc().at("total").as_int64() ==
               2);

    // Adding her back, in JSON form: both versions list her again.
    auto added = cli("alice", {"whitelist", "add", w, "1.0.1", id("carol"), "--json"});
    BOOST_TEST_REQUIRE(added.status == 0, added);
    auto ad = added.doc();
    BOOST_TEST(ad.at("group_users").as_array().size() == 2u);
    BOOST_TEST(ad.at("changed").as_array().size() == 2u);
    BOOST_TEST(cli("carol", {"list", "--scope", "shared", "--json"}).doc().at("total").as_int64() ==
               2);

    // The asset's page in human form: both versions, newest first.
    auto page = cli("alice", {"show", w});
    BOOST_TEST(page.status == 0);
    BOOST_TEST(has(page.out, "workflow 'Flower classifier' " + w), page);
    BOOST_TEST(page.out.find("1.0.1    group") < page.out.find("1.0.0    private"), page);
}

BOOST_FIXTURE_TEST_CASE(gallery_errors_exit_1_with_code_and_message, cli_fixture) {
    auto wf = file("flowers.json", flowers).string();
    auto first = cli("alice", {"release", wf, "--json"});
    BOOST_TEST_REQUIRE(first.status == 0, first);
    std::string w(first.doc().at("content_id").as_string());

    auto text = cli("alice", {"whitelist", "add", w, "1.0.0", id("bob")});
    BOOST_TEST(text.status == 1, text);
    BOOST_TEST(has(text.err, "error ModelArts.4094 (HTTP 409): "), text);
    auto doc = cli("alice", {"whitelist", "add", w, "1.0.0", id("bob"), "--json"});
    BOOST_TEST(doc.status == 1, doc);
    BOOST_TEST(doc.doc().at("error").at("error_code").as_string() == "ModelArts.4094");
    BOOST_TEST(doc.doc().at("error").at("status").as_int64() == 409);

    auto other = cli("bob", {"show", w});  // not shared with bob: it does not exist for him
    BOOST_TEST(other.status == 1, other);
    BOOST_TEST(has(other.err, "ModelArts.4040"), other);

    auto again = cli("alice", {"release", wf});  // the title is taken
    BOOST_TEST(again.status == 1, again);
    BOOST_TEST(has(again.err, "ModelArts.4093"), again);

    auto nobody = cli("alice", {"--endpoint", "http://127.0.0.1:1", "list"});
    BOOST_TEST(nobody.status == 1, nobody);
    BOOST_TEST(has(nobody.err, "network error"), nobody);
}

BOOST_FIXTURE_TEST_CASE(usage_errors_exit_2_and_send_nothing, cli_fixture) {
    auto wf = file("flowers.json", flowers).string();
    auto before = requests_served();
    for (std::vector<std::string> args : {
             std::vector<std::string>{"frobnicate"},
             {"list", "--scope", "everything"},
             {"release", wf, "--visibility", "group"},  // no users
             {"release", wf, "--users", id("bob")},     // users without group
             {"release", wf, "--version", "1.0"},
             {"release", wf, "--content-id", "W1", "--version", "2.0.0", "--bump", "minor"},
             {"release", wf, "--frob"},
             {"whitelist", "add", "W1", "1.0.0", "not-a-domain-id"},
             {"show"},
             {"release", file("bad.json", R"({"name": "x", "steps": [{"name": "s",
                  "algorithm": {"id": "a", "name": "n", "colour": "red"}}]})")
                             .string()},
         }) {
        auto r = cli("alice", args);
        BOOST_TEST(r.status == 2, args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r);
        BOOST_TEST(r.out.empty(), r);
        BOOST_TEST(!r.err.empty());
    }
    auto bad = cli("alice", {"release", (dir / "bad.json").string()});
    BOOST_TEST(has(bad.err, "steps[0].algorithm.colour: unknown field"), bad);
    auto no_token = cli("", {"list"});
    BOOST_TEST(no_token.status == 2);
    BOOST_TEST(has(no_token.err, "AIGALLERY_TOKEN"), no_token);
    BOOST_TEST(requests_served() == before);

    // --help on every command, exit 0
    for (auto const* c : {"release", "whitelist", "list", "show"}) {
        auto h = cli("", {c, "--help"});
        BOOST_TEST(h.status == 0);
        BOOST_TEST(has(h.out, std::string("usage: aigallery ") + c), h);
    }
    auto version = cli("", {"--version"});
    BOOST_TEST(version.status == 0);
    BOOST_TEST(has(version.out, "aigallery 0."), version);
}

BOOST_FIXTURE_TEST_CASE(a_workflow_without_steps_is_released_with_a_warning, cli_fixture) {
    auto empty = file("empty.json", R"({"name": "placeholder", "steps": []})").string();
    auto r = cli("alice", {"release", empty});
    BOOST_TEST(r.status == 0, r);
    BOOST_TEST(has(r.err, "warning: workflow 'placeholder'"), r);
    BOOST_TEST(has(r.err, "has no steps"), r);
    BOOST_TEST(cli("alice", {"list", "--json"}).doc().at("total").as_int64() == 1);
}

/// The standalone mock over HTTPS, with a certificate made for this run.
struct tls_cli_fixture : cli_fixture {
    tls_cli_fixture()
        : cli_fixture({"--tls-cert", test::test_pki::get().cert(), "--tls-key",
                       test::test_pki::get().key()},
                      test::test_pki::get().ca()) {}
};

// As a CI job would reach the real service: HTTPS with a private CA, every
// request signed with the keys from HUAWEICLOUD_SDK_AK / _SK.
BOOST_FIXTURE_TEST_CASE(signed_requests_over_https_with_keys_from_the_environment,
                        tls_cli_fixture) {
    BOOST_TEST_REQUIRE(url.starts_with("https://"), url);
    auto wf = file("flowers.json", flowers).string();
    auto alice = keys_env("alice");

    auto released = cli_with(alice, {"release", wf, "--ca-file", ca_file, "--json"});
    BOOST_TEST_REQUIRE(released.status == 0, released);
    BOOST_TEST(released.doc().at("version_num").as_string() == "1.0.0");
    auto mine = cli_with(alice, {"list", "--ca-file", ca_file, "--json"});
    BOOST_TEST_REQUIRE(mine.status == 0, mine);
    BOOST_TEST(mine.doc().at("total").as_int64() == 2);
    // Signed, not sent with a token: the journal shows Authorization and no X-Auth-Token.
    auto journal = json::serialize(control("/__mock/journal"));
    BOOST_TEST(has(journal, "Authorization"), journal);
    BOOST_TEST(!has(journal, "X-Auth-Token"), journal);
    // AIGALLERY_CA_FILE stands in for --ca-file, as the endpoint's variable does.
    auto via_env = alice;
    via_env.push_back("AIGALLERY_CA_FILE=" + ca_file);
    auto listed = cli_with(via_env, {"list"});
    BOOST_TEST(listed.status == 0, listed);
    BOOST_TEST(has(listed.out, "flowers"), listed);

    // Without the private CA: a security error that says why; nothing sent.
    auto before = requests_served();
    auto untrusted = cli_with(alice, {"list"});
    BOOST_TEST(untrusted.status == 1, untrusted);
    BOOST_TEST(has(untrusted.err, "security error"), untrusted);
    BOOST_TEST(has(untrusted.err, "unknown CA"), untrusted);
    auto untrusted_json = cli_with(alice, {"list", "--json"});
    BOOST_TEST(untrusted_json.doc().at("error").at("error_code").as_string() == "security");
    BOOST_TEST(requests_served() == before);
}

BOOST_FIXTURE_TEST_CASE(a_wrong_secret_key_fails_without_printing_any_secret, tls_cli_fixture) {
    auto wf = file("flowers.json", flowers).string();
    auto keys = keys_env("alice");
    std::string const real_secret = keys[1].substr(keys[1].find('=') + 1);
    std::string const wrong_secret = "sk-wrong-0123456789abcdef";
    keys[1] = "HUAWEICLOUD_SDK_SK=" + wrong_secret;
    keys.push_back("HUAWEICLOUD_SDK_SECURITY_TOKEN=temporary-security-token-secret");
    for (bool as_json : {false, true}) {
        std::vector<std::string> args{"release", wf, "--ca-file", ca_file};
        if (as_json)
            args.push_back("--json");
        auto r = cli_with(keys, args);
        BOOST_TEST(r.status == 1, r);
        auto const printed = r.out + r.err;
        BOOST_TEST(has(printed, "APIG.0301"), r);
        BOOST_TEST(has(printed, "signature does not match"), r);
        for (auto const& secret : {wrong_secret, real_secret, std::string("Signature="),
                                   std::string("temporary-security-token-secret")})
            BOOST_TEST(!has(printed, secret), secret << " printed: " << r);
    }
    BOOST_TEST(control("/__mock/state").at("assets").as_array().empty());
}

BOOST_FIXTURE_TEST_CASE(credential_mistakes_are_usage_errors_that_send_nothing, tls_cli_fixture) {
    auto before = requests_served();
    auto keys = keys_env("alice");
    auto check = [&](std::vector<std::string> env, std::vector<std::string> args,
                     std::string const& says) {
        auto r = cli_with(env, args);
        BOOST_TEST(r.status == 2, r);
        BOOST_TEST(has(r.err, says), r);
        BOOST_TEST(r.out.empty(), r);
    };
    check({keys[0]}, {"list"}, "HUAWEICLOUD_SDK_SK");  // AK without SK
    check({}, {"--ak", "AKfromflag", "list"}, "HUAWEICLOUD_SDK_SK");
    check({}, {"--sk", "secret-on-the-command-line", "list"}, "HUAWEICLOUD_SDK_SK only");
    check({keys[0], keys[1], "AIGALLERY_TOKEN=t"}, {"list"}, "choose with --token T or --ak AK");
    check({}, {"--token", "t", "--ak", "a", "list"}, "one kind of credentials");
    check(keys, {"--ca-file", "/nonexistent/ca.pem", "list"}, "/nonexistent/ca.pem");
    BOOST_TEST(requests_served() == before);

    auto help = cli_with({}, {"--help"});
    BOOST_TEST(help.status == 0);
    for (auto const* part : {"http[s]://", "--ca-file", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                             "HUAWEICLOUD_SDK_SECURITY_TOKEN", "never from the command line"})
        BOOST_TEST(has(help.out, part), part);
}

BOOST_AUTO_TEST_CASE(workflow_file_names_the_field_at_fault) {
    using aigallery::cli::parse_workflow;
    auto wf = parse_workflow(json::parse(R"({"name": "w", "steps": [
        {"name": "a", "algorithm": {"id": "l1", "name": "local", "definition": {"k": 1}}},
        {"name": "b", "algorithm": {"content_id": "A1", "version_num": "1.2.0"}}]})"));
    BOOST_TEST(wf.name == "w");
    BOOST_TEST_REQUIRE(wf.steps.size() == 2u);
    BOOST_TEST(std::get<aigallery::local_algorithm>(wf.steps[0].algorithm).definition.at("k") == 1);
    BOOST_TEST(
        std::get<aigallery::gallery_algorithm>(wf.steps[1].algorithm).version_num.to_string() ==
        "1.2.0");

    auto message = [](char const* doc) -> std::string {
        try {
            parse_workflow(json::parse(doc));
        } catch (aigallery::cli::workflow_file_error const& e) {
            return e.what();
        }
        return "(accepted)";
    };
    BOOST_TEST(message(R"({"steps": []})") == "name: missing");
    BOOST_TEST(message(R"({"name": "w"})").starts_with("steps: missing"));
    BOOST_TEST(message(R"({"name": "w", "steps": [], "extra": 1})") == "extra: unknown field");
    BOOST_TEST(message(R"({"name": "w", "steps": [{"name": "s", "algorithm": {}}]})")
                   .starts_with("steps[0].algorithm: needs"));
    BOOST_TEST(message(R"({"name": "w", "steps": [{"name": "s",
                 "algorithm": {"content_id": "A", "version_num": "1.0"}}]})") ==
               "steps[0].algorithm.version_num: '1.0' is not a version x.y.z");
    BOOST_TEST(message(R"({"name": 3, "steps": []})") == "name: must be a string");
}

BOOST_AUTO_TEST_SUITE_END()
