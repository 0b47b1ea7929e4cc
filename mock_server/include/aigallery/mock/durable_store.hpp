// Durable state for the mock: an append-only log of changes next to the state
// file, flushed with group commit, compacted into the state file on save.
// POSIX only (open, fdatasync, flock, rename). No JSON here: records are
// opaque text, the service decides what they say.
#pragma once

#include <boost/crc.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aigallery::mock {

/// A failure to read or write the state file or its log; the message names
/// the file and the system's reason.
class storage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace durable_detail {

inline std::string errno_text(std::string const& what, std::string const& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

inline bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// The directory part of a path ("." for a bare file name).
inline std::string directory_of(std::string const& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

/// Makes a rename or a new file in `dir` durable.
inline void sync_directory(std::string const& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;  // some file systems cannot open a directory; the rename still happened
    ::fsync(fd);
    ::close(fd);
}

}  // namespace durable_detail

/// Replaces `path` with `text` atomically: a uniquely named temporary in the
/// same directory (mode 0600, so that two writers never share one), fsync'd,
/// renamed over `path`, then the directory fsync'd. Throws storage_error.
inline void write_file_atomically(std::string const& path, std::string_view text) {
    std::string tmp = path + ".tmp.XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
    if (fd < 0)
        throw storage_error(durable_detail::errno_text("cannot create a temporary file for", path));
    bool ok = durable_detail::write_all(fd, text) && ::fsync(fd) == 0;
    int saved = errno;
    ok = (::close(fd) == 0) && ok;
    if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        errno = saved;
        throw storage_error(durable_detail::errno_text("cannot write", path));
    }
    durable_detail::sync_directory(durable_detail::directory_of(path));
}

/// The log of a durable state file (`state_file + ".log"`): each change the
/// service acknowledges is a record here, on disk before its answer is sent.
///
/// Record frame: 4-byte little-endian payload length, 4-byte little-endian
/// CRC-32 of the payload, the payload. A crash can leave only the last
/// record torn (short or with a wrong CRC); load() drops it and truncates
/// the file there, so it is never half-applied.
///
/// The constructor takes an exclusive flock on the log, held for the
/// object's lifetime, so that a second process cannot use the same state
/// file; it also checks that the log and the state file's directory can be
/// written, so that a bad path fails at start, not at the first save.
///
/// Thread-safe. enqueue() must be called in the order the changes were
/// made (the service calls it under its exclusive state lock); wait() is
/// called without that lock, so that writers arriving during one fsync
/// share the next (group commit).
class durable_log {
public:
    /// Opens (creating) and locks the log beside `state_file`; throws when it cannot.
    explicit durable_log(std::string state_file)
        : state_file_(std::move(state_file)), log_file_(state_file_ + ".log") {
        fd_ = ::open(log_file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd_ < 0)
            throw storage_error(durable_detail::errno_text("cannot open the state log", log_file_));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            bool const busy = errno == EWOULDBLOCK;
            std::string message = busy ? "the state file " + state_file_ +
                                             " is in use by another process (its log " + log_file_ +
                                             " is locked)"
                                       : durable_detail::errno_text("cannot lock", log_file_);
            ::close(fd_);
            throw storage_error(message);
        }
        // The snapshot is replaced by rename: its directory must take new files.
        std::string probe = state_file_ + ".probe.XXXXXX";
        int p = ::mkostemp(probe.data(), O_CLOEXEC);
        if (p < 0) {
            std::string message = durable_detail::errno_text(
                "cannot create files next to the state file", state_file_);
            ::close(fd_);
            throw storage_error(message);
        }
        ::close(p);
        ::unlink(probe.c_str());
    }

    durable_log(durable_log const&) = delete;
    durable_log& operator=(durable_log const&) = delete;

    ~durable_log() { ::close(fd_); }  // also releases the lock

    /// What a start finds on disk.
    struct contents {
        std::optional<std::string> snapshot;  ///< the state file, when it exists
        std::vector<std::string> records;     ///< the log's complete records, in order
        std::uint64_t dropped_bytes = 0;      ///< a torn last record, now truncated away
    };

    /// Reads the state file and the log, truncating a torn last record.
    contents load() {
        contents c;
        if (int fd = ::open(state_file_.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
            c.snapshot = read_all(fd, state_file_);
            ::close(fd);
        } else if (errno != ENOENT) {
            throw storage_error(durable_detail::errno_text("cannot read", state_file_));
        }
        std::string log = read_all(fd_, log_file_, /*from_start=*/true);
        std::size_t at = 0;
        while (log.size() - at >= 8) {
            std::uint32_t const length = read_u32(log.data() + at);
            std::uint32_t const crc = read_u32(log.data() + at + 4);
            if (length > log.size() - at - 8)
                break;
            std::string_view payload(log.data() + at + 8, length);
            if (crc32(payload) != crc)
                break;
            c.records.emplace_back(payload);
            at += 8 + length;
        }
        c.dropped_bytes = log.size() - at;
        if (c.dropped_bytes != 0 &&
            (::ftruncate(fd_, static_cast<off_t>(at)) != 0 || ::fdatasync(fd_) != 0))
            throw storage_error(
                durable_detail::errno_text("cannot truncate a torn record of", log_file_));
        records_ = c.records.size();
        return c;
    }

    /// Queues one record; returns its sequence number for wait(). Throws
    /// storage_error once a write has failed.
    std::uint64_t enqueue(std::string_view payload) {
        std::lock_guard lock(mutex_);
        throw_if_failed();
        char frame[8];
        write_u32(frame, static_cast<std::uint32_t>(payload.size()));
        write_u32(frame + 4, crc32(payload));
        pending_.append(frame, 8);
        pending_.append(payload);
        return ++enqueued_;
    }

    /// The sequence number of the last record queued (0: none).
    std::uint64_t last_enqueued() const {
        std::lock_guard lock(mutex_);
        return enqueued_;
    }

    /// Returns once record `seq` (and every one before it) is on disk. One
    /// waiter writes and fsyncs everything queued so far; the others wait
    /// for it, and so share its fsync. Throws storage_error on failure.
    void wait(std::uint64_t seq) {
        std::unique_lock lock(mutex_);
        while (durable_ < seq) {
            throw_if_failed();
            if (flushing_) {
                flushed_.wait(lock);
                continue;
            }
            flush(lock);
        }
    }

    /// Writes `snapshot` (the whole state, including every record so far)
    /// over the state file atomically, then empties the log. The caller
    /// makes sure nothing is enqueued meanwhile. A crash between the two
    /// steps replays records the snapshot already holds: each record sets
    /// values rather than changing them, so replaying it again is harmless.
    void compact(std::string_view snapshot) {
        std::unique_lock lock(mutex_);
        while (flushing_)
            flushed_.wait(lock);
        throw_if_failed();
        write_file_atomically(state_file_, snapshot);
        // What is queued is in the snapshot now: no need to write it. Not
        // dropped before: if the snapshot cannot be written, the queued
        // records still reach the log, and the old snapshot plus the log
        // still hold every acknowledged change.
        pending_.clear();
        if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) {
            failure_ = durable_detail::errno_text("cannot empty the state log", log_file_);
            throw storage_error(failure_);
        }
        durable_ = enqueued_;
        records_ = 0;
        ++compactions_;
        flushed_.notify_all();
    }

    /// Whether a write has failed: the service then refuses every change.
    std::optional<std::string> failure() const {
        std::lock_guard lock(mutex_);
        if (failure_.empty())
            return std::nullopt;
        return failure_;
    }

    /// How many fsyncs the log has taken; with many writers, fewer than records.
    std::uint64_t flushes() const {
        std::lock_guard lock(mutex_);
        return flushes_;
    }
    /// How many records the log file holds now (those of load() plus those written since).
    std::uint64_t records() const {
        std::lock_guard lock(mutex_);
        return records_;
    }
    /// How many times the log was folded into the state file.
    std::uint64_t compactions() const {
        std::lock_guard lock(mutex_);
        return compactions_;
    }
    /// The state file (the snapshot) this log belongs to.
    std::string const& state_file() const noexcept { return state_file_; }
    /// The log itself: state_file() + ".log".
    std::string const& log_file() const noexcept { return log_file_; }

private:
    static std::uint32_t crc32(std::string_view s) {
        boost::crc_32_type crc;
        crc.process_bytes(s.data(), s.size());
        return crc.checksum();
    }
    static std::uint32_t read_u32(char const* p) {
        auto const* b = reinterpret_cast<unsigned char const*>(p);
        return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
               std::uint32_t(b[3]) << 24;
    }
    static void write_u32(char* p, std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    }

    static std::string read_all(int fd, std::string const& path, bool from_start = false) {
        std::string text;
        char buffer[65536];
        off_t offset = 0;
        for (;;) {
            auto n = from_start ? ::pread(fd, buffer, sizeof buffer, offset)
                                : ::read(fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw storage_error(durable_detail::errno_text("cannot read", path));
            if (n == 0)
                return text;
            text.append(buffer, static_cast<std::size_t>(n));
            offset += n;
        }
    }

    void throw_if_failed() const {
        if (!failure_.empty())
            throw storage_error(failure_);
    }

    // Called with the lock held and no flush running; drops the lock while writing.
    void flush(std::unique_lock<std::mutex>& lock) {
        flushing_ = true;
        std::string batch;
        batch.swap(pending_);
        std::uint64_t const upto = enqueued_;
        std::uint64_t const count = upto - durable_;
        lock.unlock();
        bool ok = durable_detail::write_all(fd_, batch) && ::fdatasync(fd_) == 0;
        std::string why =
            ok ? std::string() : durable_detail::errno_text("cannot write", log_file_);
        lock.lock();
        flushing_ = false;
        if (ok) {
            durable_ = upto;
            records_ += count;
            ++flushes_;
        } else {
            failure_ = why;
        }
        flushed_.notify_all();
    }

    std::string state_file_;
    std::string log_file_;
    int fd_ = -1;

    mutable std::mutex mutex_;
    std::condition_variable flushed_;
    std::string pending_;  // framed records not yet written
    std::uint64_t enqueued_ = 0;
    std::uint64_t durable_ = 0;
    bool flushing_ = false;
    std::string failure_;
    std::uint64_t flushes_ = 0;
    std::uint64_t records_ = 0;
    std::uint64_t compactions_ = 0;
};

}  // namespace aigallery::mock
