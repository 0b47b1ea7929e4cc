// The journal (bodies, headers with secrets redacted, times, bounds, filters),
// expectations from C++ and REST, and the HAR and Pact exports: what a test
// that asserts on traffic sees.
#include "support.hpp"

#include <aigallery/mock/boost_test.hpp>
#include <aigallery/mock/journal.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

extern char** environ;

using namespace test;
using http::verb;
namespace mock = aigallery::mock;

namespace {

json::object algorithm(std::string title, std::string vis = "private", json::array wl = {}) {
    json::object o{{"content_type", "algorithm"}, {"title", title}, {"visibility", vis}};
    if (vis == "group")
        o["group_users"] = wl;
    return o;
}

/// Every secret-looking value a test used, for the "never appears" checks.
struct secrets {
    std::vector<std::string> values;
    void check_absent(std::string const& text, std::string const& where) const {
        for (auto const& s : values)
            BOOST_TEST(text.find(s) == std::string::npos, where << " holds a secret");
    }
};

/// aigallery-mock with some flags; url() once it listens, SIGTERM at the end.
struct mock_process {
    pid_t pid = -1;
    FILE* out = nullptr;
    explicit mock_process(std::vector<std::string> args) {
        args.insert(args.begin(), AIGALLERY_MOCK_BINARY);
        int fds[2];
        BOOST_REQUIRE(pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
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
    std::string url() {
        char buf[512];
        while (fgets(buf, sizeof buf, out)) {
            std::string l(buf);
            if (l.rfind("listening on ", 0) == 0)
                return l.substr(13, l.find_last_not_of("\n") - 12);
        }
        return {};
    }
    int exit_code() {
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ~mock_process() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
        if (out)
            fclose(out);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(times_print_with_milliseconds_in_utc) {
    using namespace std::chrono;
    sys_days const day = 2026y / November / 26;
    BOOST_TEST(mock::format_rfc3339_ms(day + 7h + 15min + 2s + 123ms) ==
               "2026-11-26T07:15:02.123Z");
    BOOST_TEST(mock::format_rfc3339_ms(day + 59s + 7ms) == "2026-11-26T00:00:59.007Z");
    BOOST_TEST(mock::format_rfc3339_ms(system_clock::time_point(day)) ==
               "2026-11-26T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(the_binary_takes_the_journal_flags) {
    mock_process m({"--port", "0", "--journal-entries", "3", "--journal-body-bytes", "10",
                    "--record-states", "--account", "alice"});
    auto url = m.url();
    BOOST_TEST_REQUIRE(!url.empty());
    aigallery::beast_transport http{url};
    auto token = [&] {
        http_request req{verb::get, "/__mock/accounts", 11};
        auto r = json::parse(http.send(req).value().body());
        return std::string(r.at("items").at(0).at("token").as_string());
    }();
    for (int i = 0; i < 5; ++i) {
        http_request req{verb::get, "/v1/aihub/me", 11};
        req.set("X-Auth-Token", token);
        http.send(req).value();
    }
    http_request jr{verb::get, "/__mock/journal", 11};
    auto j = json::parse(http.send(jr).value().body()).as_object();
    BOOST_TEST(j.at("max_entries").as_int64() == 3);
    BOOST_TEST(j.at("items").as_array().size() == 3u);
    BOOST_TEST(j.at("dropped").as_int64() == 2);
    auto const& resp = j.at("items").at(0).at("response").as_object();
    BOOST_TEST(resp.at("body_truncated").as_bool());  // cut at 10 bytes
    http_request pr{verb::get, "/__mock/pact?consumer=a&provider=b", 11};
    auto pact = http.send(pr).value();
    BOOST_TEST(pact.result_int() == 200u, pact.body());  // --record-states took
    // cut bodies cannot be replayed honestly: every entry is left out, with the reason
    auto omitted = json::parse(pact.body()).at("metadata").at("aigallery").at("omitted");
    BOOST_TEST(omitted.as_array().size() == 3u);

    mock_process bad({"--journal-entries", "lots"});
    BOOST_TEST(bad.exit_code() == 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(entries_keep_bodies_headers_and_times, Via, both_transports) {
    gallery<Via> g;
    auto alice = g.account("alice");
    auto r = g.call(verb::post, "/v1/aihub/contents", alice.token,
                    json::value(algorithm("trainer")), {{"Idempotency-Key", "k-1"}});
    BOOST_TEST_REQUIRE(r.status == 201, r);
    auto entries = g.via.svc().journal_records();
    BOOST_TEST_REQUIRE(entries.size() == 1u);
    auto const& e = entries[0];
    BOOST_TEST(e.method == "POST");
    BOOST_TEST(e.status == 201);
    BOOST_TEST(e.account.value_or("") == "alice");
    BOOST_TEST(json::parse(e.request.body_text()) == json::value(algorithm("trainer")));
    BOOST_TEST(e.response.body_text() == r.raw.body());  // the answer as sent
    BOOST_TEST(e.request.header("X-Auth-Token").value_or("") == "***");
    BOOST_TEST(e.request.header("idempotency-key").value_or("") == "k-1");
    BOOST_TEST(e.response.header("X-Request-Id").value_or("") == r.header("X-Request-Id"));
    BOOST_TEST(e.response.header("Location").value_or("") == r.header("Location"));
    BOOST_TEST(e.request_id == r.header("X-Request-Id"));
    auto age = std::chrono::system_clock::now() - e.started_at;
    BOOST_TEST((age >= std::chrono::seconds(0) && age < std::chrono::minutes(1)));
    // measured, not left at a default: a real duration, shorter than the test
    BOOST_TEST((e.duration >= e.duration.zero() && e.duration < std::chrono::seconds(10)));

    // the REST view shows the same, and never the token
    auto j = g.call(verb::get, "/__mock/journal", "");
    BOOST_TEST_REQUIRE(j.status == 200, j);
    auto const& item = j.obj().at("items").as_array().at(0).as_object();
    BOOST_TEST(item.at("request").at("body").as_string() == e.request.body_text());
    BOOST_TEST(item.at("response").at("body").as_string() == r.raw.body());
    BOOST_TEST(item.at("account").as_string() == "alice");
    BOOST_TEST(j.raw.body().find(alice.token) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(secret_headers_and_query_values_are_redacted) {
    BOOST_TEST(mock::is_secret_header("X-Auth-Token"));
    BOOST_TEST(mock::is_secret_header("authorization"));
    BOOST_TEST(mock::is_secret_header("X-Security-Token"));
    BOOST_TEST(mock::is_secret_header("X-Sdk-Signature"));
    BOOST_TEST(mock::is_secret_header("X-Mock-Control-Token"));
    BOOST_TEST(!mock::is_secret_header("Content-Type"));
    BOOST_TEST(!mock::is_secret_header("Idempotency-Key"));
    // Every word of the rule, in any case and at any place in the name.
    for (auto name : {"Proxy-Authorization", "COOKIE", "Set-Cookie", "x-secret", "My-Session",
                      "Password", "Access-Control-Allow-Credentials", "X-Api-Key", "apikey",
                      "x_api_key", "tokenx", "XTOKEN"})
        BOOST_TEST(mock::is_secret_header(name), name);
    for (auto name :
         {"", "t", "Toke", "X-Request-Id", "Cookies", "Accept", "Sign", "Api-Ke", "Content-Length"})
        BOOST_TEST(!mock::is_secret_header(name), name);
    BOOST_TEST(mock::redact_target("/v1/x?scope=mine&access_token=abc&sig=1") ==
               "/v1/x?scope=mine&access_token=***&sig=1");

    mock::service svc;
    auto a = svc.add_account("alice");
    http_request req{verb::get, "/v1/aihub/me?session_id=s3cr3t", 11};
    req.set("X-Auth-Token", a.token);
    req.set("Authorization", "SDK-HMAC-SHA256 Access=AK, Signature=deadbeefcafe");
    req.set("X-Security-Token", "sts-temporary-credential");
    req.set(boost::beast::http::field::cookie, "sid=c00kie");  // fields Beast knows by number
    req.set(boost::beast::http::field::user_agent, "probe-agent");
    // The journal remembers per known field whether it is secret: the
    // second request is judged from that memory, the first by name.
    svc.handle(req);
    svc.handle(req);
    BOOST_TEST_REQUIRE(svc.journal_records().size() == 2u);
    for (auto const& record : svc.journal_records()) {
        auto text = json::serialize(mock::to_json(record));
        for (auto const* s :
             {a.token.c_str(), "deadbeefcafe", "sts-temporary-credential", "s3cr3t", "c00kie"})
            BOOST_TEST(text.find(s) == std::string::npos, "journal holds " << s);
        BOOST_TEST(text.find("***") != std::string::npos);
        BOOST_TEST(text.find("probe-agent") != std::string::npos);  // not a secret: kept
    }
}

// Found by service_fuzz: HTTP allows bytes above 0x7f in header values (and
// an in-process caller can send any method), but the journal and the error
// bodies are JSON, which must be UTF-8.
BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_keep_the_journal_and_errors_valid_json) {
    mock::service svc;
    auto a = svc.add_account("alice");
    http_request req{verb::get, "/v1/aihub/me", 11};
    req.set("X-Auth-Token", a.token);
    req.set("Idempotency-Key", "key-\xff\xfe-1");
    svc.handle(req);
    auto text = json::serialize(mock::to_json(svc.journal_records().at(0)));
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    BOOST_TEST(!ec, "journal entry is not JSON: " << ec.message());
    BOOST_TEST(parsed.at("idempotency_key").as_string() == "key-\x3f\x3f-1");

    http_request iam;
    iam.method_string("P\xff\xffT");
    iam.target("/v3/auth/tokens");
    iam.version(11);
    auto out = svc.handle(iam);
    BOOST_TEST(out.response.result_int() == 405);
    json::parse(out.response.body(), ec);
    BOOST_TEST(!ec, "error body is not JSON: " << out.response.body());
}

BOOST_AUTO_TEST_CASE(the_ring_keeps_the_last_n_entries_and_clear_frees_them) {
    mock::server_options o;
    o.journal_max_entries = 5;
    mock::service svc{o};
    auto a = svc.add_account("alice");
    http_request req{verb::get, "/v1/aihub/me", 11};
    req.set("X-Auth-Token", a.token);
    for (int i = 0; i < 12; ++i)
        svc.handle(req);
    auto entries = svc.journal_records();
    BOOST_TEST_REQUIRE(entries.size() == 5u);
    BOOST_TEST(entries.front().seq == 8u);  // the oldest seven went
    BOOST_TEST(entries.back().seq == 12u);
    auto st = svc.journal_statistics();
    BOOST_TEST(st.dropped == 7u);
    BOOST_TEST(st.bytes > 0u);
    svc.clear_journal();
    st = svc.journal_statistics();
    BOOST_TEST(st.entries == 0u);
    BOOST_TEST(st.bytes == 0u);
    BOOST_TEST(svc.journal_records().empty());
}

BOOST_AUTO_TEST_CASE(the_byte_bound_holds_and_long_bodies_are_cut) {
    mock::server_options o;
    o.journal_max_bytes = 16 * 1024;
    o.journal_max_body_bytes = 1000;
    mock::service svc{o};
    auto a = svc.add_account("alice");
    for (int i = 0; i < 40; ++i) {
        http_request req{verb::post, "/v1/aihub/contents", 11};
        req.set("X-Auth-Token", a.token);
        req.set(http::field::content_type, "application/json");
        req.body() = json::serialize(
            json::value(algorithm("t" + std::to_string(i)) = {{"content_type", "algorithm"},
                                                              {"title", "t" + std::to_string(i)},
                                                              {"desc", std::string(2000, 'x')}}));
        req.prepare_payload();
        svc.handle(req);
    }
    auto st = svc.journal_statistics();
    BOOST_TEST(st.bytes <= 16u * 1024);
    BOOST_TEST(st.entries < 40u);
    BOOST_TEST(st.dropped + st.entries == 40u);
    auto e = svc.journal_records().back();
    BOOST_TEST(e.request.body_truncated);
    BOOST_TEST(e.request.body_size > 2000u);
    BOOST_TEST(e.request.body_text().size() == 1000u);
}

// A large body's buffer must not be handed on from entry to entry: if it
// were, the byte bound would be spent on idle capacity and hold a handful of
// small entries instead of hundreds.
BOOST_AUTO_TEST_CASE(large_bodies_leave_no_oversized_buffers_behind) {
    mock::journal_limits limits;
    limits.max_bytes = 64 * 1024;
    limits.max_body_bytes = 32 * 1024;
    mock::journal_ring ring{limits};
    http::fields none;
    auto add = [&](std::size_t body_size) {
        std::string body(body_size, 'x');
        mock::journal_capture c;
        c.method = "POST";
        c.target = "/v1/aihub/contents";
        c.request_id = "req";
        c.status = 201;
        ring.add(c, none, body, &none, "{}");
        auto st = ring.stats();
        BOOST_TEST_REQUIRE(st.bytes <= limits.max_bytes,
                           st.bytes << " bytes after a " << body_size << " B body");
    };
    for (int i = 0; i < 400; ++i)
        add(100);
    auto const small_only = ring.stats().entries;
    add(30'000);
    add(30'000);
    for (int i = 0; i < 400; ++i)
        add(100);
    auto st = ring.stats();
    // The same small entries as before the two large ones, within a few.
    BOOST_TEST(st.entries + 4 >= small_only, st.entries << " kept, " << small_only << " before");
    BOOST_TEST(small_only >= 100u);
    auto kept = ring.entries();
    BOOST_TEST_REQUIRE(kept.size() == st.entries);
    BOOST_TEST(kept.back().request.body_text().size() == 100u);
}

// Filtering happens on the packed entries: a reader gets only the matches,
// in order, and the ones it did not ask for are not in its result.
BOOST_AUTO_TEST_CASE(a_filtered_read_returns_only_the_matches_in_order) {
    mock::journal_ring ring;
    http::fields none;
    for (int i = 0; i < 30; ++i) {
        mock::journal_capture c;
        c.method = i % 3 == 0 ? "POST" : "GET";
        std::string target = "/v1/aihub/contents/" + std::to_string(i) + "?q=1";
        c.target = target;
        c.request_id = "r";
        c.status = i % 5 == 0 ? 404 : 200;
        ring.add(c, none, "", &none, "{}");
    }
    mock::journal_filter f;
    f.method = "POST";
    f.status_class = 2;
    f.path_prefix = "/v1/aihub/contents/";
    auto got = ring.entries(f);
    std::vector<std::uint64_t> seqs;
    for (auto& r : got)
        seqs.push_back(r.seq);
    // i = 3, 6, 9, 12, 18, 21, 24, 27 (0 and 15 answered 404): seq is i + 1.
    std::vector<std::uint64_t> want{4, 7, 10, 13, 19, 22, 25, 28};
    BOOST_TEST(seqs == want, boost::test_tools::per_element());
    f.path_prefix = "/v1/aihub/contents/1?";  // a prefix of the path, not of the query
    BOOST_TEST(ring.entries(f).empty());
}

BOOST_AUTO_TEST_CASE(a_journal_of_zero_entries_records_nothing) {
    mock::server_options o;
    o.journal_max_entries = 0;
    mock::service svc{o};
    auto a = svc.add_account("alice");
    http_request req{verb::get, "/v1/aihub/me", 11};
    req.set("X-Auth-Token", a.token);
    BOOST_TEST(svc.handle(req).response.result_int() == 200u);
    BOOST_TEST(svc.journal_records().empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rest_filters_by_method_path_and_status, Via, both_transports) {
    gallery<Via> g;
    auto alice = g.account("alice");
    g.publish(alice.token, algorithm("a1"));
    g.call(verb::get, "/v1/aihub/me", alice.token);
    g.call(verb::get, "/v1/aihub/contents/nothing-here", alice.token);
    auto count = [&](std::string q) {
        auto r = g.call(verb::get, "/__mock/journal" + q, "");
        BOOST_TEST_REQUIRE(r.status == 200, r);
        return r.obj().at("items").as_array().size();
    };
    BOOST_TEST(count("") == 3u);
    BOOST_TEST(count("?method=POST") == 1u);
    BOOST_TEST(count("?method=GET&path_prefix=/v1/aihub/contents") == 1u);
    BOOST_TEST(count("?status=404") == 1u);
    BOOST_TEST(count("?status=2xx") == 2u);
    auto bad = g.call(verb::get, "/__mock/journal?status=abc", "");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.raw.body().find("'status'") != std::string::npos, bad);
    auto unknown = g.call(verb::get, "/__mock/journal?colour=red", "");
    BOOST_TEST(unknown.status == 400);
    BOOST_TEST(unknown.raw.body().find("colour") != std::string::npos, unknown);
    BOOST_TEST(g.call(verb::delete_, "/__mock/journal", "").status == 204);
    BOOST_TEST(count("") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(expectations)

BOOST_AUTO_TEST_CASE(a_met_expectation_passes_and_a_missed_one_names_the_closest_requests) {
    mock::server gallery;
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    aigallery::beast_transport http{gallery.url()};
    auto send = [&](verb v, std::string target, json::object body) {
        http_request req{v, target, 11};
        req.set("X-Auth-Token", alice.token);
        req.set(http::field::content_type, "application/json");
        req.body() = json::serialize(body);
        req.prepare_payload();
        return http.send(req).value();
    };
    auto created = json::parse(send(verb::post, "/v1/aihub/contents",
                                    algorithm("trainer", "group", {json::value(bob.domain_id)}))
                                   .body());

    gallery.expect({.method = "POST",
                    .path_prefix = "/v1/aihub/contents",
                    .body_contains = {{"visibility", "group"}}},
                   mock::times(1));
    AIGALLERY_CHECK_EXPECTATIONS(gallery);
    AIGALLERY_CHECK_REQUESTS(
        gallery,
        {.method = "POST",
         .account = "alice",
         .body_contains = {{"group_users", json::array{json::value(bob.domain_id)}}}},
        mock::times(1));
    AIGALLERY_CHECK_REQUESTS(gallery, {.method = "DELETE"}, mock::never());

    // a miss: public was never asked for; the message shows what was sent instead
    auto v = gallery.verify({.method = "POST",
                             .path_prefix = "/v1/aihub/contents",
                             .body_contains = {{"visibility", "public"}}},
                            mock::times(1));
    BOOST_TEST(!v.met);
    BOOST_TEST(v.matched == 0u);
    BOOST_TEST_REQUIRE(v.closest.size() == 1u);
    BOOST_TEST(v.message.find("expected exactly 1 request") != std::string::npos, v.message);
    BOOST_TEST(v.closest[0].find("POST /v1/aihub/contents -> 201 (alice)") != std::string::npos,
               v.closest[0]);
    BOOST_TEST(
        v.closest[0].find("body visibility is \"group\", not \"public\"") != std::string::npos,
        v.closest[0]);
    // the Boost.Test helper turns it into a failed predicate with that message
    auto p = mock::satisfied(v);
    BOOST_TEST(!p);
    BOOST_TEST(p.message().str().find("closest requests") != std::string::npos);

    // too many: at most 0 GETs after one
    std::string id(created.at("content_id").as_string());
    http_request get{verb::get, "/v1/aihub/contents/" + id, 11};
    get.set("X-Auth-Token", alice.token);
    http.send(get).value();
    auto many = gallery.verify({.method = "GET"}, mock::never());
    BOOST_TEST(!many.met);
    BOOST_TEST(many.message.find("too many") != std::string::npos, many.message);

    gallery.expect({.method = "PUT"}, mock::at_least(1));
    auto all = gallery.verify_expectations();
    BOOST_TEST(!all.met);
    BOOST_TEST(all.message.find("expectation 2") != std::string::npos, all.message);
    gallery.clear_expectations();
    BOOST_TEST(gallery.verify_expectations().met);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(expectations_over_rest, Via, both_transports) {
    gallery<Via> g;
    auto alice = g.account("alice");
    g.publish(alice.token, algorithm("trainer"));
    auto made = g.call(verb::post, "/__mock/expectations", "",
                       json::parse(R"({"method":"POST","path_prefix":"/v1/aihub/contents",
                                       "body_contains":{"title":"trainer"},"times":1})"));
    BOOST_TEST_REQUIRE(made.status == 201, made);
    BOOST_TEST(made.obj().at("id").as_int64() == 1);
    auto list = g.call(verb::get, "/__mock/expectations", "");
    BOOST_TEST(list.obj().at("met").as_bool(), list);

    auto miss = g.call(verb::post, "/__mock/expectations/verify", "",
                       json::parse(R"({"method":"POST","body_contains":{"/title":"other"}})"));
    BOOST_TEST_REQUIRE(miss.status == 200, miss);
    BOOST_TEST(!miss.obj().at("met").as_bool());
    BOOST_TEST(miss.obj().at("closest").as_array().size() == 1u);
    BOOST_TEST(
        miss.str("message").find("body /title is \"trainer\", not \"other\"") != std::string::npos,
        miss);

    g.call(verb::post, "/__mock/expectations", "", json::parse(R"({"method":"PATCH"})"));
    list = g.call(verb::get, "/__mock/expectations", "");
    BOOST_TEST(!list.obj().at("met").as_bool());
    BOOST_TEST(list.obj().at("items").as_array().size() == 2u);

    auto bad = g.call(verb::post, "/__mock/expectations", "",
                      json::parse(R"({"method":"POST","times":1,"at_least":2})"));
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.raw.body().find("'at_least'") != std::string::npos, bad);
    auto unknown =
        g.call(verb::post, "/__mock/expectations", "", json::parse(R"({"verb":"POST"})"));
    BOOST_TEST(unknown.status == 400);
    BOOST_TEST(unknown.raw.body().find("'verb'") != std::string::npos, unknown);
    BOOST_TEST(g.call(verb::delete_, "/__mock/expectations", "").status == 204);
    BOOST_TEST(g.call(verb::get, "/__mock/expectations", "").obj().at("items").as_array().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exports)

BOOST_AUTO_TEST_CASE(no_secret_appears_in_the_journal_har_or_pact) {
    mock::server_options o;
    o.record_provider_states = true;
    mock::server gallery{o};
    auto alice = gallery.add_account("alice");
    auto bob = gallery.add_account("bob");
    secrets s{{alice.token, bob.token, "s3cr3t-signature", "sts-credential"}};
    aigallery::beast_transport http{gallery.url()};
    auto send = [&](verb v, std::string target, std::string const& token,
                    std::optional<json::object> body = std::nullopt) {
        http_request req{v, target, 11};
        req.set("X-Auth-Token", token);
        // A request with Authorization is judged by its signature alone (the
        // gateway's rule), so only the one refused anyway carries a (bogus) one.
        if (token == "tok-not-known")
            req.set("Authorization", "SDK-HMAC-SHA256 Signature=s3cr3t-signature");
        req.set("X-Security-Token", "sts-credential");
        if (body) {
            req.set(http::field::content_type, "application/json");
            req.body() = json::serialize(*body);
        }
        req.prepare_payload();
        return http.send(req).value();
    };
    auto a = json::parse(
        send(verb::post, "/v1/aihub/contents", alice.token, algorithm("trainer")).body());
    std::string id(a.at("content_id").as_string());
    send(verb::put, "/v1/aihub/contents/" + id + "/versions/1.0.0/visibility", alice.token,
         json::object{{"visibility", "group"}, {"group_users", {json::value(bob.domain_id)}}});
    send(verb::get, "/v1/aihub/contents?scope=shared", bob.token);
    send(verb::get, "/v1/aihub/me", "tok-not-known");

    auto rest = [&](std::string target) {
        http_request req{verb::get, target, 11};
        return http.send(req).value();
    };
    auto journal = rest("/__mock/journal");
    auto har = rest("/__mock/journal?format=har");
    auto pact = rest("/__mock/pact?consumer=app&provider=gallery");
    BOOST_TEST_REQUIRE(journal.result_int() == 200u);
    BOOST_TEST_REQUIRE(har.result_int() == 200u, har.body());
    BOOST_TEST_REQUIRE(pact.result_int() == 200u, pact.body());
    s.check_absent(journal.body(), "the journal");
    s.check_absent(har.body(), "the HAR");
    s.check_absent(pact.body(), "the pact");
    BOOST_TEST(json::parse(pact.body()).at("interactions").as_array().size() == 4u);
}

BOOST_AUTO_TEST_CASE(har_has_the_fields_har_1_2_requires) {
    gallery<in_process> g;
    auto alice = g.account("alice");
    g.publish(alice.token, algorithm("trainer"));
    auto r = g.call(verb::get, "/__mock/journal?format=har&method=POST", "");
    BOOST_TEST_REQUIRE(r.status == 200, r);
    auto const& log = r.obj().at("log").as_object();
    BOOST_TEST(log.at("version").as_string() == "1.2");
    BOOST_TEST_REQUIRE(log.at("entries").as_array().size() == 1u);
    auto const& e = log.at("entries").as_array()[0].as_object();
    BOOST_TEST(e.at("request").at("method").as_string() == "POST");
    BOOST_TEST(e.at("request").at("postData").at("mimeType").as_string() == "application/json");
    BOOST_TEST(e.at("response").at("status").as_int64() == 201);
    BOOST_TEST(std::string(e.at("request").at("url").as_string()).starts_with("http://"));
}

BOOST_AUTO_TEST_CASE(pact_interactions_carry_states_generators_and_matching_rules) {
    auto o = gallery<in_process>::fixed();
    o.record_provider_states = true;
    gallery<in_process> g{o};
    auto alice = g.account("alice");
    auto a = g.publish(alice.token, algorithm("trainer"));
    BOOST_TEST_REQUIRE(a.status == 201, a);
    auto fault = aigallery::wire::fault_spec{};
    fault.action = "status";
    fault.status = 503;
    g.via.svc().add_fault(fault);
    g.call(verb::get, "/v1/aihub/me", alice.token);  // answered by the fault: left out
    g.call(verb::get, "/v1/aihub/contents/" + a.str("content_id"), alice.token);

    auto r = g.call(verb::get, "/__mock/pact?consumer=app&provider=gallery", "");
    BOOST_TEST_REQUIRE(r.status == 200, r);
    auto const& pact = r.obj();
    BOOST_TEST(pact.at("metadata").at("pactSpecification").at("version").as_string() == "4.0");
    auto const& is = pact.at("interactions").as_array();
    BOOST_TEST_REQUIRE(is.size() == 2u);
    BOOST_TEST(pact.at("metadata").at("aigallery").at("omitted").as_array().size() == 1u);

    auto const& post = is[0].as_object();
    auto const& state = post.at("providerStates").as_array().at(0).as_object();
    BOOST_TEST(state.at("name").as_string() == mock::pact_recorded_state);
    BOOST_TEST(state.at("params").at("caller").as_string() == "alice");
    // the state before the POST: alice, no assets, no token
    auto const& before = state.at("params").at("gallery").as_object();
    BOOST_TEST(before.at("assets").as_array().empty());
    BOOST_TEST(!before.at("accounts").as_array().at(0).as_object().contains("token"));
    BOOST_TEST(post.at("request")
                   .at("generators")
                   .at("header")
                   .at("X-Auth-Token")
                   .at("type")
                   .as_string() == "ProviderState");
    auto const& rules = post.at("response").at("matchingRules").as_object();
    BOOST_TEST(rules.at("body").as_object().contains("$.content_id"));  // new: differs per run
    BOOST_TEST(rules.at("header").as_object().contains("X-Request-Id"));

    // the GET's state holds the asset, so its id is expected exactly
    auto const& get = is[1].as_object();
    auto const& get_rules = get.at("response").at("matchingRules").at("body").as_object();
    BOOST_TEST(!get_rules.contains("$.content_id"));
    BOOST_TEST(get_rules.contains("$.created_at"));

    // without recorded states the export is refused, naming the option
    gallery<in_process> plain;
    auto refused = plain.call(verb::get, "/__mock/pact?consumer=app&provider=gallery", "");
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(refused.raw.body().find("--record-states") != std::string::npos, refused);
    auto nameless = g.call(verb::get, "/__mock/pact?provider=gallery", "");
    BOOST_TEST(nameless.status == 400);
    BOOST_TEST(nameless.raw.body().find("'consumer'") != std::string::npos, nameless);
}

BOOST_AUTO_TEST_CASE(provider_states_set_a_fresh_gallery_up_and_answer_tokens) {
    auto o = gallery<in_process>::fixed();
    o.record_provider_states = true;
    gallery<in_process> rec{o};
    auto alice = rec.account("alice");
    auto a = rec.publish(alice.token, algorithm("trainer"));
    rec.call(verb::get, "/v1/aihub/contents/" + a.str("content_id"), alice.token);
    auto pact = rec.call(verb::get, "/__mock/pact?consumer=app&provider=gallery", "");
    auto state = pact.obj().at("interactions").as_array().at(1).at("providerStates").at(0);

    gallery<in_process> fresh;
    auto setup = fresh.call(
        verb::post, "/__mock/provider-states", "",
        json::object{
            {"state", state.at("name")}, {"params", state.at("params")}, {"action", "setup"}});
    BOOST_TEST_REQUIRE(setup.status == 200, setup);
    std::string token(setup.obj().at("token").as_string());
    BOOST_TEST(token != alice.token);  // a new one, never the recorded one
    BOOST_TEST(setup.obj().at("domain_id_alice").as_string() == alice.domain_id);
    auto got = fresh.call(verb::get, "/v1/aihub/contents/" + a.str("content_id"), token);
    BOOST_TEST(got.status == 200, got);

    auto teardown = fresh.call(verb::post, "/__mock/provider-states", "",
                               json::object{{"state", state.at("name")}, {"action", "teardown"}});
    BOOST_TEST(teardown.status == 200, teardown);

    auto accounts = fresh.call(verb::post, "/__mock/provider-states", "",
                               json::parse(R"({"state":"accounts exist",
                                   "params":{"accounts":["ann","ben"],"caller":"ben"}})"));
    BOOST_TEST_REQUIRE(accounts.status == 200, accounts);
    BOOST_TEST(accounts.obj().at("token") == accounts.obj().at("token_ben"));
    auto me = fresh.call(verb::get, "/v1/aihub/me", std::string(accounts.str("token")));
    BOOST_TEST(me.str("name") == "ben");

    auto unknown = fresh.call(verb::post, "/__mock/provider-states", "",
                              json::parse(R"({"state":"a unicorn exists"})"));
    BOOST_TEST(unknown.status == 400);
    BOOST_TEST(unknown.raw.body().find("a unicorn exists") != std::string::npos, unknown);
    // a state with a token in it is refused: pacts must not carry secrets
    auto leaky = fresh.call(
        verb::post, "/__mock/provider-states", "",
        json::parse(R"({"state":"the mock gallery as recorded","params":{"gallery":{"accounts":
            [{"name":"x","domain_id":"0123456789abcdef0123456789abcdef","token":"t"}],
            "assets":[],"idempotency":[]}}})"));
    BOOST_TEST(leaky.status == 400, leaky);
}

BOOST_AUTO_TEST_SUITE_END()
