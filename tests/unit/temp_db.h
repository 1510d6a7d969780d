#pragma once
// For tests that open SQLite directly: a fresh database path in its own temporary directory,
// and the user rows domain tests start from (the API tests make users over HTTP instead).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/database.h"
#include "store/user_repo.h"

inline std::string temp_db() {
  std::string dir = (std::filesystem::temp_directory_path() / "ironpanel-db-XXXXXX").string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir + "/iron.db";
}

// A fixture's database file in its own temporary directory, removed with the fixture. Declare
// it before the Database member, so that the database is closed before its files go.
class TempDbDir {
 public:
  TempDbDir() : path_(temp_db()) {}
  ~TempDbDir() {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path(), ignored);
  }
  TempDbDir(const TempDbDir&) = delete;
  TempDbDir& operator=(const TempDbDir&) = delete;
  const std::string& db_path() const { return path_; }

 private:
  std::string path_;
};

// A user `id` of `role` ("admin", "user", "viewer"), named `username` (the id when empty),
// with the e-mail <username>@example.test and a hash no password matches.
inline void insert_user(iron::store::Database& db, const std::string& id, const std::string& role,
                        const std::string& username = "") {
  iron::store::User u;
  u.id = id;
  u.username = username.empty() ? id : username;
  u.email = u.username + "@example.test";
  u.password_hash = "not-a-hash";
  u.role = role;
  db.write([&](iron::store::Connection& c) {
    iron::store::users::insert(c, u);
    return 0;
  });
}
