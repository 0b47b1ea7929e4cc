// Retries as small policies, in the manner of google-cloud-cpp: which
// failures are transient, how many attempts and how much time, how long to
// wait between them. Waiting goes through a sleeper so tests never sleep.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

namespace aigallery {

/// 429, 500, 502, 503 and 504 are worth another try; so is no response at all.
constexpr bool is_transient_status(int status) noexcept {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/// Stops after `max_attempts` attempts or once `max_elapsed` has passed.
struct retry_policy {
    /// Attempts in all, the first included.
    int max_attempts = 4;
    /// Time for all attempts together.
    std::chrono::milliseconds max_elapsed{30000};

    /// Whether attempt number `attempt` (1-based, the one that just failed)
    /// may be followed by another, `elapsed` after the first began, when the
    /// next would start after `wait`.
    constexpr bool allows_another(int attempt, std::chrono::milliseconds elapsed,
                                  std::chrono::milliseconds wait) const noexcept {
        return attempt < max_attempts && elapsed + wait <= max_elapsed;
    }
};

/// Exponential back-off with "equal jitter": with the ceiling
/// c = min(initial * multiplier^(n-1), maximum), the n-th wait is uniform in
/// [c / 2, c], so waits still grow (full jitter, [0, c], could retry at
/// once) yet concurrent clients spread out. A server's Retry-After is a
/// floor, and may exceed `maximum`.
class backoff_policy {
public:
    /// The first wait's ceiling.
    std::chrono::milliseconds initial{100};
    /// No wait is longer.
    std::chrono::milliseconds maximum{5000};
    /// How much each ceiling grows.
    double multiplier = 2.0;
    std::uint64_t seed = 0;  ///< 0: from std::random_device

    /// The wait before retry number `retry` (1-based), at least `retry_after`.
    std::chrono::milliseconds delay(
        int retry, std::optional<std::chrono::seconds> retry_after = std::nullopt) {
        double ceiling = static_cast<double>(initial.count());
        for (int i = 1; i < retry; ++i)
            ceiling = std::min(ceiling * multiplier, static_cast<double>(maximum.count()));
        ceiling = std::min(ceiling, static_cast<double>(maximum.count()));
        if (!rng_)
            rng_.emplace(seed ? seed : std::random_device{}());
        std::uniform_real_distribution<double> d(ceiling / 2, ceiling);
        auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(d(*rng_)));
        if (retry_after)
            wait = std::max<std::chrono::milliseconds>(wait, *retry_after);
        return wait;
    }

private:
    std::optional<std::mt19937_64> rng_;
};

/// Parses Retry-After in its delta-seconds form; the HTTP-date form is
/// treated as absent.
inline std::optional<std::chrono::seconds> parse_retry_after(std::string_view v) {
    if (v.empty() || v.size() > 9)
        return std::nullopt;
    std::int64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return std::chrono::seconds(n);
}

using sleeper = std::function<void(std::chrono::milliseconds)>;

inline sleeper real_sleeper() {
    return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

}  // namespace aigallery
