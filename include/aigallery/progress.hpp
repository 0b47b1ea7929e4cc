// Progress reports of a client call, for progress output and logging.
#pragma once

#include <aigallery/version.hpp>

#include <functional>
#include <optional>
#include <string>

namespace aigallery {

/// One step of a client call, as an observer is told of it.
struct progress_event {
    /// What kind of step.
    enum class kind {
        request,    ///< a request is about to be sent
        retry,      ///< a transient failure: waiting, then the same request again
        planned,    ///< the release or whitelist change is planned; writes follow
        write,      ///< a planned write begins
        written,    ///< a planned write is known to be done
        resolving,  ///< a write's outcome is unknown: reading to learn it
        resolved,   ///< a read said whether the write happened
        undo,       ///< taking back one write of a failed call
        left,       ///< something could not be taken back (named in the text)
        done,       ///< the call finished (successfully or not)
    };
    /// What kind of step this is.
    kind what = kind::request;
    /// One sentence for a person, such as "publish algorithm 'trainer' 1.0.0".
    std::string text{};
    /// The asset concerned, when there is one (empty for a new asset before its write).
    std::string content_id{};
    /// Its version, when there is one.
    std::optional<version_number> version_num{};
};

/// Told of each step; called on the thread that runs the call. With the
/// async client, calls made concurrently report concurrently.
using progress_observer = std::function<void(progress_event const&)>;

}  // namespace aigallery
