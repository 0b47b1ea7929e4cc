// The mock gallery's state and every rule of docs/semantics.md, as pure code: no
// I/O, no locking (the service serializes access). Each operation checks all
// it must in the contract's order before it changes anything, so a refused
// request changes nothing.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/compact.hpp>
#include <aigallery/mock/json_writer.hpp>
#include <aigallery/validation.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/wire.hpp>

#include <boost/container/flat_set.hpp>
#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ranked_index.hpp>
#include <boost/multi_index_container.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace aigallery::mock {

enum class content_type { workflow, algorithm };

constexpr std::string_view to_string(content_type t) noexcept {
    return t == content_type::workflow ? "workflow" : "algorithm";
}
constexpr std::optional<content_type> parse_content_type(std::string_view s) noexcept {
    if (s == "workflow")
        return content_type::workflow;
    if (s == "algorithm")
        return content_type::algorithm;
    return std::nullopt;
}

/// An account of the mock gallery: a tenant, with its token.
struct account {
    /// The name it was created with (unique).
    std::string name;
    /// Its 32-hex-character id.
    std::string domain_id;
    /// Its X-Auth-Token.
    std::string token;
    /// Its access key (AK), for SDK-HMAC-SHA256 signatures.
    std::string access_key;
    /// Its secret key (SK); the mock's accounts are test accounts, so it is kept.
    std::string secret_key;
};

/// One version of one asset, as a dependency or index key.
struct version_key {
    /// The asset.
    std::string content_id;
    /// The version.
    version_number num;
    /// Ordered by asset, then version.
    friend auto operator<=>(version_key const&, version_key const&) = default;
    /// Same asset and version.
    friend bool operator==(version_key const&, version_key const&) = default;
};

/// One stored version. A million of them take some 210 bytes each, index
/// entries included (docs/benchmarks.md): the id in 16 bytes, the
/// dependencies shared with the version before when equal, an empty source
/// in one pointer, and the members ordered to leave no padding.
struct version_record {
    /// Its opaque id.
    compact_id version_id;
    /// Its number.
    version_number num;
    /// Its visibility.
    visibility vis = visibility::private_;
    /// Its description.
    std::string desc;
    std::vector<std::string> group_users;  ///< sorted, unique, without the owner
    /// The algorithm versions it runs (workflows only).
    shared_list<version_key> dependencies;
    /// Its source object, as published.
    shared_object source;
    /// When it was published.
    time_point created_at;
};

/// An asset's existing versions in ascending order. The records sit in one
/// vector; past a handful of versions their numbers are kept side by side
/// in another, 12 bytes each. When the lowest and highest differ only in their
/// patch, finding one first guesses its position from where its patch lies
/// between theirs (exact for an unbroken run of patch bumps) and checks the
/// numbers near the guess; otherwise, or if that fails, it binary-searches
/// them all (search_numbers()); a tree chased a node per level across the
/// heap. A version costs its record (and its number), no node; an asset of a
/// few versions has one vector and searches its records directly. New
/// versions are above every stored one and are appended; erasing one, or
/// inserting below the highest, moves the records above it: O(versions of
/// this asset). Iterators and references are invalidated by emplace and erase.
class version_table {
public:
    /// Ascending by number.
    using iterator = std::vector<version_record>::iterator;
    /// Ascending by number.
    using const_iterator = std::vector<version_record>::const_iterator;
    /// Up to this many versions, no separate numbers are kept.
    static constexpr std::size_t small = 16;

    /// How many versions it holds.
    std::size_t size() const noexcept { return records_.size(); }
    /// Whether it holds none.
    bool empty() const noexcept { return records_.empty(); }
    /// Forgets every version.
    void clear() noexcept {
        records_.clear();
        nums_.clear();
    }

    /// The lowest version.
    iterator begin() noexcept { return records_.begin(); }
    /// Past the highest version.
    iterator end() noexcept { return records_.end(); }
    /// The lowest version.
    const_iterator begin() const noexcept { return records_.begin(); }
    /// Past the highest version.
    const_iterator end() const noexcept { return records_.end(); }
    /// The highest version first.
    auto rbegin() const noexcept { return records_.rbegin(); }
    /// Past the lowest version.
    auto rend() const noexcept { return records_.rend(); }
    /// The highest version; the table must not be empty.
    version_record const& highest() const { return records_.back(); }

    /// The version numbered `num`, or end().
    iterator find(version_number num) noexcept { return begin() + index_of(num); }
    /// The version numbered `num`, or end().
    const_iterator find(version_number num) const noexcept { return begin() + index_of(num); }
    /// 1 when it holds version `num`, else 0.
    std::size_t count(version_number num) const noexcept { return find(num) != end() ? 1 : 0; }
    /// The version numbered `num`; throws std::out_of_range when there is none.
    version_record const& at(version_number num) const {
        auto it = find(num);
        if (it == end())
            throw std::out_of_range("aigallery::mock::version_table::at: no version " +
                                    num.to_string());
        return *it;
    }

    /// Adds `v` under `v.num` unless that number is held: the record and
    /// true, or the one held and false.
    std::pair<iterator, bool> emplace(version_record v) {
        // A new version is nearly always the highest: it goes at the end
        // with no search (a binary search of a million numbers misses the
        // cache on its last steps).
        auto const i = empty() || records_.back().num < v.num ? size() : lower_bound(v.num);
        if (i < size() && records_[i].num == v.num)
            return {begin() + static_cast<std::ptrdiff_t>(i), false};
        auto const num = v.num;
        auto const at = records_.insert(begin() + static_cast<std::ptrdiff_t>(i), std::move(v));
        try {
            if (!nums_.empty())
                nums_.insert(nums_.begin() + static_cast<std::ptrdiff_t>(i), num);
            else if (size() > small)
                index_numbers();
        } catch (...) {
            nums_.clear();  // a search falls back to the records
            records_.erase(at);
            throw;
        }
        return {at, true};
    }

    /// Removes the version `it` points at; returns the one after it.
    iterator erase(const_iterator it) {
        auto const i = it - records_.cbegin();
        if (!nums_.empty())
            nums_.erase(nums_.begin() + i);
        return records_.erase(it);
    }

private:
    // Where `num` is or would go: in the numbers when they are kept, else
    // in the records themselves (a handful, in one or two cache lines each).
    std::size_t lower_bound(version_number num) const noexcept {
        if (!nums_.empty())
            return search_numbers(num);
        if (!records_.empty() && records_.back().num < num)
            return records_.size();  // the usual publish: a new highest
        return static_cast<std::size_t>(
            std::lower_bound(records_.begin(), records_.end(), num,
                             [](version_record const& r, version_number n) { return r.num < n; }) -
            records_.begin());
    }

    // lower_bound() in the numbers. A binary search of a million of them
    // misses the cache on its last five or so steps, which costs more than
    // the rest of a GET. When the lowest and the highest share their major
    // and minor parts (a history of patch bumps), the numbers are spread
    // almost evenly between them, an unbroken run exactly so; the position
    // is then first guessed from where `num`'s patch lies between theirs.
    // Right, it costs the one record a find() reads anyway; near (versions
    // deleted), a search of the numbers around the guess; else the whole
    // binary search. Any other history goes straight to the binary search:
    // one bump of the minor part leaves patch numbers no guide to position.
    std::size_t search_numbers(version_number num) const noexcept {
        auto const n = nums_.size();
        auto const first = nums_.begin();
        auto const low = nums_.front();
        auto const high = nums_.back();
        if (!(low < num))
            return 0;
        if (high < num)
            return n;
        auto const everywhere = [&] {
            return static_cast<std::size_t>(std::lower_bound(first, nums_.end(), num) - first);
        };
        // Here low < num <= high, so n >= 2 and high's patch is above low's.
        if (low.major_part() != high.major_part() || low.minor_part() != high.minor_part())
            return everywhere();
        double const at = static_cast<double>(num.patch_part() - low.patch_part()) /
                          static_cast<double>(high.patch_part() - low.patch_part()) *
                          static_cast<double>(n - 1);
        auto const guess = std::min(static_cast<std::size_t>(at + 0.5), n - 1);
        if (records_[guess].num == num)
            return guess;
        constexpr std::size_t reach = 32;  // numbers each side: 768 bytes
        std::size_t const lo = guess > reach ? guess - reach : 0;
        std::size_t const hi = std::min(n, guess + reach + 1);
        // The answer is in [lo, hi] when every number before lo is below
        // `num` and the one at hi (if any) is not.
        if ((lo == 0 || nums_[lo - 1] < num) && (hi == n || !(nums_[hi] < num)))
            return static_cast<std::size_t>(
                std::lower_bound(first + static_cast<std::ptrdiff_t>(lo),
                                 first + static_cast<std::ptrdiff_t>(hi), num) -
                first);
        return everywhere();
    }

    std::ptrdiff_t index_of(version_number num) const noexcept {
        auto const i = lower_bound(num);
        return static_cast<std::ptrdiff_t>(i < size() && records_[i].num == num ? i : size());
    }

    void index_numbers() {
        nums_.reserve(records_.capacity());
        for (auto const& r : records_)
            nums_.push_back(r.num);
    }

    std::vector<version_record> records_;
    std::vector<version_number> nums_;  // empty, or records_[i].num for every i
};

/// One stored asset with its existing versions.
struct asset_record {
    /// Its id.
    std::string content_id;
    /// Workflow or algorithm.
    content_type type = content_type::workflow;
    /// Its title (unique per owner and type).
    std::string title;
    /// The owner's domain_id.
    std::string owner;
    /// When its first version was published.
    time_point created_at;
    /// When it last changed.
    time_point updated_at;
    version_number highest_ever;  ///< the base of every bump; the ETag
    version_table versions;       ///< the existing ones
    /// How many of its versions are public (for the public index).
    int public_versions = 0;
};

/// GET /v1/aihub/contents query, already validated.
struct list_query {
    /// The three listings.
    enum class scope_kind { mine, shared, public_ };
    /// Which listing: mine, shared or public.
    scope_kind scope = scope_kind::mine;
    /// Only this content type, when set.
    std::optional<content_type> type;
    /// Only this exact title, when set.
    std::optional<std::string> title;
    /// Only the asset published from this local algorithm (mine).
    std::optional<std::string> source_algorithm_id;
    /// Items to skip.
    std::uint64_t offset = 0;
    /// Items to return at most.
    std::uint64_t limit = 20;
    bool by_title = false;  ///< sort_key=title; else created_at
    /// Ascending order, else descending.
    bool ascending = false;
};

/// The whole gallery and every rule of docs/semantics.md, as pure code; each operation checks
/// everything before it changes anything. Not thread-safe: service serializes access.
class gallery_state {
public:
    /// Where an asset lives: its content_uri is this and its content_id.
    static constexpr std::string_view contents_path = "/v1/aihub/contents/";

    /// An empty gallery; `seed` makes ids reproducible, `clock` fixes the time.
    explicit gallery_state(std::optional<std::uint64_t> seed = std::nullopt,
                           std::function<time_point()> clock = {})
        : ids_(seed),
          // A stream of its own, so that adding keys did not change the ids a seed gives.
          key_ids_(seed ? std::optional<std::uint64_t>(*seed ^ 0x6b65797300000008ull)
                        : std::nullopt),
          clock_(std::move(clock)) {
        if (!clock_)
            clock_ = [] {
                return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
            };
    }

    // Not copied: the listing indexes point at the asset records. A move
    // keeps them valid (the records' nodes move with the map).
    gallery_state(gallery_state const&) = delete;
    gallery_state& operator=(gallery_state const&) = delete;
    /// Takes over `other`'s records, indexes and generators.
    gallery_state(gallery_state&& other) = default;
    /// Takes over `other`'s records, indexes and generators.
    gallery_state& operator=(gallery_state&& other) = default;

    /// A gallery with no accounts and no assets that goes on drawing ids
    /// where this one's generators are, on the same clock (what an import of
    /// a whole state starts from).
    gallery_state empty_like() const {
        gallery_state g(0, clock_);
        g.ids_ = ids_;
        g.key_ids_ = key_ids_;
        return g;
    }

    // ---- accounts -------------------------------------------------------------

    /// The account of that name, created if new.
    account const& add_account(std::string const& name) {
        if (auto it = accounts_by_name_.find(name); it != accounts_by_name_.end())
            return it->second;
        // A seeded generator restarts with the process: never hand out a
        // domain_id or token that a loaded account already has.
        account a;
        do
            a = account{name, ids_.hex(32), "tok-" + ids_.hex(40), {}, {}};
        while (name_by_token_.count(a.token) ||
               std::any_of(accounts_by_name_.begin(), accounts_by_name_.end(),
                           [&](auto const& x) { return x.second.domain_id == a.domain_id; }));
        give_keys(a);
        return insert_account(std::move(a));
    }

    /// The account of this name, if any.
    account const* account_by_name(std::string const& name) const {
        auto it = accounts_by_name_.find(name);
        return it == accounts_by_name_.end() ? nullptr : &it->second;
    }

    /// The account whose access key this is, if any.
    account const* account_by_access_key(std::string_view access_key) const {
        auto it = name_by_access_key_.find(access_key);
        return it == name_by_access_key_.end() ? nullptr : &accounts_by_name_.at(it->second);
    }

    /// The account a token belongs to, or null.
    account const* account_by_token(std::string_view token) const {
        auto it = name_by_token_.find(token);
        return it == name_by_token_.end() ? nullptr : &accounts_by_name_.at(it->second);
    }

    /// Every account, by name.
    std::vector<account> accounts() const {
        std::vector<account> r;
        for (auto const& [_, a] : accounts_by_name_)
            r.push_back(a);
        return r;
    }

    /// Forgets every asset and version, keeps the accounts.
    void clear_assets() {
        assets_.clear();
        titles_.clear();
        dependents_.clear();
        shared_.clear();
        algorithm_ids_.clear();
        mine_.clear();
        public_.clear();
    }

    /// The id generator (seeded or random).
    id_generator& ids() noexcept { return ids_; }
    /// The current time, from the clock.
    time_point now() const { return clock_(); }

    // ---- publishing -------------------------------------------------------------

    /// POST /v1/aihub/contents as `caller`: a new asset at its first version.
    wire::publish_response create_content(account const& caller,
                                          wire::create_content_request const& body) {
        auto type = parse_content_type(body.content_type);
        if (!type)
            bad_field(errc::bad_request, "content_type", body.content_type,
                      "must be workflow or algorithm");
        check_title_characters(body.title);
        if (*type == content_type::algorithm && body.dependencies)
            throw gallery_error(errc::bad_request,
                                "field 'dependencies': only a workflow has dependencies");
        version_number num{1, 0, 0};
        if (body.version_num)
            num = parse_version_field("version_num", *body.version_num);
        auto deps_nums = parse_dependency_versions(body.dependencies);
        visibility vis = visibility::private_;
        if (body.visibility)
            vis = parse_visibility_field(*body.visibility);
        auto users =
            whitelist_field(vis, body.group_users, caller.domain_id, body.visibility.has_value());
        check_title(body.title);
        if (body.desc)
            check_desc(*body.desc);
        if (body.source)
            check_source(*body.source);
        auto deps = resolve_dependencies(caller, body.dependencies, deps_nums);
        refuse_taken_title(caller.domain_id, *type, body.title);
        auto v = new_record(num, body.desc, vis, std::move(users), std::move(deps), body.source);
        check_invariant_of_workflow(caller.domain_id, *type, v);

        asset_record a;
        // A seeded generator restarts with the process: never reuse a loaded id.
        do
            a.content_id = ids_.uuid();
        while (assets_.count(a.content_id));
        a.type = *type;
        a.title = body.title;
        a.owner = caller.domain_id;
        a.created_at = a.updated_at = v.created_at = now();
        a.highest_ever = num;
        v.version_id = compact_id(ids_.uuid_bytes());
        auto& stored = insert_asset(std::move(a));
        add_version(stored, std::move(v));
        return answer(stored, num);
    }

    /// POST .../versions as `caller`: a new version, checking If-Match.
    wire::publish_response create_version(account const& caller, std::string_view content_id,
                                          wire::create_version_request const& body,
                                          std::optional<version_number> if_match) {
        auto const& a = publish_version(caller, content_id, body, if_match);
        return answer(a, a.versions.highest().num);
    }

    /// The answer to a publish, as the service sends it.
    struct published_json {
        std::string body;      ///< byte for byte json_writer::to_json(create_version(...))
        std::string location;  ///< its content_uri
    };

    /// create_version(), answered straight as its JSON body and Location,
    /// without the wire structure's four strings in between (the most
    /// frequent change).
    published_json create_version_json(account const& caller, std::string_view content_id,
                                       wire::create_version_request const& body,
                                       std::optional<version_number> if_match) {
        using namespace std::string_view_literals;
        using json_writer::json_string_bound;
        using json_writer::write_json_string;
        using json_writer::write_raw;
        auto const& a = publish_version(caller, content_id, body, if_match);
        auto const& v = a.versions.highest();
        published_json r;
        r.location.reserve(contents_path.size() + a.content_id.size());
        r.location.append(contents_path).append(a.content_id);
        static constexpr auto fixed_text =
            R"({"content_id":,"version_id":,"version_num":"","content_uri":})"sv;
        r.body.resize(fixed_text.size() + json_string_bound(a.content_id.size()) +
                      id_json_bound(v.version_id) + version_number::max_text_size +
                      json_string_bound(r.location.size()));
        char* p = r.body.data();
        p = write_raw(p, "{\"content_id\":"sv);
        p = write_json_string(p, a.content_id);
        p = write_raw(p, ",\"version_id\":"sv);
        p = write_id_json(p, v.version_id);
        p = write_raw(p, ",\"version_num\":\""sv);
        p = v.num.write_to(p);
        p = write_raw(p, "\",\"content_uri\":"sv);
        p = write_json_string(p, r.location);
        *p++ = '}';
        r.body.resize(static_cast<std::size_t>(p - r.body.data()));
        return r;
    }

private:
    // create_version() without its answer: the asset, whose highest version
    // is the new one.
    asset_record const& publish_version(account const& caller, std::string_view content_id,
                                        wire::create_version_request const& body,
                                        std::optional<version_number> if_match) {
        auto& a = owned_asset(caller, content_id);
        if (body.title)
            check_title_characters(*body.title);
        if (a.type == content_type::algorithm && body.dependencies)
            throw gallery_error(errc::bad_request,
                                "field 'dependencies': only a workflow has dependencies");
        std::optional<version_number> explicit_num;
        if (body.version_num)
            explicit_num = parse_version_field("version_num", *body.version_num);
        if (body.version_num && body.bump)
            throw gallery_error(errc::bad_version, "give version_num or bump, not both");
        auto deps_nums = parse_dependency_versions(body.dependencies);
        bump_kind bump = bump_kind::patch;
        if (body.bump) {
            auto b = parse_bump(*body.bump);
            if (!b)
                bad_field(errc::bad_visibility, "bump", *body.bump,
                          "must be patch, minor or major");
            bump = *b;
        }
        // Absent visibility keeps the sharing of the highest existing version.
        version_record const& highest = a.versions.highest();
        visibility vis = highest.vis;
        if (body.visibility)
            vis = parse_visibility_field(*body.visibility);
        std::vector<std::string> users;
        if (body.visibility || body.group_users)
            users = whitelist_field(vis, body.group_users, caller.domain_id,
                                    body.visibility.has_value());
        else
            users = highest.group_users;
        if (body.title)
            check_title(*body.title);
        if (body.desc)
            check_desc(*body.desc);
        if (body.source)
            check_source(*body.source);
        auto deps = resolve_dependencies(caller, body.dependencies, deps_nums);
        if (if_match && *if_match != a.highest_ever)
            throw gallery_error(errc::precondition_failed,
                                "If-Match names " + if_match->to_string() +
                                    " but the highest version is " + a.highest_ever.to_string());
        version_number num;
        if (explicit_num) {
            if (*explicit_num <= a.highest_ever)
                throw gallery_error(errc::version_conflict,
                                    "version_num " + explicit_num->to_string() +
                                        " is not above the highest version ever published, " +
                                        a.highest_ever.to_string());
            num = *explicit_num;
        } else {
            num = a.highest_ever.bump(bump);
        }
        if (body.title && *body.title != a.title)
            refuse_taken_title(a.owner, a.type, *body.title);
        auto v = new_record(num, body.desc, vis, std::move(users), std::move(deps), body.source);
        check_invariant_of_workflow(a.owner, a.type, v);
        v.dependencies.share_if_equal(highest.dependencies);

        v.version_id = compact_id(ids_.uuid_bytes());
        v.created_at = now();
        if (body.title && *body.title != a.title)
            rename(a, *body.title);
        a.highest_ever = num;
        a.updated_at = v.created_at;
        add_version(a, std::move(v));
        return a;
    }

public:
    // ---- reading ------------------------------------------------------------------

    /// GET /v1/aihub/contents/{id} as `caller`, with the highest number ever published.
    std::pair<wire::content_response, std::optional<std::string>> get_content(
        account const& caller, std::string_view content_id) const {
        auto const& a = visible_asset(caller, content_id);
        wire::content_response r;
        r.content_id = a.content_id;
        r.content_type = to_string(a.type);
        r.title = a.title;
        r.owner = a.owner;
        r.created_at = format_rfc3339(a.created_at);
        r.updated_at = format_rfc3339(a.updated_at);
        for (auto it = a.versions.rbegin(); it != a.versions.rend(); ++it) {
            if (!can_see(caller.domain_id, a, *it))
                continue;
            auto const& v = *it;
            r.versions.push_back({v.version_id, v.num.to_string(), v.desc,
                                  std::string(to_string(v.vis)), format_rfc3339(v.created_at)});
        }
        r.latest_version = r.versions.front().version_num;
        std::optional<std::string> etag;
        if (a.owner == caller.domain_id)
            etag = "\"" + a.highest_ever.to_string() + "\"";
        return {std::move(r), std::move(etag)};
    }

    /// GET .../versions/{v} as `caller` (whitelist for the owner only).
    wire::version_response get_version(account const& caller, std::string_view content_id,
                                       std::string_view version_text) const {
        auto num = parse_path_version(version_text);
        auto const& a = visible_asset(caller, content_id);
        return describe_version(caller, a, visible_version(caller, a, num));
    }

    /// GET .../versions/{v} as `caller`, written straight as its JSON body:
    /// byte for byte json_writer::to_json(get_version(...)), without the
    /// wire structure and its copies in between (the most frequent read).
    std::string get_version_json(account const& caller, std::string_view content_id,
                                 std::string_view version_text) const {
        auto num = parse_path_version(version_text);
        auto const& a = visible_asset(caller, content_id);
        auto const& v = visible_version(caller, a, num);
        std::string out;
        write_version_json(out, caller, a, v);
        return out;
    }

    /// GET .../dependents: the caller's workflow versions that run this algorithm version.
    wire::dependents_response dependents(account const& caller, std::string_view content_id,
                                         std::string_view version_text) const {
        auto num = parse_path_version(version_text);
        auto const& a = *owned_version(caller, content_id, num).first;
        wire::dependents_response r;
        if (auto it = dependents_.find({a.content_id, num}); it != dependents_.end())
            for (auto const& [id, nums] : it->second)
                if (assets_.at(id).owner == caller.domain_id)
                    for (auto const& n : nums)
                        r.items.push_back({id, n.to_string()});
        return r;
    }

    /// GET /v1/aihub/contents: one page of a listing.
    wire::content_list_response list(account const& caller, list_query const& q) const {
        auto const page = list_page(caller, q);
        wire::content_list_response r;
        r.total = page.total;
        r.items.reserve(page.items.size());
        for (auto const& [a, v] : page.items)
            r.items.push_back({a->content_id, std::string(to_string(a->type)), a->title, a->owner,
                               v->num.to_string(), std::string(to_string(v->vis)),
                               format_rfc3339(a->created_at), format_rfc3339(a->updated_at)});
        r.count = r.items.size();
        return r;
    }

    /// GET /v1/aihub/contents, written straight as its JSON body: byte for
    /// byte json_writer::to_json(list(...)), without the eight strings per
    /// item of the wire structure. The page is measured first (its longest
    /// possible text), then written through a pointer with no check of room
    /// per piece, and cut to what was written.
    std::string list_json(account const& caller, list_query const& q) const {
        using namespace std::string_view_literals;
        using json_writer::json_string_bound;
        using json_writer::write_json_string;
        using json_writer::write_raw;
        auto const page = list_page(caller, q);
        static constexpr auto item_text =
            R"({"content_id":,"content_type":"","title":,"owner":,"latest_version":"",)"
            R"("visibility":"","created_at":"","updated_at":""},)"sv;
        std::size_t room = 96;  // the braces, two counts of 20 digits at most, their names
        for (auto const& [a, v] : page.items)
            room += item_text.size() + json_string_bound(a->content_id.size()) +
                    json_string_bound(a->title.size()) + json_string_bound(a->owner.size()) +
                    to_string(a->type).size() + version_number::max_text_size +
                    to_string(v->vis).size() + 2 * rfc3339_max_size;
        std::string out(room, '\0');
        char* p = out.data();
        auto count = [&](std::uint64_t n) { p = std::to_chars(p, p + 20, n).ptr; };
        auto quoted = [&](std::string_view plain) {  // an enum's name: nothing to escape
            *p++ = '"';
            p = write_raw(p, plain);
            *p++ = '"';
        };
        rfc3339_writer dates;
        p = write_raw(p, "{\"total\":"sv);
        count(page.total);
        p = write_raw(p, ",\"count\":"sv);
        count(page.items.size());
        p = write_raw(p, ",\"items\":["sv);
        bool first = true;
        for (auto const& [a, v] : page.items) {
            p = write_raw(p, first ? "{\"content_id\":"sv : ",{\"content_id\":"sv);
            first = false;
            p = write_json_string(p, a->content_id);
            p = write_raw(p, ",\"content_type\":"sv);
            quoted(to_string(a->type));
            p = write_raw(p, ",\"title\":"sv);
            p = write_json_string(p, a->title);
            p = write_raw(p, ",\"owner\":"sv);
            p = write_json_string(p, a->owner);
            p = write_raw(p, ",\"latest_version\":\""sv);
            p = v->num.write_to(p);
            p = write_raw(p, "\",\"visibility\":"sv);
            quoted(to_string(v->vis));
            p = write_raw(p, ",\"created_at\":\""sv);
            p = dates.write(p, a->created_at);
            p = write_raw(p, "\",\"updated_at\":\""sv);
            p = dates.write(p, a->updated_at);
            p = write_raw(p, "\"}"sv);
        }
        p = write_raw(p, "]}"sv);
        out.resize(static_cast<std::size_t>(p - out.data()));
        return out;
    }

    // ---- sharing ---------------------------------------------------------------------

    /// PUT .../visibility: a version's new visibility and whitelist.
    wire::version_response set_visibility(account const& caller, std::string_view content_id,
                                          std::string_view version_text,
                                          wire::set_visibility_request const& body) {
        auto num = parse_path_version(version_text);
        auto [ap, vp] = owned_version(caller, content_id, num);
        auto& a = const_cast<asset_record&>(*ap);
        auto& v = const_cast<version_record&>(*vp);
        visibility vis = parse_visibility_field(body.visibility);
        auto users = whitelist_field(vis, body.group_users, caller.domain_id, true);
        auto next = with_sharing(v, vis, users);
        check_invariant_of_workflow(a.owner, a.type, next);
        check_invariant_of_dependents(a, next);
        replace_sharing(a, v, vis, std::move(users));
        return describe_version(caller, a, v);
    }

    /// PATCH .../whitelist: add and remove users on a group version, atomically.
    wire::whitelist_response patch_whitelist(account const& caller, std::string_view content_id,
                                             std::string_view version_text,
                                             wire::whitelist_patch_request const& body) {
        auto num = parse_path_version(version_text);
        auto [ap, vp] = owned_version(caller, content_id, num);
        auto& a = const_cast<asset_record&>(*ap);
        auto& v = const_cast<version_record&>(*vp);
        bool has_add = body.add && !body.add->empty();
        bool has_remove = body.remove && !body.remove->empty();
        if (!has_add && !has_remove)
            throw gallery_error(errc::bad_request,
                                "field 'add' or 'remove': at least one must be a non-empty list");
        auto add =
            body.add ? fold_users("add", *body.add, caller.domain_id) : std::vector<std::string>{};
        auto remove = body.remove ? fold_users("remove", *body.remove, caller.domain_id)
                                  : std::vector<std::string>{};
        if (v.vis != visibility::group)
            throw gallery_error(errc::not_group, "version " + num.to_string() + " of " +
                                                     a.content_id + " is " +
                                                     std::string(to_string(v.vis)) + ", not group");
        std::vector<std::string> merged;
        std::set_union(v.group_users.begin(), v.group_users.end(), add.begin(), add.end(),
                       std::back_inserter(merged));
        std::vector<std::string> result;
        std::set_difference(merged.begin(), merged.end(), remove.begin(), remove.end(),
                            std::back_inserter(result));
        if (result.size() > limits::whitelist_max)
            throw gallery_error(errc::limit_exceeded,
                                "field 'group_users': the whitelist would hold " +
                                    std::to_string(result.size()) + " users, above 10000");
        auto next = with_sharing(v, v.vis, result);
        check_invariant_of_workflow(a.owner, a.type, next);
        check_invariant_of_dependents(a, next);
        replace_sharing(a, v, v.vis, std::move(result));
        return {a.content_id, num.to_string(), v.group_users};
    }

    // ---- deleting ---------------------------------------------------------------------

    /// DELETE .../versions/{v}: refused while a workflow version depends on it.
    void delete_version(account const& caller, std::string_view content_id,
                        std::string_view version_text) {
        auto num = parse_path_version(version_text);
        auto& a = const_cast<asset_record&>(*owned_version(caller, content_id, num).first);
        refuse_if_depended_on(a, num);
        remove_version(a, num);
    }

    /// DELETE /v1/aihub/contents/{id}: every version, with the same refusal.
    void delete_content(account const& caller, std::string_view content_id) {
        auto& a = owned_asset(caller, content_id);
        for (auto const& v : a.versions)
            refuse_if_depended_on(a, v.num);
        std::vector<version_number> nums;
        for (auto const& v : a.versions)
            nums.push_back(v.num);
        for (auto const& n : nums)
            remove_version(assets_.at(std::string(content_id)), n);
    }

    // ---- export / import -----------------------------------------------------------------

    /// Every asset, for exporting the state.
    std::vector<asset_record const*> all_assets() const {
        std::vector<asset_record const*> r;
        for (auto const& [_, a] : assets_)
            r.push_back(&a);
        std::sort(r.begin(), r.end(), [](auto x, auto y) { return x->content_id < y->content_id; });
        return r;
    }

    /// Adds an asset read from a state document, checked as a publish would be.
    void restore_asset(asset_record a) {
        if (!is_valid_id(a.content_id) || assets_.count(a.content_id))
            throw gallery_error(errc::bad_request, "state: content_id '" + a.content_id +
                                                       "' is malformed or repeated");
        if (a.versions.empty())
            throw gallery_error(errc::bad_request,
                                "state: asset " + a.content_id + " has no versions");
        auto versions = std::move(a.versions);
        a.versions.clear();
        a.public_versions = 0;
        auto& stored = insert_asset(std::move(a));
        for (auto& v : versions) {
            if (v.num > stored.highest_ever)
                throw gallery_error(errc::bad_request, "state: asset " + stored.content_id +
                                                           " has a version above highest_ever");
            add_version(stored, std::move(v));
        }
    }

    /// Adds an account as it was saved (importing a state). Keys are made for
    /// an account that has none (a state document older than account keys);
    /// given keys must be both present and unique.
    account const& restore_account(account a) {
        if (!is_valid_domain_id(a.domain_id) || a.token.empty() || accounts_by_name_.count(a.name))
            throw gallery_error(errc::bad_request,
                                "state: account '" + a.name + "' is malformed or repeated");
        if (a.access_key.empty() != a.secret_key.empty())
            throw gallery_error(errc::bad_request, "state: account '" + a.name +
                                                       "' has only one of access_key, secret_key");
        if (a.access_key.empty())
            give_keys(a);
        else if (name_by_access_key_.count(a.access_key))
            throw gallery_error(errc::bad_request,
                                "state: account '" + a.name + "' repeats another's access_key");
        return insert_account(std::move(a));
    }

    /// After a restore: every dependency names an existing algorithm version,
    /// and every workflow version keeps the dependency-visibility invariant.
    void check_references() const {
        for (auto const& [id, a] : assets_)
            for (auto const& v : a.versions) {
                for (auto const& d : v.dependencies) {
                    auto it = assets_.find(d.content_id);
                    if (a.type != content_type::workflow || it == assets_.end() ||
                        it->second.type != content_type::algorithm ||
                        !it->second.versions.count(d.num))
                        throw gallery_error(
                            errc::bad_request,
                            "state: " + id + " " + v.num.to_string() +
                                " names a dependency that is not an algorithm version: " +
                                d.content_id + " " + d.num.to_string());
                }
                check_invariant_of_workflow(a.owner, a.type, v);
            }
    }

    /// How many assets exist.
    std::size_t asset_count() const noexcept { return assets_.size(); }
    /// How many accounts exist.
    std::size_t account_count() const noexcept { return accounts_by_name_.size(); }

    /// The asset with this id, whoever owns it; nullptr when there is none.
    asset_record const* find_asset(std::string const& content_id) const {
        auto it = assets_.find(content_id);
        return it == assets_.end() ? nullptr : &it->second;
    }

private:
    // ---- field checks (400s, in the table's order) -------------------------------------

    [[noreturn]] static void bad_field(errc e, std::string_view field, std::string_view value,
                                       std::string_view why) {
        std::string shown = printable(value, 80);
        throw gallery_error(
            e, "field '" + std::string(field) + "' = '" + shown + "': " + std::string(why));
    }

    void refuse_taken_title(std::string const& owner, content_type t,
                            std::string const& title) const {
        if (titles_.count(title_key(owner, t, title)))
            throw gallery_error(
                errc::title_taken,
                "you already have a " + std::string(to_string(t)) + " titled '" + title + "'");
    }

    static version_record new_record(version_number num, std::optional<std::string> const& desc,
                                     visibility vis, std::vector<std::string> users,
                                     std::vector<version_key> deps,
                                     std::optional<boost::json::object> const& source) {
        version_record v;
        v.num = num;
        v.desc = desc.value_or("");
        v.vis = vis;
        v.group_users = std::move(users);
        v.dependencies = std::move(deps);
        if (source)
            v.source = *source;
        return v;
    }

    static version_number parse_version_field(std::string_view field, std::string const& text) {
        return version_number::parse_or_throw(text, "field '" + std::string(field) + "':");
    }

    static version_number parse_path_version(std::string_view text) {
        return version_number::parse_or_throw(text, "path version_num");
    }

    static visibility parse_visibility_field(std::string const& text) {
        auto v = parse_visibility(text);
        if (!v)
            bad_field(errc::bad_visibility, "visibility", text, "must be private, group or public");
        return *v;
    }

    static std::vector<std::optional<version_number>> parse_dependency_versions(
        std::optional<std::vector<wire::dependency_ref>> const& deps) {
        std::vector<std::optional<version_number>> r;
        if (!deps)
            return r;
        for (std::size_t i = 0; i < deps->size(); ++i)
            r.push_back(version_number::parse_or_throw(
                (*deps)[i].version_num,
                "field 'dependencies[" + std::to_string(i) + "].version_num':"));
        return r;
    }

    /// Folds a list of domain_ids: sorted, unique, the owner dropped. 4005 for a bad one.
    static std::vector<std::string> fold_users(std::string_view field,
                                               std::vector<std::string> const& in,
                                               std::string const& owner) {
        std::vector<std::string> r;
        r.reserve(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (!is_valid_domain_id(in[i]))
                bad_field(errc::bad_domain_id, std::string(field) + "[" + std::to_string(i) + "]",
                          in[i], "a domain_id is 32 lowercase hexadecimal characters");
            if (in[i] != owner)
                r.push_back(in[i]);
        }
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        return r;
    }

    /// group_users goes with group and nothing else (4004); entries are
    /// domain_ids (4005); at most 10,000 (4006).
    static std::vector<std::string> whitelist_field(visibility vis,
                                                    std::optional<wire::string_list> const& users,
                                                    std::string const& owner,
                                                    bool visibility_given) {
        if (vis == visibility::group && !users)
            throw gallery_error(errc::bad_group_users,
                                "field 'group_users': required with visibility group");
        if (vis != visibility::group && users)
            throw gallery_error(
                errc::bad_group_users,
                std::string("field 'group_users': only allowed with visibility group, not ") +
                    std::string(to_string(vis)) + (visibility_given ? "" : " (inherited)"));
        if (!users)
            return {};
        auto r = fold_users("group_users", *users, owner);
        if (r.size() > limits::whitelist_max)
            throw gallery_error(
                errc::limit_exceeded,
                "field 'group_users': " + std::to_string(r.size()) + " users, at most 10000");
        return r;
    }

    static void check_title_characters(std::string const& title) {
        if (has_c0_control(title))
            bad_field(errc::bad_request, "title", title, "must not contain control characters");
    }

    static void check_title(std::string const& title) {
        auto n = code_points(title);
        if (n == 0 || n > limits::title_max)
            throw gallery_error(errc::limit_exceeded, "field 'title': " + std::to_string(n) +
                                                          " characters, must be 1 to 128");
    }

    static void check_desc(std::string const& desc) {
        auto n = code_points(desc);
        if (n > limits::desc_max)
            throw gallery_error(errc::limit_exceeded,
                                "field 'desc': " + std::to_string(n) + " characters, at most 2000");
    }

    static void check_source(boost::json::object const& source) {
        auto n = boost::json::serialize(source).size();
        if (n > limits::source_max)
            throw gallery_error(errc::limit_exceeded,
                                "field 'source': " + std::to_string(n) + " bytes, at most 262144");
    }

    std::vector<version_key> resolve_dependencies(
        account const& caller, std::optional<std::vector<wire::dependency_ref>> const& deps,
        std::vector<std::optional<version_number>> const& nums) const {
        std::vector<version_key> r;
        if (!deps)
            return r;
        if (deps->size() > limits::dependencies_max)
            throw gallery_error(
                errc::limit_exceeded,
                "field 'dependencies': " + std::to_string(deps->size()) + " entries, at most 100");
        for (std::size_t i = 0; i < deps->size(); ++i) {
            auto const& d = (*deps)[i];
            auto field = [i] { return "dependencies[" + std::to_string(i) + "]"; };  // for errors
            auto it = is_valid_id(d.content_id) ? assets_.find(d.content_id) : assets_.end();
            version_record const* v = nullptr;
            if (it != assets_.end()) {
                auto vit = it->second.versions.find(*nums[i]);
                if (vit != it->second.versions.end() && can_see(caller.domain_id, it->second, *vit))
                    v = &*vit;
            }
            if (!v)
                throw gallery_error(errc::no_such_version,
                                    field() + ": no version " + nums[i]->to_string() + " of '" +
                                        d.content_id.substr(0, 64) + "' that you can see");
            if (it->second.type != content_type::algorithm)
                bad_field(errc::bad_request, field() + ".content_id", d.content_id,
                          "is not an algorithm");
            r.push_back({d.content_id, *nums[i]});
        }
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        return r;
    }

    // ---- lookups --------------------------------------------------------------------

    static void check_path_id(std::string_view content_id) {
        if (!is_valid_id(content_id))
            throw gallery_error(errc::bad_request, "path content_id '" +
                                                       std::string(content_id.substr(0, 80)) +
                                                       "' is not 1 to 64 of [A-Za-z0-9-]");
    }

    asset_record const& visible_asset(account const& caller, std::string_view content_id) const {
        check_path_id(content_id);
        auto it = assets_.find(content_id);
        if (it != assets_.end())
            for (auto const& v : it->second.versions)
                if (can_see(caller.domain_id, it->second, v))
                    return it->second;
        throw gallery_error(errc::no_such_asset,
                            "no asset '" + std::string(content_id) + "' that you can see");
    }

    asset_record& owned_asset(account const& caller, std::string_view content_id) {
        return const_cast<asset_record&>(std::as_const(*this).owned_asset(caller, content_id));
    }
    asset_record const& owned_asset(account const& caller, std::string_view content_id) const {
        auto const& a = visible_asset(caller, content_id);
        if (a.owner != caller.domain_id)
            throw gallery_error(errc::forbidden,
                                "asset '" + a.content_id + "' belongs to another account");
        return a;
    }

    /// 404 for the asset, then for the version, then 403: the contract's order.
    std::pair<asset_record const*, version_record const*> owned_version(account const& caller,
                                                                        std::string_view content_id,
                                                                        version_number num) const {
        auto const& a = visible_asset(caller, content_id);
        auto const& v = visible_version(caller, a, num);
        if (a.owner != caller.domain_id)
            throw gallery_error(errc::forbidden,
                                "asset '" + a.content_id + "' belongs to another account");
        return {&a, &v};
    }

    version_record const& visible_version(account const& caller, asset_record const& a,
                                          version_number num) const {
        auto it = a.versions.find(num);
        if (it == a.versions.end() || !can_see(caller.domain_id, a, *it))
            throw gallery_error(errc::no_such_version, "no version " + num.to_string() + " of '" +
                                                           a.content_id + "' that you can see");
        return *it;
    }

    static bool can_see(std::string const& who, asset_record const& a, version_record const& v) {
        if (v.vis == visibility::public_ || who == a.owner)
            return true;
        return v.vis == visibility::group &&
               std::binary_search(v.group_users.begin(), v.group_users.end(), who);
    }

    // ---- the dependency-visibility invariant (4091) -------------------------------------

    /// Everyone who can see workflow version w (owned by w_owner) can see dependency d.
    bool covers(std::string const& w_owner, version_record const& w, asset_record const& d_asset,
                version_record const& d) const {
        if (d.vis == visibility::public_)
            return true;
        if (w.vis == visibility::public_)
            return false;
        if (!can_see(w_owner, d_asset, d))
            return false;
        if (w.vis == visibility::private_)
            return true;
        for (auto const& u : w.group_users)
            if (!can_see(u, d_asset, d))
                return false;
        return true;
    }

    void check_invariant_of_workflow(std::string const& owner, content_type type,
                                     version_record const& w) const {
        if (type != content_type::workflow)
            return;
        for (auto const& k : w.dependencies) {
            auto const& da = assets_.at(k.content_id);
            if (!covers(owner, w, da, da.versions.at(k.num)))
                throw gallery_error(errc::dependency_visibility,
                                    "the workflow version would be visible to accounts that cannot "
                                    "see its dependency " +
                                        k.content_id + " " + k.num.to_string());
        }
    }

    /// Checks the workflow versions that depend on algorithm version `next` of `a`.
    void check_invariant_of_dependents(asset_record const& a, version_record const& next) const {
        auto it = dependents_.find({a.content_id, next.num});
        if (it == dependents_.end())
            return;
        for (auto const& [id, nums] : it->second)
            for (auto const& n : nums) {
                auto const& wa = assets_.at(id);
                if (!covers(wa.owner, wa.versions.at(n), a, next))
                    throw gallery_error(errc::dependency_visibility,
                                        "workflow " + id + " " + n.to_string() +
                                            " depends on this version and would become visible to "
                                            "accounts that cannot see it");
            }
    }

    void refuse_if_depended_on(asset_record const& a, version_number num) const {
        auto it = dependents_.find({a.content_id, num});
        if (it != dependents_.end() && !it->second.empty()) {
            auto const& [id, nums] = *it->second.begin();  // neither map nor set is ever empty
            throw gallery_error(errc::has_dependents, "version " + num.to_string() + " of " +
                                                          a.content_id +
                                                          " is a dependency of workflow " + id +
                                                          " " + nums.begin()->to_string());
        }
    }

    // ---- indexes ------------------------------------------------------------------------

    struct listing_entry {
        std::string content_id;
        std::string owner;
        std::string title;
        std::int64_t created_at;
        // The asset itself, found without hashing its id again for each item
        // of a page (assets_ is node based: the record never moves).
        asset_record const* asset;
    };
    struct by_id {};
    struct by_created {};
    struct by_title {};
    using listing = boost::multi_index_container<
        listing_entry,
        boost::multi_index::indexed_by<
            boost::multi_index::hashed_unique<
                boost::multi_index::tag<by_id>,
                boost::multi_index::member<listing_entry, std::string, &listing_entry::content_id>>,
            boost::multi_index::ranked_non_unique<
                boost::multi_index::tag<by_created>,
                boost::multi_index::composite_key<
                    listing_entry,
                    boost::multi_index::member<listing_entry, std::string, &listing_entry::owner>,
                    boost::multi_index::member<listing_entry, std::int64_t,
                                               &listing_entry::created_at>,
                    boost::multi_index::member<listing_entry, std::string,
                                               &listing_entry::content_id>>>,
            boost::multi_index::ranked_non_unique<
                boost::multi_index::tag<by_title>,
                boost::multi_index::composite_key<
                    listing_entry,
                    boost::multi_index::member<listing_entry, std::string, &listing_entry::owner>,
                    boost::multi_index::member<listing_entry, std::string, &listing_entry::title>,
                    boost::multi_index::member<listing_entry, std::string,
                                               &listing_entry::content_id>>>>>;

    static std::string title_key(std::string const& owner, content_type t,
                                 std::string const& title) {
        return owner + '\x1f' + std::string(to_string(t)) + '\x1f' + title;
    }

    void give_keys(account& a) {
        do
            a.access_key = "AK" + upper(key_ids_.hex(18));
        while (name_by_access_key_.count(a.access_key));
        a.secret_key = "sk-" + key_ids_.hex(40);
    }

    static std::string upper(std::string s) {
        for (auto& c : s)
            if (c >= 'a' && c <= 'z')
                c = static_cast<char>(c - 'a' + 'A');
        return s;
    }

    account const& insert_account(account a) {
        auto name = a.name;
        name_by_token_[a.token] = name;
        name_by_access_key_[a.access_key] = name;
        return accounts_by_name_.emplace(name, std::move(a)).first->second;
    }

    // The record first (the listing entry points at it), then its title and
    // listing entry; if either cannot be added (no memory), neither is left
    // behind, nor the record.
    asset_record& insert_asset(asset_record a) {
        auto id = a.content_id;
        auto const it = assets_.emplace(std::move(id), std::move(a)).first;
        auto& stored = it->second;
        auto const title = title_key(stored.owner, stored.type, stored.title);
        try {
            titles_[title] = stored.content_id;
            mine_.insert({stored.content_id, stored.owner, stored.title,
                          stored.created_at.time_since_epoch().count(), &stored});
        } catch (...) {
            titles_.erase(title);
            mine_.get<by_id>().erase(stored.content_id);
            assets_.erase(it);
            throw;
        }
        return stored;
    }

    void erase_asset(asset_record& a) {
        titles_.erase(title_key(a.owner, a.type, a.title));
        mine_.get<by_id>().erase(a.content_id);
        public_.get<by_id>().erase(a.content_id);
        assets_.erase(a.content_id);
    }

    void rename(asset_record& a, std::string const& title) {
        titles_.erase(title_key(a.owner, a.type, a.title));
        a.title = title;
        titles_[title_key(a.owner, a.type, a.title)] = a.content_id;
        for (auto* idx : {&mine_, &public_}) {
            auto& ids = idx->get<by_id>();
            if (auto it = ids.find(a.content_id); it != ids.end())
                ids.modify(it, [&](listing_entry& e) { e.title = title; });
        }
    }

    /// Adds or takes away what one version contributes to the indexes.
    void index_version(asset_record& a, version_record const& v, int sign) {
        for (auto const& d : v.dependencies) {
            auto& by_asset = dependents_[d];
            if (sign > 0) {
                by_asset[a.content_id].insert(v.num);
                continue;
            }
            if (auto w = by_asset.find(a.content_id); w != by_asset.end()) {
                w->second.erase(v.num);
                if (w->second.empty())
                    by_asset.erase(w);
            }
            if (by_asset.empty())
                dependents_.erase(d);
        }
        if (v.vis == visibility::group)
            index_shared(a, v.group_users, sign);
        if (v.vis == visibility::public_) {
            a.public_versions += sign;
            if (sign > 0 && a.public_versions == 1)
                public_.insert({a.content_id, std::string(), a.title,
                                a.created_at.time_since_epoch().count(), &a});
            if (sign < 0 && a.public_versions == 0)
                public_.get<by_id>().erase(a.content_id);
        }
        if (auto p = v.source.if_contains("algorithm_id");
            p && p->is_string() && a.type == content_type::algorithm) {
            auto& m = algorithm_ids_[a.owner + '\x1f' + std::string(p->get_string())];
            if ((m[a.content_id] += sign) == 0)
                m.erase(a.content_id);
            if (m.empty())
                algorithm_ids_.erase(a.owner + '\x1f' + std::string(p->get_string()));
        }
    }

    void add_version(asset_record& a, version_record v) {
        index_version(a, v, +1);
        a.versions.emplace(std::move(v));
    }

    /// Replaces the sharing of a version. Only what changed is re-indexed, so a
    /// one-user whitelist change costs O(log n), not O(whitelist · log n).
    void replace_sharing(asset_record& a, version_record& v, visibility vis,
                         std::vector<std::string> users) {
        if (vis != v.vis) {
            index_version(a, v, -1);
            v.vis = vis;
            v.group_users = std::move(users);
            index_version(a, v, +1);
        } else if (vis == visibility::group) {
            std::vector<std::string> gone, added;
            std::set_difference(v.group_users.begin(), v.group_users.end(), users.begin(),
                                users.end(), std::back_inserter(gone));
            std::set_difference(users.begin(), users.end(), v.group_users.begin(),
                                v.group_users.end(), std::back_inserter(added));
            index_shared(a, gone, -1);
            index_shared(a, added, +1);
            v.group_users = std::move(users);
        }
        a.updated_at = now();
    }

    void index_shared(asset_record const& a, std::vector<std::string> const& users, int sign) {
        for (auto const& u : users) {
            auto& m = shared_[u];
            if ((m[a.content_id] += sign) == 0)
                m.erase(a.content_id);
            if (m.empty())
                shared_.erase(u);
        }
    }

    /// The version as it would be with other sharing, for the invariant
    /// checks; it leaves out the (possibly large) source, which they ignore.
    static version_record with_sharing(version_record const& v, visibility vis,
                                       std::vector<std::string> const& users) {
        version_record r;
        r.num = v.num;
        r.vis = vis;
        r.group_users = users;
        r.dependencies = v.dependencies;
        return r;
    }

    void remove_version(asset_record& a, version_number num) {
        auto it = a.versions.find(num);
        index_version(a, *it, -1);
        a.versions.erase(it);
        if (a.versions.empty())
            erase_asset(a);
        else
            a.updated_at = now();
    }

    wire::publish_response answer(asset_record const& a, version_number num) const {
        auto const& v = a.versions.at(num);
        return {a.content_id, v.version_id, num.to_string(),
                std::string(contents_path) + a.content_id};
    }

    // A stored id as a JSON string: the most bytes it takes, and writing it
    // (a canonical UUID needs no escaping; another id's text may).
    static std::size_t id_json_bound(compact_id const& id) noexcept {
        auto const* text = id.text_if_not_uuid();
        return text ? json_writer::json_string_bound(text->size()) : compact_id::uuid_size + 2;
    }
    static char* write_id_json(char* p, compact_id const& id) noexcept {
        if (auto const* text = id.text_if_not_uuid())
            return json_writer::write_json_string(p, *text);
        *p++ = '"';
        p = id.write_uuid_to(p);
        *p++ = '"';
        return p;
    }

    // describe_version() as JSON, member for member in wire::version_response's
    // order: measured first (its longest possible text), then written through
    // a pointer, as list_json() does.
    void write_version_json(std::string& out, account const& caller, asset_record const& a,
                            version_record const& v) const {
        using namespace std::string_view_literals;
        using json_writer::json_string_bound;
        using json_writer::write_json_string;
        using json_writer::write_raw;
        static constexpr auto fixed_text =
            R"({"content_id":,"version_id":,"version_num":"","desc":,"visibility":"",)"
            R"("group_users":[],"dependencies":[],"source":,"created_at":""})"sv;
        static constexpr auto dependency_text = R"({"content_id":,"version_num":""},)"sv;
        bool const owner = caller.domain_id == a.owner;
        std::string source;  // a source object other than {} is printed by Boost.JSON
        if (!v.source.get().empty())
            json_writer::append_json(source, v.source.get());
        std::size_t room = fixed_text.size() + json_string_bound(a.content_id.size()) +
                           id_json_bound(v.version_id) + version_number::max_text_size +
                           json_string_bound(v.desc.size()) + to_string(v.vis).size() +
                           (source.empty() ? 2 : source.size()) + rfc3339_max_size;
        if (owner)
            for (auto const& u : v.group_users)
                room += json_string_bound(u.size()) + 1;
        for (auto const& d : v.dependencies)
            room += dependency_text.size() + json_string_bound(d.content_id.size()) +
                    version_number::max_text_size;
        auto const at = out.size();
        out.resize(at + room);
        char* p = out.data() + at;
        p = write_raw(p, "{\"content_id\":"sv);
        p = write_json_string(p, a.content_id);
        p = write_raw(p, ",\"version_id\":"sv);
        p = write_id_json(p, v.version_id);
        p = write_raw(p, ",\"version_num\":\""sv);
        p = v.num.write_to(p);
        p = write_raw(p, "\",\"desc\":"sv);
        p = write_json_string(p, v.desc);
        p = write_raw(p, ",\"visibility\":\""sv);
        p = write_raw(p, to_string(v.vis));
        *p++ = '"';
        if (owner) {
            p = write_raw(p, ",\"group_users\":["sv);
            bool first = true;
            for (auto const& u : v.group_users) {
                if (!first)
                    *p++ = ',';
                first = false;
                p = write_json_string(p, u);
            }
            *p++ = ']';
        }
        p = write_raw(p, ",\"dependencies\":["sv);
        bool first = true;
        for (auto const& d : v.dependencies) {
            p = write_raw(p, first ? "{\"content_id\":"sv : ",{\"content_id\":"sv);
            first = false;
            p = write_json_string(p, d.content_id);
            p = write_raw(p, ",\"version_num\":\""sv);
            p = d.num.write_to(p);
            p = write_raw(p, "\"}"sv);
        }
        p = write_raw(p, "],\"source\":"sv);
        p = write_raw(p, source.empty() ? "{}"sv : std::string_view(source));
        p = write_raw(p, ",\"created_at\":\""sv);
        p = rfc3339_writer{}.write(p, v.created_at);
        p = write_raw(p, "\"}"sv);
        out.resize(static_cast<std::size_t>(p - out.data()));
    }

    wire::version_response describe_version(account const& caller, asset_record const& a,
                                            version_record const& v) const {
        wire::version_response r;
        r.content_id = a.content_id;
        r.version_id = v.version_id;
        r.version_num = v.num.to_string();
        r.desc = v.desc;
        r.visibility = to_string(v.vis);
        if (caller.domain_id == a.owner)
            r.group_users = v.group_users;
        for (auto const& d : v.dependencies)
            r.dependencies.push_back({d.content_id, d.num.to_string()});
        r.source = v.source;
        r.created_at = format_rfc3339(v.created_at);
        return r;
    }

    /// The highest version of `a` in the listing's scope.
    version_record const* latest_in_scope(account const& caller, asset_record const& a,
                                          list_query::scope_kind scope) const {
        for (auto it = a.versions.rbegin(); it != a.versions.rend(); ++it) {
            auto const& v = *it;
            bool in = scope == list_query::scope_kind::mine ? true
                      : scope == list_query::scope_kind::public_
                          ? v.vis == visibility::public_
                          : v.vis == visibility::group && can_see(caller.domain_id, a, v);
            if (in)
                return &v;
        }
        return nullptr;
    }

    // One page of a listing: the total, and each item's asset with its
    // latest version in the scope (what list() and list_json() print).
    struct listed_page {
        std::uint64_t total = 0;
        std::vector<std::pair<asset_record const*, version_record const*>> items;
    };

    listed_page list_page(account const& caller, list_query const& q) const {
        listed_page page;
        bool filtered = q.type || q.title || q.source_algorithm_id;
        if (!filtered && q.scope != list_query::scope_kind::shared) {
            page_ranked(caller, q, page);
        } else {
            std::vector<asset_record const*> matches = scan(caller, q);
            sort_assets(matches, q);
            page.total = matches.size();
            for (std::uint64_t i = q.offset; i < matches.size() && page.items.size() < q.limit; ++i)
                page.items.emplace_back(matches[i], latest_in_scope(caller, *matches[i], q.scope));
        }
        return page;
    }

    template <class Index, class Key>
    void page_range(account const& caller, list_query const& q, Index const& idx, Key const& owner,
                    listed_page& page) const {
        auto lo = idx.lower_bound(boost::make_tuple(owner));
        auto hi = idx.upper_bound(boost::make_tuple(owner));
        auto first = idx.rank(lo), last = idx.rank(hi);
        page.total = last - first;
        if (q.offset >= page.total)
            return;
        page.items.reserve(std::min<std::uint64_t>(q.limit, page.total - q.offset));
        // one O(log n) jump to the page, then steps
        auto it = idx.nth(q.ascending ? first + q.offset : last - 1 - q.offset);
        for (std::uint64_t i = q.offset; i < page.total && page.items.size() < q.limit; ++i) {
            auto const& a = *it->asset;
            page.items.emplace_back(&a, latest_in_scope(caller, a, q.scope));
            if (q.ascending)
                ++it;
            else if (i + 1 < page.total)
                --it;
        }
    }

    /// mine and public without filters: O(limit + log n) through ranked indexes.
    void page_ranked(account const& caller, list_query const& q, listed_page& page) const {
        auto const& idx = q.scope == list_query::scope_kind::mine ? mine_ : public_;
        static std::string const no_owner;
        std::string const& owner =
            q.scope == list_query::scope_kind::mine ? caller.domain_id : no_owner;
        if (q.by_title)
            page_range(caller, q, idx.get<by_title>(), owner, page);
        else
            page_range(caller, q, idx.get<by_created>(), owner, page);
    }

    /// shared and filtered listings: O(matches).
    std::vector<asset_record const*> scan(account const& caller, list_query const& q) const {
        std::vector<asset_record const*> r;
        auto consider = [&](asset_record const& a) {
            if (q.type && a.type != *q.type)
                return;
            if (q.title && a.title != *q.title)
                return;
            if (!latest_in_scope(caller, a, q.scope))
                return;
            r.push_back(&a);
        };
        if (q.source_algorithm_id) {  // scope=mine only (checked by the handler)
            if (auto it = algorithm_ids_.find(caller.domain_id + '\x1f' + *q.source_algorithm_id);
                it != algorithm_ids_.end())
                for (auto const& [id, _] : it->second)
                    consider(assets_.at(id));
        } else if (q.scope == list_query::scope_kind::shared) {
            if (auto it = shared_.find(caller.domain_id); it != shared_.end())
                for (auto const& [id, _] : it->second)
                    consider(assets_.at(id));
        } else if (q.title) {  // mine or public: the title index holds just the matches
            bool mine = q.scope == list_query::scope_kind::mine;
            auto const& idx = (mine ? mine_ : public_).get<by_title>();
            auto range = idx.equal_range(
                boost::make_tuple(mine ? caller.domain_id : std::string(), *q.title));
            for (auto it = range.first; it != range.second; ++it)
                consider(*it->asset);
        } else {
            auto const& idx = q.scope == list_query::scope_kind::mine ? mine_ : public_;
            auto const& ci = idx.get<by_created>();
            std::string owner =
                q.scope == list_query::scope_kind::mine ? caller.domain_id : std::string();
            auto hi = ci.upper_bound(boost::make_tuple(owner));
            for (auto it = ci.lower_bound(boost::make_tuple(owner)); it != hi; ++it)
                consider(*it->asset);
        }
        return r;
    }

    static void sort_assets(std::vector<asset_record const*>& v, list_query const& q) {
        auto before = [&](asset_record const* x, asset_record const* y) {
            return q.by_title
                       ? std::tie(x->title, x->content_id) < std::tie(y->title, y->content_id)
                       : std::tie(x->created_at, x->content_id) <
                             std::tie(y->created_at, y->content_id);
        };
        std::sort(v.begin(), v.end(), [&](asset_record const* x, asset_record const* y) {
            return q.ascending ? before(x, y) : before(y, x);
        });
    }

    id_generator ids_;
    id_generator key_ids_;
    std::function<time_point()> clock_;
    std::map<std::string, account> accounts_by_name_;
    /// Finds by string_view without building a std::string per request.
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> name_by_token_;
    std::unordered_map<std::string, asset_record, string_hash, std::equal_to<>> assets_;
    std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> name_by_access_key_;
    std::unordered_map<std::string, std::string> titles_;  // owner, type, title -> content_id
    // algorithm version -> workflow content_id -> its versions that depend on
    // it: a workflow's id once, not once per version, and the versions in a
    // sorted vector (new versions are the highest, so they are appended),
    // some 12-18 B each where a set node took 64. Deleting a version of a
    // workflow moves the numbers above it: O(versions of that workflow).
    std::map<version_key, std::map<std::string, boost::container::flat_set<version_number>>>
        dependents_;
    std::unordered_map<std::string, std::map<std::string, int>>
        shared_;  // user -> content_id -> group versions
    std::unordered_map<std::string, std::map<std::string, int>>
        algorithm_ids_;  // owner, algorithm_id -> assets
    listing mine_;       // keyed by owner
    listing public_;     // assets with a public version; every entry has an empty owner
};

}  // namespace aigallery::mock
