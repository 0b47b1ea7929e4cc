// Compile-time yardstick: what any Beast client pays before writing a line,
// the four Boost libraries aigallery is built on, included and nothing else.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>

int main() {
    return 0;
}
