#pragma once
// The frontend build the binary embeds (frontend/dist), for byte-for-byte comparisons.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace iron::test {

inline std::filesystem::path source_dir() {
  const char* s = std::getenv("IRON_SOURCE_DIR");
  return s && *s ? std::filesystem::path(s)
                 : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

inline std::filesystem::path dist_dir() { return source_dir() / "frontend" / "dist"; }

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace iron::test
