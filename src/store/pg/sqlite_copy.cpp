#include "store/pg/sqlite_copy.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "store/pg/advisory_lock.h"
#include "store/pg/connection.h"
#include "store/pg/copy_in.h"
#include "store/pg/migrations.h"

namespace iron::store::pg {
namespace {

// schema_migrations is not copied: the PostgreSQL runner has recorded its own migrations.
constexpr const char* kMigrationsTable = "schema_migrations";

// The source, through SQLite's C API directly: this library does not link the SQLite store
// (store/sqlite.*, in ironpanel_core), only SQLite itself.
class Source {
 public:
  explicit Source(const std::string& path) {
    if (int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr); rc != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      throw std::runtime_error("cannot open " + path + " read-only: " + why);
    }
    run("BEGIN");  // one snapshot for the copy and the checks
  }
  ~Source() {
    stmts_.clear();
    sqlite3_close_v2(db_);
  }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("reading the SQLite database failed: ") + sqlite3_errmsg(db_));
    }
    stmts_.emplace_back(s, &sqlite3_finalize);
    return s;
  }
  bool step(sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("reading the SQLite database failed: ") + sqlite3_errmsg(db_));
  }
  void run(const std::string& sql) {
    auto* s = prepare(sql);
    while (step(s)) {}
  }
  std::string text(sqlite3_stmt* s, int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, col))) : std::string();
  }
  int64_t count(const std::string& table) {
    auto* s = prepare("SELECT count(*) FROM " + quote_ident(table));
    step(s);
    return sqlite3_column_int64(s, 0);
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>> stmts_;
};

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The tables of the schema itself (sqlite_master), not a list that could drift from it.
std::set<std::string> source_tables(Source& src) {
  std::set<std::string> out;
  auto* s = src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  while (src.step(s)) out.insert(src.text(s, 0));
  out.erase(kMigrationsTable);
  return out;
}

std::vector<std::string> source_columns(Source& src, const std::string& table) {
  std::vector<std::string> out;
  auto* s = src.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  while (src.step(s)) out.push_back(src.text(s, 0));
  return out;
}

// Parents before children, so every foreign key finds its row; alphabetical among equals,
// so the order (and the summary) is the same on every run. A table referring to itself is
// fine: PostgreSQL checks a non-deferred foreign key at the end of the COPY statement.
std::vector<std::string> foreign_key_order(Source& src, const std::set<std::string>& tables) {
  std::map<std::string, std::set<std::string>> parents;
  for (const auto& t : tables) {
    auto* s = src.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)");
    sqlite3_bind_text(s, 1, t.c_str(), -1, SQLITE_TRANSIENT);
    auto& mine = parents[t];
    while (src.step(s)) {
      const std::string parent = src.text(s, 0);
      if (parent != t) mine.insert(parent);
    }
  }
  std::vector<std::string> order;
  std::set<std::string> done;
  while (order.size() < tables.size()) {
    const auto ready = std::find_if(tables.begin(), tables.end(), [&](const std::string& t) {
      return !done.contains(t) && std::all_of(parents[t].begin(), parents[t].end(), [&](const std::string& p) {
        return done.contains(p) || !tables.contains(p);
      });
    });
    if (ready == tables.end()) throw std::runtime_error("the SQLite tables' foreign keys form a cycle");
    order.push_back(*ready);
    done.insert(*ready);
  }
  return order;
}

std::set<std::string> target_tables(Connection& dst) {
  std::set<std::string> out;
  for (const auto& r : dst.exec("SELECT table_name FROM information_schema.tables "
                                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
    out.insert(r.text(0));
  }
  out.erase(kMigrationsTable);
  return out;
}

struct TargetColumn {
  bool bytea = false;
  bool identity = false;
};

std::map<std::string, TargetColumn> target_columns(Connection& dst, const std::string& table) {
  std::map<std::string, TargetColumn> out;
  for (const auto& r : dst.exec("SELECT column_name, data_type, is_identity FROM information_schema.columns "
                                "WHERE table_schema = current_schema() AND table_name = $1",
                                {table})) {
    out[r.text(0)] = {.bytea = r.text(1) == "bytea", .identity = r.text(2) == "YES"};
  }
  return out;
}

// Refuses a target holding any row, before anything is written to it: copying into a
// database in use would mix two installations.
void refuse_rows(Connection& dst) {
  std::set<std::string> holding;
  for (const auto& t : target_tables(dst)) {
    if (dst.exec("SELECT EXISTS (SELECT 1 FROM " + quote_ident(t) + ")").front().text(0) == "t") holding.insert(t);
  }
  if (!holding.empty()) {
    throw std::runtime_error("the PostgreSQL database is not empty (rows in " + joined(holding) +
                             "): copy into a new, empty database");
  }
}

// The same names on both engines (`what`: "tables", "columns of table T"), or an error
// listing what only one side has.
void require_same(const std::string& what, const std::set<std::string>& source, const std::set<std::string>& target) {
  std::set<std::string> only_source, only_target;
  std::set_difference(source.begin(), source.end(), target.begin(), target.end(),
                      std::inserter(only_source, only_source.end()));
  std::set_difference(target.begin(), target.end(), source.begin(), source.end(),
                      std::inserter(only_target, only_target.end()));
  if (only_source.empty() && only_target.empty()) return;
  throw std::runtime_error("the two schemas differ: " + what + " only in SQLite: [" + joined(only_source) +
                           "], only in PostgreSQL: [" + joined(only_target) + "]");
}

// Streams one table; returns the rows PostgreSQL stored.
int64_t copy_table(Source& src, Connection& dst, const std::string& table) {
  const auto columns = source_columns(src, table);
  const auto target = target_columns(dst, table);
  std::set<std::string> target_names;
  for (const auto& [name, info] : target) target_names.insert(name);
  require_same("columns of table " + table, {columns.begin(), columns.end()}, target_names);
  std::string select = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) select += (i ? ", " : "") + quote_ident(columns[i]);
  auto* rows = src.prepare(select + " FROM " + quote_ident(table));

  CopyIn in(dst, table, columns);
  while (src.step(rows)) {
    for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
      const int type = sqlite3_column_type(rows, i);
      if (type == SQLITE_NULL) {
        in.null();
      } else if (target.at(columns[i]).bytea) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(rows, i));
        in.bytea(std::string_view(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(rows, i))));
      } else if (type == SQLITE_FLOAT) {
        char buf[32];  // shortest round-trip form: SQLite's own text form keeps only 15 digits
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(rows, i));
        in.text(std::string_view(buf, static_cast<size_t>(end - buf)));
      } else {
        in.text(src.text(rows, i));
      }
    }
    in.end_row();
  }
  return in.finish();
}

// SQLite's AUTOINCREMENT counter per table: ids it has handed out, even of deleted rows.
std::map<std::string, int64_t> autoincrement_counters(Source& src) {
  std::map<std::string, int64_t> out;
  auto* exists = src.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (!src.step(exists)) return out;
  auto* s = src.prepare("SELECT name, seq FROM sqlite_sequence");
  while (src.step(s)) out[src.text(s, 0)] = sqlite3_column_int64(s, 1);
  return out;
}

// Identity columns continue past every id the copy brought (explicit ids leave the
// sequences at their start) and past every id SQLite ever handed out.
void advance_identities(Connection& dst, const std::string& table, const std::map<std::string, int64_t>& counters) {
  for (const auto& [column, info] : target_columns(dst, table)) {
    if (!info.identity) continue;
    const auto counter = counters.find(table);
    const int64_t used = std::max<int64_t>(
        counter == counters.end() ? 0 : counter->second,
        dst.exec("SELECT coalesce(max(" + quote_ident(column) + "), 0) FROM " + quote_ident(table)).front().int64(0));
    dst.exec("SELECT setval(pg_get_serial_sequence($1, $2), $3, false)", {quote_ident(table), column, used + 1});
  }
}

// The budget ledger in numbers, by one SQL text both engines run: rows, the four buckets'
// totals, and the rows breaking allocated = spent + reserved + remaining or holding a
// negative bucket (the CHECK of resources/migrations/002_governance.sql).
constexpr const char* kLedgerSql =
    "SELECT count(*), coalesce(sum(total_allocated), 0), coalesce(sum(total_spent), 0), "
    "coalesce(sum(total_reserved), 0), coalesce(sum(budget_remaining), 0), "
    "coalesce(sum(CASE WHEN total_allocated = total_spent + total_reserved + budget_remaining AND total_spent >= 0 "
    "AND total_reserved >= 0 AND budget_remaining >= 0 THEN 0 ELSE 1 END), 0) FROM agent_budgets";
constexpr int kLedgerFigures = 6;
constexpr const char* kLedgerNames[kLedgerFigures] = {"rows", "allocated", "spent", "reserved", "remaining",
                                                      "rows breaking the invariant"};

int64_t verify_ledger(Source& src, Connection& dst) {
  auto* s = src.prepare(kLedgerSql);
  src.step(s);
  const auto target = dst.exec(kLedgerSql).front();
  for (int i = 0; i < kLedgerFigures; ++i) {
    const int64_t want = sqlite3_column_int64(s, i), got = target.int64(i);
    if (want != got) {
      throw std::runtime_error(std::string("verification failed: agent_budgets ") + kLedgerNames[i] + " " +
                               std::to_string(got) + " on PostgreSQL, " + std::to_string(want) + " on SQLite");
    }
  }
  if (target.int64(5) != 0) throw std::runtime_error("verification failed: the budget invariant does not hold");
  return target.int64(0);
}

std::string describe(const Connection& dst) {
  PGconn* c = dst.handle();
  return std::string("database ") + PQdb(c) + " on " + PQhost(c) + ":" + PQport(c);
}

}  // namespace

CopySummary copy_sqlite_to_postgres(const std::string& sqlite_path, const std::string& database_url) {
  Source src(sqlite_path);
  Connection dst(database_url);
  CopySummary summary;
  summary.target = describe(dst);

  // Two copies started into one database at once: the second waits here, then finds rows.
  AdvisoryLock one_copy_at_a_time(dst, advisory_lock_key("copy-to-postgres"));
  refuse_rows(dst);
  summary.migrations_applied = apply_migrations(dst);
  const auto tables = source_tables(src);
  require_same("tables", tables, target_tables(dst));
  const auto order = foreign_key_order(src, tables);
  const auto counters = autoincrement_counters(src);

  Transaction tx(dst);
  // Rows are copied as they are: the rollup triggers (migrations 009, 013) must not add the
  // copied usage a second time. ALTER TABLE is transactional: the triggers are back at COMMIT.
  for (const auto& t : order) dst.exec("ALTER TABLE " + quote_ident(t) + " DISABLE TRIGGER USER");
  for (const auto& t : order) {
    int64_t stored = 0;
    try {
      stored = copy_table(src, dst, t);
    } catch (const std::exception& e) {
      throw std::runtime_error("copying table " + t + " failed: " + e.what());
    }
    const int64_t source_rows = src.count(t);
    const int64_t target_rows = dst.exec("SELECT count(*) FROM " + quote_ident(t)).front().int64(0);
    if (stored != source_rows || target_rows != source_rows) {
      throw std::runtime_error("verification failed: table " + t + " has " + std::to_string(target_rows) +
                               " rows on PostgreSQL, " + std::to_string(source_rows) + " on SQLite");
    }
    advance_identities(dst, t, counters);
    summary.tables.push_back({t, source_rows});
  }
  for (const auto& t : order) dst.exec("ALTER TABLE " + quote_ident(t) + " ENABLE TRIGGER USER");
  summary.budgets_checked = verify_ledger(src, dst);
  tx.commit();
  return summary;
}

}  // namespace iron::store::pg
