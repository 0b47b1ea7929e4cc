// The whole mock gallery without a socket: a function from http_request to
// http_response (plus what the network layer must do: delay or reset), with
// routing, authentication, idempotency, fault injection and the journal
// around the pure state. Thread-safe.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/http.hpp>
#include <aigallery/mock/clock.hpp>
#include <aigallery/mock/durable_store.hpp>
#include <aigallery/mock/expectations.hpp>
#include <aigallery/mock/gateway_auth.hpp>
#include <aigallery/mock/har.hpp>
#include <aigallery/mock/journal.hpp>
#include <aigallery/mock/json_writer.hpp>
#include <aigallery/mock/options.hpp>
#include <aigallery/mock/pact.hpp>
#include <aigallery/mock/routes.hpp>
#include <aigallery/mock/state.hpp>
#include <aigallery/mock/ui.hpp>
#include <aigallery/wire.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace aigallery::mock {

/// What the network layer must do with a handled request.
struct handler_outcome {
    /// The answer to send (unless `reset`).
    http_response response;
    std::chrono::milliseconds delay{0};  ///< wait this long before answering
    bool reset = false;                  ///< close the connection without answering
};

// The state document of GET/PUT /__mock/state.
namespace doc {
/// One version in the state document.
struct version_doc {
    std::string version_id;                          ///< its opaque id
    std::string version_num;                         ///< x.y.z
    std::string desc;                                ///< its description
    std::string visibility;                          ///< private, group or public
    std::vector<std::string> group_users;            ///< its whitelist
    std::vector<wire::dependency_ref> dependencies;  ///< what it runs (workflows)
    boost::json::object source;                      ///< its source object
    std::string created_at;                          ///< RFC 3339 UTC
};
BOOST_DESCRIBE_STRUCT(version_doc, (),
                      (version_id, version_num, desc, visibility, group_users, dependencies, source,
                       created_at))
struct asset_doc {
    std::string content_id;
    std::string content_type;
    std::string title;
    std::string owner;
    std::string created_at;
    std::string updated_at;
    std::string highest_ever;
    std::vector<version_doc> versions;
};
BOOST_DESCRIBE_STRUCT(asset_doc, (),
                      (content_id, content_type, title, owner, created_at, updated_at, highest_ever,
                       versions))
struct idempotency_doc {
    std::string domain_id;
    std::string key;
    std::string method;
    std::string target;
    std::string body;
    int status = 0;
    std::string response_body;
    std::string location;
};
BOOST_DESCRIBE_STRUCT(idempotency_doc, (),
                      (domain_id, key, method, target, body, status, response_body, location))
// Keys are optional so that state documents older than account keys still load.
struct account_doc {
    std::string name;
    std::string domain_id;
    std::string token;
    std::optional<std::string> access_key;
    std::optional<std::string> secret_key;
};
BOOST_DESCRIBE_STRUCT(account_doc, (), (name, domain_id, token, access_key, secret_key))
struct state_doc {
    std::vector<account_doc> accounts;
    std::vector<asset_doc> assets;
    std::vector<idempotency_doc> idempotency;
};
BOOST_DESCRIBE_STRUCT(state_doc, (), (accounts, assets, idempotency))
AIGALLERY_JSON_MAPPING_FOR_NAMESPACE
}  // namespace doc

/// The whole mock gallery as a function from request to response: routing, auth, faults, journal,
/// idempotency, over a gallery_state. Thread-safe.
class service {
public:
    /// A gallery with these options; with `load_state`, reads `state_file` first.
    explicit service(server_options const& opts = {})
        : opts_(opts),
          state_(opts.seed, clock_for(opts)),
          request_ids_(opts.seed ? std::optional<std::uint64_t>(*opts.seed + 1) : std::nullopt),
          journal_(journal_limits{opts.journal_max_entries, opts.journal_max_bytes,
                                  opts.journal_max_body_bytes}) {
        if (opts.durable && !opts.state_file.empty()) {
            log_ = std::make_unique<durable_log>(opts.state_file);
            auto found = log_->load();
            dropped_bytes_ = found.dropped_bytes;
            replayed_records_ = found.records.size();
            import_state(replay(found));  // validated, then compacted: the log starts empty
        } else if (opts.load_state && !opts.state_file.empty()) {
            std::ifstream in(opts.state_file, std::ios::binary);
            if (in) {
                std::string text((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
                import_state(detail::parse_strict(text));
            }
        }
    }

    service(service const&) = delete;
    service& operator=(service const&) = delete;

    /// Answers one request; `peer_is_loopback` decides whether the control API and /ui/ answer
    /// without a control token.
    handler_outcome handle(http_request const& req, bool peer_is_loopback = true) {
        handler_outcome out;
        std::string rid = next_request_id();
        std::string_view target = req.target();
        auto const started = std::chrono::steady_clock::now();
        std::optional<pending_entry> entry;
        if (target.starts_with("/__mock/") || target == "/__mock") {
            out.response = control(req, peer_is_loopback);
        } else if (ui::is_ui_target(target)) {
            out.response = ui::serve(req, peer_is_loopback, opts_.control_token,
                                     [this] { return json_writer::to_json(account_list()); });
        } else if (target.starts_with("/v1/") || target == "/v1") {
            if (journal_.limits().max_entries > 0) {
                entry.emplace();
                entry->started_at = std::chrono::system_clock::now();
            }
            out = v1(req, entry ? &*entry : nullptr);
        } else if (target == "/v3/auth/tokens" || target.starts_with("/v3/auth/tokens?")) {
            out.response = iam_tokens(req);
        } else
            out.response =
                error_response(gallery_error(errc::no_such_route, "no route " + printable(target)));
        out.response.version(req.version());
        out.response.set("X-Request-Id", rid);
        out.response.keep_alive(req.keep_alive());
        out.response.prepare_payload();
        if (entry)
            record(req, out, rid, started, std::move(*entry));
        return out;
    }

    /// The account of that name, created if new.
    account add_account(std::string const& name) {
        std::uint64_t seq = 0;
        account a;
        {
            std::unique_lock lock(state_mutex_);
            auto const before = state_.account_count();
            if (log_)
                refuse_if_log_failed();
            a = state_.add_account(name);
            if (state_.account_count() != before)
                seq = log_change(
                    {{"accounts", boost::json::array{boost::json::value_from(account_view(a))}}});
        }
        make_durable(seq);
        state_changed();
        return a;
    }

    /// Every account, by name.
    std::vector<account> accounts() const {
        std::shared_lock lock(state_mutex_);
        return state_.accounts();
    }

    /// An account as POST and GET /__mock/accounts (and the state log) show it.
    static wire::account_response account_view(account const& a) {
        return {a.name, a.domain_id, a.token, a.access_key, a.secret_key};
    }

    /// Every account, as GET /__mock/accounts and the /ui/ page list them.
    wire::account_list_response account_list() const {
        wire::account_list_response l;
        for (auto const& a : accounts())
            l.items.push_back(account_view(a));
        return l;
    }

    /// Forgets every asset, version, idempotency key, fault and journal entry; keeps accounts.
    void reset() {
        std::uint64_t seq = 0;
        {
            std::unique_lock lock(state_mutex_);
            refuse_if_log_failed();
            state_.clear_assets();
            idempotency_.clear();
            seq = log_change({{"reset", true}});
        }
        make_durable(seq);
        {
            std::lock_guard lock(misc_mutex_);
            faults_.clear();
            fault_count_.store(0, std::memory_order_release);
            expectations_.clear();
        }
        journal_.clear();
        state_changed();
    }

    /// A `delay` fault (not after_commit) waits before the request is carried
    /// out, so a client that gives up during the wait finds nothing done. The
    /// network layer calls this first, waits, then calls handle(); it takes
    /// the fault when it is the first that matches.
    std::chrono::milliseconds take_delay(http_request const& req) {
        std::string_view target = req.target();
        if (!(target.starts_with("/v1/") || target == "/v1"))
            return std::chrono::milliseconds{0};
        if (fault_count_.load(std::memory_order_acquire) == 0)
            return std::chrono::milliseconds{0};  // the usual case, without the lock
        std::string_view path = target.substr(0, target.find('?'));
        std::lock_guard lock(misc_mutex_);
        for (auto it = faults_.begin(); it != faults_.end(); ++it) {
            auto const& f = it->spec;
            if (!fault_matches(f, req.method_string(), path))
                continue;
            if (f.action != "delay" || f.after_commit.value_or(false))
                return std::chrono::milliseconds{0};
            std::chrono::milliseconds d{*f.delay_ms};
            if (--it->remaining == 0)
                drop_fault(it);
            return d;
        }
        return std::chrono::milliseconds{0};
    }

    /// Validates and adds a fault; returns its id.
    std::uint64_t add_fault(wire::fault_spec const& f) {
        if (f.action != "status" && f.action != "delay" && f.action != "reset")
            throw gallery_error(errc::bad_request, "field 'action' = '" + f.action +
                                                       "': must be status, delay or reset");
        if (f.action == "status" && (!f.status || *f.status < 400 || *f.status > 599))
            throw gallery_error(
                errc::bad_request,
                "field 'status': an error status 400 to 599 is required with action status");
        if (f.action == "delay" && (!f.delay_ms || *f.delay_ms < 0 || *f.delay_ms > 600000))
            throw gallery_error(errc::bad_request,
                                "field 'delay_ms': 0 to 600000 is required with action delay");
        if (f.times && *f.times < 1)
            throw gallery_error(errc::bad_request, "field 'times': must be at least 1");
        if (f.retry_after_s && *f.retry_after_s < 0)
            throw gallery_error(errc::bad_request, "field 'retry_after_s': must not be negative");
        std::lock_guard lock(misc_mutex_);
        faults_.push_back({++fault_ids_, f, f.times.value_or(1)});
        fault_count_.store(faults_.size(), std::memory_order_release);
        return fault_ids_;
    }

    /// The faults still armed, with what remains of each.
    std::vector<wire::fault_response> faults() const {
        std::lock_guard lock(misc_mutex_);
        return {faults_.begin(), faults_.end()};
    }

    /// Disarms every fault.
    void clear_faults() {
        std::lock_guard lock(misc_mutex_);
        faults_.clear();
        fault_count_.store(0, std::memory_order_release);
    }

    /// The journal's kept /v1 entries in short form (method, target, status,
    /// caller, request id, idempotency key), oldest first.
    std::vector<wire::journal_entry> journal() const {
        std::vector<wire::journal_entry> out;
        for (auto& r : journal_.entries())
            out.push_back(
                {r.method, r.target, r.status, r.domain_id, r.request_id, r.idempotency_key});
        return out;
    }

    /// The journal's kept /v1 entries in full (headers, bodies, times) that
    /// pass the filter, oldest first.
    std::vector<journal_record> journal_records(journal_filter const& f = {}) const {
        return journal_.entries(f);
    }

    /// How many entries and bytes the journal holds, and how many it dropped.
    journal_stats journal_statistics() const { return journal_.stats(); }

    /// Forgets every journal entry and frees their memory.
    void clear_journal() { journal_.clear(); }

    /// Checks now that the journal holds `rule` many requests matching `p`;
    /// a failure's message lists the closest requests seen.
    verification verify(request_pattern const& p, count_rule rule = at_least(1)) const {
        return verify_requests(journal_.entries(), p, rule);
    }

    /// Registers an expectation, checked later by verify_expectations();
    /// returns its id. Kept until clear_expectations() or reset().
    std::uint64_t expect(request_pattern p, count_rule rule = at_least(1)) {
        std::lock_guard lock(misc_mutex_);
        expectations_.push_back({++expectation_ids_, std::move(p), rule});
        return expectation_ids_;
    }

    /// Checks every registered expectation against the journal: met when all
    /// are; else the message names each one that failed.
    verification verify_expectations() const {
        verification all;
        for (auto const& [id, v] : expectation_results()) {
            if (v.met)
                continue;
            if (all.met)
                all.matched = v.matched;
            all.met = false;
            all.message += (all.message.empty() ? "" : "\n") +
                           ("expectation " + std::to_string(id) + ": " + v.message);
            all.closest.insert(all.closest.end(), v.closest.begin(), v.closest.end());
        }
        return all;
    }

    /// Forgets the registered expectations.
    void clear_expectations() {
        std::lock_guard lock(misc_mutex_);
        expectations_.clear();
    }

    /// The journal as a HAR 1.2 document.
    boost::json::object journal_har(journal_filter const& f = {}) const {
        return to_har(journal_.entries(f), "http://" + opts_.host, creator_version);
    }

    /// The journal as a Pact v4 document (see pact.hpp); needs
    /// server_options::record_provider_states.
    boost::json::object pact(std::string const& consumer, std::string const& provider,
                             journal_filter const& f = {}) const {
        auto name_ok = [](std::string const& n) {
            return !n.empty() && n.size() <= 128 && !has_c0_control(n);
        };
        if (!name_ok(consumer))
            throw gallery_error(errc::bad_request, "query parameter 'consumer' = '" +
                                                       printable(consumer) +
                                                       "': 1 to 128 characters are required");
        if (!name_ok(provider))
            throw gallery_error(errc::bad_request, "query parameter 'provider' = '" +
                                                       printable(provider) +
                                                       "': 1 to 128 characters are required");
        if (!opts_.record_provider_states)
            throw gallery_error(errc::bad_request,
                                "this mock records no provider states: start it with "
                                "--record-states (server_options::record_provider_states)");
        return to_pact(journal_.entries(f), consumer, provider, creator_version);
    }

    /// Sets the gallery up for a provider state, as the Pact verifier's
    /// providerStatesSetupUrl asks (`{"state", "params", "action"}`); answers
    /// the values the pact's ProviderState generators take (`token`: the
    /// caller's token; `token_NAME`, `domain_id_NAME` for each account).
    boost::json::object provider_state(boost::json::value const& body) {
        auto const* o = body.if_object();
        if (!o)
            throw gallery_error(errc::bad_request, "body: a JSON object is required");
        auto field = [&](char const* k) { return o->if_contains(k); };
        auto const* state = field("state");
        if (!state || !state->is_string())
            throw gallery_error(errc::bad_request, "field 'state': a string is required");
        std::string action = "setup";
        if (auto const* a = field("action")) {
            if (!a->is_string() || (a->get_string() != "setup" && a->get_string() != "teardown"))
                throw gallery_error(errc::bad_request,
                                    "field 'action': must be \"setup\" or \"teardown\"");
            action = a->get_string();
        }
        static boost::json::object const no_params;
        boost::json::object const* params = &no_params;
        if (auto const* p = field("params"); p && !p->is_null()) {
            if (!p->is_object())
                throw gallery_error(errc::bad_request, "field 'params': must be an object");
            params = &p->get_object();
        }
        for (auto const& [k, v] : *o)
            if (k != "state" && k != "params" && k != "action")
                throw gallery_error(errc::bad_request, "field '" + printable(k) +
                                                           "': unknown (state, params, action)");
        std::string name(state->get_string());
        if (name != pact_recorded_state && name != pact_accounts_state)
            throw gallery_error(errc::bad_request, "field 'state' = '" + printable(name) +
                                                       "': unknown; this mock knows '" +
                                                       std::string(pact_recorded_state) +
                                                       "' and '" +
                                                       std::string(pact_accounts_state) + "'");
        if (action == "teardown")
            return {};  // the next setup replaces the whole gallery
        boost::json::object doc{{"accounts", boost::json::array{}},
                                {"assets", boost::json::array{}},
                                {"idempotency", boost::json::array{}}};
        if (name == pact_recorded_state) {
            auto const* g = params->if_contains("gallery");
            if (!g || !g->is_object())
                throw gallery_error(errc::bad_request,
                                    "field 'params.gallery': a state document is required");
            doc = g->get_object();
            auto* accounts = doc.if_contains("accounts");
            if (!accounts || !accounts->is_array())
                throw gallery_error(errc::bad_request,
                                    "field 'params.gallery.accounts': an array is required");
            for (auto& a : accounts->get_array()) {
                if (!a.is_object() || a.get_object().contains("token"))
                    throw gallery_error(errc::bad_request,
                                        "field 'params.gallery.accounts': objects with name "
                                        "and domain_id (never a token) are required");
                a.get_object()["token"] = fresh_token();
            }
        } else {
            auto const* names = params->if_contains("accounts");
            if (!names || !names->is_array() || names->get_array().empty())
                throw gallery_error(
                    errc::bad_request,
                    "field 'params.accounts': an array of account names is required");
            std::set<std::string> seen;
            for (auto const& n : names->get_array()) {
                if (!n.is_string() || n.get_string().empty() ||
                    !seen.insert(std::string(n.get_string())).second)
                    throw gallery_error(errc::bad_request,
                                        "field 'params.accounts': distinct non-empty names are "
                                        "required");
                std::string domain_id;
                {
                    std::lock_guard lock(misc_mutex_);
                    domain_id = request_ids_.hex(32);
                }
                doc["accounts"].get_array().push_back(boost::json::object{
                    {"name", n.get_string()}, {"domain_id", domain_id}, {"token", fresh_token()}});
            }
        }
        import_state(doc);
        boost::json::object answer;
        std::optional<std::string> caller;
        if (auto const* c = params->if_contains("caller"); c && c->is_string())
            caller = std::string(c->get_string());
        bool caller_found = !caller;
        for (auto const& a : accounts()) {
            answer["token_" + a.name] = a.token;
            answer["domain_id_" + a.name] = a.domain_id;
            if (caller && a.name == *caller) {
                answer["token"] = a.token;
                caller_found = true;
            }
        }
        if (!caller_found)
            throw gallery_error(errc::bad_request, "field 'params.caller' = '" +
                                                       printable(*caller) +
                                                       "': no such account in the state");
        return answer;
    }

    /// The whole state as one JSON document (GET /__mock/state).
    boost::json::value export_state() const {
        std::shared_lock lock(state_mutex_);
        return export_of(state_, idempotency_);
    }

    /// Replaces the whole state; on a malformed or inconsistent document
    /// (see check_state_document) nothing changes.
    void import_state(boost::json::value const& v) {
        auto d = boost::json::value_to<doc::state_doc>(v);
        check_state_document(d);
        std::unique_lock lock(state_mutex_);
        gallery_state next = state_.empty_like();
        for (auto const& a : d.accounts)
            next.restore_account({a.name, a.domain_id, a.token, a.access_key.value_or(""),
                                  a.secret_key.value_or("")});
        for (auto const& ad : d.assets)
            next.restore_asset(to_record(ad));
        next.check_references();
        std::map<std::string, doc::idempotency_doc> idem;
        for (auto const& r : d.idempotency)
            idem[r.domain_id + '\n' + r.key] = r;
        if (log_) {
            // On disk first: if that fails, nothing has changed.
            refuse_if_log_failed();
            compact(export_of(next, idem));
        }
        state_ = std::move(next);
        idempotency_ = std::move(idem);
        lock.unlock();
        state_changed();
    }

    /// Writes the state to options().state_file atomically: a uniquely named
    /// temporary file with mode 0600, fsync'd, then renamed over the old one.
    /// In durable mode this is a compaction: the log is emptied after.
    void save_state() const {
        if (opts_.state_file.empty())
            throw gallery_error(errc::bad_request, "the server has no --state file");
        std::lock_guard saving(save_mutex_);
        if (log_) {
            std::unique_lock lock(state_mutex_);  // no change between the snapshot and the log
            compact(export_of(state_, idempotency_));
            return;
        }
        std::string text = boost::json::serialize(export_state());
        try {
            write_file_atomically(opts_.state_file, text);
        } catch (storage_error const& e) {
            throw gallery_error(errc::internal_error, e.what());
        }
    }

    /// The durable log, when options().durable and a state_file are set:
    /// for its figures (records, fsyncs) and its failure, if any.
    durable_log const* log() const noexcept { return log_.get(); }

    /// Bytes of a torn last log record dropped at start (0: none).
    std::uint64_t dropped_log_bytes() const noexcept { return dropped_bytes_; }
    /// Log records replayed on top of the state file at start.
    std::size_t replayed_log_records() const noexcept { return replayed_records_; }

    /// The options it was made with.
    server_options const& options() const noexcept { return opts_; }

    /// The largest body a request may have, known from its method and target
    /// alone, so that the network layer can refuse a larger one before
    /// reading it: options().state_body_limit for PUT /__mock/state, the
    /// contract's 1 MiB for everything else.
    std::uint64_t body_limit(boost::beast::http::verb method, std::string_view target) const {
        std::string_view path = target.substr(0, target.find('?'));
        if (method == boost::beast::http::verb::put && path == "/__mock/state")
            return opts_.state_body_limit;
        return limits::body_max;
    }

private:
    // ---- durability ------------------------------------------------------------------

    using idempotency_map = std::map<std::string, doc::idempotency_doc>;  // domain_id '\n' key

    static doc::asset_doc to_doc(asset_record const& a) {
        doc::asset_doc ad{a.content_id,
                          std::string(to_string(a.type)),
                          a.title,
                          a.owner,
                          format_rfc3339(a.created_at),
                          format_rfc3339(a.updated_at),
                          a.highest_ever.to_string(),
                          {}};
        for (auto const& v : a.versions) {
            doc::version_doc vd{v.version_id,  v.num.to_string(),
                                v.desc,        std::string(to_string(v.vis)),
                                v.group_users, {},
                                v.source,      format_rfc3339(v.created_at)};
            for (auto const& dep : v.dependencies)
                vd.dependencies.push_back({dep.content_id, dep.num.to_string()});
            ad.versions.push_back(std::move(vd));
        }
        return ad;
    }

    static boost::json::value export_of(gallery_state const& state, idempotency_map const& idem) {
        doc::state_doc d;
        for (auto const& a : state.accounts())
            d.accounts.push_back({a.name, a.domain_id, a.token, a.access_key, a.secret_key});
        for (auto const* a : state.all_assets())
            d.assets.push_back(to_doc(*a));
        for (auto const& [k, r] : idem)
            d.idempotency.push_back(r);
        return boost::json::value_from(d);
    }

    /// Called under the exclusive state lock, before a change: once the log
    /// has failed, the state in memory may be ahead of the disk, so no more
    /// changes are accepted (503) until a restart.
    void refuse_if_log_failed() const {
        if (!log_)
            return;
        if (auto why = log_->failure())
            throw gallery_error(errc::unavailable,
                                "changes are refused: the state log failed (" + *why + ")");
    }

    /// Queues a change record (under the exclusive state lock, so records
    /// are in the order the changes were made); 0 when not durable.
    std::uint64_t log_change(boost::json::object record) {
        if (!log_)
            return 0;
        try {
            return log_->enqueue(boost::json::serialize(record));
        } catch (storage_error const& e) {
            throw gallery_error(errc::internal_error, e.what());
        }
    }

    /// The record of what a change did to one asset: its whole new value,
    /// or its deletion. Setting values (never adding to them) makes a
    /// record safe to replay twice.
    std::uint64_t log_asset(std::string_view content_view,
                            doc::idempotency_doc const* key = nullptr) {
        if (!log_)
            return 0;
        std::string const content_id(content_view);
        boost::json::object record;
        if (auto const* a = state_.find_asset(content_id))
            record["assets"] = boost::json::array{boost::json::value_from(to_doc(*a))};
        else
            record["deleted"] = boost::json::array{boost::json::value(content_id)};
        if (key)
            record["idempotency"] = boost::json::array{boost::json::value_from(*key)};
        return log_change(std::move(record));
    }

    /// A change to one asset, made the one way every such route makes it:
    /// under the exclusive state lock, logged while still locked (so log
    /// order is change order), and made durable after the lock is released
    /// (so a flush never blocks readers). Returns what `change` answers.
    template <class Change>
    http_response change_asset(std::string_view content_id, Change&& change) {
        std::unique_lock lock(state_mutex_);
        http_response answer = change();
        auto seq = log_asset(content_id);
        lock.unlock();
        make_durable(seq);
        return answer;
    }

    /// Waits, without the state lock, until record `seq` is on disk.
    void make_durable(std::uint64_t seq) const {
        if (!log_ || seq == 0)
            return;
        try {
            log_->wait(seq);
        } catch (storage_error const& e) {
            throw gallery_error(
                errc::internal_error,
                std::string("the change could not be written to disk: ") + e.what());
        }
    }

    void compact(boost::json::value const& state) const {
        try {
            log_->compact(boost::json::serialize(state));
        } catch (storage_error const& e) {
            throw gallery_error(errc::internal_error, e.what());
        }
    }

    /// The state document a start finds: the state file with the log's
    /// records applied in order.
    static boost::json::value replay(durable_log::contents const& found) {
        namespace json = boost::json;
        std::map<std::string, json::value> accounts, assets, keys;
        auto key_of = [](json::value const& r) {
            return std::string(r.at("domain_id").as_string()) + '\n' +
                   std::string(r.at("key").as_string());
        };
        auto whole = [&](json::value const& state) {
            accounts.clear();
            assets.clear();
            keys.clear();
            for (auto const& a : state.at("accounts").as_array())
                accounts[std::string(a.at("name").as_string())] = a;
            for (auto const& a : state.at("assets").as_array())
                assets[std::string(a.at("content_id").as_string())] = a;
            for (auto const& r : state.at("idempotency").as_array())
                keys[key_of(r)] = r;
        };
        if (found.snapshot)
            whole(detail::parse_strict(*found.snapshot));
        for (std::size_t i = 0; i < found.records.size(); ++i) {
            try {
                auto const record = detail::parse_strict(found.records[i]).as_object();
                if (record.contains("reset")) {
                    assets.clear();
                    keys.clear();
                }
                if (auto const* a = record.if_contains("accounts"))
                    for (auto const& x : a->as_array())
                        accounts[std::string(x.at("name").as_string())] = x;
                if (auto const* d = record.if_contains("deleted"))
                    for (auto const& x : d->as_array())
                        assets.erase(std::string(x.as_string()));
                if (auto const* a = record.if_contains("assets"))
                    for (auto const& x : a->as_array())
                        assets[std::string(x.at("content_id").as_string())] = x;
                if (auto const* k = record.if_contains("idempotency"))
                    for (auto const& x : k->as_array())
                        keys[key_of(x)] = x;
            } catch (std::exception const& e) {
                throw storage_error("state log record " + std::to_string(i + 1) +
                                    " is not a change record: " + e.what());
            }
        }
        json::object state;
        auto& a = state["accounts"].emplace_array();
        for (auto& [_, v] : accounts)
            a.push_back(std::move(v));
        auto& s = state["assets"].emplace_array();
        for (auto& [_, v] : assets)
            s.push_back(std::move(v));
        auto& k = state["idempotency"].emplace_array();
        for (auto& [_, v] : keys)
            k.push_back(std::move(v));
        return state;
    }

    /// 413 for a body above body_limit(): the same answer whether the
    /// network layer saw it first or the request came in-process.
    void check_body_size(http_request const& req) const {
        auto const limit = body_limit(req.method(), req.target());
        if (req.body().size() > limit)
            throw gallery_error(errc::payload_too_large,
                                "the body has " + std::to_string(req.body().size()) +
                                    " bytes, at most " + std::to_string(limit));
    }

    struct fault_entry {
        std::uint64_t id;
        wire::fault_spec spec;
        int remaining;
        operator wire::fault_response() const { return {id, spec, remaining}; }  // NOLINT
    };

    static std::function<time_point()> clock_for(server_options const& opts) {
        if (!opts.fixed_time)
            return {};
        auto t = std::chrono::floor<std::chrono::seconds>(*opts.fixed_time);
        return [t] { return t; };
    }

    /// The mock's clock, which signatures' X-Sdk-Date and IAM tokens follow.
    time_point now() const {
        auto t = opts_.fixed_time.value_or(std::chrono::system_clock::now());
        return std::chrono::floor<std::chrono::seconds>(t);
    }

    /// `POST /v3/auth/tokens` (gateway_auth.hpp).
    http_response iam_tokens(http_request const& req) {
        try {
            std::shared_lock lock(state_mutex_);
            return issue_iam_token(
                req, [&](std::string const& name) { return state_.account_by_name(name); }, now());
        } catch (gallery_error const& e) {
            auto r = error_response(e);
            if (e.is(errc::method_not_allowed))
                r.set(boost::beast::http::field::allow, "POST");
            return r;
        }
    }

    std::string next_request_id() {
        // One allocation: this runs for every request.
        std::string id;
        id.reserve(48);
        id += "req-";
        std::uint64_t n;
        {
            std::lock_guard lock(misc_mutex_);
            request_ids_.append_hex(id, 16);
            n = ++request_count_;
        }
        id += '-';
        char digits[24];
        id.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
        return id;
    }

    // ---- responses ----------------------------------------------------------------

    static http_response json_response(int status, std::string body) {
        http_response r;
        r.result(static_cast<unsigned>(status));
        r.set(boost::beast::http::field::content_type, "application/json");
        r.body() = std::move(body);
        return r;
    }

    static http_response empty_response(int status) {
        http_response r;
        r.result(static_cast<unsigned>(status));
        return r;
    }

    static http_response error_response(gallery_error const& e) {
        return json_response(e.status(),
                             json_writer::to_json(wire::error_body{e.error_code(), e.error_msg()}));
    }

    static http_response injected(wire::fault_spec const& f) {
        int status = *f.status;
        std::string code = "ModelArts.5000";
        for (auto const& i : error_catalogue)
            if (i.status == status) {
                code = i.code;
                break;
            }
        auto r = error_response(gallery_error(status, code, "injected fault"));
        if (f.retry_after_s)
            r.set(boost::beast::http::field::retry_after, std::to_string(*f.retry_after_s));
        return r;
    }

    // ---- faults and the journal --------------------------------------------------------

    // Under misc_mutex_: forgets a fault that has been used up.
    void drop_fault(std::list<fault_entry>::iterator it) {
        faults_.erase(it);
        fault_count_.store(faults_.size(), std::memory_order_release);
    }

    // Whether a fault applies to a request: its method and path prefix, when given.
    static bool fault_matches(wire::fault_spec const& f, std::string_view method,
                              std::string_view path) {
        return (!f.method || *f.method == method) &&
               (!f.path_prefix || path.starts_with(*f.path_prefix));
    }

    std::optional<wire::fault_spec> take_fault(std::string_view method, std::string_view path) {
        if (fault_count_.load(std::memory_order_acquire) == 0)
            return std::nullopt;  // the usual case, without the lock
        std::lock_guard lock(misc_mutex_);
        for (auto it = faults_.begin(); it != faults_.end(); ++it) {
            if (!fault_matches(it->spec, method, path))
                continue;
            auto spec = it->spec;
            if (--it->remaining == 0)
                drop_fault(it);
            return spec;
        }
        return std::nullopt;
    }

    /// What a /v1 request tells its journal entry while it is served.
    struct pending_entry {
        std::optional<account> caller;  // the caller, once authenticated
        std::string fault;
        std::shared_ptr<std::string const> state_before;
        std::chrono::system_clock::time_point started_at{};
    };

    /// `entry` is null when the journal is off.
    handler_outcome v1(http_request const& req, pending_entry* entry) {
        handler_outcome out;
        pending_entry unused;
        if (entry && opts_.record_provider_states)
            entry->state_before = state_snapshot();
        std::string_view path = req.target().substr(0, req.target().find('?'));
        auto fault = take_fault(req.method_string(), path);
        bool before = fault && !fault->after_commit.value_or(false);
        if (before && fault->action == "status") {
            out.response = injected(*fault);
        } else if (before && fault->action == "reset") {
            out.reset = true;
        } else {
            if (fault && fault->action == "delay")
                out.delay = std::chrono::milliseconds(*fault->delay_ms);
            out.response = serve(req, entry ? *entry : unused);
            // Only a write that succeeded changed the state a later entry
            // records (taken before an after-commit fault replaces the answer);
            // a refusal leaves the recorded snapshot valid.
            bool const changed = req.method() != boost::beast::http::verb::get &&
                                 out.response.result_int() / 100 == 2;
            if (fault && !before && fault->action == "status")
                out.response = injected(*fault);
            if (fault && !before && fault->action == "reset")
                out.reset = true;
            if (opts_.record_provider_states && changed)
                state_changed();
        }
        if (entry && fault)
            entry->fault = fault->action;
        return out;
    }

    /// Completes a /v1 journal entry once the answer is final (headers such
    /// as X-Request-Id included): one copy of each body, secrets redacted.
    void record(http_request const& req, handler_outcome const& out, std::string const& rid,
                std::chrono::steady_clock::time_point started, pending_entry&& entry) {
        // As sent, except what would make the journal invalid JSON (journal.hpp).
        journal_capture c;
        c.method = req.method_string();
        c.target = req.target();
        c.request_id = rid;
        c.fault = entry.fault;
        if (entry.caller) {
            c.domain_id = entry.caller->domain_id;
            c.account = entry.caller->name;
        }
        if (auto k = req.find("Idempotency-Key"); k != req.end())
            c.idempotency_key = k->value();
        c.status = out.reset ? 0 : static_cast<int>(out.response.result_int());
        c.started_at = entry.started_at;
        c.duration = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started);
        c.state_before = std::move(entry.state_before);
        journal_.add(c, req.base(), req.body(), out.reset ? nullptr : &out.response.base(),
                     out.response.body());
    }

    /// The state document without tokens or keys, shared by every entry recorded
    /// until the next change.
    std::shared_ptr<std::string const> state_snapshot() {
        std::lock_guard lock(snapshot_mutex_);
        if (!snapshot_) {
            auto doc = export_state();
            for (auto& a : doc.as_object()["accounts"].as_array()) {
                // No secret in a Pact file: keys are made afresh when it is replayed.
                a.as_object().erase("token");
                a.as_object().erase("access_key");
                a.as_object().erase("secret_key");
            }
            snapshot_ = std::make_shared<std::string const>(boost::json::serialize(doc));
        }
        return snapshot_;
    }

    void state_changed() {
        if (!opts_.record_provider_states)
            return;
        std::lock_guard lock(snapshot_mutex_);
        snapshot_.reset();
    }

    std::string fresh_token() {
        std::lock_guard lock(misc_mutex_);
        return "tok-" + request_ids_.hex(40);
    }

    std::vector<std::pair<std::uint64_t, verification>> expectation_results() const {
        std::vector<registered_expectation> list;
        {
            std::lock_guard lock(misc_mutex_);
            list = expectations_;
        }
        auto seen = journal_.entries();
        std::vector<std::pair<std::uint64_t, verification>> out;
        for (auto const& e : list)
            out.emplace_back(e.id, verify_requests(seen, e.pattern, e.rule));
        return out;
    }

    // ---- /v1 ----------------------------------------------------------------------------

    /// The route among [first, last] of the table, or 404 ModelArts.4042.
    static route_match route_in(http_request const& req, parsed_target const& target,
                                route_id first, route_id last) {
        auto m = match_route(target.segments, req.method_string());
        if (!m || m->r->id < first || m->r->id > last)
            throw gallery_error(errc::no_such_route, "no route " + printable(req.target()));
        return std::move(*m);
    }

    static http_response method_not_allowed(http_request const& req, route_match const& m) {
        auto r = error_response(gallery_error(
            errc::method_not_allowed, printable(req.method_string()) + " is not allowed here"));
        r.set(boost::beast::http::field::allow, m.r->allow);
        return r;
    }

    static bool is_json_media_type(std::string_view ct) {
        auto semi = ct.find(';');
        auto type = ct.substr(0, semi);
        while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
            type.remove_suffix(1);
        if (type.size() != 16)
            return false;
        for (std::size_t i = 0; i < 16; ++i)
            if (std::tolower(static_cast<unsigned char>(type[i])) != "application/json"[i])
                return false;
        return true;
    }

    http_response serve(http_request const& req, pending_entry& entry) {
        try {
            return serve_or_throw(req, entry);
        } catch (gallery_error const& e) {
            return error_response(e);
        } catch (std::exception const& e) {
            return error_response(
                gallery_error(errc::internal_error, std::string("internal error: ") + e.what()));
        }
    }

    http_response serve_or_throw(http_request const& req, pending_entry& entry) {
        check_body_size(req);
        {
            // gateway_auth.hpp: a signature (judged alone) or X-Auth-Token.
            std::shared_lock lock(state_mutex_);
            account const& a = authenticate(
                req, [&](std::string_view ak) { return state_.account_by_access_key(ak); },
                [&](std::string_view tok) { return state_.account_by_token(tok); },
                [this] { return now(); });
            // Who it is is all a request needs past the lock, not its keys.
            entry.caller.emplace();
            entry.caller->name = a.name;
            entry.caller->domain_id = a.domain_id;
        }
        account const& caller = *entry.caller;  // the journal names it
        auto target = parse_target(req.target());
        auto m = route_in(req, target, route_id::me, route_id::dependents);
        if (!m.method_allowed)
            return method_not_allowed(req, m);
        check_body_media_type(req);
        if (req.method() != boost::beast::http::verb::get) {
            std::shared_lock lock(state_mutex_);
            refuse_if_log_failed();
        }
        std::optional<std::string> key;
        if (auto k = req.find("Idempotency-Key"); k != req.end()) {
            if (!is_valid_idempotency_key(k->value()))
                throw gallery_error(
                    errc::bad_request,
                    "header 'Idempotency-Key': 1 to 255 printable ASCII characters");
            key = std::string(k->value());
        }
        std::optional<version_number> if_match;
        if (auto h = req.find(boost::beast::http::field::if_match); h != req.end()) {
            auto parsed = version_number::parse_entity_tag(h->value());
            if (!parsed)
                throw gallery_error(errc::bad_request, "header 'If-Match' = '" +
                                                           printable(h->value()) +
                                                           "': must be a quoted version \"x.y.z\"");
            if_match = *parsed;
        }
        auto const& p = m.params;
        switch (m.r->id) {
            case route_id::me: {
                return ok(wire::me_response{caller.domain_id, caller.name});
            }
            case route_id::contents: {
                if (req.method() == boost::beast::http::verb::get) {
                    auto q = parse_list_query(target.query);
                    std::shared_lock lock(state_mutex_);
                    return json_response(200, state_.list_json(caller, q));
                }
                auto body = wire::parse<wire::create_content_request>(require_body(req));
                return idempotent(req, caller, key, [&] {
                    auto r = state_.create_content(caller, body);
                    auto resp = json_response(201, json_writer::to_json(r));
                    resp.set(boost::beast::http::field::location, r.content_uri);
                    return resp;
                });
            }
            case route_id::versions: {
                auto body = req.body().empty()
                                ? wire::create_version_request{}
                                : wire::parse<wire::create_version_request>(req.body());
                return idempotent(req, caller, key, [&] {
                    auto r = state_.create_version_json(caller, p[0], body, if_match);
                    auto resp = json_response(201, std::move(r.body));
                    resp.set(boost::beast::http::field::location, r.location);
                    return resp;
                });
            }
            case route_id::content: {
                if (req.method() == boost::beast::http::verb::get) {
                    std::shared_lock lock(state_mutex_);
                    auto [body, etag] = state_.get_content(caller, p[0]);
                    auto r = ok(body);
                    if (etag)
                        r.set(boost::beast::http::field::etag, *etag);
                    return r;
                }
                return change_asset(p[0], [&] {
                    state_.delete_content(caller, p[0]);
                    return empty_response(204);
                });
            }
            case route_id::version: {
                if (req.method() == boost::beast::http::verb::get) {
                    std::shared_lock lock(state_mutex_);
                    return json_response(200, state_.get_version_json(caller, p[0], p[1]));
                }
                return change_asset(p[0], [&] {
                    state_.delete_version(caller, p[0], p[1]);
                    return empty_response(204);
                });
            }
            case route_id::visibility: {
                auto body = wire::parse<wire::set_visibility_request>(require_body(req));
                return change_asset(
                    p[0], [&] { return ok(state_.set_visibility(caller, p[0], p[1], body)); });
            }
            case route_id::whitelist: {
                auto body = wire::parse<wire::whitelist_patch_request>(require_body(req));
                return change_asset(
                    p[0], [&] { return ok(state_.patch_whitelist(caller, p[0], p[1], body)); });
            }
            case route_id::dependents: {
                std::shared_lock lock(state_mutex_);
                return ok(state_.dependents(caller, p[0], p[1]));
            }
            default:
                break;
        }
        throw gallery_error(errc::no_such_route, "no route " + printable(req.target()));
    }

    template <class T>
    static http_response ok(T const& body) {
        return json_response(200, json_writer::to_json(body));
    }

    static void check_body_media_type(http_request const& req) {
        if (req.body().empty())
            return;
        auto ct = req.find(boost::beast::http::field::content_type);
        if (ct == req.end() || !is_json_media_type(ct->value()))
            throw gallery_error(errc::unsupported_media_type,
                                "a body needs Content-Type: application/json");
    }

    static std::string const& require_body(http_request const& req) {
        if (req.body().empty())
            throw gallery_error(errc::bad_request, "body: a JSON object is required");
        return req.body();
    }

    /// Runs a POST under the exclusive lock, replaying or refusing a repeated
    /// Idempotency-Key and storing the answer of one that was carried out.
    template <class F>
    http_response idempotent(http_request const& req, account const& caller,
                             std::optional<std::string> const& key, F&& run) {
        std::unique_lock lock(state_mutex_);
        std::string slot = key ? caller.domain_id + '\n' + *key : std::string();
        if (key) {
            if (auto it = idempotency_.find(slot); it != idempotency_.end()) {
                auto const& r = it->second;
                if (r.method != req.method_string() || r.target != req.target() ||
                    r.body != req.body())
                    throw gallery_error(
                        errc::idempotency_conflict,
                        "Idempotency-Key '" + *key + "' was used for a different request");
                auto resp = json_response(r.status, r.response_body);
                if (!r.location.empty())
                    resp.set(boost::beast::http::field::location, r.location);
                // The replayed change may still be on its way to disk.
                auto const seq = log_ ? log_->last_enqueued() : 0;
                lock.unlock();
                make_durable(seq);
                return resp;
            }
        }
        http_response resp = run();
        doc::idempotency_doc const* record = nullptr;
        if (key && resp.result_int() / 100 == 2) {
            record =
                &(idempotency_[slot] = {caller.domain_id, *key, std::string(req.method_string()),
                                        std::string(req.target()), req.body(),
                                        static_cast<int>(resp.result_int()), resp.body(),
                                        std::string(resp[boost::beast::http::field::location])});
        }
        std::uint64_t seq = 0;
        if (resp.result_int() / 100 == 2) {
            // Location is /v1/aihub/contents/{content_id}: the asset that changed.
            std::string_view location = resp[boost::beast::http::field::location];
            seq = log_asset(location.substr(location.rfind('/') + 1), record);
        }
        lock.unlock();
        make_durable(seq);
        return resp;
    }

    static list_query parse_list_query(
        std::vector<std::pair<std::string, std::string>> const& params) {
        list_query q;
        std::set<std::string> seen;
        auto bad = [](std::string const& k, std::string const& v, std::string_view why) {
            throw gallery_error(errc::bad_request, "query parameter '" + k + "' = '" +
                                                       printable(v) + "': " + std::string(why));
        };
        auto number = [&](std::string const& k, std::string const& v, std::uint64_t lo,
                          std::uint64_t hi) {
            std::uint64_t n = 0;
            if (v.empty() || v.size() > 18 ||
                v.find_first_not_of("0123456789") != std::string::npos)
                bad(k, v, "must be a whole number");
            n = std::stoull(v);
            if (n < lo || n > hi)
                bad(k, v, "out of range " + std::to_string(lo) + " to " + std::to_string(hi));
            return n;
        };
        bool has_source = false;
        for (auto const& [k, v] : params) {
            if (!seen.insert(k).second)
                bad(k, v, "given more than once");
            if (k == "scope") {
                if (v == "mine")
                    q.scope = list_query::scope_kind::mine;
                else if (v == "shared")
                    q.scope = list_query::scope_kind::shared;
                else if (v == "public")
                    q.scope = list_query::scope_kind::public_;
                else
                    bad(k, v, "must be mine, shared or public");
            } else if (k == "content_type") {
                q.type = parse_content_type(v);
                if (!q.type)
                    bad(k, v, "must be workflow or algorithm");
            } else if (k == "title") {
                q.title = v;
            } else if (k == "source_algorithm_id") {
                q.source_algorithm_id = v;
                has_source = true;
            } else if (k == "offset") {
                q.offset = number(k, v, 0, std::uint64_t(1) << 53);
            } else if (k == "limit") {
                q.limit = number(k, v, 1, 100);
            } else if (k == "sort_key") {
                if (v != "created_at" && v != "title")
                    bad(k, v, "must be created_at or title");
                q.by_title = v == "title";
            } else if (k == "sort_dir") {
                if (v != "asc" && v != "desc")
                    bad(k, v, "must be asc or desc");
                q.ascending = v == "asc";
            } else {
                bad(k, v, "unknown query parameter");
            }
        }
        if (has_source && q.scope != list_query::scope_kind::mine)
            bad("source_algorithm_id", *q.source_algorithm_id, "only with scope=mine");
        return q;
    }

    // ---- /__mock -------------------------------------------------------------------------

    http_response control(http_request const& req, bool loopback) {
        try {
            check_body_size(req);  // first, as on /v1 and in the network layer
            if (!opts_.control_token.empty()) {
                auto t = req.find("X-Mock-Control-Token");
                if (t == req.end() || t->value() != opts_.control_token)
                    throw gallery_error(errc::unauthorized,
                                        "X-Mock-Control-Token is missing or wrong");
            } else if (!loopback) {
                throw gallery_error(errc::no_such_route, "no route " + printable(req.target()));
            }
            auto target = parse_target(req.target());
            auto m = route_in(req, target, route_id::health, route_id::expectations_verify);
            if (!m.method_allowed)
                return method_not_allowed(req, m);
            using boost::beast::http::verb;
            // Only the operations that read a body care what it is; the others
            // ignore one (curl -d '' sends a form type).
            bool const takes_body = (req.method() == verb::post && (m.r->id == route_id::accounts ||
                                                                    m.r->id == route_id::faults)) ||
                                    (req.method() == verb::put && m.r->id == route_id::state);
            if (takes_body)
                check_body_media_type(req);
            switch (m.r->id) {
                case route_id::health:
                    return ok(wire::health_response{"ok"});
                case route_id::accounts: {
                    if (req.method() == verb::get)
                        return ok(account_list());
                    auto body = wire::parse<wire::account_request>(require_body(req));
                    if (body.name.empty() || code_points(body.name) > 128 ||
                        has_c0_control(body.name))
                        throw gallery_error(
                            errc::bad_request,
                            "field 'name': 1 to 128 characters, no control characters");
                    auto a = add_account(body.name);
                    return json_response(201, json_writer::to_json(account_view(a)));
                }
                case route_id::reset:
                    reset();  // refuses itself once the log has failed
                    return empty_response(204);
                case route_id::state: {
                    if (req.method() == verb::get)
                        return json_response(200, boost::json::serialize(export_state()));
                    import_state(detail::parse_strict(require_body(req)));
                    return empty_response(204);
                }
                case route_id::state_save:
                    save_state();
                    return empty_response(204);
                case route_id::journal: {
                    if (req.method() == verb::delete_) {
                        clear_journal();
                        return empty_response(204);
                    }
                    return journal_answer(target.query);
                }
                case route_id::pact: {
                    std::string consumer, provider;
                    std::vector<std::pair<std::string, std::string>> rest;
                    for (auto const& [k, v] : target.query) {
                        if (k == "consumer")
                            consumer = v;
                        else if (k == "provider")
                            provider = v;
                        else
                            rest.emplace_back(k, v);
                    }
                    auto f = journal_filter::from_query(rest);
                    return json_response(200, boost::json::serialize(pact(consumer, provider, f)));
                }
                case route_id::provider_states:
                    return json_response(200, boost::json::serialize(provider_state(
                                                  detail::parse_strict(require_body(req)))));
                case route_id::expectations: {
                    if (req.method() == verb::delete_) {
                        clear_expectations();
                        return empty_response(204);
                    }
                    if (req.method() == verb::post) {
                        auto [p, rule] = pattern_from_json(detail::parse_strict(require_body(req)));
                        auto body = pattern_to_json(p, rule);
                        auto id = expect(std::move(p), rule);
                        return json_response(201,
                                             boost::json::serialize(boost::json::object{
                                                 {"id", id}, {"expectation", std::move(body)}}));
                    }
                    boost::json::array items;
                    bool all = true;
                    std::vector<registered_expectation> list;
                    {
                        std::lock_guard lock(misc_mutex_);
                        list = expectations_;
                    }
                    auto seen = journal_.entries();
                    for (auto const& e : list) {
                        auto v = verify_requests(seen, e.pattern, e.rule);
                        all = all && v.met;
                        auto o = to_json(v);
                        o["id"] = e.id;
                        o["expectation"] = pattern_to_json(e.pattern, e.rule);
                        items.push_back(std::move(o));
                    }
                    return json_response(200, boost::json::serialize(boost::json::object{
                                                  {"met", all}, {"items", std::move(items)}}));
                }
                case route_id::expectations_verify: {
                    auto [p, rule] = pattern_from_json(detail::parse_strict(require_body(req)));
                    return json_response(200, boost::json::serialize(to_json(verify(p, rule))));
                }
                case route_id::faults: {
                    if (req.method() == verb::get)
                        return ok(wire::fault_list_response{faults()});
                    if (req.method() == verb::delete_) {
                        clear_faults();
                        return empty_response(204);
                    }
                    auto f = wire::parse<wire::fault_spec>(require_body(req));
                    auto id = add_fault(f);
                    f.times = f.times.value_or(1);
                    return json_response(
                        201, json_writer::to_json(wire::fault_response{id, f, *f.times}));
                }
                default:
                    break;
            }
            throw gallery_error(errc::no_such_route, "no route " + printable(req.target()));
        } catch (gallery_error const& e) {
            return error_response(e);
        } catch (std::exception const& e) {
            return error_response(
                gallery_error(errc::internal_error, std::string("internal error: ") + e.what()));
        }
    }

    /// What a state document must hold before it replaces anything: every
    /// name, domain_id, token and access key given once and non-empty (keys
    /// in pairs, or neither), every owner and
    /// idempotency record an existing account, every id well-formed and
    /// unique, titles unique per owner and type. (Dependencies and the
    /// visibility invariant are checked on the rebuilt state.) A refusal is a
    /// 400 naming the entry; tokens are never shown.
    static void check_state_document(doc::state_doc const& d) {
        auto fail = [](std::string const& where, std::string const& what) {
            throw gallery_error(errc::bad_request, "state: " + where + ": " + what);
        };
        auto quoted = [](std::string_view text) { return "'" + printable(text) + "'"; };
        // What the Authorization header can carry as `Access=...`: no space or
        // comma (they end the item), nothing unprintable.
        auto usable_access_key = [](std::string_view k) {
            return !k.empty() && k.size() <= 128 &&
                   std::none_of(k.begin(), k.end(),
                                [](unsigned char c) { return c <= 0x20 || c >= 0x7f || c == ','; });
        };
        std::map<std::string, std::size_t> names, domain_ids, tokens, access_keys;
        for (std::size_t i = 0; i < d.accounts.size(); ++i) {
            auto const& a = d.accounts[i];
            std::string const where = "accounts[" + std::to_string(i) + "]";
            auto who = [&](std::size_t j) {
                return "accounts[" + std::to_string(j) + "] (" + quoted(d.accounts[j].name) + ")";
            };
            if (a.name.empty() || code_points(a.name) > 128 || has_c0_control(a.name))
                fail(where,
                     "name " + quoted(a.name) + ": 1 to 128 characters, no control characters");
            if (!is_valid_domain_id(a.domain_id))
                fail(where + " (" + quoted(a.name) + ")",
                     "domain_id " + quoted(a.domain_id) +
                         ": must be 32 lowercase hexadecimal characters");
            if (a.token.empty() || a.token.size() > 255 ||
                std::any_of(a.token.begin(), a.token.end(),
                            [](unsigned char c) { return c <= 0x20 || c >= 0x7f; }))
                fail(where + " (" + quoted(a.name) + ")",
                     "token: 1 to 255 printable ASCII characters without spaces");
            if (auto [it, fresh] = names.emplace(a.name, i); !fresh)
                fail(where, "name " + quoted(a.name) + " is also that of " + who(it->second));
            if (auto [it, fresh] = domain_ids.emplace(a.domain_id, i); !fresh)
                fail(where + " (" + quoted(a.name) + ")",
                     "domain_id " + a.domain_id + " is also that of " + who(it->second));
            if (auto [it, fresh] = tokens.emplace(a.token, i); !fresh)
                fail(where + " (" + quoted(a.name) + ")",
                     "token is also that of " + who(it->second));
            // Keys are optional (a document older than account keys gets new
            // ones), but given ones come as a pair and name one account only:
            // a repeated access key would sign in as whichever account the
            // lookup found first. The access key is public (the mock prints
            // it); the secret key is never shown.
            bool const has_ak = a.access_key && !a.access_key->empty();
            bool const has_sk = a.secret_key && !a.secret_key->empty();
            if (a.access_key && a.access_key->empty())
                fail(where + " (" + quoted(a.name) + ")",
                     "access_key '': give a key or leave the field out");
            if (a.secret_key && a.secret_key->empty())
                fail(where + " (" + quoted(a.name) + ")",
                     "secret_key is empty: give a key or leave the field out");
            if (has_ak != has_sk)
                fail(where + " (" + quoted(a.name) + ")",
                     std::string(has_ak ? "access_key" : "secret_key") + " is given without " +
                         (has_ak ? "secret_key" : "access_key") + ": both or neither");
            if (!has_ak)
                continue;
            if (!usable_access_key(*a.access_key))
                fail(where + " (" + quoted(a.name) + ")",
                     "access_key " + quoted(*a.access_key) +
                         ": 1 to 128 printable ASCII characters without spaces or commas");
            if (a.secret_key->size() > 255 ||
                std::any_of(a.secret_key->begin(), a.secret_key->end(),
                            [](unsigned char c) { return c < 0x20 || c >= 0x7f; }))
                fail(where + " (" + quoted(a.name) + ")",
                     "secret_key: 1 to 255 printable ASCII characters");
            if (auto [it, fresh] = access_keys.emplace(*a.access_key, i); !fresh)
                fail(where + " (" + quoted(a.name) + ")",
                     "access_key " + quoted(*a.access_key) + " is also that of " + who(it->second));
        }
        std::set<std::string> content_ids, titles;
        for (std::size_t i = 0; i < d.assets.size(); ++i) {
            auto const& a = d.assets[i];
            std::string const where =
                "assets[" + std::to_string(i) + "] (" + quoted(a.content_id) + ")";
            if (!is_valid_id(a.content_id))
                fail(where, "content_id: 1 to 64 characters from [A-Za-z0-9-]");
            if (!content_ids.insert(a.content_id).second)
                fail(where, "content_id is given twice");
            if (!domain_ids.count(a.owner))
                fail(where, "owner " + quoted(a.owner) + " is not an account");
            if (!titles.insert(a.owner + '\n' + a.content_type + '\n' + a.title).second)
                fail(where, "the owner has another " + printable(a.content_type) + " titled " +
                                quoted(a.title));
            if (a.versions.empty())
                fail(where, "no versions");
            for (std::size_t j = 0; j < a.versions.size(); ++j) {
                auto const& v = a.versions[j];
                if (!is_valid_id(v.version_id))
                    fail(where + ".versions[" + std::to_string(j) + "]",
                         "version_id " + quoted(v.version_id) + " is malformed");
            }
        }
        std::set<std::string> slots;
        for (std::size_t i = 0; i < d.idempotency.size(); ++i) {
            auto const& r = d.idempotency[i];
            std::string const where = "idempotency[" + std::to_string(i) + "]";
            if (!domain_ids.count(r.domain_id))
                fail(where, "domain_id " + quoted(r.domain_id) + " is not an account");
            if (!is_valid_idempotency_key(r.key))
                fail(where, "key " + quoted(r.key) + ": 1 to 255 printable ASCII characters");
            if (!slots.insert(r.domain_id + '\n' + r.key).second)
                fail(where, "key " + quoted(r.key) + " is given twice for " + r.domain_id);
            if (r.method != "POST" || !r.target.starts_with("/v1/"))
                fail(where, "only a POST to /v1 has an idempotency record");
            if (r.status < 200 || r.status > 299)
                fail(where, "status " + std::to_string(r.status) + ": only a success is stored");
        }
    }

    /// GET /__mock/journal: filtered entries with the journal's counters, or HAR.
    http_response journal_answer(std::vector<std::pair<std::string, std::string>> const& query) {
        std::string format = "json";
        for (auto const& [k, v] : query)
            if (k == "format") {
                if (v != "json" && v != "har")
                    throw gallery_error(
                        errc::bad_request,
                        "query parameter 'format' = '" + printable(v) + "': must be json or har");
                format = v;
            }
        auto f = journal_filter::from_query(query, {"format"});
        if (format == "har")
            return json_response(200, boost::json::serialize(journal_har(f)));
        boost::json::array items;
        for (auto const& r : journal_.entries(f))
            items.push_back(to_json(r));
        auto st = journal_.stats();
        auto const& lim = journal_.limits();
        return json_response(200, boost::json::serialize(
                                      boost::json::object{{"items", std::move(items)},
                                                          {"kept", st.entries},
                                                          {"bytes", st.bytes},
                                                          {"dropped", st.dropped},
                                                          {"max_entries", lim.max_entries},
                                                          {"max_bytes", lim.max_bytes},
                                                          {"max_body_bytes", lim.max_body_bytes}}));
    }

    static asset_record to_record(doc::asset_doc const& d) {
        auto fail = [&](std::string const& what) -> void {
            throw gallery_error(errc::bad_request, "state: asset '" + d.content_id + "': " + what);
        };
        asset_record a;
        a.content_id = d.content_id;
        auto t = parse_content_type(d.content_type);
        if (!t)
            fail("bad content_type");
        a.type = *t;
        if (auto p = title_problem(d.title))
            fail("title " + std::string(*p));
        a.title = d.title;
        if (!is_valid_domain_id(d.owner))
            fail("bad owner");
        a.owner = d.owner;
        auto c = parse_rfc3339(d.created_at), u = parse_rfc3339(d.updated_at);
        if (!c || !u)
            fail("bad time");
        a.created_at = *c;
        a.updated_at = *u;
        a.highest_ever = version_number::parse_or_throw(d.highest_ever, "state highest_ever");
        // Sorted first: a document may list them in any order, and the
        // table appends a new highest in O(1) but inserts below it in O(n).
        std::vector<version_record> records;
        records.reserve(d.versions.size());
        for (auto const& vd : d.versions) {
            version_record& v = records.emplace_back();
            v.version_id = vd.version_id;
            if (!is_valid_id(v.version_id))
                fail("bad version_id");
            v.num = version_number::parse_or_throw(vd.version_num, "state version_num");
            v.desc = vd.desc;
            auto vis = parse_visibility(vd.visibility);
            if (!vis)
                fail("bad visibility");
            v.vis = *vis;
            v.group_users = vd.group_users;
            std::sort(v.group_users.begin(), v.group_users.end());
            if (std::adjacent_find(v.group_users.begin(), v.group_users.end()) !=
                v.group_users.end())
                fail("a whitelist lists a user twice");
            for (auto const& g : v.group_users)
                if (!is_valid_domain_id(g) || g == a.owner)
                    fail("bad whitelist entry");
            if (v.vis != visibility::group && !v.group_users.empty())
                fail("a whitelist on a non-group version");
            for (auto const& dep : vd.dependencies)
                v.dependencies.push_back(
                    {dep.content_id,
                     version_number::parse_or_throw(dep.version_num, "state dependency")});
            v.source = vd.source;
            auto vc = parse_rfc3339(vd.created_at);
            if (!vc)
                fail("bad version time");
            v.created_at = *vc;
        }
        std::sort(records.begin(), records.end(),
                  [](auto const& x, auto const& y) { return x.num < y.num; });
        for (auto& v : records)
            if (!a.versions.emplace(std::move(v)).second)
                fail("version " + v.num.to_string() + " appears twice");
        return a;
    }

    server_options opts_;
    std::unique_ptr<durable_log> log_;  // durable mode only
    std::uint64_t dropped_bytes_ = 0;
    std::size_t replayed_records_ = 0;
    mutable std::shared_mutex state_mutex_;
    gallery_state state_;
    idempotency_map idempotency_;
    mutable std::mutex misc_mutex_;
    mutable std::mutex save_mutex_;
    id_generator request_ids_;
    std::uint64_t request_count_ = 0;
    std::list<fault_entry> faults_;
    // faults_.size(), written under misc_mutex_: a request reads it without
    // the lock to skip the faults when there are none (a fault added while a
    // request is being served applies from the next one, as with the lock).
    std::atomic<std::size_t> fault_count_{0};
    std::uint64_t fault_ids_ = 0;
    journal_ring journal_;
    struct registered_expectation {
        std::uint64_t id;
        request_pattern pattern;
        count_rule rule;
    };
    std::vector<registered_expectation> expectations_;  // under misc_mutex_
    std::uint64_t expectation_ids_ = 0;
    std::mutex snapshot_mutex_;
    std::shared_ptr<std::string const> snapshot_;  // state before the next request, no tokens
    static constexpr char const* creator_version = "0.1.0";
};

}  // namespace aigallery::mock
