#pragma once
// A fresh database path in its own temporary directory, for tests that open SQLite directly.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

inline std::string temp_db() {
  std::string dir = (std::filesystem::temp_directory_path() / "ironpanel-db-XXXXXX").string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir + "/iron.db";
}
