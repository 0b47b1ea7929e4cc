// Built against the installed package by scripts/test.sh.
#include <aigallery/aigallery.hpp>
#ifdef CONSUMER_WITH_MOCK
#include <aigallery/mock/server.hpp>
#endif

#include <iostream>

int main() {
    aigallery::version_number v{"1.2.3"};
    std::cout << v << "\n";
    bool ok = v.to_string() == "1.2.3";
#ifdef CONSUMER_WITH_MOCK
    aigallery::mock::server gallery;  // proves the mock's headers and dependencies were installed
    ok = ok && gallery.port() != 0;
#endif
#ifdef CONSUMER_COMPILED
    // The client comes from libaigallery.a: a call that reaches nobody (port 9
    // on loopback refuses) proves it links and runs.
    aigallery::client client{aigallery::beast_transport{"http://127.0.0.1:9"}, "unused"};
    auto me = client.try_me();
    ok = ok && !me;
#endif
    return ok ? 0 : 1;
}
