// How cheap a fresh mock is per test case: starting and stopping a server on
// a free loopback port, against constructing the socket-less service, and a
// request in-process against one over loopback. Printed as ratios measured
// in the same run; the numbers inform, they do not gate.
#include <aigallery/beast_transport.hpp>
#include <aigallery/mock/in_process_transport.hpp>
#include <aigallery/mock/server.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

void server_start_stop(benchmark::State& st) {
    for (auto _ : st) {
        aigallery::mock::server s;
        benchmark::DoNotOptimize(s.port());
    }
}
BENCHMARK(server_start_stop)->Unit(benchmark::kMicrosecond);

void service_construct(benchmark::State& st) {
    for (auto _ : st) {
        aigallery::mock::service s;
        benchmark::DoNotOptimize(&s);
    }
}
BENCHMARK(service_construct)->Unit(benchmark::kMicrosecond);

aigallery::http_request me_request(std::string const& token) {
    aigallery::http_request r{boost::beast::http::verb::get, "/v1/aihub/me", 11};
    r.set("X-Auth-Token", token);
    r.prepare_payload();
    return r;
}

void request_in_process(benchmark::State& st) {
    aigallery::mock::service s;
    auto a = s.add_account("alice");
    aigallery::mock::in_process_transport t{s};
    auto req = me_request(a.token);
    for (auto _ : st)
        benchmark::DoNotOptimize(t.send(req));
}
BENCHMARK(request_in_process)->Unit(benchmark::kMicrosecond);

void request_loopback(benchmark::State& st) {
    aigallery::mock::server s;
    auto a = s.add_account("alice");
    aigallery::beast_transport t{s.url()};
    auto req = me_request(a.token);
    for (auto _ : st)
        benchmark::DoNotOptimize(t.send(req));
}
BENCHMARK(request_loopback)->Unit(benchmark::kMicrosecond);

class collecting_reporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> ns;
    void ReportRuns(std::vector<Run> const& runs) override {
        for (auto const& r : runs)
            ns[r.benchmark_name()] =
                r.GetAdjustedRealTime() * (r.time_unit == benchmark::kMicrosecond ? 1000 : 1);
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    collecting_reporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    auto get = [&](char const* n) { return rep.ns.count(n) ? rep.ns[n] : 0.0; };
    double start = get("server_start_stop"), svc = get("service_construct");
    double in = get("request_in_process"), lo = get("request_loopback");
    std::printf("\nserver start+stop: %.1f us (%s 1 ms); %.1fx a socket-less service\n",
                start / 1000, start < 1e6 ? "under" : "NOT under", svc > 0 ? start / svc : 0.0);
    std::printf("request over loopback / in-process: %.1fx\n", in > 0 ? lo / in : 0.0);
    benchmark::Shutdown();
    return 0;
}
