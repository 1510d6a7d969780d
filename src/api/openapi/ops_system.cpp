// OpenAPI table: the admin's System page (api/system.cpp).
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

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
       {"storage", object({{"database_bytes", bytes("iron.db")},
                           {"wal_bytes", bytes("iron.db-wal (0 when absent)")},
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

}  // namespace

std::vector<Op> system_ops() {
  std::vector<Op> ops;
  ops.push_back(Op("GET", "/api/v1/system", "getSystem", "Installation facts: build, uptime, storage, row counts, settings")
                    .tagged("system").auth(Auth::admin)
                    .returns(200, system_info_schema(), "The facts"));
  ops.push_back(Op("GET", "/api/v1/system/backup", "downloadBackup", "Download a consistent snapshot of the database")
                    .tagged("system").auth(Auth::admin)
                    .describe("Made with SQLite's online backup API while the server keeps serving, written to the data "
                              "directory (mode 0600), streamed, and removed once sent; audited as `system.backup`. "
                              "Restore it with `ironpanel restore`. The key files (jwt.key, master.key, "
                              "ip_token.key) are NOT in it. One backup at a time; refused with 503 "
                              "INSUFFICIENT_STORAGE when the data directory lacks the database's size plus 16 MiB.")
                    .returns_text("application/vnd.sqlite3", "The SQLite database file")
                    .response_header("Content-Disposition", "attachment; filename=\"ironpanel-backup-<UTC time>.db\"")
                    .errors(409, {"BACKUP_IN_PROGRESS"})
                    .errors(503, {"INSUFFICIENT_STORAGE"}));
  return ops;
}

}  // namespace iron::api::openapi
