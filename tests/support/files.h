#pragma once
// Temporary directories, and whole files as bytes, for tests that prepare inputs on disk or scan what the server left
// there (database files, logs, the embedded dashboard's sources).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "support/server_process.h"

namespace iron::test {

// A fresh temporary directory (make_temp_dir) removed with its owner. Declare it before the
// members that keep files open in it, so that those are closed first.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_ = make_temp_dir();
};

// The file's bytes; "" when it cannot be read.
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `bytes` to `p`, replacing it, and creates the missing parent directories.
inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace iron::test
