// Who the client is to the gallery: an access key / secret key pair (every
// request signed), or an IAM token. Small value types, read from the
// environment under the vendor SDKs' own variable names. No OpenSSL here.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

namespace aigallery {

/// An access key / secret key pair, for signing every request with
/// SDK-HMAC-SHA256 (see `aksk_signer.hpp`). Temporary credentials also carry a
/// security token, sent as X-Security-Token; a project id is sent as
/// X-Project-Id. The secret key is never sent, printed or logged.
struct aksk_credentials {
    std::string access_key;      ///< AK: names the key pair; sent in Authorization
    std::string secret_key;      ///< SK: signs; never leaves the process
    std::string security_token;  ///< for temporary credentials; empty otherwise
    std::string project_id;      ///< sent as X-Project-Id when not empty

    /// Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and the optional
    /// HUAWEICLOUD_SDK_SECURITY_TOKEN and HUAWEICLOUD_SDK_PROJECT_ID. Throws
    /// std::invalid_argument naming each missing variable (never a value).
    static aksk_credentials from_environment() {
        return from_environment([](char const* name) { return std::getenv(name); });
    }

    /// The same with another source of variables, for tests and for
    /// configuration systems that are not the process environment.
    static aksk_credentials from_environment(
        std::function<char const*(char const*)> const& getenv) {
        auto read = [&](char const* name) {
            char const* v = getenv(name);
            return v ? std::string(v) : std::string();
        };
        aksk_credentials c{read("HUAWEICLOUD_SDK_AK"), read("HUAWEICLOUD_SDK_SK"),
                           read("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
                           read("HUAWEICLOUD_SDK_PROJECT_ID")};
        std::string missing;
        if (c.access_key.empty())
            missing = "HUAWEICLOUD_SDK_AK";
        if (c.secret_key.empty())
            missing += std::string(missing.empty() ? "" : " and ") + "HUAWEICLOUD_SDK_SK";
        if (!missing.empty())
            throw std::invalid_argument("aigallery::aksk_credentials: the environment has no " +
                                        missing + " (or it is empty)");
        return c;
    }

    /// True when both keys are present.
    bool complete() const noexcept { return !access_key.empty() && !secret_key.empty(); }
};

/// Where the time used for signing and token expiry comes from; injectable so
/// that tests can sign at a fixed time and make tokens expire.
using clock_function = std::function<std::chrono::system_clock::time_point()>;

/// The real time.
inline clock_function system_clock_function() {
    return [] { return std::chrono::system_clock::now(); };
}

}  // namespace aigallery
