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
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

// Stored before/after are JSON documents written by domain::audit; anything unparsable is
// shown as the raw string rather than failing the whole page.
nlohmann::json opt_json(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  auto j = nlohmann::json::parse(*v, nullptr, false);
  return j.is_discarded() ? nlohmann::json(*v) : j;
}

nlohmann::json item_json(const store::AuditRow& r) {
  return {IRON_JSON_FIELDS(r, id, actor_id, actor_type, action, entity_type, entity_id, request_id, client_ip,
                           user_agent),
          {"at", util::to_rfc3339_millis(util::from_unix_ms(r.at))},
          {"before", opt_json(r.before_json)},
          {"after", opt_json(r.after_json)}};
}

Status time_into(const std::string& name, const std::string& raw, std::optional<int64_t>& out) {
  const auto t = util::parse_rfc3339(raw);
  if (!t) return errors::must_be(name, "an RFC 3339 time, e.g. 2026-01-31T12:00:00Z");
  out = util::to_unix_ms(*t);
  return ok_status();
}

using store::AuditFilter;
// What narrows the log, for the JSON page and the CSV export alike.
const QueryFields<AuditFilter> kAuditFilters =
    QueryFields<AuditFilter>()
        .text("actor_id", &AuditFilter::actor_id, 1, 255, "only this actor")
        .text("entity_type", &AuditFilter::entity_type, 1, 255, "e.g. user, api_token")
        .text("entity_id", &AuditFilter::entity_id, 1, 255, "only this entity (with entity_type)")
        .text("action", &AuditFilter::action, 1, 255, "e.g. auth.login")
        .custom("from", rfc3339("inclusive lower bound"), "rows at or after this time",
                [](const std::string& raw, AuditFilter& f) { return time_into("from", raw, f.from_ms); })
        .custom("to", rfc3339("exclusive upper bound"), "rows before this time",
                [](const std::string& raw, AuditFilter& f) { return time_into("to", raw, f.to_ms); });

// The JSON page: the cursor is the id of the previous page's last row, as a decimal string.
const QueryFields<AuditFilter> kAuditPage =
    QueryFields<AuditFilter>()
        .custom("cursor", str(1, 64), "opaque cursor from a previous page's next_cursor",
                [](const std::string& raw, AuditFilter& f) -> Status {
                  int64_t id = 0;
                  const char* end = raw.data() + raw.size();
                  auto [p, ec] = std::from_chars(raw.data(), end, id);
                  if (raw.empty() || ec != std::errc() || p != end || id <= 0) return errors::invalid_cursor();
                  f.before_id = id;
                  return ok_status();
                })
        .integer("limit", &AuditFilter::limit, 1, 200, "rows per page")
        .schema_with({{"description", "default 50"}});

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
  auto f = kAuditFilters.decode(req);
  if (!f) return f.error();
  if (*csv) return audit_csv(s, *f, req.request_id);
  if (auto st = kAuditPage.read_into(req, *f); !st) return st.error();
  const int64_t page_size = f->limit;
  f->limit = page_size + 1;  // one extra row says whether another page exists

  auto rows = domain::read_audit(s.db, *f);
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
                   .query_params(kAuditFilters.parameters())
                   .query_params(kAuditPage.parameters())
                   .csv_export()
                   .returns(200, ref("AuditPage"), "One page of audit rows"),
               list_audit});
  return e;
}

}  // namespace iron::api
