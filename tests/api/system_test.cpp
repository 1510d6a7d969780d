// GET /api/v1/system and GET /api/v1/system/backup over real HTTP: admin only, real sizes
// and counts, the snapshot is a valid database holding the users just created, the file in
// the data dir is gone once sent, the download is audited. The one-at-a-time and free-space
// refusals are proven in tests/unit/system_backup_test.cpp (not reachable on demand here).
// Also the audit log's CSV export (?format=csv), which the System/Audit views download.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/panel.h"
#include "support/server_database.h"
#include "store/backup.h"
#include "store/sqlite.h"

using namespace iron::test;
namespace fs = std::filesystem;

namespace {
// Files named backup-*.db left in the data dir.
int snapshots_in(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("backup-", 0) == 0) ++n;
  return n;
}
}  // namespace

class SystemApi : public PanelSuite {
 protected:
};

TEST_F(SystemApi, OnlyAdminsSeeTheSystem) {
  const auto user = login_as(server(), create_account(server(), admin(), "user"));
  const auto viewer = login_as(server(), create_account(server(), admin(), "viewer"));
  for (const char* path : {"/api/v1/system", "/api/v1/system/backup"}) {
    EXPECT_EQ(get(server(), path).status, 401) << path;
    EXPECT_EQ(get(server(), path, user.token).status, 403) << path;
    EXPECT_EQ(get(server(), path, viewer.token).status, 403) << path;
  }
}

TEST_F(SystemApi, FactsAreRealSizesCountsAndSettings) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "compares with iron.db's file sizes; on PostgreSQL they are the server's";
  const Reply before = get(server(), "/api/v1/system", admin());
  ASSERT_EQ(before.status, 200) << before.raw;
  create_account(server(), admin(), "user", "facts");
  const Reply r = get(server(), "/api/v1/system", admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  const auto& b = r.body;
  EXPECT_FALSE(b["version"].get<std::string>().empty());
  EXPECT_TRUE(b["build_sha"].is_string());
  EXPECT_GE(b["uptime_s"].get<int64_t>(), 0);
  const auto db_bytes = static_cast<int64_t>(fs::file_size(fs::path(server().data_dir()) / "iron.db"));
  EXPECT_GT(b["storage"]["database_bytes"].get<int64_t>(), 0);
  EXPECT_LE(b["storage"]["database_bytes"].get<int64_t>(), db_bytes + 1024 * 1024);
  EXPECT_GE(b["storage"]["wal_bytes"].get<int64_t>(), 0);
  EXPECT_GT(b["storage"]["free_bytes"].get<int64_t>(), 0);
  EXPECT_GE(b["storage"]["total_bytes"].get<int64_t>(), b["storage"]["free_bytes"].get<int64_t>());
  EXPECT_EQ(b["row_counts"]["users"].get<int64_t>(), before.body["row_counts"]["users"].get<int64_t>() + 1);
  EXPECT_GT(b["row_counts"]["audit_log"].get<int64_t>(), before.body["row_counts"]["audit_log"].get<int64_t>());
  for (const char* k : {"api_tokens", "agents", "provider_keys", "budget_requests", "analytics_events"})
    EXPECT_TRUE(b["row_counts"][k].is_number_integer()) << k;
  EXPECT_EQ(b["config"]["base_path"], "/");
  EXPECT_TRUE(b["config"]["cors_origins"].is_string());
  EXPECT_TRUE(b["config"]["trusted_proxies"].is_string());
  EXPECT_EQ(b["config"]["metrics_enabled"], false);
}

// On PostgreSQL the panel's data is its schema's tables, not a file: the size is theirs
// (more than nothing, no more than the whole database holding them), and there is no WAL of
// the panel's own.
TEST_F(SystemApi, OnPostgresTheDatabaseSizeIsTheSchemasTables) {
  if (!iron::test::on_postgres()) GTEST_SKIP() << "about PostgreSQL; SQLite's file sizes are checked above";
  const Reply r = get(server(), "/api/v1/system", admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  const int64_t whole = open_server_database(server().data_dir())->read([](iron::store::Connection& c) {
    auto& s = c.prepare("SELECT pg_database_size(current_database())");
    return s.step() ? s.int64(0) : int64_t{0};
  });
  EXPECT_GT(r.body["storage"]["database_bytes"].get<int64_t>(), 0);
  EXPECT_LE(r.body["storage"]["database_bytes"].get<int64_t>(), whole);
  EXPECT_EQ(r.body["storage"]["wal_bytes"].get<int64_t>(), 0);
}

TEST_F(SystemApi, BackupIsAConsistentAuditedSnapshotRemovedAfterSending) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  const Account fresh = create_account(server(), admin(), "user", "inbackup");
  const Reply r = get(server(), "/api/v1/system/backup", admin());
  ASSERT_EQ(r.status, 200) << r.raw.substr(0, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.sqlite3");
  const std::string disposition = r.header("Content-Disposition");
  EXPECT_EQ(disposition.rfind("attachment; filename=\"ironpanel-backup-", 0), 0u) << disposition;
  EXPECT_NE(disposition.find(".db\""), std::string::npos) << disposition;
  ASSERT_EQ(r.raw.substr(0, 16), std::string("SQLite format 3\0", 16));

  // The download is a database `ironpanel restore` accepts, holding the user just made.
  const std::string copy = (fs::path(server().data_dir()).parent_path() /
                            ("downloaded-" + std::to_string(getpid()) + ".db")).string();
  { std::ofstream(copy, std::ios::binary) << r.raw; }
  EXPECT_GT(iron::store::verify_backup(copy), 0);
  {
    iron::store::SqliteConnection c(copy, true);
    auto& q = c.prepare("SELECT COUNT(*) FROM users WHERE email = ?");
    q.bind(1, fresh.email);
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.int64(0), 1);
  }
  fs::remove(copy);

  // The snapshot in the data dir goes once the response is done (server side, just after
  // the last byte reached us): wait for it with a deadline.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (snapshots_in(server().data_dir()) > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::yield();
  EXPECT_EQ(snapshots_in(server().data_dir()), 0);

  const Reply audit = get(server(), "/api/v1/audit?action=system.backup", admin());
  ASSERT_EQ(audit.status, 200) << audit.raw;
  ASSERT_FALSE(audit.body["items"].empty());
  EXPECT_GT(audit.body["items"][0]["after"]["bytes"].get<int64_t>(), 0);

  // The next backup is allowed again.
  EXPECT_EQ(get(server(), "/api/v1/system/backup", admin()).status, 200);
}

TEST_F(SystemApi, AuditExportsFilteredRowsAsCsv) {
  const Account a = create_account(server(), admin(), "user", "csv");
  const Reply r = get(server(), "/api/v1/audit?format=csv&action=user.create&entity_id=" + a.id, admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.header("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_NE(r.header("Content-Disposition").find("audit.csv"), std::string::npos);
  EXPECT_EQ(r.raw.rfind("at,id,actor_type,actor_id,action,entity_type,entity_id,before,after,request_id,client_ip,user_agent\r\n", 0), 0u)
      << r.raw;
  // One record: the header line plus one row for this user, with its after JSON quoted.
  size_t lines = 0;
  for (size_t i = r.raw.find("\r\n"); i != std::string::npos; i = r.raw.find("\r\n", i + 2)) ++lines;
  EXPECT_EQ(lines, 2u) << r.raw;
  EXPECT_NE(r.raw.find(",user.create,user," + a.id + ","), std::string::npos) << r.raw;
  EXPECT_EQ(r.raw.find(a.password), std::string::npos) << "secrets never in the export";
  EXPECT_EQ(r.raw.find("password_hash"), std::string::npos) << "secrets never in the export";

  // A bad format is 400 in the envelope.
  EXPECT_EQ(get(server(), "/api/v1/audit?format=xml", admin()).status, 400);
}
