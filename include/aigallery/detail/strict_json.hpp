// Strict JSON for request bodies: the contract wants malformed JSON, invalid
// UTF-8, duplicate keys, unknown fields and wrong types refused with the
// offending field named. Boost.JSON parses (and checks UTF-8); this adds the
// duplicate-key pass and a Boost.Describe-driven mapping that is strict.
#pragma once

#include <aigallery/error.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

namespace aigallery::detail {

[[noreturn]] inline void field_error(std::string const& path, std::string const& what) {
    throw gallery_error(
        errc::bad_request,
        (path.empty() ? std::string("body") : "field '" + path + "'") + ": " + what);
}

// A basic_parser handler that builds nothing and only remembers the keys of
// each open object, to find a repeated one.
class duplicate_key_finder {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    std::string duplicate;  // the repeated key, once found

    using ec_t = boost::system::error_code;
    using sv = boost::json::string_view;
    bool on_document_begin(ec_t&) {
        frames_.reserve(8);
        keys_.reserve(linear_max);
        return true;
    }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) {
        frames_.push_back({used_, {}});
        return true;
    }
    bool on_object_end(std::size_t, ec_t&) {
        used_ = frames_.back().first_key;
        frames_.pop_back();
        return true;
    }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t, ec_t&) { return true; }
    bool on_key_part(sv s, std::size_t, ec_t&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(sv s, std::size_t, ec_t& ec) {
        key_.append(s.data(), s.size());
        if (!remember(key_)) {
            duplicate = key_;
            ec = make_error_code(boost::system::errc::invalid_argument);
            return false;
        }
        key_.clear();
        return true;
    }
    bool on_string_part(sv, std::size_t, ec_t&) { return true; }
    bool on_string(sv, std::size_t, ec_t&) { return true; }
    bool on_number_part(sv, ec_t&) { return true; }
    bool on_int64(std::int64_t, sv, ec_t&) { return true; }
    bool on_uint64(std::uint64_t, sv, ec_t&) { return true; }
    bool on_double(double, sv, ec_t&) { return true; }
    bool on_bool(bool, ec_t&) { return true; }
    bool on_null(ec_t&) { return true; }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }

private:
    // Objects in request bodies hold a handful of keys: each open object's
    // keys sit in one reused vector (no allocation per key once warm) and
    // are searched linearly; an object that grows past `linear_max` keys
    // moves to a hash set, so a hostile body with many keys stays linear.
    static constexpr std::size_t linear_max = 16;
    struct frame {
        std::size_t first_key = 0;  // its keys are keys_[first_key, used_)
        std::unique_ptr<std::unordered_set<std::string>> many;
    };

    // Adds a key to the innermost object; false when it was there already.
    bool remember(std::string const& key) {
        auto& f = frames_.back();
        if (f.many)
            return f.many->insert(key).second;
        for (std::size_t i = f.first_key; i < used_; ++i)
            if (keys_[i] == key)
                return false;
        if (used_ - f.first_key == linear_max) {
            f.many = std::make_unique<std::unordered_set<std::string>>(
                keys_.begin() + static_cast<std::ptrdiff_t>(f.first_key),
                keys_.begin() + static_cast<std::ptrdiff_t>(used_));
            return f.many->insert(key).second;
        }
        if (used_ == keys_.size())
            keys_.emplace_back();
        keys_[used_++].assign(key);
        return true;
    }

    std::vector<frame> frames_;
    std::vector<std::string> keys_;  // the open objects' keys; [0, used_) in use
    std::size_t used_ = 0;
    std::string key_;
};

/// Parses a whole body strictly; throws ModelArts.4001 saying what is wrong
/// and where.
inline boost::json::value parse_strict(std::string_view text,
                                       boost::json::storage_ptr storage = {}) {
    boost::json::parse_options opt;
    opt.max_depth = 64;
    boost::json::basic_parser<duplicate_key_finder> p(opt);
    boost::system::error_code ec;
    std::size_t used = p.write_some(false, text.data(), text.size(), ec);
    if (ec) {
        if (!p.handler().duplicate.empty())
            field_error(p.handler().duplicate, "appears more than once");
        field_error({}, "malformed JSON at byte " + std::to_string(used) + ": " + ec.message());
    }
    auto v = boost::json::parse(text, ec, std::move(storage), opt);
    if (ec)
        field_error({}, "malformed JSON: " + ec.message());  // e.g. an empty body
    return v;
}

/// Where a value sits in the body, as an error names it
/// (`dependencies[0].content_id`). The reader passes one down per value, a
/// link to its parent on the stack, and the text is built only for an error:
/// a body read without one builds no path at all.
class json_path {
public:
    /// The body itself (no name).
    json_path() = default;
    /// The member `name` of the object at `parent`.
    json_path(json_path const& parent, std::string_view name) noexcept
        : parent_(&parent), name_(name) {}
    /// The element `index` of the array at `parent`.
    json_path(json_path const& parent, std::size_t index) noexcept
        : parent_(&parent), index_(index), is_index_(true) {}
    json_path(json_path const&) = delete;  // a link is only ever made from its parent
    json_path& operator=(json_path const&) = delete;

    /// The path as text; empty for the body itself.
    std::string str() const {
        std::string out;
        append_to(out);
        return out;
    }

private:
    void append_to(std::string& out) const {
        if (!parent_)
            return;
        parent_->append_to(out);
        if (is_index_) {
            out += '[';
            out += std::to_string(index_);
            out += ']';
            return;
        }
        if (!out.empty())
            out += '.';
        out.append(name_.data(), name_.size());
    }

    json_path const* parent_ = nullptr;
    std::string_view name_;
    std::size_t index_ = 0;
    bool is_index_ = false;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept described = boost::describe::has_describe_members<T>::value;

// ---- reading: json -> C++, strict ------------------------------------------

inline void read(boost::json::value const& v, std::string& out, json_path const& path,
                 bool /*strict*/ = true) {
    auto s = v.if_string();
    if (!s)
        field_error(path.str(), "expected a string");
    out.assign(s->data(), s->size());
}

inline void read(boost::json::value const& v, bool& out, json_path const& path,
                 bool /*strict*/ = true) {
    auto b = v.if_bool();
    if (!b)
        field_error(path.str(), "expected true or false");
    out = *b;
}

template <class I>
requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) void read(boost::json::value const& v,
                                                                      I& out, json_path const& path,
                                                                      bool /*strict*/ = true) {
    bool ok = false;
    if (auto p = v.if_int64()) {
        if constexpr (std::is_signed_v<I>)
            ok = *p >= std::numeric_limits<I>::min() && *p <= std::numeric_limits<I>::max();
        else
            ok = *p >= 0 && static_cast<std::uint64_t>(*p) <= std::numeric_limits<I>::max();
        if (ok)
            out = static_cast<I>(*p);
    } else if (auto u = v.if_uint64()) {
        ok = *u <= static_cast<std::uint64_t>(std::numeric_limits<I>::max());
        if (ok)
            out = static_cast<I>(*u);
    } else if (v.is_double()) {
        field_error(path.str(), "expected an integer");
    } else {
        field_error(path.str(), "expected an integer");
    }
    if (!ok)
        field_error(path.str(), "integer out of range");
}

inline void read(boost::json::value const& v, boost::json::object& out, json_path const& path,
                 bool /*strict*/ = true) {
    auto o = v.if_object();
    if (!o)
        field_error(path.str(), "expected an object");
    out = *o;
}

inline void read(boost::json::value const& v, boost::json::value& out, json_path const&,
                 bool = true) {
    out = v;
}

template <class T>
void read(boost::json::value const& v, std::vector<T>& out, json_path const& path,
          bool strict = true);
template <described T>
void read(boost::json::value const& v, T& out, json_path const& path, bool strict = true);

template <class T>
void read(boost::json::value const& v, std::optional<T>& out, json_path const& path,
          bool strict = true) {
    out.emplace();
    read(v, *out, path, strict);
}

template <class T>
void read(boost::json::value const& v, std::vector<T>& out, json_path const& path, bool strict) {
    auto a = v.if_array();
    if (!a)
        field_error(path.str(), "expected an array");
    out.clear();
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        out.emplace_back();
        read((*a)[i], out.back(), json_path(path, i), strict);
    }
}

template <described T>
void read(boost::json::value const& v, T& out, json_path const& path, bool strict) {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    auto o = v.if_object();
    if (!o)
        field_error(path.str(), "expected an object");
    for (auto const& kv : *o) {
        if (!strict)
            break;  // a tolerant reader ignores what it does not know
        bool known = false;
        boost::mp11::mp_for_each<members>([&](auto d) { known = known || kv.key() == d.name; });
        if (!known)
            field_error(json_path(path, kv.key()).str(), "unknown field");
    }
    boost::mp11::mp_for_each<members>([&](auto d) {
        auto& member = out.*d.pointer;
        using M = std::remove_cvref_t<decltype(member)>;
        if (auto it = o->find(d.name); it != o->end())
            read(it->value(), member, json_path(path, d.name), strict);
        else if constexpr (!is_optional<M>::value)
            field_error(json_path(path, d.name).str(), "is required");
    });
}

/// Reads an answer tolerantly: unknown fields are ignored (a newer gallery
/// may add some), known ones are still type-checked and required ones
/// still required. Requests stay strict.
template <described T>
T read_tolerant(boost::json::value const& v) {
    T t{};
    read(v, t, json_path(), false);
    return t;
}

// ---- writing: C++ -> json ------------------------------------------------------

template <described T>
void write(boost::json::value& jv, T const& in) {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    auto& o = jv.emplace_object();
    boost::mp11::mp_for_each<members>([&](auto d) {
        auto const& member = in.*d.pointer;
        using M = std::remove_cvref_t<decltype(member)>;
        if constexpr (is_optional<M>::value) {
            if (member)
                o[d.name] = boost::json::value_from(*member, o.storage());
        } else {
            o[d.name] = boost::json::value_from(member, o.storage());
        }
    });
}

}  // namespace aigallery::detail

// Hooks a described struct of namespace NS into Boost.JSON's value_from and
// value_to through the strict mapping above.
#define AIGALLERY_JSON_MAPPING_FOR_NAMESPACE                                               \
    template <::aigallery::detail::described T>                                            \
    void tag_invoke(::boost::json::value_from_tag, ::boost::json::value& jv, T const& t) { \
        ::aigallery::detail::write(jv, t);                                                 \
    }                                                                                      \
    template <::aigallery::detail::described T>                                            \
    T tag_invoke(::boost::json::value_to_tag<T>, ::boost::json::value const& jv) {         \
        T t{};                                                                             \
        ::aigallery::detail::read(jv, t, ::aigallery::detail::json_path());                \
        return t;                                                                          \
    }
