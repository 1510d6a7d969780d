# The build SHA compiled into the binary: -DIRON_BUILD_SHA=, else $BUILD_SHA at configure
# time, else `git rev-parse HEAD`, else "unknown".
if(NOT DEFINED IRON_BUILD_SHA OR IRON_BUILD_SHA STREQUAL "")
  if(DEFINED ENV{BUILD_SHA} AND NOT "$ENV{BUILD_SHA}" STREQUAL "")
    set(IRON_BUILD_SHA "$ENV{BUILD_SHA}")
  else()
    execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
      OUTPUT_VARIABLE IRON_BUILD_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
    if(NOT git_rc EQUAL 0 OR IRON_BUILD_SHA STREQUAL "")
      set(IRON_BUILD_SHA "unknown")
    endif()
  endif()
endif()
message(STATUS "ironpanel build SHA: ${IRON_BUILD_SHA}")
