// Separate compilation: include this file in exactly one translation unit of
// a program built with AIGALLERY_SEPARATE_COMPILATION defined everywhere (the
// CMake target aigallery::compiled does both). It defines what the headers
// then only declare: beast_transport's I/O (Beast, Asio, OpenSSL) and
// basic_client<beast_transport>, and the step machines of
// every client call (impl/executor.hpp).
#pragma once

#if !defined(AIGALLERY_SEPARATE_COMPILATION)
#error \
    "<aigallery/src.hpp> is for AIGALLERY_SEPARATE_COMPILATION builds; header-only builds need no source file"
#endif

#include <aigallery/aigallery.hpp>
#include <aigallery/impl/beast_transport.ipp>
// Compiled here, the machines are no longer inline, so the lambdas in them
// have no linkage, and GCC warns that the coroutine frames of the templates
// they instantiate (defined in a header) hold them. Harmless: this is the one
// translation unit that defines those frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif
#include <aigallery/impl/executor.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template class aigallery::basic_client<aigallery::beast_transport>;
