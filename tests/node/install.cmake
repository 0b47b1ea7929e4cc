# Installs the pinned vendor SDK into the build folder (npm ci, exact
# versions from package-lock.json) unless that lock is already installed.
# cmake -DNPM=npm -DDIR=<build>/node -P install.cmake
set(marker ${DIR}/node_modules/.package-lock.json)
if(EXISTS ${marker} AND ${marker} IS_NEWER_THAN ${DIR}/package-lock.json)
    message(STATUS "vendor SDK already installed in ${DIR}")
    return()
endif()
execute_process(COMMAND ${NPM} ci --no-audit --no-fund --loglevel=error
                WORKING_DIRECTORY ${DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "npm ci failed in ${DIR} (${rc})")
endif()
