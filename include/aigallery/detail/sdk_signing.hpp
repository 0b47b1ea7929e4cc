// The canonical form of a request under SDK-HMAC-SHA256, shared by the
// client's signer and the mock's verifier. Pure string work, no OpenSSL: the
// rules follow the vendor's Node.js SDK core (its AKSKSigner), the reference.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace aigallery::detail {

inline constexpr std::string_view sdk_algorithm = "SDK-HMAC-SHA256";
inline constexpr std::string_view empty_body_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~, with uppercase hex:
/// the SDK's urlEncode on the UTF-8 bytes of its UTF-16 input.
inline std::string sdk_url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        bool const plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

inline int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// Decodes %XX; a '%' not followed by two hex digits stays as it is, and '+'
/// is a plus sign (RFC 3986), not a space.
inline std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

/// The path split at '/', each segment encoded as above (so an escape already
/// in the path is encoded again, as the SDK does), ending with '/'.
inline std::string canonical_uri(std::string_view path) {
    if (path.empty())
        return "/";
    std::string out;
    std::size_t start = 0;
    for (;;) {
        auto slash = path.find('/', start);
        out += sdk_url_encode(path.substr(start, slash - start));
        if (slash == std::string_view::npos)
            break;
        out += '/';
        start = slash + 1;
    }
    if (out.back() != '/')
        out += '/';
    return out;
}

/// UTF-8 to the UTF-16 code units JavaScript compares; a byte that is not
/// valid UTF-8 maps to a lone low surrogate so that ordering stays total.
inline std::u16string utf16_units(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = 0;
        std::size_t n = 0;
        if (b < 0x80) {
            cp = b;
            n = 1;
        } else if ((b & 0xE0) == 0xC0) {
            cp = b & 0x1F;
            n = 2;
        } else if ((b & 0xF0) == 0xE0) {
            cp = b & 0x0F;
            n = 3;
        } else if ((b & 0xF8) == 0xF0) {
            cp = b & 0x07;
            n = 4;
        }
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            ok = (c & 0xC0) == 0x80;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!ok) {
            out += static_cast<char16_t>(0xDC00 + b);
            ++i;
            continue;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (cp >> 10));
            out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
        } else {
            out += static_cast<char16_t>(cp);
        }
        i += n;
    }
    return out;
}

/// The query of a request target as the SDK canonicalises its query
/// parameters: decoded, sorted by key and then value in JavaScript's order
/// (UTF-16 code units), each re-encoded, "key=value" joined with '&'. A
/// parameter without '=' has an empty value; empty pieces ("a=1&&b=2") are none.
inline std::string canonical_query(std::string_view query) {
    struct param {
        std::u16string key_order, value_order;
        std::string key, value;
    };
    std::vector<param> params;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto amp = query.find('&', start);
        auto piece = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
        if (!piece.empty()) {
            auto eq = piece.find('=');
            param p;
            p.key = percent_decode(piece.substr(0, eq));
            p.value =
                eq == std::string_view::npos ? std::string() : percent_decode(piece.substr(eq + 1));
            p.key_order = utf16_units(p.key);
            p.value_order = utf16_units(p.value);
            params.push_back(std::move(p));
        }
        if (amp == std::string_view::npos)
            break;
        start = amp + 1;
    }
    std::stable_sort(params.begin(), params.end(), [](param const& a, param const& b) {
        return std::tie(a.key_order, a.value_order) < std::tie(b.key_order, b.value_order);
    });
    std::string out;
    for (auto const& p : params) {
        if (!out.empty())
            out += '&';
        out += sdk_url_encode(p.key);
        out += '=';
        out += sdk_url_encode(p.value);
    }
    return out;
}

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// The SDK orders canonical header lines with String.localeCompare (ICU root
/// collation) but the SignedHeaders list with plain code-unit order. For the
/// characters of header names the collation's primary order is this table.
inline int collation_weight(unsigned char c) noexcept {
    static constexpr std::string_view order = "_-!.'*&#%`^+|~$0123456789abcdefghijklmnopqrstuvwxyz";
    auto p = order.find(static_cast<char>(c));
    return p == std::string_view::npos ? 256 + c : static_cast<int>(p);
}

inline bool collation_less(std::string_view a, std::string_view b) noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return collation_weight(static_cast<unsigned char>(x)) <
               collation_weight(static_cast<unsigned char>(y));
    });
}

/// One header as it takes part in the signature.
struct signed_header {
    std::string lower_name;
    std::string value;
};

/// "a;b;c": the lowercase names in code-unit order.
inline std::string signed_header_list(std::vector<signed_header> headers) {
    std::stable_sort(headers.begin(), headers.end(),
                     [](auto const& a, auto const& b) { return a.lower_name < b.lower_name; });
    std::string out;
    for (auto const& h : headers) {
        if (!out.empty())
            out += ';';
        out += h.lower_name;
    }
    return out;
}

/// "name:value\n" for each header, in collation order; values as sent.
inline std::string canonical_headers(std::vector<signed_header> headers) {
    std::stable_sort(headers.begin(), headers.end(), [](auto const& a, auto const& b) {
        return collation_less(a.lower_name, b.lower_name);
    });
    std::string out;
    for (auto const& h : headers) {
        out += h.lower_name;
        out += ':';
        out += h.value;
        out += '\n';
    }
    return out;
}

/// The canonical request: method, URI, query, headers, signed list, body hash.
inline std::string canonical_request(std::string_view method, std::string_view target,
                                     std::vector<signed_header> const& headers,
                                     std::string_view signed_list, std::string_view payload_hash) {
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    std::string out(method);
    out += '\n';
    out += canonical_uri(path);
    out += '\n';
    out += canonical_query(query);
    out += '\n';
    out += canonical_headers(headers);
    out += '\n';
    out += signed_list;
    out += '\n';
    out += payload_hash;
    return out;
}

/// "SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>"
inline std::string string_to_sign(std::string_view sdk_date, std::string_view canonical_hash) {
    std::string out(sdk_algorithm);
    out += '\n';
    out += sdk_date;
    out += '\n';
    out += canonical_hash;
    return out;
}

/// The parts of "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
struct authorization_parts {
    std::string access_key;
    std::string signed_headers;
    std::string signature;
};

/// nullopt when the header is not of that form.
inline std::optional<authorization_parts> parse_authorization(std::string_view v) {
    if (!v.starts_with(sdk_algorithm) || v.size() <= sdk_algorithm.size() ||
        v[sdk_algorithm.size()] != ' ')
        return std::nullopt;
    v.remove_prefix(sdk_algorithm.size() + 1);
    authorization_parts out;
    bool access = false, names = false, signature = false;
    while (!v.empty()) {
        while (!v.empty() && (v.front() == ' ' || v.front() == ','))
            v.remove_prefix(1);
        auto comma = v.find(',');
        auto item = v.substr(0, comma);
        v = comma == std::string_view::npos ? std::string_view() : v.substr(comma);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (item.empty())
            continue;
        auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return std::nullopt;
        auto key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "Access" && !access) {
            out.access_key = value;
            access = true;
        } else if (key == "SignedHeaders" && !names) {
            out.signed_headers = value;
            names = true;
        } else if (key == "Signature" && !signature) {
            out.signature = value;
            signature = true;
        } else {
            return std::nullopt;
        }
    }
    if (!access || !names || !signature || out.access_key.empty() || out.signed_headers.empty())
        return std::nullopt;
    return out;
}

/// Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    auto const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Seconds since the epoch of "YYYYMMDDTHHMMSSZ"; nullopt for anything else.
inline std::optional<std::int64_t> parse_sdk_date(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z')
        return std::nullopt;
    auto num = [&](std::size_t at, std::size_t n) -> int {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    int y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2),
        se = num(13, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 59)
        return std::nullopt;
    static constexpr std::array<int, 12> month_days{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[static_cast<std::size_t>(mo - 1)] || (mo == 2 && d == 29 && !leap))
        return std::nullopt;
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
           h * 3600 + mi * 60 + se;
}

/// "YYYYMMDDTHHMMSSZ" of seconds since the epoch (UTC).
inline std::string format_sdk_date(std::int64_t epoch_seconds) {
    std::int64_t days = epoch_seconds / 86400, rem = epoch_seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // civil_from_days (Howard Hinnant's algorithm)
    std::int64_t z = days + 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    auto const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const d = doy - (153 * mp + 2) / 5 + 1;
    unsigned const m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(y),
                  m, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
    return buf;
}

}  // namespace aigallery::detail
