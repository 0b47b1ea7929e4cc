// The mock's request path without the network: service::handle() for the
// three requests benchmarks/run drives over loopback (GET a version, publish
// a version, list a page of 20), on the same population. CPU time per
// request: what the mock adds to Beast's own work, before any socket. Used
// to find and check optimisations (docs/benchmarks.md), with perf for where.
#include <aigallery/mock/service.hpp>
#include <aigallery/wire.hpp>

#include <benchmark/benchmark.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdlib>
#include <new>
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

void serve(benchmark::State& st, http_request const& req, unsigned expected) {
    auto& p = shared();
    if (auto out = p.svc.handle(req); out.response.result_int() != expected) {
        st.SkipWithError(("answered " + out.response.body()).c_str());
        return;
    }
    std::size_t i = 0;
    std::size_t before = allocations;
    for (auto _ : st) {
        auto out = p.svc.handle(req);
        benchmark::DoNotOptimize(out);
        // The journal is on, as by default; emptied now and then, untimed, so
        // that a long run measures requests, not a growing vector.
        if (++i % 8192 == 0) {
            st.PauseTiming();
            p.svc.clear_journal();
            st.ResumeTiming();
        }
    }
    st.counters["allocs"] = benchmark::Counter(static_cast<double>(allocations - before),
                                               benchmark::Counter::kAvgIterations);
    p.svc.clear_journal();
}

void get_version(benchmark::State& st) {
    auto& p = shared();
    serve(st, p.request(http::verb::get, "/v1/aihub/contents/" + p.flow_id + "/versions/1.0.0"),
          200);
}
BENCHMARK(get_version);

void list_page_of_20(benchmark::State& st) {
    auto& p = shared();
    serve(st, p.request(http::verb::get, "/v1/aihub/contents?scope=mine&limit=20"), 200);
}
BENCHMARK(list_page_of_20);

void publish_version(benchmark::State& st) {
    auto& p = shared();
    serve(st,
          p.request(http::verb::post, "/v1/aihub/contents/" + p.flow_id + "/versions",
                    R"({"desc":"bench","dependencies":[{"content_id":")" + p.dep_id +
                        R"(","version_num":"1.0.0"}]})"),
          201);
}
BENCHMARK(publish_version);

}  // namespace

BENCHMARK_MAIN();
