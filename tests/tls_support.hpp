// Throwaway certificates for the TLS tests, made at test time with the
// openssl command line (never committed): a CA, a server certificate it signed
// for localhost and 127.0.0.1, one for another host name, one for localhost
// that expired yesterday, and a second CA that signed nothing the server uses.
#pragma once

#include <aigallery/beast_transport.hpp>
#include <aigallery/credentials.hpp>
#include <aigallery/mock/options.hpp>
#include <aigallery/mock/state.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace test {

class test_pki {
public:
    /// The one set for the whole test run (making keys takes a moment).
    static test_pki const& get() {
        static test_pki const pki;
        return pki;
    }

    std::string file(std::string const& name) const { return (dir_ / name).string(); }
    std::string ca() const { return file("ca.pem"); }
    std::string other_ca() const { return file("other-ca.pem"); }
    std::string cert() const { return file("server.pem"); }
    std::string key() const { return file("server.key"); }
    std::string wrong_host_cert() const { return file("wrong-host.pem"); }
    std::string wrong_host_key() const { return file("wrong-host.key"); }
    std::string expired_cert() const { return file("expired.pem"); }
    std::string expired_key() const { return file("expired.key"); }

    ~test_pki() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

private:
    test_pki() {
        char tmpl[] = "/tmp/aigallery-pki-XXXXXX";
        char* d = ::mkdtemp(tmpl);
        BOOST_TEST_REQUIRE(d != nullptr, "cannot make a temporary directory");
        dir_ = d;
        run(req_ca("ca"));
        run(req_ca("other-ca"));
        leaf("server", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        leaf("wrong-host", "subjectAltName=DNS:not-this-host.example");
        // Valid from now until a day ago: notAfter is in the past.
        leaf("expired", "subjectAltName=DNS:localhost,IP:127.0.0.1", -1);
    }

    std::string q(std::string const& name) const { return "'" + file(name) + "'"; }

    std::string req_ca(std::string const& name) const {
        return "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
               "-keyout " +
               q(name + ".key") + " -out " + q(name + ".pem") + " -days 2 -subj '/CN=aigallery " +
               name + "' -addext 'basicConstraints=critical,CA:TRUE' -addext " +
               "'keyUsage=critical,keyCertSign,cRLSign'";
    }

    void leaf(std::string const& name, std::string const& san, int days = 2) const {
        std::ofstream(file(name + ".ext"))
            << san << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
        run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
            q(name + ".key") + " -out " + q(name + ".csr") + " -subj '/CN=" + name + "'");
        run("openssl x509 -req -in " + q(name + ".csr") + " -CA " + q("ca.pem") + " -CAkey " +
            q("ca.key") + " -CAcreateserial -out " + q(name + ".pem") + " -days " +
            std::to_string(days) + " -extfile " + q(name + ".ext"));
    }

    static void run(std::string const& command) {
        int rc = std::system((command + " >/dev/null 2>&1").c_str());
        BOOST_TEST_REQUIRE(rc == 0, "failed (is the openssl command installed?): " << command);
    }

    std::filesystem::path dir_;
};

/// A mock serving HTTPS with this certificate and key.
inline aigallery::mock::server_options serving(std::string const& cert, std::string const& key) {
    aigallery::mock::server_options o;
    o.tls_cert_file = cert;
    o.tls_key_file = key;
    return o;
}

/// A client transport that trusts `ca` besides the system store.
inline aigallery::beast_transport_options trusting(std::string const& ca) {
    aigallery::beast_transport_options o;
    o.tls.ca_file = ca;
    return o;
}

/// The account's own AK/SK, with neither security token nor project id.
inline aigallery::aksk_credentials keys_of(aigallery::mock::account const& a) {
    return {a.access_key, a.secret_key, "", ""};
}

}  // namespace test
