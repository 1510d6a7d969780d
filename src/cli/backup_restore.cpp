#include <iostream>

#include "cli/commands.h"
#include "store/backup.h"
#include "store/data_dir.h"

namespace iron::cli {

void add_backup_restore(CLI::App& app, Invocation& inv) {
  auto out = std::make_shared<std::string>();
  auto* backup = app.add_subcommand("backup", "Write a consistent snapshot of the database (safe while serving)");
  add_data_flag(*backup, inv);
  backup->add_option("--out", *out, "Snapshot file to write")->required();
  backup->callback([&inv, out] {
    if (!resolve_config(inv, config::scope_data)) return;
    store::backup_database(store::database_path(inv.config.data_dir), *out);
    const int version = store::verify_backup(*out);
    std::cout << "backup written to " << *out << " (schema version " << version << ")\n";
    inv.exit_code = 0;
  });

  auto from = std::make_shared<std::string>();
  auto* restore = app.add_subcommand("restore", "Verify a snapshot and swap it in (the server must be stopped)");
  add_data_flag(*restore, inv);
  restore->add_option("--from", *from, "Snapshot file to restore")->required();
  restore->callback([&inv, from] {
    if (!resolve_config(inv, config::scope_data)) return;
    store::verify_backup(*from);  // before touching anything
    store::ensure_data_dir(inv.config.data_dir);
    store::DataDirLock lock(inv.config.data_dir);  // refuses while a server holds the dir
    const std::string kept = store::restore_database(inv.config.data_dir, *from);
    std::cout << "restored " << *from << " into " << store::database_path(inv.config.data_dir) << "\n";
    if (!kept.empty()) std::cout << "previous database kept as " << kept << "\n";
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
