# CTest separate_compilation_symbols: the object file of publish.cpp, a user's
# translation unit that calls release_to_gallery over beast_transport in
# separate-compilation mode, defines no Asio, Beast I/O or OpenSSL code, no
# member of beast_transport or basic_client<beast_transport> (the implicit
# destructor aside) and no step machine: it only refers to them. Beast's
# message containers (http_request, the transport concept's vocabulary) may
# be there.
#   cmake -DNM=nm -DOBJECT=publish.cpp.o -P check_symbols.cmake
execute_process(COMMAND ${NM} -C --defined-only ${OBJECT} OUTPUT_VARIABLE defined
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${OBJECT}")
endif()
execute_process(COMMAND ${NM} -C --undefined-only ${OBJECT} OUTPUT_VARIABLE undefined)
string(REPLACE "\n" ";" lines "${defined}")
set(bad "")
foreach(line IN LISTS lines)
    if(line MATCHES "boost::asio::|ssl_stream|SSL_|EVP_|HMAC_|boost::beast::basic_stream"
       OR line MATCHES "boost::beast::http::(detail::)?(read|write|async_read|async_write|basic_parser|parser|serializer)"
       OR line MATCHES "aigallery::beast_transport::|aigallery::ops::|aigallery::detail::(execute|publish|undo_release|read_release_snapshot)\\("
       OR line MATCHES "aigallery::basic_client<aigallery::beast_transport>::[^~]")
        string(APPEND bad "  ${line}\n")
    endif()
endforeach()
if(bad)
    message(FATAL_ERROR "defined in the user's translation unit, but src.hpp's job:\n${bad}")
endif()
if(NOT undefined MATCHES "basic_client<aigallery::beast_transport>::release_to_gallery")
    message(FATAL_ERROR "the object does not call the separately compiled release_to_gallery:\n${undefined}")
endif()
message(STATUS "ok: no Beast, Asio, OpenSSL or client code defined in ${OBJECT}")
