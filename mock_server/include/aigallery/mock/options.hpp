// How a mock gallery is set up: network, determinism and persistence.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace aigallery::mock {

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;  // 0: a free port, chosen by the system
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
    unsigned threads = 1;
};

}  // namespace aigallery::mock
