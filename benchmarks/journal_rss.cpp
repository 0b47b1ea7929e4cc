// The journal's memory stays flat: RSS after N GETs (default 1,000,000) over
// loopback is within 10% of RSS after the first 10,000, with the journal at
// its defaults (10,000 entries, bodies and headers kept). Also shows that
// clearing the journal gives memory back. A check, not a timed test: run it
// from the bench preset.
//
//   build/bench/journal_rss [--requests N] [--in-process]
//
// Exit 0 when the final RSS is within +-10% of the RSS after 10,000 requests.
#include <aigallery/beast_transport.hpp>
#include <aigallery/mock/server.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

namespace {

/// Resident set size of this process in KiB (both the mock and its client).
long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    long requests = 1'000'000;
    bool in_process = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--requests" && i + 1 < argc)
            requests = std::atol(argv[++i]);
        else if (a == "--in-process")
            in_process = true;
        else {
            std::cerr << "usage: journal_rss [--requests N] [--in-process]\n";
            return 2;
        }
    }
    constexpr long warmup = 10'000;
    if (requests < warmup) {
        std::cerr << "journal_rss: --requests must be at least " << warmup << "\n";
        return 2;
    }

    aigallery::mock::server gallery;  // journal defaults: 10,000 entries, 64 MiB
    auto alice = gallery.add_account("alice");
    // A realistic GET: one asset with a version, about 500 bytes of answer.
    {
        aigallery::http_request post{aigallery::http::verb::post, "/v1/aihub/contents", 11};
        post.set("X-Auth-Token", alice.token);
        post.set(aigallery::http::field::content_type, "application/json");
        post.body() = R"({"content_type":"algorithm","title":"trainer","desc":"a trainer"})";
        post.prepare_payload();
        gallery.handler_service().handle(post);
    }
    auto id = gallery.journal_records().at(0).response.body_text();
    std::string content_id(id.substr(id.find("content_id\":\"") + 13, 36));
    gallery.clear_journal();

    aigallery::http_request get{aigallery::http::verb::get, "/v1/aihub/contents/" + content_id, 11};
    get.set("X-Auth-Token", alice.token);
    get.prepare_payload();

    aigallery::beast_transport http{gallery.url()};
    auto once = [&] {
        if (in_process)
            return gallery.handler_service().handle(get).response.result_int() == 200;
        auto r = http.send(get);
        return r && r->result_int() == 200;
    };

    long rss_start = rss_kib(), rss_warm = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 1; i <= requests; ++i) {
        if (!once()) {
            std::cerr << "journal_rss: request " << i << " failed\n";
            return 1;
        }
        if (i == warmup)
            rss_warm = rss_kib();
        if (i % 200'000 == 0)
            std::cout << "  after " << i << " GETs: RSS " << rss_kib() << " KiB\n" << std::flush;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    long rss_end = rss_kib();
    auto st = gallery.handler_service().journal_statistics();
    gallery.clear_journal();
    long rss_cleared = rss_kib();

    double ratio = static_cast<double>(rss_end) / static_cast<double>(rss_warm);
    std::printf("%s, %ld GETs in %.1f s (%.0f/s)\n", in_process ? "in-process" : "loopback",
                requests, secs, static_cast<double>(requests) / secs);
    std::printf("journal: %zu entries, %zu bytes (%.0f B/entry), %llu dropped\n", st.entries,
                st.bytes, st.entries ? static_cast<double>(st.bytes) / st.entries : 0.0,
                static_cast<unsigned long long>(st.dropped));
    std::printf("RSS KiB: start %ld, after %ld GETs %ld, after %ld GETs %ld, after clear %ld\n",
                rss_start, warmup, rss_warm, requests, rss_end, rss_cleared);
    std::printf("RSS after %ld / after %ld = %.3f (must be 0.90 to 1.10): %s\n", requests, warmup,
                ratio, ratio >= 0.9 && ratio <= 1.1 ? "PASS" : "FAIL");
    return ratio >= 0.9 && ratio <= 1.1 ? 0 : 1;
}
