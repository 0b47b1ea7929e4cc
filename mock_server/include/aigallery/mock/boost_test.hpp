// Expectations as Boost.Test assertions: a failed one fails the test case
// with the expectation's message, closest requests included. Include it in
// test files only (it needs Boost.Test; the mock itself does not).
#pragma once

#include <aigallery/mock/expectations.hpp>

#include <boost/test/unit_test.hpp>

namespace aigallery::mock {

/// A verification as a Boost.Test predicate: true when met, else false with
/// the verification's message, so `BOOST_TEST(satisfied(...))` prints it.
inline boost::test_tools::predicate_result satisfied(verification const& v) {
    boost::test_tools::predicate_result r(v.met);
    if (!v.met)
        r.message() << v.message;
    return r;
}

}  // namespace aigallery::mock

/// Checks that the journal of `gallery` (a mock::server or mock::service)
/// holds requests matching a pattern, e.g.
/// `AIGALLERY_CHECK_REQUESTS(gallery, {.method = "POST"}, aigallery::mock::times(1));`
/// A failure is a non-fatal test error naming the closest requests seen.
#define AIGALLERY_CHECK_REQUESTS(gallery, ...) \
    BOOST_TEST(::aigallery::mock::satisfied((gallery).verify(__VA_ARGS__)))

/// Checks every expectation registered on `gallery` with expect().
#define AIGALLERY_CHECK_EXPECTATIONS(gallery) \
    BOOST_TEST(::aigallery::mock::satisfied((gallery).verify_expectations()))
