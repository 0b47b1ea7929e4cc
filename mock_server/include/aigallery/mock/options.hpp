// How a mock gallery is set up: network, determinism and persistence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace aigallery::mock {

/// Everything a mock gallery can be configured with; the defaults suit tests
/// and the command line alike.
struct server_options {
    /// The address to listen on.
    std::string host = "127.0.0.1";
    unsigned short port = 0;  ///< 0: a free port, chosen by the system
    /// Seed for every id, token and request id, so that tests can compare
    /// whole responses; absent: random.
    std::optional<std::uint64_t> seed{};
    /// A clock that never moves, for reproducible timestamps; absent: real time.
    std::optional<std::chrono::system_clock::time_point> fixed_time{};
    /// When set, the control API (/__mock) requires it in X-Mock-Control-Token
    /// and then also answers peers that are not on loopback.
    std::string control_token{};
    /// With a path, POST /__mock/state/save writes the state there atomically.
    std::string state_file{};
    /// With state_file: load it when the gallery is built, before it serves
    /// anything (a missing file is an empty gallery).
    bool load_state = false;
    /// With state_file: every change is written to an append-only log next to
    /// it (state_file + ".log") and fsync'd before its answer is sent, so that
    /// a crash loses nothing acknowledged; the log is folded into state_file
    /// at start, on save_state() and by aigallery-mock at exit. The state is
    /// loaded at construction (load_state is implied), the log is locked
    /// against a second process, and a path that cannot be written is refused
    /// at construction. Off by default: tests keep their state in memory.
    bool durable = false;
    /// I/O threads.
    unsigned threads = 1;

    // ---- connection hygiene (mock::server only; the service has no sockets) ----

    /// How long a kept-alive connection may wait for the first byte of its
    /// next request before the server closes it.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(15)};
    /// How long a request's header may take to arrive, counted from its
    /// first byte: a client sending it a byte at a time (slowloris) is closed.
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    /// How long one exchange may take from the request's first byte until the
    /// answer is written, not counting a delay fault the server was told to take.
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
    /// Open connections at most; one more is answered 503 ModelArts.5030 with
    /// Retry-After and closed at once. Never more than the process's
    /// descriptor limit (RLIMIT_NOFILE) minus 64, so that the server never
    /// runs out of descriptors for itself.
    std::size_t max_connections = 1000;
    /// The largest body of PUT /__mock/state. Every other route takes at most
    /// 1 MiB (the contract's limit on /v1); a larger Content-Length is
    /// refused with 413 right after the header, before any of the body is read.
    std::uint64_t state_body_limit = 64ull << 20;
    /// The journal keeps the last this many /v1 requests (0: none, capture off).
    std::size_t journal_max_entries = 10'000;
    /// ...and at most this many bytes of them, bodies and headers included.
    std::size_t journal_max_bytes = 64u << 20;
    /// A longer request or response body is cut in the journal (and such an
    /// entry left out of a Pact export).
    std::size_t journal_max_body_bytes = 64u << 10;
    /// Keep with each journal entry the gallery as it was before the request
    /// (without tokens), which GET /__mock/pact turns into provider states.
    /// Off by default: each write then costs a copy of the whole state.
    bool record_provider_states = false;

    /// PEM certificate chain and private key: with both, the server speaks
    /// HTTPS only. Served by `tls_server` (<aigallery/mock/tls_server.hpp>);
    /// a plain `server` refuses them.
    std::string tls_cert_file{};
    /// The private key of `tls_cert_file` (PEM); see there.
    std::string tls_key_file{};
};

}  // namespace aigallery::mock
