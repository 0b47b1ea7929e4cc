// Strict JSON for request bodies: the contract wants malformed JSON, invalid
// UTF-8, duplicate keys, unknown fields and wrong types refused with the
// offending field named. Boost.JSON parses (and checks UTF-8); this adds the
// duplicate-key check, in the same pass, and a Boost.Describe-driven mapping
// that is strict.
#pragma once

#include <aigallery/error.hpp>

#include <boost/describe/members.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
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

// A basic_parser handler that builds the value as Boost.JSON's own parser
// does (through a value_stack) and, in the same pass, remembers the keys of
// each open object to refuse a repeated one.
class strict_handler {
public:
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();
    /// The deepest nesting parse_strict lets through.
    static constexpr std::size_t max_depth = 64;

    boost::json::value_stack st;
    std::optional<std::string> duplicate;  // the repeated key, once found (it may be "")

    template <class... Args>
    explicit strict_handler(Args&&... args) : st(std::forward<Args>(args)...) {}

    using ec_t = boost::system::error_code;
    using sv = boost::json::string_view;
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t& ec) {
        if (depth_ == frames_.size()) {  // parse_strict's max_depth stops it first
            ec = boost::json::error::too_deep;
            return false;
        }
        frames_[depth_++].first_key = used_;
        return true;
    }
    bool on_object_end(std::size_t n, ec_t&) {
        auto& f = frames_[--depth_];
        used_ = f.first_key;
        f.many.reset();
        st.push_object(n);
        return true;
    }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t n, ec_t&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(sv s, std::size_t, ec_t&) {
        key_.append(s.data(), s.size());
        st.push_chars(s);
        return true;
    }
    bool on_key(sv s, std::size_t, ec_t& ec) {
        std::string_view whole(s.data(), s.size());
        if (!key_.empty()) {
            key_.append(s.data(), s.size());
            whole = key_;
        }
        if (!remember(whole)) {
            duplicate.emplace(whole);
            ec = make_error_code(boost::system::errc::invalid_argument);
            return false;
        }
        key_.clear();
        st.push_key(s);
        return true;
    }
    bool on_string_part(sv s, std::size_t, ec_t&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(sv s, std::size_t, ec_t&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(sv, ec_t&) { return true; }
    bool on_int64(std::int64_t i, sv, ec_t&) {
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, sv, ec_t&) {
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, sv, ec_t&) {
        st.push_double(d);
        return true;
    }
    bool on_bool(bool b, ec_t&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(ec_t&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }

private:
    // Objects in request bodies hold a handful of keys: the open objects'
    // keys sit in one list, the first `inline_keys` of them inside the
    // handler (no allocation for a typical body), and each object's are
    // searched linearly; an object that grows past `linear_max` keys moves
    // to a hash set, so a hostile body with many keys stays linear.
    static constexpr std::size_t linear_max = 16;
    static constexpr std::size_t inline_keys = 24;
    struct frame {
        std::size_t first_key = 0;  // its keys are key_at(first_key .. used_-1)
        std::unique_ptr<std::unordered_set<std::string>> many;
    };

    std::string& key_at(std::size_t i) {
        return i < inline_keys ? inline_[i] : spill_[i - inline_keys];
    }

    // Adds a key to the innermost object; false when it was there already.
    bool remember(std::string_view key) {
        auto& f = frames_[depth_ - 1];
        if (f.many)
            return f.many->emplace(key).second;
        for (std::size_t i = f.first_key; i < used_; ++i)
            if (key_at(i) == key)
                return false;
        if (used_ - f.first_key == linear_max) {
            f.many = std::make_unique<std::unordered_set<std::string>>();
            for (std::size_t i = f.first_key; i < used_; ++i)
                f.many->insert(key_at(i));
            return f.many->emplace(key).second;
        }
        if (used_ >= inline_keys && used_ - inline_keys == spill_.size())
            spill_.emplace_back();
        key_at(used_++).assign(key);
        return true;
    }

    std::array<frame, max_depth + 1> frames_;
    std::size_t depth_ = 0;
    std::array<std::string, inline_keys> inline_;
    std::vector<std::string> spill_;  // keys past the first inline_keys
    std::size_t used_ = 0;            // keys of the open objects in use
    std::string key_;                 // a key that arrives in parts
};

/// Parses a whole body strictly, in one pass; throws ModelArts.4001 saying
/// what is wrong and where.
inline boost::json::value parse_strict(std::string_view text,
                                       boost::json::storage_ptr storage = {}) {
    boost::json::parse_options opt;
    opt.max_depth = strict_handler::max_depth;
    unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];
    boost::json::basic_parser<strict_handler> p(opt, boost::json::storage_ptr(), temp, sizeof temp);
    p.handler().st.reset(std::move(storage));
    boost::system::error_code ec;
    std::size_t const used = p.write_some(false, text.data(), text.size(), ec);
    if (ec) {
        if (auto const& key = p.handler().duplicate)  // named even when it is ""
            throw gallery_error(errc::bad_request, "field '" + *key + "': appears more than once");
        field_error({}, "malformed JSON at byte " + std::to_string(used) + ": " + ec.message());
    }
    if (used < text.size()) {
        ec = boost::json::error::extra_data;
        field_error({}, "malformed JSON: " + ec.message());
    }
    return p.handler().st.release();
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
