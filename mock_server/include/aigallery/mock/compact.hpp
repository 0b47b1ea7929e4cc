// Small representations for what the mock stores once per version, so that a
// million versions fit in some 250 MB (docs/benchmarks.md): an id that keeps
// a generated UUID in 16 bytes instead of a 36-character string, a list
// shared, immutable, between versions that have the same one, and a source
// object that costs one pointer when empty.
#pragma once

#include <aigallery/validation.hpp>

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aigallery::mock {

/// An id as given: a canonical lowercase UUID (what the mock generates) is
/// kept as its 16 bytes, anything else (ids from an imported state) as text.
/// Reads back exactly as it was written; one never written reads as the nil
/// UUID (the mock writes every id it stores).
class compact_id {
public:
    /// The nil UUID.
    compact_id() = default;
    /// Keeps `s`: in 16 bytes when it is a canonical lowercase UUID.
    compact_id(std::string_view s) { assign(s); }  // NOLINT: assigned from strings throughout
    /// Keeps `s`: in 16 bytes when it is a canonical lowercase UUID.
    compact_id(std::string const& s) { assign(s); }  // NOLINT
    /// Keeps `s`: in 16 bytes when it is a canonical lowercase UUID.
    compact_id(char const* s) { assign(s); }  // NOLINT
    /// The UUID of these 16 bytes (id_generator::uuid_bytes()), with no text to parse.
    explicit compact_id(std::array<std::uint8_t, 16> const& uuid) noexcept : bytes_(uuid) {}
    /// A deep copy (a gallery_state is copied whole by an import).
    compact_id(compact_id const& o)
        : bytes_(o.bytes_), other_(o.other_ ? std::make_unique<std::string>(*o.other_) : nullptr) {}
    /// Moves.
    compact_id(compact_id&&) noexcept = default;
    /// A deep copy.
    compact_id& operator=(compact_id const& o) {
        if (this != &o)
            *this = compact_id(o);
        return *this;
    }
    /// Moves.
    compact_id& operator=(compact_id&&) noexcept = default;
    /// Keeps `s`, as the constructor does.
    compact_id& operator=(std::string_view s) {
        assign(s);
        return *this;
    }
    /// Keeps `s`, as the constructor does.
    compact_id& operator=(std::string const& s) { return *this = std::string_view(s); }
    /// Keeps `s`, as the constructor does.
    compact_id& operator=(char const* s) { return *this = std::string_view(s); }

    /// The id as it was written.
    std::string str() const {
        if (other_)
            return *other_;
        std::string s;
        append_to(s);
        return s;
    }
    /// The id's text when it is not a canonical UUID (else null: 36 bytes of
    /// hexadecimal digits and dashes, which need no escaping anywhere).
    std::string const* text_if_not_uuid() const noexcept { return other_.get(); }
    /// The bytes write_uuid_to() writes.
    static constexpr std::size_t uuid_size = 36;
    /// Writes the canonical UUID at `p` (room for uuid_size bytes); only
    /// when text_if_not_uuid() is null. Returns the end.
    char* write_uuid_to(char* p) const noexcept {
        static constexpr char digits[] = "0123456789abcdef";
        for (std::size_t i = 0; i < 16; ++i) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                *p++ = '-';
            *p++ = digits[bytes_[i] >> 4];
            *p++ = digits[bytes_[i] & 15];
        }
        return p;
    }
    /// Appends the id as it was written (no string of its own in between).
    void append_to(std::string& out) const {
        if (other_) {
            out += *other_;
            return;
        }
        char s[uuid_size];
        out.append(s, write_uuid_to(s));
    }
    /// The id as it was written.
    operator std::string() const { return str(); }  // NOLINT: read where strings are expected

    /// Same text.
    friend bool operator==(compact_id const& a, compact_id const& b) {
        if (!a.other_ && !b.other_)
            return a.bytes_ == b.bytes_;
        return a.str() == b.str();
    }
    /// The id rule of validation.hpp, for a stored id.
    friend bool is_valid_id(compact_id const& id) { return aigallery::is_valid_id(id.str()); }

private:
    void assign(std::string_view s) {
        other_.reset();
        bytes_ = {};
        if (!parse_uuid(s))
            other_ = std::make_unique<std::string>(s);
    }

    /// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in lowercase hexadecimal only.
    bool parse_uuid(std::string_view s) {
        if (s.size() != 36)
            return false;
        std::array<std::uint8_t, 16> b{};
        std::size_t n = 0;
        for (std::size_t i = 0; i < 36; ++i) {
            char c = s[i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-')
                    return false;
                continue;
            }
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (v < 0)
                return false;
            b[n / 2] = static_cast<std::uint8_t>(b[n / 2] | (n % 2 ? v : v << 4));
            ++n;
        }
        bytes_ = b;
        return true;
    }

    std::array<std::uint8_t, 16> bytes_{};
    std::unique_ptr<std::string> other_;  // set for an id that is not a canonical UUID
};

/// An immutable list shared by the versions that have the same one (every
/// version of a workflow usually has its predecessor's dependencies). Reads
/// like a vector; push_back copies first when the list is shared.
template <class T>
class shared_list {
public:
    /// No items.
    shared_list() = default;
    /// Holds `v`.
    shared_list(std::vector<T> v)  // NOLINT: assigned from vectors throughout
        : items_(v.empty() ? nullptr : std::make_shared<std::vector<T> const>(std::move(v))) {}

    /// The first item.
    auto begin() const { return items().begin(); }
    /// Past the last item.
    auto end() const { return items().end(); }
    /// How many items.
    std::size_t size() const { return items().size(); }
    /// Whether there are none.
    bool empty() const { return items().empty(); }
    /// The items.
    std::vector<T> const& items() const { return items_ ? *items_ : none(); }
    /// The items.
    operator std::vector<T> const&() const { return items(); }  // NOLINT

    /// Adds an item to this list only (a shared one is copied first).
    void push_back(T t) {
        auto next = std::make_shared<std::vector<T>>(items());
        next->push_back(std::move(t));
        items_ = std::move(next);
    }

    /// Shares `other`'s list when it holds the same items.
    void share_if_equal(shared_list const& other) {
        if (items_ != other.items_ && items() == other.items())
            items_ = other.items_;
    }

private:
    static std::vector<T> const& none() {
        static std::vector<T> const empty;
        return empty;
    }
    std::shared_ptr<std::vector<T> const> items_;
};

/// A version's `source` object: most versions have none, so an empty one
/// takes 8 bytes instead of a boost::json::object's 24.
class shared_object {
public:
    /// An empty object.
    shared_object() = default;
    /// Holds `o`.
    shared_object(boost::json::object o) { *this = std::move(o); }  // NOLINT
    /// Holds `o` (nothing at all when it is empty).
    shared_object& operator=(boost::json::object o) {
        p_ = o.empty() ? nullptr : std::make_shared<boost::json::object const>(std::move(o));
        return *this;
    }
    /// The object.
    boost::json::object const& get() const { return p_ ? *p_ : none(); }
    /// The object.
    operator boost::json::object const&() const { return get(); }  // NOLINT
    /// The value at `key`, or null.
    boost::json::value const* if_contains(std::string_view key) const {
        return get().if_contains(key);
    }

private:
    static boost::json::object const& none() {
        static boost::json::object const empty;
        return empty;
    }
    std::shared_ptr<boost::json::object const> p_;
};

}  // namespace aigallery::mock
