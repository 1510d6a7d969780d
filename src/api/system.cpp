// GET /api/v1/system (admin): what an operator checks first — build, uptime, database and
// WAL size, free space, row counts, the edge settings in force (read-only).
// GET /api/v1/system/backup (admin): a consistent snapshot of iron.db streamed as a file
// download (domain/system.h makes it, audits it and removes it once sent). The key files
// are not in it (docs/deploy.md, "Backups").
#include <chrono>
#include <cstdio>
#include <memory>

#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/system.h"
#include "util/build_info.h"
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

Reply system_info(const Call& c) {
  Services& s = c.s;
  const auto facts = domain::system_facts(s.db, s.config.data_dir);
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.started);
  json counts = json::object();
  for (const auto& [name, n] : facts.row_counts) counts[name] = n;
  return json_response(200, {{"version", util::build_version()},
                             {"build_sha", util::build_sha()},
                             {"uptime_s", uptime.count()},
                             {"storage",
                              {IRON_JSON_FIELDS(facts, database_bytes, wal_bytes, free_bytes),
                               {"total_bytes", facts.total_bytes}}},
                             {"row_counts", counts},
                             {"config",
                              {{"base_path", s.config.base_path},
                               {"cors_origins", s.config.cors_origins},
                               {"trusted_proxies", s.config.trusted_proxies},
                               {"metrics_enabled", s.config.metrics}}}});
}

// Streams the snapshot in 64 KiB pieces; the last owner of `snap` (this provider) removes
// the file when the response is done, sent or abandoned.
Reply backup_download(const Call& c) {
  auto snap = domain::make_backup(c.s.db, c.s.config.data_dir, c.context());
  if (!snap) return snap.error();
  std::shared_ptr<domain::BackupSnapshot> file = *snap;
  Response r;
  r.content_type = "application/vnd.sqlite3";
  r.header("Content-Disposition", "attachment; filename=\"" + file->download_name() + "\"");
  r.header("Cache-Control", "no-store");
  r.stream = [file](const std::function<bool(std::string_view)>& write) {
    std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file->path().c_str(), "rb"), &std::fclose);
    if (!in) return;
    std::string buf(64 * 1024, '\0');
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0)
      if (!write(std::string_view(buf.data(), n))) return;
  };
  return r;
}

json bytes(const std::string& what) { return integer_range(0, INT64_MAX, what + ", in bytes"); }

json system_info_schema() {
  json counts = json::object();
  std::vector<std::string> names;
  for (const char* n : {"users", "api_tokens", "agents", "provider_keys", "budget_requests", "analytics_events", "audit_log"}) {
    counts[n] = integer_range(0, INT64_MAX, "rows");
    names.emplace_back(n);
  }
  return object(
      {{"version", str()},
       {"build_sha", described(str(), "the commit the binary was built from")},
       {"uptime_s", integer_range(0, INT64_MAX, "seconds since this process started")},
       {"storage", object({{"database_bytes", bytes("iron.db; on PostgreSQL, this panel's tables with their indexes")},
                           {"wal_bytes", bytes("iron.db-wal (0 when absent, and on PostgreSQL)")},
                           {"free_bytes", bytes("space available in the data directory's filesystem")},
                           {"total_bytes", bytes("size of that filesystem")}},
                          {"database_bytes", "wal_bytes", "free_bytes", "total_bytes"})},
       {"row_counts", object(counts, names)},
       {"config", described(object({{"base_path", str()},
                                    {"cors_origins", described(str(), "empty = same origin only; * or a comma-separated list")},
                                    {"trusted_proxies", described(str(), "comma-separated CIDRs")},
                                    {"metrics_enabled", boolean("GET /metrics is served")}},
                                   {"base_path", "cors_origins", "trusted_proxies", "metrics_enabled"}),
                            "the edge settings in force (read-only; change them in the configuration)")}},
      {"version", "build_sha", "uptime_s", "storage", "row_counts", "config"});
}

const Resource system_op{.tag = "system", .access = Auth::admin};

}  // namespace

std::vector<Endpoint> system_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({system_op("GET", "/api/v1/system", "getSystem", "Installation facts: build, uptime, storage, row counts, settings")
                   .returns(200, system_info_schema(), "The facts"),
               system_info});
  e.push_back({system_op("GET", "/api/v1/system/backup", "downloadBackup", "Download a consistent snapshot of the database")
                   .returns_text("application/vnd.sqlite3", "The SQLite database file")
                   .response_header("Content-Disposition", "attachment; filename=\"ironpanel-backup-<UTC time>.db\"")
                   .errors(409, {"BACKUP_IN_PROGRESS", "BACKUP_NOT_AVAILABLE"})
                   .errors(503, {"INSUFFICIENT_STORAGE", "STORAGE_FULL"}),
               backup_download});
  return e;
}

}  // namespace iron::api
