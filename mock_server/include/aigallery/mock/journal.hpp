// The mock's journal: what each /v1 request sent and got back (headers with
// secrets redacted, bodies, time and duration), kept in a ring bounded both by
// a number of entries and by bytes, so a long-running mock stays flat in
// memory. Capture is one packed string per entry (every field and both
// bodies back to back), with no JSON parsing: reading the journal (filters,
// HAR, Pact, expectations) does the expensive work, serving does not.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/mock/clock.hpp>
#include <aigallery/validation.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace aigallery::mock {

/// How much the journal keeps. The oldest entries are dropped first when
/// either bound would be exceeded.
struct journal_limits {
    /// Entries kept at most (the ring's length).
    std::size_t max_entries = 10'000;
    /// Bytes kept at most, counting every string, body and bookkeeping block.
    std::size_t max_bytes = 64u << 20;
    /// A longer request or response body is cut to this many bytes and marked
    /// `body_truncated` (such an entry is left out of a Pact export).
    std::size_t max_body_bytes = 64u << 10;
};

/// One header as it was sent, with a secret's value replaced by `***`.
struct journal_header {
    std::string name;   ///< as the peer spelled it
    std::string value;  ///< `***` for a secret
};

/// Whether a header carries a secret: the gallery's tokens, HTTP
/// authorization, cookies, and any name that says token, signature, secret,
/// password, credential, session or api key (so a future signing header is
/// covered without a change here). Case-insensitive.
inline bool is_secret_header(std::string_view name) {
    // Runs for every header of every journaled request: no allocation, and
    // one pass over the name, trying only the words its letter can start.
    using namespace std::string_view_literals;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    auto is = [&](std::string_view word) {
        if (word.size() != name.size())
            return false;
        for (std::size_t i = 0; i < word.size(); ++i)
            if (lower(name[i]) != word[i])
                return false;
        return true;
    };
    if (is("authorization"sv) || is("proxy-authorization"sv) || is("cookie"sv) ||
        is("set-cookie"sv))
        return true;
    auto at = [&](std::size_t i, std::string_view word) {
        if (i + word.size() > name.size())
            return false;
        for (std::size_t k = 1; k < word.size(); ++k)  // word[0] already matched
            if (lower(name[i + k]) != word[k])
                return false;
        return true;
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        switch (lower(name[i])) {
            case 't':
                if (at(i, "token"sv))
                    return true;
                break;
            case 's':
                if (at(i, "signature"sv) || at(i, "secret"sv) || at(i, "session"sv))
                    return true;
                break;
            case 'p':
                if (at(i, "password"sv))
                    return true;
                break;
            case 'c':
                if (at(i, "credential"sv))
                    return true;
                break;
            case 'a':
                if (at(i, "api-key"sv) || at(i, "apikey"sv) || at(i, "api_key"sv))
                    return true;
                break;
            default:
                break;
        }
    }
    return false;
}

/// The target with the value of each secret-looking query parameter (by the
/// same rule as headers) replaced by `***`.
inline std::string redact_target(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return std::string(target);
    std::string out(target.substr(0, q + 1));
    std::string_view rest = target.substr(q + 1);
    bool first = true;
    while (true) {
        auto amp = rest.find('&');
        std::string_view param = rest.substr(0, amp);
        if (!first)
            out += '&';
        first = false;
        auto eq = param.find('=');
        if (eq != std::string_view::npos && is_secret_header(param.substr(0, eq)))
            out.append(param.substr(0, eq + 1)).append("***");
        else
            out.append(param);
        if (amp == std::string_view::npos)
            break;
        rest = rest.substr(amp + 1);
    }
    return out;
}

/// `s` with every byte that is not part of well-formed UTF-8 replaced by
/// '?', and nothing else changed: what the journal captured raw (bodies,
/// header values) stays valid in a JSON answer.
inline void append_json_safe(std::string& r, std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80                 ? 1
                        : c >= 0xc2 && c <= 0xdf ? 2
                        : c >= 0xe0 && c <= 0xef ? 3
                        : c >= 0xf0 && c <= 0xf4 ? 4
                                                 : 0;
        if (n > 1) {
            bool ok = i + n <= s.size();
            for (std::size_t k = 1; ok && k < n; ++k)
                ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
            auto const b1 = ok ? static_cast<unsigned char>(s[i + 1]) : 0;
            ok = ok && !(c == 0xe0 && b1 < 0xa0) && !(c == 0xed && b1 > 0x9f) &&
                 !(c == 0xf0 && b1 < 0x90) && !(c == 0xf4 && b1 > 0x8f);
            if (!ok)
                n = 0;
        }
        if (n == 0) {
            r += '?';
            ++i;
        } else {
            r.append(s.substr(i, n));
            i += n;
        }
    }
}

/// `s` with every byte that is not part of well-formed UTF-8 replaced by
/// '?', and nothing else changed.
inline std::string json_safe(std::string_view s) {
    std::string r;
    r.reserve(s.size());
    append_json_safe(r, s);
    return r;
}

/// One side of an exchange as the journal keeps it.
struct journal_message {
    /// The headers packed as "name: value\n" lines, secrets already redacted:
    /// one allocation per message instead of one per header.
    std::string packed_headers;
    /// The body (perhaps cut); null when there was none.
    std::shared_ptr<std::string const> body;
    /// The body's full size in bytes, before any cut.
    std::size_t body_size = 0;
    /// True when `body` holds only the first journal_limits::max_body_bytes.
    bool body_truncated = false;

    /// The headers, in order.
    std::vector<journal_header> headers() const {
        std::vector<journal_header> out;
        std::string_view s = packed_headers;
        while (!s.empty()) {
            auto nl = s.find('\n');
            std::string_view line = s.substr(0, nl);
            auto colon = line.find(": ");
            out.push_back({std::string(line.substr(0, colon)),
                           colon == std::string_view::npos ? std::string()
                                                           : std::string(line.substr(colon + 2))});
            s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
        }
        return out;
    }

    /// The first header of that name (case-insensitive), if any.
    std::optional<std::string> header(std::string_view name) const {
        for (auto& h : headers())
            if (iequals(h.name, name))
                return h.value;
        return std::nullopt;
    }

    /// The body as text ("" when there was none).
    std::string_view body_text() const { return body ? std::string_view(*body) : ""; }

    /// Case-insensitive ASCII comparison of header names.
    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size())
            return false;
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        for (std::size_t i = 0; i < a.size(); ++i)
            if (lower(a[i]) != lower(b[i]))
                return false;
        return true;
    }
};

/// Everything the journal knows about one /v1 request.
struct journal_record {
    std::uint64_t seq = 0;                 ///< 1, 2, 3... in the order the requests were handled
    std::string method;                    ///< as received, e.g. "POST"
    std::string target;                    ///< path and query, secret-looking query values redacted
    int status = 0;                        ///< 0 when a `reset` fault dropped the connection
    std::optional<std::string> domain_id;  ///< the caller, when its token was known
    std::optional<std::string> account;    ///< the caller's account name
    std::string request_id;                ///< the answer's X-Request-Id
    std::optional<std::string> idempotency_key;  ///< the Idempotency-Key header, if any
    /// "status", "reset" or "delay" when an injected fault shaped the answer
    /// (such an answer is the mock's, not the provider's: Pact leaves it out).
    std::string fault;
    std::chrono::system_clock::time_point started_at{};  ///< when handling began
    std::chrono::microseconds duration{0};               ///< handling time, without injected delays
    journal_message request;                             ///< what the client sent
    journal_message response;  ///< what the mock answered (empty when status is 0)
    /// The gallery as it was just before the request (a state document
    /// without tokens), when server_options::record_provider_states is on;
    /// shared by all the entries that saw the same state.
    std::shared_ptr<std::string const> state_before;

    /// The path part of the target.
    std::string_view path() const {
        return std::string_view(target).substr(0, std::string_view(target).find('?'));
    }

    /// Bytes this entry holds, counted generously (the bound must hold).
    std::size_t footprint() const {
        constexpr std::size_t shared_block = 48;  // make_shared's control block and header
        auto str = [](std::string const& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
        auto opt = [&](std::optional<std::string> const& s) { return s ? str(*s) : 0; };
        auto msg = [&](journal_message const& m) {
            return str(m.packed_headers) + (m.body ? m.body->capacity() + shared_block : 0);
        };
        return sizeof(journal_record) + 2 * sizeof(void*) + str(method) + str(target) +
               opt(domain_id) + opt(account) + str(request_id) + opt(idempotency_key) + str(fault) +
               msg(request) + msg(response) +
               (state_before ? state_before->capacity() + shared_block : 0);
    }
};

/// Which entries a reader wants: every given criterion must hold.
struct journal_filter {
    std::optional<std::string> method{};       ///< exact, e.g. "POST"
    std::optional<std::string> path_prefix{};  ///< on the path, e.g. "/v1/aihub/contents"
    std::optional<int> status{};               ///< exact status, e.g. 404
    std::optional<int> status_class{};         ///< 1 to 5, from "4xx"

    /// Whether an entry passes every given criterion.
    bool matches(journal_record const& r) const { return matches(r.method, r.path(), r.status); }

    /// Whether an entry with this method, path (no query) and status passes
    /// every given criterion.
    bool matches(std::string_view entry_method, std::string_view path, int entry_status) const {
        if (method && entry_method != *method)
            return false;
        if (path_prefix && !path.starts_with(*path_prefix))
            return false;
        if (status && entry_status != *status)
            return false;
        if (status_class && entry_status / 100 != *status_class)
            return false;
        return true;
    }

    /// Reads `method`, `path_prefix` and `status` (a code such as 404 or a
    /// class such as 4xx) from query parameters; any other name is refused
    /// unless listed in `also_allowed`. Throws gallery_error 400 naming the
    /// parameter and value.
    static journal_filter from_query(std::vector<std::pair<std::string, std::string>> const& q,
                                     std::vector<std::string_view> const& also_allowed = {}) {
        journal_filter f;
        auto bad = [](std::string const& k, std::string const& v, std::string_view why) {
            throw gallery_error(errc::bad_request, "query parameter '" + k + "' = '" +
                                                       printable(v) + "': " + std::string(why));
        };
        std::vector<std::string> seen;
        for (auto const& [k, v] : q) {
            for (auto const& s : seen)
                if (s == k)
                    bad(k, v, "given more than once");
            seen.push_back(k);
            if (k == "method") {
                if (v.empty() ||
                    v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
                    bad(k, v, "must be an upper-case HTTP method such as POST");
                f.method = v;
            } else if (k == "path_prefix") {
                if (!v.starts_with('/'))
                    bad(k, v, "must start with '/'");
                f.path_prefix = v;
            } else if (k == "status") {
                if (v.size() == 3 && v[0] >= '1' && v[0] <= '5' && v.substr(1) == "xx")
                    f.status_class = v[0] - '0';
                else if (v.size() == 3 && v.find_first_not_of("0123456789") == std::string::npos &&
                         v[0] != '0')
                    f.status = std::stoi(v);
                else if (v == "0")
                    f.status = 0;
                else
                    bad(k, v, "must be a status such as 404, a class such as 4xx, or 0");
            } else {
                bool allowed = false;
                for (auto a : also_allowed)
                    allowed = allowed || a == k;
                if (!allowed)
                    bad(k, v, "unknown query parameter");
            }
        }
        return f;
    }
};

/// Counters a reader can show next to the entries.
struct journal_stats {
    std::size_t entries = 0;     ///< kept now
    std::size_t bytes = 0;       ///< held now: entries, spare buffer and free slots
    std::uint64_t dropped = 0;   ///< pushed out by the bounds since the last clear
    std::uint64_t recorded = 0;  ///< ever recorded since the last clear
};

/// What the service hands the journal about one exchange; every view must
/// stay valid for the duration of journal_ring::add().
struct journal_capture {
    std::string_view method;                             ///< as received
    std::string_view target;                             ///< as received
    std::string_view request_id;                         ///< the answer's X-Request-Id
    std::string_view fault;                              ///< "" when no fault shaped the answer
    std::optional<std::string_view> domain_id;           ///< the caller, when known
    std::optional<std::string_view> account;             ///< the caller's account name
    std::optional<std::string_view> idempotency_key;     ///< the header, as received
    int status = 0;                                      ///< 0: the connection was reset
    std::chrono::system_clock::time_point started_at{};  ///< when handling began
    std::chrono::microseconds duration{0};               ///< handling time, without injected delays
    std::shared_ptr<std::string const> state_before;     ///< with record_provider_states
};

/// A thread-safe ring of journal entries, bounded by entries and by bytes.
///
/// Serving pays for one copy of what it records and, once the ring is full
/// and entries are of like size, no allocation: an entry is kept as one
/// string holding all its text (the fields back to back), in a slot of an
/// array that the newest entry takes over from the oldest, reusing the
/// oldest one's string when it is not much larger than needed (so one large
/// body does not leave oversized buffers behind). The byte bound counts the
/// entries, that one spare buffer and the unused slots. A journal_record,
/// with its separate strings, is built only when read, and only for the
/// entries the reader's filter passes.
class journal_ring {
public:
    /// An empty journal with these bounds.
    explicit journal_ring(journal_limits limits = {}) : limits_(limits) {}

    /// The bounds given at construction.
    journal_limits const& limits() const noexcept { return limits_; }

    /// Records one exchange (numbering it), dropping the oldest entries while a
    /// bound is exceeded; an entry larger than max_bytes on its own is kept
    /// alone. `response` is null when the connection was reset. Header values
    /// that are secrets are kept as `***`, secret-looking query values too.
    template <class RequestFields, class ResponseFields>
    void add(journal_capture const& c, RequestFields const& request, std::string_view request_body,
             ResponseFields const* response, std::string_view response_body) {
        if (limits_.max_entries == 0) {
            std::lock_guard lock(mutex_);
            ++recorded_;
            ++dropped_;
            return;
        }
        entry e;
        {
            std::lock_guard lock(mutex_);
            bytes_ -= string_cost(spare_);
            e.text.swap(spare_);  // a dropped entry's buffer, when there is one
        }
        std::size_t const need = c.method.size() + c.target.size() + c.request_id.size() +
                                 c.fault.size() + c.domain_id.value_or("").size() +
                                 c.account.value_or("").size() +
                                 c.idempotency_key.value_or("").size() + headers_size(request) +
                                 (response ? headers_size(*response) : 0) +
                                 std::min(request_body.size(), limits_.max_body_bytes) +
                                 std::min(response_body.size(), limits_.max_body_bytes) + 16;
        if (e.text.capacity() > 2 * need + 1024)
            std::string().swap(e.text);  // far too large: reusing it would hold memory idle
        e.text.clear();
        e.text.reserve(need);
        std::size_t field = 0;
        auto mark = [&] { e.at[++field] = static_cast<std::uint32_t>(e.text.size()); };
        append_printable(e.text, c.method);
        mark();
        append_target(e.text, c.target);
        mark();
        e.text.append(c.domain_id.value_or(""));
        mark();
        e.text.append(c.account.value_or(""));
        mark();
        e.text.append(c.request_id);
        mark();
        if (c.idempotency_key)
            append_json_safe(e.text, *c.idempotency_key);
        mark();
        e.text.append(c.fault);
        mark();
        append_headers(e.text, request);
        mark();
        e.text.append(request_body.substr(0, limits_.max_body_bytes));
        mark();
        if (response)
            append_headers(e.text, *response);
        mark();
        if (response)
            e.text.append(response_body.substr(0, limits_.max_body_bytes));
        mark();
        e.flags = (c.domain_id ? has_domain_id : 0) | (c.account ? has_account : 0) |
                  (c.idempotency_key ? has_idempotency_key : 0) | (response ? has_response : 0);
        e.status = c.status;
        e.request_body_size = request_body.size();
        e.response_body_size = response ? response_body.size() : 0;
        e.started_at = c.started_at;
        e.duration = c.duration;
        e.state_before = c.state_before;
        e.footprint = sizeof(entry) + string_cost(e.text) +
                      (e.state_before ? e.state_before->capacity() + shared_block : 0);

        std::string freed;  // an old spare buffer, released after the lock
        std::lock_guard lock(mutex_);
        e.seq = ++recorded_;
        auto const over = [&] { return held_after_adding(e.footprint) > limits_.max_bytes; };
        while (count_ > 0 && (count_ >= limits_.max_entries || over())) {
            // Slots grown for many small entries are themselves part of the
            // byte bound: give the idle ones back before dropping entries
            // for a large one (at most twice the slots in use are kept).
            std::size_t const fewer = std::max<std::size_t>(16, 2 * (count_ + 1));
            if (count_ < limits_.max_entries && slots_.capacity() > fewer) {
                shrink_slots(fewer);
                continue;
            }
            drop_oldest(freed);
        }
        if (over()) {
            bytes_ -= string_cost(spare_);  // alone and still too large: no spare either
            std::string().swap(spare_);
            if (slots_.capacity() > 1)
                shrink_slots(1);
        }
        if (count_ == slots_.size()) {
            // Room for one more slot, oldest first again so the ring can grow.
            std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_),
                        slots_.end());
            head_ = 0;
            if (slots_.size() == slots_.capacity())
                slots_.reserve(grown_capacity());
            slots_.emplace_back();
        }
        bytes_ += e.footprint;
        slots_[(head_ + count_) % slots_.size()] = std::move(e);
        ++count_;
    }

    /// The kept entries that pass the filter, oldest first. The lock is held
    /// only to copy the matching entries' packed text; the records are built
    /// after it, so a large read does not hold up serving for long.
    std::vector<journal_record> entries(journal_filter const& f = {}) const {
        std::vector<entry> picked;
        {
            std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < count_; ++i) {
                auto const& e = slots_[(head_ + i) % slots_.size()];
                auto target = e.get(f_target);
                if (f.matches(e.get(f_method), target.substr(0, target.find('?')), e.status))
                    picked.push_back(e);
            }
        }
        std::vector<journal_record> out;
        out.reserve(picked.size());
        for (auto const& e : picked)
            out.push_back(e.record(limits_.max_body_bytes));
        return out;
    }

    /// Entries and bytes held now, and how many were dropped or recorded.
    journal_stats stats() const {
        std::lock_guard lock(mutex_);
        return {count_, bytes_ + unused_slots_cost(slots_.capacity(), count_), dropped_, recorded_};
    }

    /// Forgets every entry and gives the memory back: the slots and their
    /// buffers are released (not kept for reuse) and, with glibc, free pages
    /// are returned to the system.
    void clear() {
        std::vector<entry> gone;
        std::string spare;
        {
            std::lock_guard lock(mutex_);
            gone.swap(slots_);
            spare.swap(spare_);
            head_ = count_ = bytes_ = 0;
            dropped_ = 0;
            recorded_ = 0;
        }
        gone = {};
        spare = {};
#if defined(__GLIBC__)
        ::malloc_trim(0);
#endif
    }

    /// Packs a Beast header block ("name: value\n" per field) the way the
    /// journal keeps it, a secret's value as `***`.
    template <class Fields>
    static void append_headers(std::string& s, Fields const& fields) {
        for (auto const& f : fields) {
            s.append(f.name_string().data(), f.name_string().size()).append(": ");
            if (is_secret_field(static_cast<unsigned>(f.name()), f.name_string()))
                s.append("***");
            else
                s.append(f.value().data(), f.value().size());
            s += '\n';
        }
    }

private:
    /// is_secret_header() of a field Beast knows by number (`id`, 0 for
    /// one it does not), remembered per number: every request names the
    /// same few fields, and a known field's name is always the same word.
    template <class Name>
    static bool is_secret_field(unsigned id, Name const& name) {
        static std::array<std::atomic<unsigned char>, 1024> known{};  // 0: not yet, 1: no, 2: yes
        std::string_view const n(name.data(), name.size());
        if (id == 0 || id >= known.size())
            return is_secret_header(n);
        auto answer = known[id].load(std::memory_order_relaxed);
        if (answer == 0) {
            answer = is_secret_header(n) ? 2 : 1;
            known[id].store(answer, std::memory_order_relaxed);  // the same answer on any thread
        }
        return answer == 2;
    }

    template <class Fields>
    static std::size_t headers_size(Fields const& fields) {
        std::size_t n = 0;
        for (auto const& f : fields)
            n += f.name_string().size() + f.value().size() + 3;
        return n;
    }

    static constexpr std::size_t shared_block = 48;  // make_shared's control block and header
    enum : std::uint8_t {
        has_domain_id = 1,
        has_account = 2,
        has_idempotency_key = 4,
        has_response = 8,
    };
    enum field : std::size_t {
        f_method,
        f_target,
        f_domain_id,
        f_account,
        f_request_id,
        f_idempotency_key,
        f_fault,
        f_request_headers,
        f_request_body,
        f_response_headers,
        f_response_body,
        field_count
    };

    struct entry {
        std::string text;                                 // every field, back to back
        std::array<std::uint32_t, field_count + 1> at{};  // field i is text[at[i], at[i + 1])
        std::uint64_t seq = 0;
        int status = 0;
        std::uint8_t flags = 0;
        std::size_t request_body_size = 0;
        std::size_t response_body_size = 0;
        std::size_t footprint = 0;
        std::chrono::system_clock::time_point started_at{};
        std::chrono::microseconds duration{0};
        std::shared_ptr<std::string const> state_before;

        std::string_view get(field f) const {
            return std::string_view(text).substr(at[f], at[f + 1] - at[f]);
        }

        journal_record record(std::size_t max_body) const {
            journal_record r;
            r.seq = seq;
            r.method = get(f_method);
            r.target = get(f_target);
            r.status = status;
            if (flags & has_domain_id)
                r.domain_id = std::string(get(f_domain_id));
            if (flags & has_account)
                r.account = std::string(get(f_account));
            r.request_id = get(f_request_id);
            if (flags & has_idempotency_key)
                r.idempotency_key = std::string(get(f_idempotency_key));
            r.fault = get(f_fault);
            r.started_at = started_at;
            r.duration = duration;
            auto message = [&](field headers, field body, std::size_t size) {
                journal_message m;
                m.packed_headers = get(headers);
                m.body_size = size;
                m.body_truncated = size > max_body;
                if (size > 0)
                    m.body = std::make_shared<std::string const>(get(body));
                return m;
            };
            r.request = message(f_request_headers, f_request_body, request_body_size);
            if (flags & has_response)
                r.response = message(f_response_headers, f_response_body, response_body_size);
            r.state_before = state_before;
            return r;
        }
    };

    // Heap bytes a string holds (none while its text fits inline).
    static std::size_t string_cost(std::string const& s) {
        return s.capacity() > 15 ? s.capacity() + 1 : 0;
    }
    // What the slots not holding one of `used` entries cost, at that capacity.
    static std::size_t unused_slots_cost(std::size_t capacity, std::size_t used) {
        return capacity > used ? (capacity - used) * sizeof(entry) : 0;
    }
    // Under mutex_: the slot count the ring grows to when every slot is taken.
    std::size_t grown_capacity() const {
        return std::min(std::max<std::size_t>(16, 2 * slots_.size()),
                        std::max(limits_.max_entries, slots_.size() + 1));
    }
    // Under mutex_: what the journal would hold with one more entry of this
    // footprint, counting the slots it would have then.
    std::size_t held_after_adding(std::size_t footprint) const {
        std::size_t capacity = slots_.capacity();
        if (count_ == slots_.size() && slots_.size() == capacity)
            capacity = grown_capacity();
        return bytes_ + footprint + unused_slots_cost(capacity, count_ + 1);
    }
    // Under mutex_: forgets the oldest entry, keeping its buffer as the spare
    // for the next one. The spare it replaces moves to `freed` (released
    // after the lock); when one add() drops several entries, the earlier
    // spares are released here, under the lock.
    void drop_oldest(std::string& freed) {
        auto& oldest = slots_[head_];
        bytes_ -= oldest.footprint;
        bytes_ -= string_cost(spare_);
        freed.swap(spare_);
        spare_ = std::move(oldest.text);
        bytes_ += string_cost(spare_);
        oldest = entry{};
        head_ = (head_ + 1) % slots_.size();
        --count_;
        ++dropped_;
    }

    // Under mutex_: moves the kept entries, oldest first, into slots of
    // exactly `capacity` (more than count_), releasing the old ones.
    void shrink_slots(std::size_t capacity) {
        std::vector<entry> fresh;
        fresh.reserve(capacity);
        for (std::size_t i = 0; i < count_; ++i)
            fresh.push_back(std::move(slots_[(head_ + i) % slots_.size()]));
        slots_.swap(fresh);
        head_ = 0;
    }

    // As printable(s, s.size()): a method is short and almost always plain.
    static void append_printable(std::string& out, std::string_view s) {
        if (is_plain(s))
            out.append(s);
        else
            out.append(printable(s, s.size()));
    }
    // As redact_target(printable(t, t.size())).
    static void append_target(std::string& out, std::string_view t) {
        if (is_plain(t, plain_target_bytes))
            out.append(t);
        else
            out.append(redact_target(printable(t, t.size())));
    }
    // One flag per byte: visible ASCII, which printable() leaves as it is.
    static constexpr std::array<bool, 256> plain_bytes = [] {
        std::array<bool, 256> ok{};
        for (int c = 0x21; c < 0x7f; ++c)
            ok[static_cast<std::size_t>(c)] = c != '\\' && c != '\'' && c != '"';
        return ok;
    }();
    // The same, but '?': a target without a query has nothing to redact.
    static constexpr std::array<bool, 256> plain_target_bytes = [] {
        auto ok = plain_bytes;
        ok['?'] = false;
        return ok;
    }();
    static bool is_plain(std::string_view s, std::array<bool, 256> const& ok = plain_bytes) {
        for (char c : s)
            if (!ok[static_cast<unsigned char>(c)])
                return false;
        return true;
    }

    journal_limits limits_;
    mutable std::mutex mutex_;
    std::vector<entry> slots_;  // a ring: the oldest of count_ entries is slots_[head_]
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    std::string spare_;      // the buffer of the last entry dropped, for the next one
    std::size_t bytes_ = 0;  // the entries' footprints (their slots included) and spare_'s buffer
    std::uint64_t dropped_ = 0;
    std::uint64_t recorded_ = 0;
};

/// 2026-11-26T07:15:02.123Z: HAR and the journal's JSON want milliseconds;
/// the rest is the mock's one RFC 3339 formatter (clock.hpp).
inline std::string format_rfc3339_ms(std::chrono::system_clock::time_point t) {
    auto const secs = std::chrono::floor<std::chrono::seconds>(t);
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
    std::string s = format_rfc3339(secs);
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
    s.insert(s.size() - 1, frac);
    return s;
}

/// One entry as GET /__mock/journal shows it; members without a value are
/// omitted (never null), like the rest of the control API.
inline boost::json::object to_json(journal_record const& r) {
    auto message = [](journal_message const& m) {
        boost::json::array headers;
        for (auto& h : m.headers())
            headers.push_back(
                boost::json::object{{"name", json_safe(h.name)}, {"value", json_safe(h.value)}});
        boost::json::object o{{"headers", std::move(headers)},
                              {"body_size", m.body_size},
                              {"body_truncated", m.body_truncated}};
        if (m.body)
            o["body"] = json_safe(m.body_text());
        return o;
    };
    boost::json::object o{{"seq", r.seq},
                          {"method", r.method},
                          {"target", r.target},
                          {"status", r.status},
                          {"request_id", r.request_id},
                          {"started_at", format_rfc3339_ms(r.started_at)},
                          {"duration_us", r.duration.count()},
                          {"request", message(r.request)}};
    if (r.status != 0)
        o["response"] = message(r.response);
    if (r.domain_id)
        o["domain_id"] = *r.domain_id;
    if (r.account)
        o["account"] = *r.account;
    if (r.idempotency_key)
        o["idempotency_key"] = *r.idempotency_key;
    if (!r.fault.empty())
        o["fault"] = r.fault;
    return o;
}

}  // namespace aigallery::mock
