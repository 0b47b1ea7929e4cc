// The mock's request path without the network: service::handle() for the
// three requests benchmarks/run drives over loopback (GET a version, publish
// a version, list a page of 20), on the same population. CPU time and heap
// allocations per request: what the mock adds to Beast's own work, before
// any socket. Then a GET of a random version of a workflow with 100 and with
// 1,000,000 versions, and the heap bytes each stored version takes. Used to
// find and check optimisations (docs/benchmarks.md), with perf for where.
//
//   request_path [--quick] [Google Benchmark options]   --quick: 10,000, not 1,000,000
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <benchmark/benchmark.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <stdexcept>
#include <string>

// Every allocation of the process is counted, so that each benchmark can
// report how many one request makes: the main cost of the request path.
// (GCC cannot see that this new and delete are a pair.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::size_t allocations = 0;
}
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

using namespace aigallery;
namespace http = boost::beast::http;

struct population {
    mock::service svc;
    std::string token, dep_id, flow_id;

    http_request request(http::verb verb, std::string target, std::string body = {}) const {
        http_request r{verb, target, 11};
        r.set("X-Auth-Token", token);
        if (!body.empty()) {
            r.set(http::field::content_type, "application/json");
            r.body() = std::move(body);
        }
        r.prepare_payload();
        return r;
    }

    std::string post(std::string target, std::string body) {
        auto out = svc.handle(request(http::verb::post, std::move(target), std::move(body)));
        if (out.response.result_int() != 201)
            throw std::runtime_error("populating: " + out.response.body());
        return wire::parse<wire::publish_response>(out.response.body()).content_id;
    }

    // As benchmarks/run: an algorithm, a workflow depending on it, 38 more algorithms.
    population() {
        token = svc.add_account("bench").token;
        dep_id =
            post("/v1/aihub/contents", R"({"content_type":"algorithm","title":"bench-algorithm"})");
        flow_id = post(
            "/v1/aihub/contents",
            R"({"content_type":"workflow","title":"bench-flow","desc":"bench","dependencies":[{"content_id":")" +
                dep_id + R"(","version_num":"1.0.0"}]})");
        for (int i = 1; i <= 38; ++i)
            post("/v1/aihub/contents", R"({"content_type":"algorithm","title":"algorithm )" +
                                           std::to_string(i) + R"(","desc":"listed"})");
    }
};

population& shared() {
    static population p;
    return p;
}

// Times `req`; `fill` (a request that changes nothing) first fills the journal.
void serve(benchmark::State& st, http_request const& req, unsigned expected,
           http_request const& fill) {
    auto& p = shared();
    if (auto out = p.svc.handle(req); out.response.result_int() != expected) {
        st.SkipWithError(("answered " + out.response.body()).c_str());
        return;
    }
    // The journal is on, as by default, and full, as in a mock that has run
    // for a while: its bound (10,000 entries) is what keeps it flat, so each
    // request takes over the oldest entry's place. It is filled with `fill`,
    // not `req`, so that a publish benchmark does not first publish 10,000
    // versions, and each timed request starts from another kind's buffer.
    p.svc.clear_journal();
    for (std::size_t i = 0; i < p.svc.options().journal_max_entries; ++i)
        benchmark::DoNotOptimize(p.svc.handle(fill));
    std::size_t before = allocations;
    for (auto _ : st) {
        auto out = p.svc.handle(req);
        benchmark::DoNotOptimize(out);
    }
    st.counters["allocs"] = benchmark::Counter(static_cast<double>(allocations - before),
                                               benchmark::Counter::kAvgIterations);
    p.svc.clear_journal();
}

http_request get_version_request() {
    auto& p = shared();
    return p.request(http::verb::get, "/v1/aihub/contents/" + p.flow_id + "/versions/1.0.0");
}

void get_version(benchmark::State& st) {
    serve(st, get_version_request(), 200, get_version_request());
}
BENCHMARK(get_version);

void list_page_of_20(benchmark::State& st) {
    auto& p = shared();
    serve(st, p.request(http::verb::get, "/v1/aihub/contents?scope=mine&limit=20"), 200,
          get_version_request());
}
BENCHMARK(list_page_of_20);

void publish_version(benchmark::State& st) {
    auto& p = shared();
    serve(st,
          p.request(http::verb::post, "/v1/aihub/contents/" + p.flow_id + "/versions",
                    R"({"desc":"bench","dependencies":[{"content_id":")" + p.dep_id +
                        R"(","version_num":"1.0.0"}]})"),
          201, get_version_request());
}
BENCHMARK(publish_version);

std::size_t large_versions = 1'000'000;

/// A service whose workflow has `n` versions, published as benchmarks/run
/// publishes them; remembers the heap bytes per version that took.
struct versions_population {
    population p;
    std::size_t n = 0;
    double heap_bytes_per_version = 0;

    explicit versions_population(std::size_t count) : n(count) {
        auto publish = p.request(http::verb::post, "/v1/aihub/contents/" + p.flow_id + "/versions",
                                 R"({"desc":"bench","dependencies":[{"content_id":")" + p.dep_id +
                                     R"(","version_num":"1.0.0"}]})");
        p.svc.clear_journal();
        // In use: the heap's chunks and the large blocks glibc maps on their
        // own (a vector of a million records is one of those).
        auto in_use = [] {
            auto const m = mallinfo2();
            return double(m.uordblks) + double(m.hblkhd);
        };
        auto const before = in_use();
        for (std::size_t i = 1; i < n; ++i) {
            if (p.svc.handle(publish).response.result_int() != 201)
                throw std::runtime_error("publishing failed");
            if (i % 8192 == 0)
                p.svc.clear_journal();  // the journal is bounded; its cost is not the versions'
        }
        p.svc.clear_journal();
        heap_bytes_per_version = (in_use() - before) / double(n - 1);
    }
};

std::map<std::size_t, std::unique_ptr<versions_population>> versions_cache;

void get_random_version(benchmark::State& st) {
    auto n = static_cast<std::size_t>(st.range(0));
    if (n > 100)
        n = large_versions;
    auto& vp = versions_cache[n];
    if (!vp)
        vp = std::make_unique<versions_population>(n);
    std::vector<http_request> requests;
    std::mt19937_64 rng(20261126);
    for (int i = 0; i < 4096; ++i)
        requests.push_back(vp->p.request(
            http::verb::get,
            "/v1/aihub/contents/" + vp->p.flow_id + "/versions/1.0." + std::to_string(rng() % n)));
    std::size_t i = 0;
    // A full journal, as in serve(): each request replaces the oldest entry.
    for (std::size_t k = 0; k < vp->p.svc.options().journal_max_entries; ++k)
        benchmark::DoNotOptimize(vp->p.svc.handle(requests[i++ % requests.size()]));
    for (auto _ : st) {
        auto out = vp->p.svc.handle(requests[i++ % requests.size()]);
        benchmark::DoNotOptimize(out);
    }
    st.counters["versions"] = static_cast<double>(n);
    st.counters["heap_B_per_version"] = vp->heap_bytes_per_version;
}
BENCHMARK(get_random_version)->ArgName("versions")->Arg(100)->Arg(1'000'000);

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--quick") {
            large_versions = 10'000;
            std::copy(argv + i + 1, argv + argc, argv + i);
            --argc;
            break;
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
