// GET /api/v1/system (admin): what an operator checks first — build, uptime, database and
// WAL size, free space, row counts, the edge settings in force (read-only).
// GET /api/v1/system/backup (admin): a consistent snapshot of iron.db streamed as a file
// download (domain/system.h makes it, audits it and removes it once sent). The key files
// are not in it (docs/deploy.md, "Backups").
#include <chrono>
#include <cstdio>
#include <memory>

#include "api/guard.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/system.h"
#include "util/build_info.h"

namespace iron::api {
namespace {

using nlohmann::json;

Response system_info(Services& s) {
  const auto facts = domain::system_facts(s.db, s.config.data_dir);
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.started);
  json counts = json::object();
  for (const auto& [name, n] : facts.row_counts) counts[name] = n;
  return json_response(200, {{"version", util::build_version()},
                             {"build_sha", util::build_sha()},
                             {"uptime_s", uptime.count()},
                             {"storage",
                              {{"database_bytes", facts.database_bytes},
                               {"wal_bytes", facts.wal_bytes},
                               {"free_bytes", facts.free_bytes},
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
Response backup_download(Services& s, const Request& req, const domain::Principal& p) {
  auto snap = domain::make_backup(s.db, s.config.data_dir, context_of(req, &p));
  if (!snap) return error_response(snap.error(), req.request_id);
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

}  // namespace

void add_system_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/system", guarded(s, Access::admin, [&s](const Request&, const domain::Principal&) {
                      return system_info(s);
                    })});
  routes.push_back({"GET", "/api/v1/system/backup", guarded(s, Access::admin, [&s](const Request& r, const domain::Principal& p) {
                      return backup_download(s, r, p);
                    })});
}

}  // namespace iron::api
