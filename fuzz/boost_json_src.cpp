// Boost.JSON compiled into the fuzz build itself, so that the parser the
// mock relies on is instrumented too (Debian's libboost_json is not).
#include <boost/json/src.hpp>
