# Third-party code, all from Debian packages (static archives) plus the single-header
# cpp-httplib that scripts/bootstrap extracts from Debian's source package. Everything is
# added as SYSTEM so -Werror applies to project code only.
set(IRON_DEPS_DIR "${CMAKE_SOURCE_DIR}/build/_deps" CACHE PATH "Where scripts/bootstrap put fetched dependencies")
if(NOT EXISTS "${IRON_DEPS_DIR}/httplib/httplib.cc")
  message(FATAL_ERROR "cpp-httplib not found in ${IRON_DEPS_DIR}/httplib: run scripts/bootstrap first")
endif()

find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG QUIET)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
find_path(SODIUM_INCLUDE_DIR sodium.h REQUIRED)
find_library(SODIUM_LIBRARY NAMES libsodium.a sodium REQUIRED)

# OpenSSL's static libraries (Debian libssl-dev), for the outbound alert client's TLS
# (docs/alerts.md). The server itself never terminates TLS (a reverse proxy does).
set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL 3 REQUIRED)

# cpp-httplib, split by scripts/bootstrap into declarations + one implementation file that
# is compiled once (including the full header costs ~15 s per translation unit).
# TLS on for every user of the header: CPPHTTPLIB_OPENSSL_SUPPORT changes the layout of
# httplib's classes (ClientImpl's socket, Result), so defining it in one translation unit
# only would break the one-definition rule against httplib.cc; PUBLIC keeps them all equal.
# No zlib/brotli support: assets are precompressed at build time and API bodies are small,
# so httplib can never compress a body a second time.
add_library(httplib STATIC "${IRON_DEPS_DIR}/httplib/httplib.cc")
target_include_directories(httplib SYSTEM PUBLIC "${IRON_DEPS_DIR}/httplib")
target_compile_options(httplib PRIVATE -w)
target_compile_definitions(httplib PUBLIC CPPHTTPLIB_OPENSSL_SUPPORT)
target_link_libraries(httplib PUBLIC OpenSSL::SSL OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})

# libpq, PostgreSQL's client library (src/store/pg/), built static by scripts/bootstrap from
# Debian's postgresql-15 source package without GSSAPI/LDAP: Debian's own libpq.a leaves those
# symbols unresolved. Static like everything else (one file whichever database it talks to),
# with the same static OpenSSL for TLS. libpq.a needs its two helper archives after it. Only
# src/store/pg/ (the ironpanel_pg library, CMakeLists.txt) sees its headers.
set(IRON_LIBPQ_DIR "${IRON_DEPS_DIR}/libpq")
if(NOT EXISTS "${IRON_LIBPQ_DIR}/lib/libpq.a")
  message(FATAL_ERROR "static libpq not found in ${IRON_LIBPQ_DIR}: run scripts/bootstrap first")
endif()
add_library(iron_libpq INTERFACE)
target_include_directories(iron_libpq SYSTEM INTERFACE "${IRON_LIBPQ_DIR}/include")
target_link_libraries(iron_libpq INTERFACE "${IRON_LIBPQ_DIR}/lib/libpq.a" "${IRON_LIBPQ_DIR}/lib/libpgcommon.a"
  "${IRON_LIBPQ_DIR}/lib/libpgport.a" OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
file(READ "${IRON_LIBPQ_DIR}/VERSION" IRON_LIBPQ_PACKAGE_VERSION)
string(STRIP "${IRON_LIBPQ_PACKAGE_VERSION}" IRON_LIBPQ_PACKAGE_VERSION)

add_library(iron_third_party INTERFACE)
target_include_directories(iron_third_party SYSTEM INTERFACE ${CLI11_INCLUDE_DIR} ${SODIUM_INCLUDE_DIR})
target_link_libraries(iron_third_party INTERFACE
  httplib SQLite::SQLite3 nlohmann_json::nlohmann_json ${SODIUM_LIBRARY} Threads::Threads ${CMAKE_DL_LIBS} m)
file(READ "${IRON_DEPS_DIR}/httplib/VERSION" IRON_HTTPLIB_PACKAGE_VERSION)
string(STRIP "${IRON_HTTPLIB_PACKAGE_VERSION}" IRON_HTTPLIB_PACKAGE_VERSION)
