// What durability costs: publishing through the socket-less service with the
// state in memory only, and with --state's durable log (each answer waits for
// its fsync), on 1 and 8 threads. With 8 writers, group commit lets one fsync
// carry many changes. Printed as ratios measured in the same run, in the
// directory of AIGALLERY_BENCH_DIR (default: the system's temporary directory,
// which may be a RAM disk: run it where the state would really live).
#include <aigallery/mock/service.hpp>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::unique_ptr<aigallery::mock::service> gallery;
std::vector<aigallery::mock::account> accounts;
fs::path directory;
std::atomic<long> published{0};

void set_up(bool durable, int threads) {
    aigallery::mock::server_options o;
    if (durable) {
        char const* where = std::getenv("AIGALLERY_BENCH_DIR");
        directory = fs::path(where ? where : fs::temp_directory_path().string()) /
                    ("aigallery-durable-bench-" + std::to_string(getpid()));
        fs::remove_all(directory);
        fs::create_directories(directory);
        o.state_file = (directory / "state.json").string();
        o.durable = true;
    }
    gallery = std::make_unique<aigallery::mock::service>(o);
    accounts.clear();
    for (int t = 0; t < threads; ++t)
        accounts.push_back(gallery->add_account("user" + std::to_string(t)));
}

void tear_down() {
    gallery.reset();
    if (!directory.empty())
        fs::remove_all(directory);
    directory.clear();
}

void publish(benchmark::State& st, bool durable) {
    if (st.thread_index() == 0)
        set_up(durable, st.threads());
    for (auto _ : st) {
        aigallery::http_request r{boost::beast::http::verb::post, "/v1/aihub/contents", 11};
        r.set("X-Auth-Token", accounts[st.thread_index()].token);
        r.set(boost::beast::http::field::content_type, "application/json");
        r.body() =
            R"({"content_type":"algorithm","title":"t)" + std::to_string(published++) + R"("})";
        r.prepare_payload();
        auto out = gallery->handle(r);
        if (out.response.result_int() != 201)
            st.SkipWithError("publish failed");
    }
    st.SetItemsProcessed(st.iterations());
    if (st.thread_index() == 0)
        tear_down();
}

void publish_in_memory(benchmark::State& st) {
    publish(st, false);
}
void publish_durable(benchmark::State& st) {
    publish(st, true);
}
BENCHMARK(publish_in_memory)->Threads(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(publish_durable)->Threads(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);

class collecting_reporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> per_second;
    void ReportRuns(std::vector<Run> const& runs) override {
        for (auto const& r : runs)
            if (auto it = r.counters.find("items_per_second"); it != r.counters.end())
                per_second[r.benchmark_name()] = it->second;
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    collecting_reporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    auto get = [&](std::string const& n) {
        return rep.per_second.count(n) ? rep.per_second[n] : 0.0;
    };
    for (int threads : {1, 8}) {
        std::string suffix = "/real_time/threads:" + std::to_string(threads);
        double memory = get("publish_in_memory" + suffix), disk = get("publish_durable" + suffix);
        std::printf(
            "%d thread(s): %.0f publishes/s in memory, %.0f durable: durable is %.1fx slower\n",
            threads, memory, disk, disk > 0 ? memory / disk : 0.0);
    }
    benchmark::Shutdown();
    return 0;
}
