// How a transport trusts the server it reaches over HTTPS. Options only: the
// OpenSSL machinery is in detail/tls_client.hpp, included by the transports.
#pragma once

#include <string>

namespace aigallery {

/// TLS settings of an "https" base URL. The defaults are what a user should
/// want: the peer's certificate is verified against the system's CA store and
/// must name the host of the URL (SNI is sent for host names).
struct tls_options {
    /// A PEM file of CA certificates to trust in addition to the system's,
    /// for private CAs and test servers. Unreadable: `security_errc::tls_setup_failed`.
    std::string ca_file{};
    /// Trust the system CA store (/etc/ssl/certs via OpenSSL's default paths).
    bool use_system_ca_store = true;
    /// Verify the certificate chain and the host name. Turning this off
    /// makes the connection readable by anyone on the path; it exists for
    /// throwaway test setups only and is never a fallback.
    bool verify_peer = true;
};

}  // namespace aigallery
