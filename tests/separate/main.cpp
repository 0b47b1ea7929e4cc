// CTest separate_compilation: a program whose library code is compiled once
// (aigallery::compiled, from <aigallery/src.hpp>) publishes to a mock gallery
// running in this process. The mock's own headers do not use the client's
// separately compiled parts, so this translation unit may include them.
#include "publish.hpp"

#include <aigallery/mock/server.hpp>

#include <exception>
#include <iostream>

int main() {
    try {
        aigallery::mock::server gallery;
        auto alice = gallery.add_account("alice");
        auto got = separate::publish_flowers(gallery.url(), alice.token);
        bool ok = true;
        auto expect = [&](bool cond, char const* what) {
            std::cout << (cond ? "ok   " : "FAIL ") << what << "\n";
            ok = ok && cond;
        };
        expect(!got.first_id.empty(), "the first release created an asset");
        expect(got.second_id == got.first_id, "the second release went to the same asset");
        expect(got.first_version == "1.0.0", "the first release is 1.0.0");
        expect(got.second_version == "1.0.1", "the second release is 1.0.1");
        expect(got.read_version == "1.0.1", "the gallery serves 1.0.1 back");
        return ok ? 0 : 1;
    } catch (std::exception const& e) {
        std::cout << "FAIL: " << e.what() << "\n";
        return 1;
    }
}
