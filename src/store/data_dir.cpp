#include "store/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace iron::store {
namespace fs = std::filesystem;

std::string database_path(const std::string& data_dir) { return (fs::path(data_dir) / "iron.db").string(); }

void ensure_data_dir(const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) {
    if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create data dir " + data_dir + ": " + std::strerror(errno));
  }
  if (!fs::is_directory(data_dir, ec)) throw std::runtime_error("data dir is not a directory: " + data_dir);
  if (access(data_dir.c_str(), W_OK | X_OK) != 0) throw std::runtime_error("data dir is not writable: " + data_dir);
  // Files an older version (or a copy) left readable by others: SQLite gives a new WAL the
  // database's mode, so a 0644 iron.db would keep producing 0644 WALs.
  const std::string db = database_path(data_dir);
  for (const std::string& path : {db, db + "-wal", db + "-shm"}) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) chmod(path.c_str(), st.st_mode & 0700);
  }
}

DataDirLock::DataDirLock(const std::string& data_dir) {
  const std::string path = (fs::path(data_dir) / ".lock").string();
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open lock file " + path + ": " + std::strerror(errno));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    close(fd_);
    fd_ = -1;
    throw std::runtime_error("data dir " + data_dir + " is in use by another ironpanel process (lock " + path + ")");
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

std::string read_or_create_secret_file(const std::string& data_dir, const std::string& name,
                                       const std::string& fresh_value) {
  const fs::path path = fs::path(data_dir) / name;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string value = ss.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }
  // Write to a temp file then link it into place: a crash never leaves a half-written key,
  // and link() fails if a concurrent process won the race (then we read theirs).
  const std::string tmp = path.string() + ".tmp." + std::to_string(getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  const std::string content = fresh_value + "\n";
  const bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + tmp);
  }
  const int rc = link(tmp.c_str(), path.c_str());
  unlink(tmp.c_str());
  if (rc != 0 && errno != EEXIST) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  if (rc != 0) return read_or_create_secret_file(data_dir, name, fresh_value);
  return fresh_value;
}

}  // namespace iron::store
