// `copy-to-postgres`: moves an SQLite installation into an empty PostgreSQL database
// (docs/postgresql.md, "Moving an installation"). The work is store/pg/sqlite_copy.h; this
// file checks the data dir first and prints the summary.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "store/data_dir.h"
#include "store/migrations.h"
#include "store/pg/sqlite_copy.h"

namespace iron::cli {
namespace {

// The copy reads what this ironpanel's repositories would read: the latest schema, no less.
void require_latest_schema(const std::string& db_path, const std::string& data_dir) {
  store::SqliteConnection c(db_path, true);
  const int version = store::current_schema_version(c), latest = store::latest_schema_version();
  if (version < latest) {
    throw std::runtime_error(db_path + " is at schema version " + std::to_string(version) + ", this ironpanel's is " +
                             std::to_string(latest) + ": run `ironpanel migrate --data " + data_dir + "` first");
  }
  if (version > latest) {
    throw std::runtime_error(db_path + " was written by a newer ironpanel (schema version " + std::to_string(version) +
                             "): copy it with that version");
  }
}

void print_summary(const store::pg::CopySummary& s) {
  std::cout << "applied " << s.migrations_applied << " PostgreSQL migration(s) to " << s.target << "\n";
  size_t width = 5;
  for (const auto& t : s.tables) width = std::max(width, t.name.size());
  std::cout << std::left << std::setw(static_cast<int>(width)) << "table" << std::right << std::setw(13) << "rows\n";
  for (const auto& t : s.tables)
    std::cout << std::left << std::setw(static_cast<int>(width)) << t.name << std::right << std::setw(12) << t.rows << "\n";
  std::cout << "verified: " << s.tables.size() << " tables with the same row counts on both engines; the budget"
            << " invariant holds on " << s.budgets_checked << " agent budget(s)\n";
}

}  // namespace

void add_copy_to_postgres(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("copy-to-postgres",
                                 "Copy the data dir's database into an empty PostgreSQL database (the server must be stopped)");
  add_data_flag(*cmd, inv);
  cmd->callback([&inv] {
    if (!resolve_config(inv, config::scope_data)) return;
    if (inv.config.database_url.empty()) {
      inv.exit_code = fail("copy-to-postgres needs the target: --database-url, IRON_DATABASE_URL or IRON_DATABASE_URL_FILE");
      return;
    }
    const std::string db_path = store::database_path(inv.config.data_dir);
    if (!std::filesystem::exists(db_path)) {
      inv.exit_code = fail("there is no database to copy at " + db_path);
      return;
    }
    store::DataDirLock lock(inv.config.data_dir);  // refuses while a server holds the dir, and keeps one from starting
    require_latest_schema(db_path, inv.config.data_dir);
    std::cout << "copying " << db_path << " to PostgreSQL" << std::endl;
    print_summary(store::pg::copy_sqlite_to_postgres(db_path, inv.config.database_url));
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
