// Everything a client needs.
#pragma once

#include <aigallery/beast_transport.hpp>
#include <aigallery/client.hpp>
#include <aigallery/content.hpp>
#include <aigallery/error.hpp>
#include <aigallery/executor.hpp>
#include <aigallery/http.hpp>
#include <aigallery/progress.hpp>
#include <aigallery/release_plan.hpp>
#include <aigallery/release_planner.hpp>
#include <aigallery/retry.hpp>
#include <aigallery/validation.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/whitelist_planner.hpp>
#include <aigallery/wire.hpp>
#include <aigallery/workflow.hpp>

namespace aigallery {

/// The client over real HTTP.
using client = basic_client<beast_transport>;

}  // namespace aigallery

#if defined(AIGALLERY_SEPARATE_COMPILATION)
// Compiled once, by <aigallery/src.hpp>: a user's translation unit that calls
// `client` instantiates none of it (neither the client nor the step machines).
extern template class aigallery::basic_client<aigallery::beast_transport>;
#endif
