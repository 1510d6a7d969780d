// domain::make_backup's guards that HTTP cannot reach deterministically: a second backup
// while one is being sent (a small database is sent before a second request can arrive),
// and the free-space rule (no test machine has a nearly full disk on demand).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "domain/system.h"
#include "store/database.h"

using namespace iron;
namespace fs = std::filesystem;

namespace {

std::string temp_dir() {
  std::string dir = (fs::temp_directory_path() / "ironpanel-sys-XXXXXX").string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

TEST(SystemBackup, OneAtATimeAndTheFileGoesWithItsOwner) {
  const std::string dir = temp_dir();
  store::Database db(dir + "/iron.db", 1);
  auto first = domain::make_backup(db, dir, domain::RequestContext::system());
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string path = first.value()->path();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  auto second = domain::make_backup(db, dir, domain::RequestContext::system());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "BACKUP_IN_PROGRESS");
  EXPECT_EQ(second.error().kind, ErrorKind::conflict);

  first = Error::internal();  // the download is done: the snapshot is released
  EXPECT_FALSE(fs::exists(path));
  auto third = domain::make_backup(db, dir, domain::RequestContext::system());
  EXPECT_TRUE(third.ok());
  fs::remove_all(dir);
}

TEST(SystemBackup, SpaceNeededCoversDatabaseWalAndMargin) {
  constexpr int64_t kMiB = 1024 * 1024;
  EXPECT_EQ(domain::backup_space_needed(0, 0), 16 * kMiB);
  EXPECT_EQ(domain::backup_space_needed(100 * kMiB, 3 * kMiB), 119 * kMiB);
}

}  // namespace
