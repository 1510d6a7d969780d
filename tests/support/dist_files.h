#pragma once
// The frontend build the binary embeds (frontend/dist), for byte-for-byte comparisons.
#include <cstdlib>
#include <filesystem>

#include "support/files.h"

namespace iron::test {

// ctest sets IRON_SOURCE_DIR (tests/CMakeLists.txt); run by hand, the test binary sits in
// <source>/build/tests/. __FILE__ cannot tell: with ccache's CCACHE_BASEDIR the compiler sees
// paths relative to the build directory.
inline std::filesystem::path source_dir() {
  const char* s = std::getenv("IRON_SOURCE_DIR");
  if (s && *s) return s;
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path().parent_path();
}

inline std::filesystem::path dist_dir() { return source_dir() / "frontend" / "dist"; }

}  // namespace iron::test
