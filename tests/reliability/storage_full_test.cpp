// A full disk (docs/security.md, "Full disk"): agents report usage events from several
// threads until the server refuses a batch for lack of space. Every refusal must be 503
// STORAGE_FULL in the envelope (Retry-After, no path in the message), never a 500 or a
// stall; every acknowledged event is in the file and no refused one is (a failing group
// commit fails every request of its batch); the refused request changes nothing; reads and
// /health/ready keep answering, the latter with checks.storage "full"; and once space
// returns the same batch is accepted, without a restart where the disk itself was full.
//
// Two ways to run out of space: the operator's cap on the database (IRON_MAX_DB_MB), which
// runs anywhere, and a real 24 MiB tmpfs holding the data dir, the WAL and a filler file
// that the test deletes to give the space back (root with mount rights only; skipped
// elsewhere).
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "ledger_audit.h"
#include "store/data_dir.h"
#include "support/panel.h"
#include "table_contents.h"

using namespace iron::test;
using iron::test::reliability::integrity_check;
using iron::test::reliability::table_contents;

namespace {

constexpr int kFillers = 4;            // concurrent agents' writers: their batches share commits
constexpr int kEventsPerBatch = 25;    // ~50 KB a batch
constexpr int kMaxBatchesEach = 400;   // a bound: ~80 MB in all, far past either space

// The events of one batch: unique ids, each with a 1,900-character error message so that the
// space runs out after a few dozen batches.
json event_batch(const std::string& ic_token, const std::string& prefix, int batch) {
  json events = json::array();
  for (int i = 0; i < kEventsPerBatch; ++i)
    events.push_back({{"event_id", prefix + "-" + std::to_string(batch) + "-" + std::to_string(i)},
                      {"timestamp_ms", 1'700'000'000'000},
                      {"event_type", "llm_request_failed"},
                      {"model", "gpt-4o"},
                      {"provider", "openai"},
                      {"error_code", "upstream_timeout"},
                      {"error_message", std::string(1900, 'x')}});
  return {{"ic_token", ic_token}, {"events", events}};
}

std::vector<std::string> ids_of(const json& batch) {
  std::vector<std::string> ids;
  for (const auto& e : batch["events"]) ids.push_back(e["event_id"]);
  return ids;
}

struct Filled {
  std::set<std::string> acknowledged;  // event ids answered 200 "accepted"
  std::set<std::string> refused;       // event ids of batches answered 503 STORAGE_FULL
  json refused_batch;                  // one of those batches, to send again
  Reply refusal;                       // its answer
  std::vector<std::string> unexpected;  // any other answer
};

// Each filler agent sends batches until one is refused for lack of space; `round` keeps the
// agents' names and the event ids of several fillings apart.
Filled fill_until_refused(Panel& panel, const std::string& round = "a") {
  std::vector<std::string> tokens;
  for (int f = 0; f < kFillers; ++f)
    tokens.push_back(panel.ic_token(panel.add_agent(panel.admin.id, 1'000'000, "filler-" + round + std::to_string(f))));
  Filled out;
  std::mutex m;
  std::vector<std::thread> fillers;
  for (int f = 0; f < kFillers; ++f) {
    fillers.emplace_back([&, f] {
      for (int b = 0; b < kMaxBatchesEach; ++b) {
        const json batch = event_batch(tokens[static_cast<size_t>(f)], round + std::to_string(f), b);
        const Reply r = panel.call("POST", "/api/v1/analytics/events/batch", "", batch);
        std::lock_guard lock(m);
        if (r.status == 200 && r.body.value("accepted", 0) == kEventsPerBatch) {
          for (const auto& id : ids_of(batch)) out.acknowledged.insert(id);
          continue;
        }
        if (r.status == 503 && r.code() == "STORAGE_FULL") {
          for (const auto& id : ids_of(batch)) out.refused.insert(id);
          if (out.refused_batch.is_null()) out.refused_batch = batch, out.refusal = r;
        } else {
          out.unexpected.push_back(std::to_string(r.status) + " " + r.raw.substr(0, 300));
        }
        return;
      }
    });
  }
  for (auto& t : fillers) t.join();
  return out;
}

std::set<std::string> stored_event_ids(const std::string& db_path) {
  iron::store::SqliteConnection c(db_path, true);
  std::set<std::string> ids;
  auto& s = c.prepare("SELECT event_id FROM analytics_events");
  while (s.step()) ids.insert(s.text(0));
  return ids;
}

ServerProcess::Options options_at(const std::string& data_dir, std::vector<std::string> args = {}) {
  auto o = admin_options(std::move(args));
  o.data_dir = data_dir;
  return o;
}

std::string readiness_storage(Panel& panel) {
  const Reply r = panel.call("GET", "/health/ready");
  EXPECT_EQ(r.status, 200) << "a full disk keeps the server ready: reads still work. " << r.raw;
  return r.body["checks"].value("storage", "");
}

// Everything that must hold while writes are refused.
void expect_refused_cleanly(Panel& panel, const Filled& filled) {
  const std::string data_dir = panel.server().data_dir();
  const std::string db_path = iron::store::database_path(data_dir);
  ASSERT_TRUE(filled.unexpected.empty()) << "only 200 or 503 STORAGE_FULL; got " << filled.unexpected.front();
  ASSERT_FALSE(filled.refused_batch.is_null()) << "the space never ran out";
  EXPECT_GT(filled.acknowledged.size(), 0u) << "some batches fit before the space ran out";

  const Reply& refusal = filled.refusal;
  expect_error(refusal, 503, "STORAGE_FULL");
  EXPECT_FALSE(refusal.header("Retry-After").empty());
  const std::string message = refusal.body["error"].value("message", "");
  EXPECT_EQ(message.find('/'), std::string::npos) << "no path in the message: " << message;
  EXPECT_EQ(message.find("iron.db"), std::string::npos) << message;
  EXPECT_EQ(refusal.raw.find(data_dir), std::string::npos) << refusal.raw;

  // No acknowledged event is missing and no refused one was kept, across batches that
  // committed together.
  const auto stored = stored_event_ids(db_path);
  for (const auto& id : filled.acknowledged) ASSERT_EQ(stored.count(id), 1u) << "acknowledged but missing: " << id;
  for (const auto& id : filled.refused) ASSERT_EQ(stored.count(id), 0u) << "refused but stored: " << id;

  // A request refused together with the others of its group commit may fit when it is sent
  // alone: the same request (with fresh event ids) is sent until it is refused by itself, and
  // that refusal changes nothing (audit included).
  bool refused_alone = false;
  for (int attempt = 0; attempt < kMaxBatchesEach && !refused_alone; ++attempt) {
    json batch = filled.refused_batch;
    for (auto& e : batch["events"]) e["event_id"] = e["event_id"].get<std::string>() + "-alone-" + std::to_string(attempt);
    const auto before = table_contents(db_path);
    const Reply again = panel.call("POST", "/api/v1/analytics/events/batch", "", batch);
    if (again.status == 200) continue;
    expect_error(again, 503, "STORAGE_FULL");
    EXPECT_EQ(table_contents(db_path), before) << "a refused write changed the database";
    refused_alone = true;
  }
  EXPECT_TRUE(refused_alone) << "the space never ran out for a request sent alone";

  // The operator learns why from the log; no request took the 500 path.
  int logged = 0;
  for (const auto& line : panel.server().log_lines()) {
    const std::string msg = line.value("msg", "");
    EXPECT_NE(msg, "unhandled error") << line.dump();
    if (msg.rfind("write refused: storage full", 0) == 0) ++logged;
  }
  EXPECT_GE(logged, 1);

  EXPECT_EQ(readiness_storage(panel), "full");
  EXPECT_EQ(panel.call("GET", "/api/v1/agents", panel.admin.token).status, 200) << "reads keep working";
  const Reply events = panel.call("GET", "/api/v1/analytics/events/list", panel.admin.token);
  EXPECT_EQ(events.status, 200) << events.raw;
}

// The refused batch goes through once space is back; the database is sound.
void expect_writes_again(Panel& panel, const Filled& filled) {
  const Reply r = panel.call("POST", "/api/v1/analytics/events/batch", "", filled.refused_batch);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body.value("accepted", 0), kEventsPerBatch) << "none of the refused events had been kept: " << r.raw;
  EXPECT_EQ(readiness_storage(panel), "ok");
  EXPECT_EQ(integrity_check(iron::store::database_path(panel.server().data_dir())), "ok");
}

int64_t free_bytes(const std::string& dir) {
  struct statvfs s{};
  return statvfs(dir.c_str(), &s) == 0 ? static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize) : -1;
}

// A tmpfs of `bytes` at a fresh directory, mounted in a mount namespace private to this thread
// and the processes it starts, so it vanishes with them whatever happens. Empty, with the
// reason in `why_not`, where this machine does not allow it (not root, no mount rights).
std::string mount_small_tmpfs(int64_t bytes, std::string& why_not) {
  if (unshare(CLONE_NEWNS) != 0) return why_not = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno), "";
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return why_not = std::string("making mounts private: ") + std::strerror(errno), "";
  const std::string dir = make_temp_dir();
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
    return why_not = std::string("mount tmpfs: ") + std::strerror(errno), "";
  return dir;
}

// Writes `bytes` of zeros at `path` (tmpfs allocates what is written); false when it does not fit.
bool write_filler(const std::string& path, int64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(1 << 16, '\0');
  for (int64_t left = bytes; left > 0 && out; left -= static_cast<int64_t>(block.size()))
    out.write(block.data(), static_cast<std::streamsize>(std::min<int64_t>(left, static_cast<int64_t>(block.size()))));
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

// The operator's cap: deterministic on any machine. Raising the cap takes a restart (it is a
// setting), and the refused batch is then accepted.
TEST(StorageFull, TheDatabaseCapRefusesWritesWith503AndChangesNothing) {
  const std::string data_dir = make_temp_dir() + "/data";
  Filled filled;
  {
    Panel panel(options_at(data_dir, {"--max-db-mb", "2"}));
    ASSERT_FALSE(panel.admin.token.empty());
    filled = fill_until_refused(panel);
    expect_refused_cleanly(panel, filled);
    if (HasFatalFailure()) return;
    RecordProperty("acknowledged_events", static_cast<int>(filled.acknowledged.size()));
    EXPECT_EQ(panel.server().stop(), 0);
    EXPECT_LE(std::filesystem::file_size(iron::store::database_path(data_dir)), 2u << 20)
        << "checkpointed at shutdown, the file is within the cap";
  }
  Panel raised(options_at(data_dir, {"--max-db-mb", "64"}));
  EXPECT_EQ(readiness_storage(raised), "ok");
  expect_writes_again(raised, filled);
}

// A real full file system, WAL included, and recovery without a restart when space returns.
TEST(StorageFull, AFullFilesystemRefusesWritesAndRecoversWhenSpaceReturns) {
  std::string why_not;
  const std::string mount_dir = mount_small_tmpfs(24 << 20, why_not);
  if (mount_dir.empty()) GTEST_SKIP() << "cannot mount a small tmpfs here: " << why_not;
  const std::string data_dir = mount_dir + "/data";
  Panel panel(options_at(data_dir));
  ASSERT_FALSE(panel.admin.token.empty());

  // Leave about 1.5 MiB for the API to fill: the database, its WAL and the filler share it.
  const std::string filler = mount_dir + "/filler";
  const int64_t room = free_bytes(mount_dir);
  ASSERT_GT(room, 4 << 20);
  ASSERT_TRUE(write_filler(filler, room - (3 << 19)));

  const Filled filled = fill_until_refused(panel);
  expect_refused_cleanly(panel, filled);
  if (HasFatalFailure()) return;
  RecordProperty("acknowledged_events", static_cast<int>(filled.acknowledged.size()));
  RecordProperty("wal_bytes_when_full",
                 static_cast<int>(std::filesystem::file_size(iron::store::database_path(data_dir) + "-wal")));

  std::filesystem::remove(filler);
  expect_writes_again(panel, filled);

  // Full again, and stopped while full: the final checkpoint cannot grow iron.db, which must
  // not turn the stop into a failure; the WAL keeps every acknowledged write for the next start.
  ASSERT_TRUE(write_filler(filler, free_bytes(mount_dir) - (1 << 19)));
  const Filled again = fill_until_refused(panel, "b");
  ASSERT_TRUE(again.unexpected.empty()) << again.unexpected.front();
  ASSERT_FALSE(again.refused_batch.is_null());
  EXPECT_EQ(panel.server().stop(), 0) << panel.server().stderr_text();
  int skipped = 0;
  for (const auto& line : panel.server().log_lines())
    skipped += line.value("msg", "").rfind("final checkpoint skipped", 0) == 0;
  EXPECT_EQ(skipped, 1) << "stopped while full, the final checkpoint cannot grow iron.db (and says so)";
  std::filesystem::remove(filler);
  Panel restarted(options_at(data_dir));
  const auto stored = stored_event_ids(iron::store::database_path(data_dir));
  for (const auto& id : again.acknowledged) ASSERT_EQ(stored.count(id), 1u) << "lost across the stop: " << id;
  expect_writes_again(restarted, again);
}
