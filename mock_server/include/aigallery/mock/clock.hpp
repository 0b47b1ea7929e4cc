// Time and identifiers for the mock: RFC 3339 formatting, and a generator of
// ids that a seed makes reproducible.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>
#include <optional>
#include <random>
#include <string>

namespace aigallery::mock {

using time_point = std::chrono::sys_seconds;

/// The longest text rfc3339_writer::write() writes (years of any length).
inline constexpr std::size_t rfc3339_max_size = 32;

/// Writes times as 2026-11-25T21:29:54Z. Every answer carries a few of
/// these, so years 1000 to 9999 are done by calendar arithmetic: strftime
/// and gmtime_r cost more than the rest of a GET (gmtime_r takes glibc's
/// time-zone lock each time). The writer keeps the last date it wrote: a
/// page of a listing has forty times, mostly of a few days, and the
/// calendar is then worked out once per day, not per time.
class rfc3339_writer {
public:
    /// Writes `t` at `p`, which has room for rfc3339_max_size bytes;
    /// returns the end of what was written.
    char* write(char* p, time_point t) noexcept {
        // The calendar below is for years 1000 to 9999 (strftime prints
        // fewer digits below, more above); out there, and far out, where
        // days and seconds would overflow, strftime writes it.
        auto const since_epoch = t.time_since_epoch().count();
        if (since_epoch < -30610224000 ||
            since_epoch > 253402300799)  // 1000-01-01, 9999-12-31T23:59:59
            return write_by_strftime(p, t);
        auto const day = std::chrono::floor<std::chrono::days>(t);
        if (day.time_since_epoch().count() != day_ && !remember(day))
            return write_by_strftime(p, t);
        std::memcpy(p, date_, sizeof date_);                         // "2026-11-25T"
        auto const secs = static_cast<unsigned>((t - day).count());  // 0 .. 86399
        two_digits(p + 11, secs / 3600);
        p[13] = ':';
        two_digits(p + 14, secs / 60 % 60);
        p[16] = ':';
        two_digits(p + 17, secs % 60);
        p[19] = 'Z';
        return p + 20;
    }

private:
    static void two_digits(char* p, unsigned v) noexcept {  // v < 100
        static constexpr char pairs[] =
            "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
            "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
            "8081828384858687888990919293949596979899";
        std::memcpy(p, pairs + 2 * v, 2);
    }

    // The date part of `day`, when its year has four digits (strftime
    // prints fewer below 1000, and more above 9999).
    bool remember(std::chrono::sys_days day) noexcept {
        std::chrono::year_month_day ymd{day};
        int const year = static_cast<int>(ymd.year());
        if (year < 1000 || year > 9999)
            return false;
        two_digits(date_, static_cast<unsigned>(year / 100));
        two_digits(date_ + 2, static_cast<unsigned>(year % 100));
        date_[4] = '-';
        two_digits(date_ + 5, static_cast<unsigned>(ymd.month()));
        date_[7] = '-';
        two_digits(date_ + 8, static_cast<unsigned>(ymd.day()));
        date_[10] = 'T';
        day_ = day.time_since_epoch().count();
        return true;
    }

    static char* write_by_strftime(char* p, time_point t) noexcept {
        std::time_t tt = t.time_since_epoch().count();
        std::tm tm{};
        gmtime_r(&tt, &tm);
        return p + std::strftime(p, rfc3339_max_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }

    // No date yet: day numbers are far smaller (INT64_MIN seconds is some
    // 10^14 days before the epoch), so the first write() works one out.
    std::int64_t day_ = std::numeric_limits<std::int64_t>::min();
    char date_[11] = {};
};

/// Appends `t` as 2026-11-25T21:29:54Z (see rfc3339_writer), with no string
/// in between.
inline void append_rfc3339(std::string& out, time_point t) {
    char text[rfc3339_max_size];
    out.append(text, rfc3339_writer{}.write(text, t));
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
