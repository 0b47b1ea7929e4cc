// Header-only (the default) or separately compiled: the one switch.
//
// With AIGALLERY_SEPARATE_COMPILATION defined in every translation unit, the
// non-template parts that pull in Beast, Asio and OpenSSL (the real transport's
// I/O and TLS, and the sync client over it) are only declared by the headers;
// exactly one translation unit includes <aigallery/src.hpp>, which defines
// them. A user's translation unit then compiles none of that code itself.
#pragma once

#if defined(AIGALLERY_SEPARATE_COMPILATION)
// Declared here, defined once in the translation unit that includes src.hpp.
#define AIGALLERY_DECL
#else
// Defined in the headers (impl/*.ipp), so every definition must be inline.
#define AIGALLERY_HEADER_ONLY 1
#define AIGALLERY_DECL inline
#endif
