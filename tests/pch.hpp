// Precompiled header for aigallery_tests: the heavy third-party headers every test needs.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>
