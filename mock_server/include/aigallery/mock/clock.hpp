// Time and identifiers for the mock: RFC 3339 formatting, and a generator of
// ids that a seed makes reproducible.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string>

namespace aigallery::mock {

using time_point = std::chrono::sys_seconds;

/// 2026-11-25T21:29:54Z. Every answer carries a few of these, so years 1000 to
/// 9999 are done by calendar arithmetic: strftime and gmtime_r cost more than
/// the rest of a GET (gmtime_r takes glibc's time-zone lock each time).
/// Appends `t` as format_rfc3339() prints it, with no string in between.
inline void append_rfc3339(std::string& out, time_point t) {
    auto day = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day ymd{day};
    int year = static_cast<int>(ymd.year());
    if (year >= 1000 && year <= 9999) {  // strftime prints fewer digits below 1000
        auto secs = (t - day).count();   // 0 .. 86399
        char buf[20];
        auto two = [&](int at, long v) {
            buf[at] = static_cast<char>('0' + v / 10);
            buf[at + 1] = static_cast<char>('0' + v % 10);
        };
        two(0, year / 100);
        two(2, year % 100);
        buf[4] = '-';
        two(5, static_cast<unsigned>(ymd.month()));
        buf[7] = '-';
        two(8, static_cast<unsigned>(ymd.day()));
        buf[10] = 'T';
        two(11, secs / 3600);
        buf[13] = ':';
        two(14, secs / 60 % 60);
        buf[16] = ':';
        two(17, secs % 60);
        buf[19] = 'Z';
        out.append(buf, sizeof buf);
        return;
    }
    std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    out += buf;
}

/// 2026-11-25T21:29:54Z (see append_rfc3339()).
inline std::string format_rfc3339(time_point t) {
    std::string s;
    append_rfc3339(s, t);
    return s;
}

/// The inverse of format_rfc3339; nullopt for anything else.
inline std::optional<time_point> parse_rfc3339(std::string const& s) {
    std::tm tm{};
    char const* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end != '\0')
        return std::nullopt;
    return time_point(std::chrono::seconds(timegm(&tm)));
}

/// Makes ids and tokens: reproducible from a seed, else random.
class id_generator {
public:
    /// Seeded (reproducible) or, without a seed, random.
    explicit id_generator(std::optional<std::uint64_t> seed)
        : rng_(seed ? *seed
                    : std::random_device{}() ^ (std::uint64_t(std::random_device{}()) << 32)) {}

    /// n lowercase hexadecimal characters.
    std::string hex(std::size_t n) {
        std::string s;
        append_hex(s, n);
        return s;
    }

    /// Appends n lowercase hexadecimal characters to `s` (the same ones hex(n) gives).
    void append_hex(std::string& s, std::size_t n) {
        static constexpr char digits[] = "0123456789abcdef";
        std::size_t at = s.size();
        s.resize(at + n);
        for (std::size_t i = 0; i < n; i += 16) {
            std::uint64_t r = rng_();
            for (std::size_t j = i; j < n && j < i + 16; ++j, r >>= 4)
                s[at + j] = digits[r & 15];
        }
    }

    /// The 16 bytes that the next uuid() would spell, without the text: the
    /// same draws, so a seed gives the same ids either way.
    std::array<std::uint8_t, 16> uuid_bytes() {
        std::array<std::uint8_t, 16> b{};
        for (std::size_t half = 0; half < 2; ++half) {
            std::uint64_t r = rng_();
            // hex() spells the low nibble first: byte k is digits 2k and 2k+1.
            for (std::size_t k = 0; k < 8; ++k, r >>= 8)
                b[half * 8 + k] = static_cast<std::uint8_t>(((r & 15) << 4) | ((r >> 4) & 15));
        }
        return b;
    }

    /// A UUID-shaped id, valid as content_id and version_id.
    std::string uuid() {
        std::string h = hex(32);
        return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' +
               h.substr(16, 4) + '-' + h.substr(20);
    }

private:
    std::mt19937_64 rng_;
};

}  // namespace aigallery::mock
