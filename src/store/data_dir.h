#pragma once
// The data directory: created 0700, holds iron.db and generated secrets, and is locked by
// one process at a time (flock on DATA/.lock) so two servers never share a database.
#include <optional>
#include <string>

namespace iron::store {

std::string database_path(const std::string& data_dir);

// Creates the directory (0700) if missing, and takes group/other access away from an
// existing database and its WAL/SHM. Throws std::runtime_error with a clear message.
void ensure_data_dir(const std::string& data_dir);

class DataDirLock {
 public:
  // Throws std::runtime_error("... is in use by another ironpanel process") when held.
  explicit DataDirLock(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

// Reads DATA/<name>; when absent, atomically creates it (mode 0600) holding `fresh_value`.
std::string read_or_create_secret_file(const std::string& data_dir, const std::string& name,
                                       const std::string& fresh_value);

}  // namespace iron::store
