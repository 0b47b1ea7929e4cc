// Client-side TLS for the transports: a context from `tls_options`, SNI and
// host name checking on each stream, and a verification failure translated
// into a `security_errc` that says why.
#pragma once

#include <aigallery/detail/connection_reuse.hpp>
#include <aigallery/security_error.hpp>
#include <aigallery/tls.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/verify_mode.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace aigallery::detail {

/// A client context: TLS 1.2 or newer, peer verification as `o` says.
inline boost::system::error_code make_client_context(
    tls_options const& o, std::shared_ptr<boost::asio::ssl::context>& out) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (o.use_system_ca_store) {
        ctx->set_default_verify_paths(ec);
        if (ec)
            return security_errc::tls_setup_failed;
    }
    if (!o.ca_file.empty()) {
        ctx->load_verify_file(o.ca_file, ec);
        if (ec)
            return security_errc::tls_setup_failed;
    }
    ctx->set_verify_mode(o.verify_peer ? ssl::verify_peer : ssl::verify_none);
    out = std::move(ctx);
    return {};
}

/// Before the handshake: SNI for a host name (not for an IP address, as RFC
/// 6066 says) and the name or address the certificate must carry.
inline boost::system::error_code prepare_client_stream(SSL* ssl, std::string const& host,
                                                       bool verify_peer) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    bool const is_ip = !ec;
    (void)address;
    if (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
        return security_errc::tls_setup_failed;
    if (!verify_peer)
        return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int const ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                         : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    return ok == 1 ? boost::system::error_code{}
                   : boost::system::error_code(security_errc::tls_setup_failed);
}

/// After a failed handshake: why, when it was the certificate; else the
/// original error (a reset, a timeout, a protocol mismatch) as
/// `tls_handshake_failed` only when it came from TLS itself.
inline boost::system::error_code classify_handshake_failure(SSL* ssl,
                                                            boost::system::error_code ec) {
    long const v = SSL_get_verify_result(ssl);
    switch (v) {
        case X509_V_OK:
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return security_errc::tls_certificate_expired;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return security_errc::tls_certificate_not_yet_valid;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return security_errc::tls_host_mismatch;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return security_errc::tls_unknown_ca;
        default:
            return security_errc::tls_certificate_invalid;
    }
    if (ec.category() == boost::asio::error::get_ssl_category() ||
        ec == boost::asio::ssl::error::stream_truncated)
        return security_errc::tls_handshake_failed;
    return ec;
}

// A kept-alive connection the server closed while it was idle, for a plain
// or a TLS stream: the plain rule, plus TLS's "closed without close_notify".
// Both transports ask this before resending on a fresh connection.
inline bool is_stale_stream_error(boost::system::error_code const& ec) {
    return is_stale_connection_error(ec) || ec == boost::asio::ssl::error::stream_truncated;
}

}  // namespace aigallery::detail
