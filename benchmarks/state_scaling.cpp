// Does the mock gallery's state scale? Every operation is measured on a state
// holding n = 10 and n = 100,000 assets, in the same run, and the program ends
// with a table of the two timings side by side and their ratio.
//
//   * lookups and edits (get_version, create_version, patch_whitelist) should
//     cost the same at both sizes (hash lookups, per-asset maps);
//   * an unfiltered `mine` or `public` listing page should cost
//     O(limit + log n) through the ranked indexes, not a scan;
//   * a `title`-filtered public listing, found through the by-title index
//     (it once scanned every public asset: 32,000x from n=10 to n=100,000);
//   * get_version through service::handle shows the per-request overhead of
//     routing, authentication, the journal and JSON serialization.
//
// Lookups pick a random asset each time, which at n = 100,000 misses the
// caches and at n = 10 cannot; the "16 hot assets" variants repeat the same
// operation on 16 assets, so that a difference between the two rows shows
// memory locality rather than work that grows with n.
//
// The verdicts are information only: the machine may be noisy and shared, so
// nothing here is a threshold and the exit code is 0 whatever the ratios.
//
// Times are CPU time per operation, the median of 3 repetitions. A run takes
// 20-50 s depending on the load, some 5-10 s of it building the two
// 100,000-asset populations (a gallery_state, and a service filled through
// POST requests), once each, outside the timed loops.
#include <aigallery/mock/service.hpp>
#include <aigallery/mock/state.hpp>
#include <aigallery/wire.hpp>

#include <benchmark/benchmark.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace aigallery;
using namespace aigallery::mock;
namespace http = boost::beast::http;

constexpr std::uint64_t seed = 20240601;
constexpr std::int64_t small_n = 10;
// --quick (CI's smoke run, so the program cannot rot): n = 1,000, one short
// repetition. The figures then mean little; the program still runs every path.
std::int64_t large_n = 100'000;
constexpr std::size_t owner_count = 4;      // alice, bob, carol, dave
constexpr std::size_t viewer_count = 8;     // accounts that only appear in whitelists
constexpr std::size_t pool_size = 1 << 14;  // random targets per benchmark, cycled
constexpr std::size_t hot_assets = 16;      // the working set of the "hot" variants
double min_time = 0.1;
int repetitions = 3;
std::int64_t create_iterations = 30'000;

/// The clock of every state: it never moves, so timestamps are reproducible.
/// (All created_at are equal; both ranked indexes still order every entry,
/// with content_id breaking the tie, so the trees have their full height.)
time_point fixed_now() {
    return time_point(std::chrono::seconds(1'780'000'000));
}

// ---- the populated states ---------------------------------------------------------

/// What asset i of the population looks like. The owner cycles through the
/// owners; in blocks of four, one block in four is public, one group (three
/// viewers on its whitelist) and two private: 25% public, 25% group, 50% private.
/// At n = 10: assets 0-3 public, 4-7 group, 8-9 private; alice owns 0, 4, 8.
struct asset_plan {
    std::size_t owner;
    visibility vis;
    content_type type;
    std::string title;
    std::vector<std::size_t> viewers;
};

asset_plan plan(std::size_t i) {
    asset_plan p;
    p.owner = i % owner_count;
    switch ((i / 4) % 4) {
        case 0:
            p.vis = visibility::public_;
            break;
        case 1:
            p.vis = visibility::group;
            break;
        default:
            p.vis = visibility::private_;
            break;
    }
    p.type = (i / 8) % 2 ? content_type::algorithm : content_type::workflow;
    // A scrambled prefix, so that title order differs from creation order.
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%08x",
                  static_cast<unsigned>(std::uint32_t(i) * 2654435761u));
    p.title = std::string(prefix) + "-asset-" + std::to_string(i);
    if (p.vis == visibility::group)
        p.viewers = {i % viewer_count, (i + 3) % viewer_count, (i + 5) % viewer_count};
    return p;
}

wire::create_content_request create_request(asset_plan const& p, std::size_t i,
                                            std::vector<account> const& viewers) {
    wire::create_content_request r;
    r.content_type = std::string(to_string(p.type));
    r.title = p.title;
    r.desc = "benchmark asset " + std::to_string(i);
    r.visibility = std::string(to_string(p.vis));
    if (p.vis == visibility::group) {
        r.group_users.emplace();
        for (auto v : p.viewers)
            r.group_users->push_back(viewers[v].domain_id);
    }
    r.source = boost::json::object{{"entry", "main.py"}, {"index", i}};
    return r;
}

struct asset_ref {
    std::size_t owner;
    std::string content_id;
    visibility vis;
    std::string title;
};

std::vector<std::size_t> random_pool(std::vector<std::size_t> const& from, std::uint64_t salt) {
    std::mt19937_64 rng(seed ^ salt);
    std::vector<std::size_t> r(pool_size);
    for (auto& x : r)
        x = from[rng() % from.size()];
    return r;
}

/// `k` assets drawn from `from`: a working set small enough to stay in cache.
std::vector<std::size_t> hot_subset(std::vector<std::size_t> const& from, std::size_t k,
                                    std::uint64_t salt) {
    std::mt19937_64 rng(seed ^ salt);
    std::vector<std::size_t> r(std::min(k, from.size()));
    for (auto& x : r)
        x = from[rng() % from.size()];
    return r;
}

std::vector<std::size_t> iota(std::size_t n) {
    std::vector<std::size_t> r(n);
    for (std::size_t i = 0; i < n; ++i)
        r[i] = i;
    return r;
}

/// A gallery_state with n assets, and what the benchmarks need to address them.
struct state_fixture {
    gallery_state st{seed, fixed_now};
    std::vector<account> owners;
    std::vector<account> viewers;
    account outsider;  // in no whitelist: added and removed by patch_whitelist
    std::vector<asset_ref> assets;
    std::vector<std::size_t> alice_assets, alice_group, public_assets;
    double build_seconds = 0;

    explicit state_fixture(std::size_t n) {
        auto t0 = std::chrono::steady_clock::now();
        for (char const* name : {"alice", "bob", "carol", "dave"})
            owners.push_back(st.add_account(name));
        for (std::size_t v = 0; v < viewer_count; ++v)
            viewers.push_back(st.add_account("viewer" + std::to_string(v)));
        outsider = st.add_account("outsider");
        assets.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            auto p = plan(i);
            auto r = st.create_content(owners[p.owner], create_request(p, i, viewers));
            if (p.owner == 0)
                alice_assets.push_back(i);
            if (p.owner == 0 && p.vis == visibility::group)
                alice_group.push_back(i);
            if (p.vis == visibility::public_)
                public_assets.push_back(i);
            assets.push_back({p.owner, std::move(r.content_id), p.vis, p.title});
        }
        build_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};

/// The same population behind a service, built through POST requests.
struct service_fixture {
    std::unique_ptr<service> svc;
    std::vector<std::string> owner_tokens;
    std::vector<http_request> get_requests;  // GETs of version 1.0.0 of random assets, cycled
    std::vector<http_request> hot_requests;  // the same, of 16 assets only
    double build_seconds = 0;

    static http_request request(http::verb verb, std::string target, std::string const& token) {
        http_request r{verb, target, 11};
        r.set("X-Auth-Token", token);
        return r;
    }

    explicit service_fixture(std::size_t n) {
        auto t0 = std::chrono::steady_clock::now();
        server_options opts;
        opts.seed = seed;
        opts.fixed_time = std::chrono::system_clock::time_point(fixed_now().time_since_epoch());
        svc = std::make_unique<service>(opts);
        std::vector<account> viewers;
        for (char const* name : {"alice", "bob", "carol", "dave"})
            owner_tokens.push_back(svc->add_account(name).token);
        for (std::size_t v = 0; v < viewer_count; ++v)
            viewers.push_back(svc->add_account("viewer" + std::to_string(v)));
        std::vector<std::pair<std::size_t, std::string>> created;  // owner, content_id
        created.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            auto p = plan(i);
            auto req = request(http::verb::post, "/v1/aihub/contents", owner_tokens[p.owner]);
            req.set(http::field::content_type, "application/json");
            req.body() = wire::serialize(create_request(p, i, viewers));
            req.prepare_payload();
            auto out = svc->handle(req);
            if (out.response.result_int() != 201)
                throw std::runtime_error("populating the service: " + out.response.body());
            created.emplace_back(
                p.owner, wire::parse<wire::publish_response>(out.response.body()).content_id);
        }
        svc->clear_journal();
        auto get = [&](std::size_t i) {
            return request(http::verb::get,
                           "/v1/aihub/contents/" + created[i].second + "/versions/1.0.0",
                           owner_tokens[created[i].first]);
        };
        for (auto i : random_pool(iota(n), 1))
            get_requests.push_back(get(i));
        for (auto i : random_pool(hot_subset(iota(n), hot_assets, 7), 1))
            hot_requests.push_back(get(i));
        build_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};

// Built once per n, on first use, and shared by every benchmark and repetition.
// The mutating benchmarks run last, so the reads see the state as built.
std::map<std::int64_t, std::unique_ptr<state_fixture>> state_cache;
std::map<std::int64_t, std::unique_ptr<service_fixture>> service_cache;

state_fixture& state_for(std::int64_t n) {
    auto& p = state_cache[n];
    if (!p)
        p = std::make_unique<state_fixture>(static_cast<std::size_t>(n));
    return *p;
}

service_fixture& service_for(std::int64_t n) {
    auto& p = service_cache[n];
    if (!p)
        p = std::make_unique<service_fixture>(static_cast<std::size_t>(n));
    return *p;
}

// ---- the benchmarks -----------------------------------------------------------------

// `hot`: cycle through hot_assets assets only, so that the data touched stays
// in cache; the difference from the random run is memory locality, not work.
void get_version(benchmark::State& s, bool hot) {
    auto& f = state_for(s.range(0));
    auto all = iota(f.assets.size());
    auto pool = random_pool(hot ? hot_subset(all, hot_assets, 5) : all, 2);
    std::size_t i = 0;
    for (auto _ : s) {
        auto const& a = f.assets[pool[i++ % pool_size]];
        auto r = f.st.get_version(f.owners[a.owner], a.content_id, "1.0.0");
        benchmark::DoNotOptimize(r);
    }
}

void service_get_version(benchmark::State& s, bool hot) {
    auto& f = service_for(s.range(0));
    auto const& requests = hot ? f.hot_requests : f.get_requests;
    if (auto out = f.svc->handle(requests[0]); out.response.result_int() != 200) {
        s.SkipWithError(("GET answered " + out.response.body()).c_str());
        return;
    }
    std::size_t i = 0;
    for (auto _ : s) {
        auto out = f.svc->handle(requests[i++ % pool_size]);
        benchmark::DoNotOptimize(out);
        // Every request appends to the journal; empty it now and then, untimed,
        // so a long run does not grow without bound.
        if (i % 8192 == 0) {
            s.PauseTiming();
            f.svc->clear_journal();
            s.ResumeTiming();
        }
    }
    f.svc->clear_journal();
}

void list_page(benchmark::State& s, list_query::scope_kind scope, bool by_title,
               std::uint64_t limit) {
    auto& f = state_for(s.range(0));
    auto const& alice = f.owners[0];
    list_query q;
    q.scope = scope;
    q.by_title = by_title;
    q.limit = 1;
    q.offset = f.st.list(alice, q).total / 2;  // the middle of the caller's (or the public) assets
    q.limit = limit;
    std::size_t items = 0;
    for (auto _ : s) {
        auto r = f.st.list(alice, q);
        items = r.items.size();
        benchmark::DoNotOptimize(r);
    }
    s.counters["items"] = static_cast<double>(items);
}

void list_title_filter_scan(benchmark::State& s) {
    auto& f = state_for(s.range(0));
    list_query q;
    q.scope = list_query::scope_kind::public_;
    q.title = f.assets[f.public_assets[f.public_assets.size() / 2]].title;  // exactly one match
    q.limit = 20;
    std::size_t items = 0;
    for (auto _ : s) {
        auto r = f.st.list(f.owners[0], q);
        items = r.items.size();
        benchmark::DoNotOptimize(r);
    }
    s.counters["items"] = static_cast<double>(items);
    s.counters["scanned"] = static_cast<double>(f.public_assets.size());
}

void patch_whitelist(benchmark::State& s, bool hot) {
    auto& f = state_for(s.range(0));
    auto pool = random_pool(hot ? hot_subset(f.alice_group, hot_assets, 6) : f.alice_group, 3);
    wire::whitelist_patch_request add, remove;
    add.add = wire::string_list{f.outsider.domain_id};
    remove.remove = wire::string_list{f.outsider.domain_id};
    std::size_t i = 0;
    for (auto _ : s) {
        auto const& id = f.assets[pool[i++ % pool_size]].content_id;
        auto r1 = f.st.patch_whitelist(f.owners[0], id, "1.0.0", add);
        benchmark::DoNotOptimize(r1);
        auto r2 = f.st.patch_whitelist(f.owners[0], id, "1.0.0", remove);
        benchmark::DoNotOptimize(r2);
    }
}

void create_version(benchmark::State& s, bool hot) {
    auto& f = state_for(s.range(0));
    auto pool = random_pool(hot ? hot_subset(f.alice_assets, hot_assets, 8) : f.alice_assets, 4);
    wire::create_version_request body;  // a patch bump, keeping the sharing of the highest version
    body.desc = "another version";
    std::size_t i = 0;
    for (auto _ : s) {
        auto r = f.st.create_version(f.owners[0], f.assets[pool[i++ % pool_size]].content_id, body,
                                     std::nullopt);
        benchmark::DoNotOptimize(r);
    }
}

void register_all() {
    auto common = [](benchmark::internal::Benchmark* b) {
        b->ArgName("n")->Arg(small_n)->Arg(large_n)->Unit(benchmark::kNanosecond);
        b->Repetitions(repetitions)->ReportAggregatesOnly(true);
        return b;
    };
    using sk = list_query::scope_kind;
    common(benchmark::RegisterBenchmark("get_version", get_version, false))->MinTime(min_time);
    common(benchmark::RegisterBenchmark("get_version (16 hot assets)", get_version, true))
        ->MinTime(min_time);
    for (std::uint64_t limit : {20, 1})
        for (auto scope : {sk::mine, sk::public_})
            for (bool by_title : {false, true}) {
                std::string name = std::string("list ") + (scope == sk::mine ? "mine" : "public") +
                                   " by " + (by_title ? "title" : "created_at") +
                                   " limit=" + std::to_string(limit);
                common(
                    benchmark::RegisterBenchmark(name.c_str(), list_page, scope, by_title, limit))
                    ->MinTime(min_time);
            }
    common(
        benchmark::RegisterBenchmark("list public title=... (title index)", list_title_filter_scan))
        ->MinTime(min_time);
    // These change the state, so they come after the reads. patch_whitelist
    // leaves it as it was; create_version adds versions, so its iterations are
    // fixed to bound the growth (30,000 x 3 repetitions per n and variant).
    common(benchmark::RegisterBenchmark("patch_whitelist add+remove", patch_whitelist, false))
        ->MinTime(min_time);
    common(benchmark::RegisterBenchmark("patch_whitelist (16 hot assets)", patch_whitelist, true))
        ->MinTime(min_time);
    common(benchmark::RegisterBenchmark("create_version", create_version, false))
        ->Iterations(create_iterations);
    common(benchmark::RegisterBenchmark("create_version (16 hot assets)", create_version, true))
        ->Iterations(create_iterations);
    // The service runs last, on its own population: its request churn leaves
    // glibc's free lists scattered over the heap, and a gallery_state page
    // measured after it (some 200 small allocations for 20 items, more than
    // the per-size tcache holds) was measured 3-4x slower for that reason alone.
    common(benchmark::RegisterBenchmark("service::handle GET version", service_get_version, false))
        ->MinTime(min_time);
    common(benchmark::RegisterBenchmark("service::handle GET (16 hot assets)", service_get_version,
                                        true))
        ->MinTime(min_time);
}

// ---- the summary ----------------------------------------------------------------------

struct measurement {
    double ns = 0;
    double items = -1;
    double scanned = -1;
};

/// Prints as the console reporter does, and keeps the median of every run.
class collecting_reporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;

    void ReportRuns(std::vector<Run> const& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (auto const& r : runs) {
            if (r.error_occurred)
                continue;
            bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            bool single =
                r.run_type == Run::RT_Iteration;  // when run with --benchmark_repetitions=1
            if (!median && !single)
                continue;
            auto const& args = r.run_name.args;  // "n:10"
            auto colon = args.find(':');
            if (colon == std::string::npos)
                continue;
            std::int64_t n = std::stoll(args.substr(colon + 1));
            auto& op = ops_[r.run_name.function_name];
            if (op.empty())
                order_.push_back(r.run_name.function_name);
            if (!median && op.count(n))
                continue;  // keep the first single run, never override a median
            measurement m;
            m.ns = r.GetAdjustedCPUTime();
            if (auto it = r.counters.find("items"); it != r.counters.end())
                m.items = it->second.value;
            if (auto it = r.counters.find("scanned"); it != r.counters.end())
                m.scanned = it->second.value;
            op[n] = m;
        }
    }

    void print_summary(std::ostream& os) const {
        char line[512];
        int w = 9;
        for (auto const& name : order_)
            w = std::max(w, static_cast<int>(name.size()));
        os << "\nScaling of the mock's state: CPU ns per operation, median of " << repetitions
           << " repetitions, both sizes measured in this run\n";
        std::string large = "ns at n=" + std::to_string(large_n);
        std::string items = "items/page (n=10 -> n=" + std::to_string(large_n) + ")";
        std::snprintf(line, sizeof line, "%-*s | %14s | %14s | %8s | %s\n", w, "operation",
                      "ns at n=10", large.c_str(), "ratio", items.c_str());
        os << line << std::string(static_cast<std::size_t>(w) + 76, '-') << '\n';
        for (auto const& name : order_) {
            auto const& op = ops_.at(name);
            auto a = op.find(small_n), b = op.find(large_n);
            if (a == op.end() || b == op.end())
                continue;
            std::string items;
            if (a->second.items >= 0)
                items = fmt(a->second.items) + " -> " + fmt(b->second.items);
            if (b->second.scanned >= 0)
                items += "  (of " + fmt(a->second.scanned) + " -> " + fmt(b->second.scanned) +
                         " public assets)";
            std::snprintf(line, sizeof line, "%-*s | %14.1f | %14.1f | %8.2f | %s\n", w,
                          name.c_str(), a->second.ns, b->second.ns, b->second.ns / a->second.ns,
                          items.c_str());
            os << line;
        }
        os << '\n';
        for (auto const& name : order_) {
            auto const& op = ops_.at(name);
            auto a = op.find(small_n), b = op.find(large_n);
            if (a == op.end() || b == op.end())
                continue;
            double ratio = b->second.ns / a->second.ns;
            bool per_item =
                a->second.items > 0 && b->second.items > 0 && a->second.items != b->second.items;
            char buf[256];
            if (per_item) {
                // A page of 20 at n=100000 against the 2 that exist past the
                // middle at n=10: compare the cost per item returned.
                double r = (b->second.ns / b->second.items) / (a->second.ns / a->second.items);
                std::snprintf(buf, sizeof buf,
                              "per item returned: ratio %.2f (raw %.2f for %s -> %s items)", r,
                              ratio, fmt(a->second.items).c_str(), fmt(b->second.items).c_str());
                ratio = r;
            } else {
                std::snprintf(buf, sizeof buf, "ratio %.2f", ratio);
            }
            os << (ratio < flat_ratio ? "FLAT      " : "NOT FLAT  ") << name << ": " << buf
               << (ratio < flat_ratio ? "" : " -- grows with n") << '\n';
        }
        os << "(flat = ratio below " << flat_ratio
           << "; information only, not a pass/fail threshold: this machine is shared and noisy)\n"
           << "Rows without \"hot\" pick a random asset each time: at n=100000 that misses the "
              "caches, at\n"
           << "n=10 it cannot. A \"16 hot assets\" row repeats the operation on 16 assets, whose "
              "data stay in\n"
           << "cache: if it is flat where the random row is not, the growth is memory locality, "
              "not work.\n"
           << "A limit=20 page at n=10 can only hold the 2 assets past the middle, so those rows "
              "compare\n"
           << "the cost per item returned; the limit=1 rows compare whole pages of equal size.\n";
    }

    static constexpr double flat_ratio = 3.0;

private:
    static std::string fmt(double x) {
        char b[32];
        std::snprintf(b, sizeof b, "%.0f", x);
        return b;
    }
    std::vector<std::string> order_;
    std::map<std::string, std::map<std::int64_t, measurement>> ops_;
};

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--quick") {
            large_n = 1000;
            min_time = 0.001;
            repetitions = 1;
            create_iterations = 100;
            std::copy(argv + i + 1, argv + argc, argv + i);
            --argc;
            break;
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    register_all();
    collecting_reporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                       : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_summary(std::cout);
    // Building happens outside the timed loops; this is what it took (once per n).
    for (auto const& [n, f] : state_cache)
        std::cout << "built gallery_state with n=" << n << " assets in " << f->build_seconds
                  << " s\n";
    for (auto const& [n, f] : service_cache)
        std::cout << "built service (through POST requests) with n=" << n << " assets in "
                  << f->build_seconds << " s\n";
    benchmark::Shutdown();
    return 0;
}
