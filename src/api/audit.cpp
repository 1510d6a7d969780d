// GET /api/v1/audit (admin): the append-only audit log, newest first, with filters and
// cursor paging. The cursor is opaque to clients; today it is the id of the last row of the
// previous page as a decimal string (rows are returned with id < cursor).
// With ?format=csv (or Accept: text/csv) every matching row is streamed as audit.csv.
#include <charconv>

#include "api/csv.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/audit_log.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;

nlohmann::json opt_text(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// Stored before/after are JSON documents written by domain::audit; anything unparsable is
// shown as the raw string rather than failing the whole page.
nlohmann::json opt_json(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  auto j = nlohmann::json::parse(*v, nullptr, false);
  return j.is_discarded() ? nlohmann::json(*v) : j;
}

nlohmann::json item_json(const store::AuditRow& r) {
  return {{"id", r.id},
          {"at", util::to_rfc3339_millis(util::from_unix_ms(r.at))},
          {"actor_id", opt_text(r.actor_id)},
          {"actor_type", r.actor_type},
          {"action", r.action},
          {"entity_type", opt_text(r.entity_type)},
          {"entity_id", opt_text(r.entity_id)},
          {"before", opt_json(r.before_json)},
          {"after", opt_json(r.after_json)},
          {"request_id", opt_text(r.request_id)},
          {"client_ip", opt_text(r.client_ip)},
          {"user_agent", opt_text(r.user_agent)}};
}

Result<std::optional<std::string>> text_filter(const Request& req, const std::string& name) {
  const auto v = req.query_param(name);
  if (!v) return std::optional<std::string>{};
  if (v->empty() || v->size() > 255 || v->find('\0') != std::string::npos) return errors::must_be(name, "1..255 characters");
  return std::optional<std::string>(*v);
}

Result<std::optional<int64_t>> time_filter(const Request& req, const std::string& name) {
  const auto v = req.query_param(name);
  if (!v) return std::optional<int64_t>{};
  const auto t = util::parse_rfc3339(*v);
  if (!t) return errors::must_be(name, "an RFC 3339 time, e.g. 2026-01-31T12:00:00Z");
  return std::optional<int64_t>(util::to_unix_ms(*t));
}

Result<std::optional<int64_t>> cursor_of(const Request& req) {
  const auto v = req.query_param("cursor");
  if (!v) return std::optional<int64_t>{};
  int64_t id = 0;
  const char* end = v->data() + v->size();
  auto [p, ec] = std::from_chars(v->data(), end, id);
  if (v->empty() || ec != std::errc() || p != end || id <= 0)
    return errors::invalid_cursor();
  return std::optional<int64_t>(id);
}

// Every row matching `f` (its cursor and limit ignored), newest first, in keyset batches so
// memory stays bounded whatever the log's length. before/after are the stored (redacted) JSON.
Response audit_csv(Services& s, store::AuditFilter f, const std::string& request_id) {
  return csv_response("audit.csv",
                      {"at", "id", "actor_type", "actor_id", "action", "entity_type", "entity_id", "before", "after",
                       "request_id", "client_ip", "user_agent"},
                      [&s, f](const CsvWrite& write) mutable {
                        f.before_id.reset();
                        f.limit = 500;
                        for (;;) {
                          const auto rows = domain::read_audit(s.db, f);
                          std::string chunk;
                          for (const auto& r : rows)
                            chunk += CsvRow()
                                         .time_ms(r.at).integer(r.id).text(r.actor_type).opt_text(r.actor_id)
                                         .text(r.action).opt_text(r.entity_type).opt_text(r.entity_id)
                                         .opt_text(r.before_json).opt_text(r.after_json).opt_text(r.request_id)
                                         .opt_text(r.client_ip).opt_text(r.user_agent)
                                         .line();
                          if (!chunk.empty() && !write(chunk)) return;
                          if (static_cast<int64_t>(rows.size()) < f.limit) return;
                          f.before_id = rows.back().id;
                        }
                      },
                      request_id);
}

Reply list_audit(const Call& c) {
  Services& s = c.s;
  const Request& req = c.req;
  auto csv = wants_csv(req);
  if (!csv) return csv.error();
  store::AuditFilter f;
  for (auto [name, slot] : {std::pair{"actor_id", &f.actor_id}, std::pair{"entity_type", &f.entity_type},
                            std::pair{"entity_id", &f.entity_id}, std::pair{"action", &f.action}}) {
    auto v = text_filter(req, name);
    if (!v) return v.error();
    *slot = *v;
  }
  auto from = time_filter(req, "from");
  if (!from) return from.error();
  auto to = time_filter(req, "to");
  if (!to) return to.error();
  f.from_ms = *from;
  f.to_ms = *to;
  if (*csv) return audit_csv(s, f, req.request_id);
  auto cursor = cursor_of(req);
  if (!cursor) return cursor.error();
  f.before_id = *cursor;
  auto limit = query_int(req, "limit", 1, 200);
  if (!limit) return limit.error();
  const int64_t page_size = limit->value_or(50);
  f.limit = page_size + 1;  // one extra row says whether another page exists

  auto rows = domain::read_audit(s.db, f);
  const bool more = static_cast<int64_t>(rows.size()) > page_size;
  if (more) rows.resize(static_cast<size_t>(page_size));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : rows) items.push_back(item_json(r));
  return json_response(200, {{"items", items},
                             {"next_cursor", more ? nlohmann::json(std::to_string(rows.back().id)) : nlohmann::json(nullptr)}});
}

}  // namespace

std::vector<Endpoint> audit_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({Op("GET", "/api/v1/audit", "listAudit", "Read the audit log (newest first)")
                   .tagged("audit").auth(Auth::admin)
                   .describe("Append-only record of every mutation and auth event, written in the same transaction "
                             "as the change. Cursor-paged: pass `next_cursor` back as `cursor`.")
                   .query("actor_id", str(1, 255), "only this actor")
                   .query("entity_type", str(1, 64), "e.g. user, api_token")
                   .query("entity_id", str(1, 255), "only this entity (with entity_type)")
                   .query("action", str(1, 128), "e.g. auth.login")
                   .query("from", rfc3339("inclusive lower bound"), "rows at or after this time")
                   .query("to", rfc3339("exclusive upper bound"), "rows before this time")
                   .query("cursor", str(1, 64), "opaque cursor from a previous page's next_cursor")
                   .query("limit", described(integer_range(1, 200, ""), "default 50"), "rows per page")
                   .csv_export()
                   .returns(200, ref("AuditPage"), "One page of audit rows"),
               list_audit});
  return e;
}

}  // namespace iron::api
