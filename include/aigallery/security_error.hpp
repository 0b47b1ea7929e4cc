// Why a connection could not be trusted or a request could not be
// authenticated: TLS verification, AK/SK signing and IAM token failures travel
// as their own error category, so a message can say what went wrong instead of
// a bare "handshake failed" or "401".
#pragma once

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <type_traits>

namespace aigallery {

/// Failures of TLS, signing and authentication. None of their messages ever
/// contains a secret key, a token or a signature.
enum class security_errc {
    tls_unknown_ca = 1,             ///< the peer's certificate chain ends at an untrusted CA
    tls_certificate_expired,        ///< a certificate of the chain has expired
    tls_certificate_not_yet_valid,  ///< a certificate of the chain is not valid yet
    tls_host_mismatch,              ///< the certificate does not name the host connected to
    tls_certificate_invalid,        ///< the chain failed verification for another reason
    tls_handshake_failed,           ///< the TLS handshake failed before any certificate check
    tls_setup_failed,     ///< the TLS context could not be built (e.g. unreadable ca_file)
    missing_credentials,  ///< access key or secret key is empty
    unsignable_request,   ///< the request has no Host, or a target the signer cannot read
    iam_refused,          ///< the IAM endpoint refused the password (401/403)
    iam_bad_answer,       ///< the IAM answer had no X-Subject-Token or no valid expires_at
    iam_unreachable,      ///< no answer from the IAM endpoint at all
};

/// The category of `security_errc`; its name is "aigallery.security".
class security_category_impl : public boost::system::error_category {
public:
    /// A stable identifier, so that two copies of the category compare equal.
    constexpr security_category_impl() noexcept : error_category(0x6a1e7a5ec0de0008ull) {}
    /// "aigallery.security"
    char const* name() const noexcept override { return "aigallery.security"; }
    /// An explanation meant for people; never carries a secret.
    std::string message(int ev) const override {
        switch (static_cast<security_errc>(ev)) {
            case security_errc::tls_unknown_ca:
                return "TLS certificate verification failed: issued by an unknown CA "
                       "(not in the system store or ca_file)";
            case security_errc::tls_certificate_expired:
                return "TLS certificate verification failed: the certificate has expired";
            case security_errc::tls_certificate_not_yet_valid:
                return "TLS certificate verification failed: the certificate is not valid yet";
            case security_errc::tls_host_mismatch:
                return "TLS certificate verification failed: the certificate does not match "
                       "the host name";
            case security_errc::tls_certificate_invalid:
                return "TLS certificate verification failed";
            case security_errc::tls_handshake_failed:
                return "TLS handshake failed";
            case security_errc::tls_setup_failed:
                return "TLS could not be set up";
            case security_errc::missing_credentials:
                return "credentials are incomplete: access key and secret key are required";
            case security_errc::unsignable_request:
                return "the request cannot be signed";
            case security_errc::iam_refused:
                return "the IAM endpoint refused the credentials";
            case security_errc::iam_bad_answer:
                return "the IAM endpoint's answer has no usable token";
            case security_errc::iam_unreachable:
                return "the IAM endpoint could not be reached";
        }
        return "unknown security error";
    }
};

/// The one instance of the category.
inline boost::system::error_category const& security_category() noexcept {
    static constexpr security_category_impl instance;
    return instance;
}

/// Lets `security_errc` convert to `boost::system::error_code`.
inline boost::system::error_code make_error_code(security_errc e) noexcept {
    return {static_cast<int>(e), security_category()};
}

/// True for the failures another attempt cannot cure: a certificate that is
/// refused, a TLS set-up mistake, missing or unsignable credentials, a
/// password IAM refused. The client's retries stop at once on these (a
/// refused password tried again and again can lock the IAM user). A failed
/// handshake, a bad or missing answer from IAM are worth another try.
inline bool is_permanent_security_error(boost::system::error_code const& ec) noexcept {
    if (ec.category() != security_category())
        return false;
    switch (static_cast<security_errc>(ec.value())) {
        case security_errc::tls_handshake_failed:
        case security_errc::iam_bad_answer:
        case security_errc::iam_unreachable:
            return false;
        default:
            return true;
    }
}

}  // namespace aigallery

namespace boost::system {
/// `security_errc` values are error codes.
template <>
struct is_error_code_enum<aigallery::security_errc> : std::true_type {};
}  // namespace boost::system
