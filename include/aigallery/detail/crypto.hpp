// SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto, as lowercase hex. Only
// what signs or verifies includes this, so OpenSSL stays out of the rest.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace aigallery::detail {

inline std::string to_hex(unsigned char const* data, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

/// Lowercase hex SHA-256 of `data`.
inline std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("aigallery: SHA-256 failed in OpenSSL");
    return to_hex(md.data(), len);
}

/// Lowercase hex HMAC-SHA256 of `data` under `key`.
inline std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    // An empty key is valid for HMAC; OpenSSL wants a non-null pointer for it.
    static constexpr unsigned char empty = 0;
    auto const* k = key.empty() ? &empty : reinterpret_cast<unsigned char const*>(key.data());
    if (!HMAC(EVP_sha256(), k, static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(data.data()), data.size(), md.data(), &len))
        throw std::runtime_error("aigallery: HMAC-SHA256 failed in OpenSSL");
    return to_hex(md.data(), len);
}

/// Compares without an early exit, so the time taken does not tell an
/// attacker how many leading characters of a signature were right.
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace aigallery::detail
