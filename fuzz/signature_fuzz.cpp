// libFuzzer target: the mock gateway's SDK-HMAC-SHA256 check
// (mock::verify_signature) against the library's signer (sign_request).
// Two accounts, alice and bob, whose secret keys appear nowhere in the
// inputs. The first byte picks a mode:
//
// - forged: method, target, headers, body, Authorization and X-Sdk-Date all
//   from the input ("$A"/"$B" become the access keys, "$D" the gateway's
//   date). No input can know a secret, so an accepted request is a finding.
// - signed: a request from the input is signed by sign_request with alice's
//   keys, dated within the allowed 15 minutes: it must be accepted as alice
//   (unless it carries an X-Sdk-Content-Sha256 that is neither its body's
//   hash nor UNSIGNED-PAYLOAD, which must be refused). Then up to three
//   changes from the input (body, target, method, a header's value, a new or
//   removed header, the access key, the signature, the date) are made; if
//   the changed request is still accepted, it must be as alice, and signing
//   what it signs (the headers its SignedHeaders lists, its method, target,
//   body and date) with alice's secret must give exactly its signature.
// - wrong secret: signed with alice's access key but bob's (or an input's)
//   secret: must be refused.
//
// Every refusal must be a gallery_error 401; nothing else may escape.
#include <aigallery/aksk_signer.hpp>
#include <aigallery/mock/gateway_auth.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = boost::beast::http;
using aigallery::http_request;
using aigallery::mock::account;

// A fixed gateway clock: 2026-11-26T10:09:54Z.
aigallery::mock::time_point const now{std::chrono::seconds(1795687794)};

account const alice{"alice", std::string(32, 'a'), "tok-alice",
                    "AKALICE0000000000000000000000000000001",
                    "sk-alice-2f6b1e0c9d8a7f6e5d4c3b2a1908f7e6d5c4b3a2"};
account const bob{"bob", std::string(32, 'b'), "tok-bob", "AKBOB000000000000000000000000000000002",
                  "sk-bob-8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b"};

account const* find_by_access_key(std::string_view ak) {
    if (ak == alice.access_key)
        return &alice;
    if (ak == bob.access_key)
        return &bob;
    return nullptr;
}

[[noreturn]] void finding(char const* what, http_request const& req) {
    std::fprintf(stderr, "signature_fuzz: %s\n%s %s\n", what,
                 std::string(req.method_string()).c_str(), std::string(req.target()).c_str());
    for (auto const& f : req)
        std::fprintf(stderr, "%s: %s\n", std::string(f.name_string()).c_str(),
                     std::string(f.value()).c_str());
    std::fprintf(stderr, "body: %zu bytes\n", req.body().size());
    std::abort();
}

/// The account the gateway accepts, or nullopt for a 401. Anything else
/// thrown, or a refusal that is not a 401, is a finding.
std::optional<account> verify(http_request const& req) {
    try {
        return aigallery::mock::verify_signature(req, find_by_access_key, now);
    } catch (aigallery::gallery_error const& e) {
        if (e.status() != 401)
            finding("refused with a status other than 401", req);
        return std::nullopt;
    }
}

void replace_all(std::string& s, std::string_view from, std::string const& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

std::string sdk_date(std::int64_t offset_seconds) {
    return aigallery::detail::format_sdk_date(now.time_since_epoch().count() + offset_seconds);
}

/// Well-known names, so that the fuzzer need not find them, or a token.
std::string header_name(FuzzedDataProvider& in) {
    static constexpr char const* known[] = {
        "Host",   "Content-Type", "X-Sdk-Date",   "X-Sdk-Content-Sha256", "Authorization",
        "Accept", "X-Auth-Token", "X-Project-Id", "Idempotency-Key",      "x-custom"};
    auto pick = in.ConsumeIntegralInRange<unsigned>(0, std::size(known));
    if (pick < std::size(known))
        return known[pick];
    // RFC 9110 token characters only: Beast's parser would refuse others.
    static constexpr std::string_view tchar =
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string name;
    for (auto c : in.ConsumeRandomLengthString(24))
        name += tchar[static_cast<unsigned char>(c) % tchar.size()];
    return name.empty() ? "x" : name;
}

/// Header values as a parser hands them over: no CR, LF or NUL.
std::string header_value(FuzzedDataProvider& in, std::size_t max) {
    std::string v = in.ConsumeRandomLengthString(max);
    for (auto& c : v)
        if (c == '\r' || c == '\n' || c == '\0')
            c = ' ';
    return v;
}

void set_method(http_request& req, std::string method) {
    if (method.empty())
        method = "GET";
    for (auto& c : method)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = 'X';
    auto verb = http::string_to_verb(method);
    if (verb == http::verb::unknown)
        req.method_string(method);
    else
        req.method(verb);
}

std::string target_from(FuzzedDataProvider& in) {
    std::string t = in.ConsumeRandomLengthString(160);
    for (auto& c : t)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f)
            c = '_';
    return "/" + t;
}

/// A request from the input, without Authorization unless the input names it.
http_request request_from(FuzzedDataProvider& in) {
    http_request req;
    req.version(11);
    set_method(req, in.ConsumeRandomLengthString(12));
    req.target(target_from(in));
    req.set(http::field::host, header_value(in, 40) + "x");
    auto const n = in.ConsumeIntegralInRange<int>(0, 6);
    for (int i = 0; i < n; ++i) {
        auto name = header_name(in);
        req.insert(name, header_value(in, 80));
    }
    req.body() = in.ConsumeRandomLengthString(512);
    return req;
}

/// The `i`-th field of a request (counting from 0, modulo its size).
http_request::iterator nth_field(http_request& req, std::size_t i) {
    std::size_t count = 0;
    for (auto it = req.begin(); it != req.end(); ++it)
        ++count;
    auto it = req.begin();
    for (std::size_t k = 0; count != 0 && k < i % count; ++k)
        ++it;
    return it;
}

/// The oracle of an accepted request: what it signs, signed again by the
/// library's signer with `a`'s keys at its own X-Sdk-Date, gives the
/// signature it carries.
void check_signed_by(http_request const& req, account const& a) {
    namespace d = aigallery::detail;
    auto parts = d::parse_authorization(req[http::field::authorization]);
    auto date = d::parse_sdk_date(req["X-Sdk-Date"]);
    if (!parts || !date)
        finding("accepted without a well-formed Authorization and X-Sdk-Date", req);
    if (parts->access_key != a.access_key)
        finding("accepted as an account whose access key it does not carry", req);
    http_request again;
    again.version(11);
    again.method_string(req.method_string());
    again.target(req.target());
    again.body() = req.body();
    std::string_view names = parts->signed_headers;
    std::vector<std::string> seen;
    while (!names.empty()) {
        auto semi = names.find(';');
        std::string name(names.substr(0, semi));
        names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
        // A name listed k times stands for its first k fields, in order.
        std::size_t k = 0;
        for (auto const& s : seen)
            k += s == name;
        seen.push_back(name);
        auto [first, last] = req.equal_range(name);
        for (std::size_t j = 0; j < k && first != last; ++j)
            ++first;
        if (first == last)
            finding("accepted although a signed header is missing", req);
        again.insert(name, first->value());
    }
    aigallery::aksk_credentials const creds{a.access_key, a.secret_key, {}, {}};
    auto const at = std::chrono::system_clock::time_point(std::chrono::seconds(*date));
    if (aigallery::sign_request(again, creds, at))
        finding("accepted a request that the signer cannot sign (no Host)", req);
    auto resigned = d::parse_authorization(again[http::field::authorization]);
    if (!resigned || resigned->signed_headers != parts->signed_headers ||
        resigned->signature != parts->signature)
        finding("accepted a signature that the account's secret does not make", req);
}

void forged(FuzzedDataProvider& in) {
    http_request req = request_from(in);
    auto auth = in.ConsumeRandomLengthString(300);
    replace_all(auth, "$A", alice.access_key);
    replace_all(auth, "$B", bob.access_key);
    auto date = in.ConsumeRandomLengthString(20);
    replace_all(date, "$D", sdk_date(in.ConsumeIntegralInRange<int>(-1000, 1000)));
    req.set(http::field::authorization, auth);
    req.set("X-Sdk-Date", date);
    if (auto a = verify(req))
        finding("accepted a request no secret signed", req);
}

void mutate(http_request& req, FuzzedDataProvider& in) {
    std::string auth(req[http::field::authorization]);
    auto const parts = aigallery::detail::parse_authorization(auth);
    switch (in.ConsumeIntegralInRange<int>(0, 10)) {
        case 0:
            req.body() = in.ConsumeRandomLengthString(512);
            break;
        case 1:
            if (in.ConsumeBool())
                req.body() += in.ConsumeRandomLengthString(8);
            else if (!req.body().empty())
                req.body()[in.ConsumeIntegralInRange<std::size_t>(0, req.body().size() - 1)] ^=
                    static_cast<char>(in.ConsumeIntegralInRange<int>(1, 255));
            break;
        case 2:
            req.target(target_from(in));
            break;
        case 3:
            set_method(req, in.ConsumeRandomLengthString(12));
            break;
        case 4: {
            auto it = nth_field(req, in.ConsumeIntegral<std::size_t>());
            if (it != req.end()) {
                auto name = std::string(it->name_string());
                auto value = header_value(in, 80);
                req.erase(it);
                req.insert(name, value);
            }
            break;
        }
        case 5: {
            auto name = header_name(in);
            req.insert(name, header_value(in, 80));
            break;
        }
        case 6: {
            auto it = nth_field(req, in.ConsumeIntegral<std::size_t>());
            if (it != req.end())
                req.erase(it);
            break;
        }
        case 7:  // the same signature, presented as bob's
            replace_all(auth, alice.access_key, bob.access_key);
            req.set(http::field::authorization, auth);
            break;
        case 8:  // another Authorization; "$S" is the real signature
            auth = in.ConsumeRandomLengthString(300);
            replace_all(auth, "$A", alice.access_key);
            replace_all(auth, "$B", bob.access_key);
            if (parts)
                replace_all(auth, "$S", parts->signature);
            req.set(http::field::authorization, header_value(in, 0) + auth);
            break;
        case 9:
            if (parts && !parts->signature.empty()) {
                auto sig = parts->signature;
                sig[in.ConsumeIntegralInRange<std::size_t>(0, sig.size() - 1)] ^=
                    static_cast<char>(in.ConsumeIntegralInRange<int>(1, 127));
                replace_all(auth, parts->signature, sig);
                req.set(http::field::authorization, auth);
            }
            break;
        default:
            req.set("X-Sdk-Date", sdk_date(in.ConsumeIntegralInRange<int>(-1000, 1000)));
            break;
    }
}

void signed_then_changed(FuzzedDataProvider& in) {
    http_request req = request_from(in);
    auto const offset = in.ConsumeIntegralInRange<int>(-900, 900);
    aigallery::aksk_credentials const creds{alice.access_key, alice.secret_key, {}, {}};
    if (aigallery::sign_request(
            req, creds, std::chrono::system_clock::time_point(now) + std::chrono::seconds(offset)))
        finding("the signer refused a request with a Host", req);

    if (req.count(http::field::content_type) > 1) {
        // The gateway refuses two Content-Type fields: the signer leaves a
        // multipart one out, the service would read the first.
        if (verify(req))
            finding("accepted a signed request with two Content-Type fields", req);
        return;
    }
    auto const content_sha = std::string(req["X-Sdk-Content-Sha256"]);
    bool const body_claim_false = !content_sha.empty() && content_sha != "UNSIGNED-PAYLOAD" &&
                                  content_sha != aigallery::detail::sha256_hex(req.body());
    auto const a = verify(req);
    if (body_claim_false) {
        if (a)
            finding("accepted a body that is not the one its X-Sdk-Content-Sha256 names", req);
        return;
    }
    if (!a)
        finding("refused a request the library signed with the right secret", req);
    if (a->name != alice.name)
        finding("a request signed with alice's keys was accepted as someone else", req);

    auto const changes = in.ConsumeIntegralInRange<int>(1, 3);
    for (int i = 0; i < changes; ++i)
        mutate(req, in);
    if (auto b = verify(req)) {
        if (b->name != alice.name)
            finding("a changed request of alice's was accepted as someone else", req);
        check_signed_by(req, alice);
    }
}

void wrong_secret(FuzzedDataProvider& in) {
    http_request req = request_from(in);
    std::string secret = in.ConsumeBool() ? bob.secret_key : in.ConsumeRandomLengthString(64);
    if (secret.empty() || secret == alice.secret_key)
        return;
    aigallery::aksk_credentials const creds{alice.access_key, secret, {}, {}};
    if (aigallery::sign_request(req, creds, std::chrono::system_clock::time_point(now)))
        finding("the signer refused a request with a Host", req);
    if (verify(req))
        finding("accepted alice's access key with another secret's signature", req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    auto const mode = in.ConsumeIntegralInRange<int>(0, 2);
    switch (mode) {
        case 0:
            forged(in);
            break;
        case 1:
            signed_then_changed(in);
            break;
        default:
            wrong_secret(in);
            break;
    }
    return 0;
}
