#include <iostream>

#include "cli/commands.h"
#include "store/data_dir.h"
#include "cli/open_database.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"

namespace iron::cli {

void add_migrate(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending schema migrations and exit");
  add_data_flag(*cmd, inv);
  cmd->callback([&inv] {
    if (!resolve_config(inv, config::scope_data)) return;
    if (!inv.config.database_url.empty()) {
      // Opening applies what is pending, under the lock that lets replicas start together.
      store::Database db = open_database(inv.config);
      std::cout << "PostgreSQL schema version " << db.schema_version() << "\n";
      inv.exit_code = 0;
      return;
    }
    store::ensure_data_dir(inv.config.data_dir);
    store::DataDirLock lock(inv.config.data_dir);
    store::SqliteConnection c(store::database_path(inv.config.data_dir), false);
    store::apply_connection_pragmas(c);
    c.exec("PRAGMA journal_mode=WAL");
    const int applied = store::apply_migrations(c);
    std::cout << "applied " << applied << " migration(s); schema version " << store::current_schema_version(c) << "\n";
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
