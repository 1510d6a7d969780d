// The subcommands of the real binary: version, healthcheck, migrate, backup/restore,
// configuration errors, the data-dir lock and development mode.
#include "util/build_info.h"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/server_database.h"
#include "support/server_process.h"

using iron::test::run_binary;
using iron::test::ServerProcess;
namespace fs = std::filesystem;

TEST(FoundationCli, VersionListsLibraries) {
  const auto r = run_binary({"version"});
  EXPECT_EQ(r.exit_code, 0);
  for (const std::string& want : {std::string("ironpanel ") + iron::util::build_version(),
                                 std::string("build_sha ") + iron::util::build_sha(), std::string("sqlite 3."),
                                 std::string("cpp-httplib 0."), std::string("libsodium 1.")})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << " in " << r.out;
}

TEST(FoundationCli, EverySubcommandHasHelp) {
  for (const char* cmd : {"serve", "healthcheck", "version", "migrate", "backup", "restore"}) {
    const auto r = run_binary({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(FoundationCli, BadConfigurationExitsNonZeroNamingTheSetting) {
  const std::string dir = iron::test::make_temp_dir();
  const auto r = run_binary({"--data", dir + "/d", "--listen", "127.0.0.1:notaport"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("IRON_LISTEN"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/d")) << "nothing may be created before validation passes";
}

TEST(FoundationCli, DataDirIsCreated0700AndLockedAgainstASecondServer) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  ServerProcess first;
  struct stat st {};
  ASSERT_EQ(stat(first.data_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_TRUE(fs::exists(first.data_dir() + "/iron.db"));
  const auto second = run_binary({"serve", "--data", first.data_dir(), "--listen", "127.0.0.1:0"});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("in use by another ironpanel"), std::string::npos) << second.err;
}

TEST(FoundationCli, HealthcheckExitCodes) {
  ServerProcess server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/health/ready";
  EXPECT_EQ(run_binary({"healthcheck", "--url", url}).exit_code, 0);
  EXPECT_EQ(run_binary({"healthcheck"}, {{"IRON_LISTEN", "127.0.0.1:" + std::to_string(server.port())}}).exit_code, 0);
  server.stop();
  EXPECT_EQ(run_binary({"healthcheck", "--url", url}).exit_code, 1);
}

// A 200 is not health: at a wrong URL or base path the dashboard's SPA fallback answers 200
// with index.html. Healthy needs the health JSON with the endpoint's healthy status.
TEST(FoundationCli, HealthcheckWantsTheHealthJsonNotJustA200) {
  const std::string assets = iron::test::make_temp_dir();
  { std::ofstream(assets + "/index.html") << "<!doctype html><title>spa</title>"; }
  ServerProcess server({.extra_args = {"--assets-dir", assets}, .env = {}});
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(server.client()->Get("/panel/health/ready")->status, 200) << "the SPA fallback this test relies on";
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    int exit_code;
    std::string says;  // in stderr
  };
  const std::string wrong = "did not answer with the health JSON";
  const std::vector<Case> cases = {
      {{"--url", origin + "/health/ready"}, {}, 0, ""},
      {{"--url", origin + "/health"}, {}, 0, ""},
      {{"--url", origin + "/health/live"}, {}, 0, ""},
      {{"--url", origin + "/api/health"}, {}, 0, ""},
      {{"--url", origin + "/panel/health/ready"}, {}, 1, wrong},  // SPA fallback: HTML
      {{"--url", origin + "/panel/api/health"}, {}, 1, wrong},
      {{}, {{"IRON_LISTEN", "127.0.0.1:" + std::to_string(server.port())}, {"IRON_BASE_PATH", "/panel/"}}, 1, wrong},
      {{"--base-path", "/panel/"}, {{"IRON_LISTEN", "127.0.0.1:" + std::to_string(server.port())}}, 1, wrong},
      {{"--url", origin + "/"}, {}, 1, "must end in /health"},  // not a health endpoint at all
  };
  for (const auto& tc : cases) {
    std::vector<std::string> args{"healthcheck"};
    args.insert(args.end(), tc.args.begin(), tc.args.end());
    const auto r = run_binary(args, tc.env);
    EXPECT_EQ(r.exit_code, tc.exit_code) << (tc.args.empty() ? "env" : tc.args.back()) << ": " << r.err;
    EXPECT_NE(r.err.find(tc.says), std::string::npos) << r.err;
  }
}

TEST(FoundationCli, MigrateAppliesThenIsANoOp) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  const std::string dir = iron::test::make_temp_dir() + "/data";
  const auto first = run_binary({"migrate", "--data", dir});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.find("applied 0"), std::string::npos) << first.out;
  const auto again = run_binary({"migrate", "--data", dir});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("applied 0 migration"), std::string::npos) << again.out;
}

TEST(FoundationCli, BackupWhileServingThenRestoreRefusedWhileLockedThenSwapsIn) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  ServerProcess server;
  const std::string out = iron::test::make_temp_dir() + "/snap.db";
  const auto backup = run_binary({"backup", "--data", server.data_dir(), "--out", out});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_TRUE(fs::exists(out));

  const auto refused = run_binary({"restore", "--data", server.data_dir(), "--from", out});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("in use"), std::string::npos) << refused.err;

  ASSERT_EQ(server.stop(), 0);
  const auto restored = run_binary({"restore", "--data", server.data_dir(), "--from", out});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  ServerProcess again({.extra_args = {}, .env = {}, .data_dir = server.data_dir()});
  auto res = again.client()->Get("/health/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(FoundationCli, RestoreRejectsAFileThatIsNotAnIronpanelDatabase) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  const std::string dir = iron::test::make_temp_dir();
  { std::ofstream(dir + "/junk.db") << "this is not sqlite"; }
  const auto r = run_binary({"restore", "--data", dir + "/data", "--from", dir + "/junk.db"});
  EXPECT_EQ(r.exit_code, 1) << "a clean failure, not an abort: " << r.err;
  EXPECT_EQ(r.err.rfind("ironpanel: ", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/data/iron.db"));
}

namespace {
// A row written straight into the database of a stopped data dir on purpose: one that no
// server start writes by itself, so that its absence can only mean the database was wiped.
void put_marker(const std::string& data_dir) {
  iron::test::open_server_database(data_dir)->write([](iron::store::Connection& c) {
    c.exec("INSERT INTO settings(key, value, updated_at) VALUES('test_marker', 'x', 0)");
    return true;
  });
}
bool has_marker(const std::string& data_dir) {
  return iron::test::open_server_database(data_dir)->read([](iron::store::Connection& c) {
    auto& s = c.prepare("SELECT count(*) FROM settings WHERE key = 'test_marker'");
    return s.step() && s.int64(0) == 1;
  });
}
bool warned(const ServerProcess& server, const std::string& words) {
  for (const auto& l : server.log_lines())
    if (l.value("level", "") == "warn" && l.value("msg", "").find(words) != std::string::npos) return true;
  return false;
}
}  // namespace

// Development mode starts from an empty SQLite database; a PostgreSQL database is never
// dropped by the program (docs/postgresql.md), and the warning says it was kept.
TEST(FoundationCli, DevelopmentModeWipesTheDatabaseProductionNever) {
  const std::string dir = iron::test::make_temp_dir() + "/data";
  ASSERT_EQ(run_binary({"migrate", "--data", dir}).exit_code, 0);
  put_marker(dir);
  {
    ServerProcess prod({.extra_args = {}, .env = {{"IRON_DEPLOYMENT_MODE", "production"}}, .data_dir = dir});
    ASSERT_EQ(prod.stop(), 0);
  }
  EXPECT_TRUE(has_marker(dir)) << "production must never wipe";
  ServerProcess dev({.extra_args = {}, .env = {{"IRON_DEPLOYMENT_MODE", "development"}}, .data_dir = dir});
  ASSERT_EQ(dev.stop(), 0);
  if (iron::test::on_postgres()) {
    EXPECT_TRUE(has_marker(dir)) << "a PostgreSQL database is never wiped";
    EXPECT_TRUE(warned(dev, "the PostgreSQL database is kept"));
    EXPECT_FALSE(warned(dev, "DELETING"));
  } else {
    EXPECT_FALSE(has_marker(dir)) << "development mode must start from an empty database";
    EXPECT_TRUE(warned(dev, "DELETING"));
  }
}

namespace {
int mode_of(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

// The umask a careless shell or unit leaves; restored when the test ends.
struct PermissiveUmask {
  mode_t saved = umask(022);
  ~PermissiveUmask() { umask(saved); }
};
}  // namespace

TEST(FoundationCli, TheDatabaseItsWalAndEveryBackupAreCreated0600) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  PermissiveUmask umask_022;
  ServerProcess server;
  const std::string db = server.data_dir() + "/iron.db";
  for (const std::string& path : {db, db + "-wal", db + "-shm"}) EXPECT_EQ(mode_of(path), 0600) << path;
  const std::string out = iron::test::make_temp_dir() + "/snap.db";
  ASSERT_EQ(run_binary({"backup", "--data", server.data_dir(), "--out", out}).exit_code, 0);
  EXPECT_EQ(mode_of(out), 0600) << out;
  ASSERT_EQ(server.stop(), 0);
  chmod(out.c_str(), 0644);  // a backup that went through other hands
  ASSERT_EQ(run_binary({"restore", "--data", server.data_dir(), "--from", out}).exit_code, 0);
  EXPECT_EQ(mode_of(db), 0600) << "the restored database";
  chmod(db.c_str(), 0644);  // as an older version left it
  ServerProcess again({.extra_args = {}, .env = {}, .data_dir = server.data_dir()});
  for (const std::string& path : {db, db + "-wal", db + "-shm"}) EXPECT_EQ(mode_of(path), 0600) << "after restart: " << path;
}

// A data dir restored without its key files: the server refuses at start, naming the file,
// instead of starting and answering 500 at the first sealed secret or handshake.
TEST(FoundationCli, ADatabaseWithoutTheKeyFilesItWasUsedWithIsRefusedNamingTheFile) {
  std::string dir;
  {
    ServerProcess first;
    dir = first.data_dir();
    ASSERT_EQ(first.stop(), 0);
  }
  const std::vector<std::string> serve{"serve", "--data", dir, "--listen", "127.0.0.1:0"};
  for (const char* key : {"master.key", "ip_token.key"}) {
    SCOPED_TRACE(key);
    fs::rename(dir + "/" + key, dir + "/" + key + ".aside");
    const auto r = run_binary(serve, {}, "", 15);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(dir + "/" + key + " is missing"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/" + key)) << "no new key may be generated in its place";
    fs::rename(dir + "/" + key + ".aside", dir + "/" + key);
  }
  // The wrong master key is refused too; the right one starts.
  fs::copy_file(dir + "/master.key", dir + "/master.key.right");
  { std::ofstream(dir + "/master.key", std::ios::trunc) << "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978\n"; }
  const auto wrong = run_binary(serve, {}, "", 15);
  EXPECT_EQ(wrong.exit_code, 2) << wrong.err;
  EXPECT_NE(wrong.err.find("master.key is not the key this database"), std::string::npos) << wrong.err;
  fs::rename(dir + "/master.key.right", dir + "/master.key");
  ServerProcess again({.extra_args = {}, .env = {}, .data_dir = dir});
  EXPECT_EQ(again.client()->Get("/health/ready")->status, 200);
}

TEST(FoundationCli, RestoreIntoANewDataDirNamesTheKeyFilesToBringAndServeRefusesWithoutThem) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  ServerProcess server;
  const std::string out = iron::test::make_temp_dir() + "/snap.db";
  ASSERT_EQ(run_binary({"backup", "--data", server.data_dir(), "--out", out}).exit_code, 0);
  const std::string fresh = iron::test::make_temp_dir() + "/data";
  const auto restored = run_binary({"restore", "--data", fresh, "--from", out});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  for (const char* key : {"jwt.key", "master.key", "ip_token.key"})
    EXPECT_NE(restored.out.find(key), std::string::npos) << key << " in: " << restored.out;
  const auto refused = run_binary({"serve", "--data", fresh, "--listen", "127.0.0.1:0"}, {}, "", 15);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("master.key is missing"), std::string::npos) << refused.err;
  for (const char* key : {"jwt.key", "master.key", "ip_token.key"})
    fs::copy_file(server.data_dir() + "/" + key, fresh + "/" + key);
  ASSERT_EQ(server.stop(), 0);
  ServerProcess moved({.extra_args = {}, .env = {}, .data_dir = fresh});
  EXPECT_EQ(moved.client()->Get("/health/ready")->status, 200);
}

// A new JWT secret is allowed (docs/deploy.md, rotating keys): the server starts, says that
// every session ended, once.
TEST(FoundationCli, AChangedJwtKeyStartsWithAWarningAndEndsEverySession) {
  ServerProcess first;
  const std::string dir = first.data_dir();
  ASSERT_EQ(first.stop(), 0);
  { std::ofstream(dir + "/jwt.key", std::ios::trunc) << "5e0d2b9c81a74f36b0e5d97c1a2b3f48d6c9071e5f2a8b4c3d6e90f1a7b25c84\n"; }
  ServerProcess again({.extra_args = {}, .env = {}, .data_dir = dir});
  ASSERT_EQ(again.client()->Get("/health/ready")->status, 200);
  EXPECT_TRUE(warned(again, "the JWT secret changed")) << again.stderr_text();
  ASSERT_EQ(again.stop(), 0);
  ServerProcess unchanged({.extra_args = {}, .env = {}, .data_dir = dir});
  for (const auto& line : unchanged.log_lines())
    EXPECT_EQ(line.value("msg", "").find("the JWT secret changed"), std::string::npos) << "warned once only";
}
