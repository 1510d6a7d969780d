// `backup` and `restore` move the database only. The key files beside it (jwt.key,
// master.key, ip_token.key) never change and are kept apart from the snapshots on purpose:
// a leaked snapshot then holds only sealed secrets. docs/deploy.md's runbook copies them once.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/server_key_check.h"
#include "store/backup.h"
#include "store/data_dir.h"

namespace iron::cli {
namespace {

// After a restore: the key files the data dir still lacks, each with the setting that can
// stand in for it. The server refuses to start without the ones the database was used with.
void name_missing_key_files(const config::Config& c) {
  const struct { const char* file; const char* setting; const std::string& configured; } keys[] = {
      {kJwtKeyFile, "IRON_JWT_SECRET", c.jwt_secret},
      {kMasterKeyFile, "IRON_SECRETS_MASTER_KEY", c.master_key},
      {kIpTokenKeyFile, "IRON_IP_TOKEN_KEY", c.ip_token_key},
  };
  for (const auto& k : keys) {
    if (!k.configured.empty() || std::filesystem::exists(std::filesystem::path(c.data_dir) / k.file)) continue;
    std::cout << "note: " << c.data_dir << " has no " << k.file << ": copy it from your key backup before starting"
              << " the server (or set " << k.setting << ")\n";
  }
}

// backup and restore move iron.db; a PostgreSQL database is the operator's to back up.
bool refuse_on_postgres(Invocation& inv, const char* command) {
  if (inv.config.database_url.empty()) return false;
  inv.exit_code = fail(std::string(command) +
                           " works on iron.db; this panel keeps its data in PostgreSQL: use pg_dump / pg_restore or "
                           "WAL archiving (docs/postgresql.md)",
                       2);
  return true;
}

}  // namespace

void add_backup_restore(CLI::App& app, Invocation& inv) {
  auto out = std::make_shared<std::string>();
  auto* backup = app.add_subcommand("backup", "Write a consistent snapshot of the database (safe while serving)");
  add_data_flag(*backup, inv);
  backup->add_option("--out", *out, "Snapshot file to write")->required();
  backup->callback([&inv, out] {
    if (!resolve_config(inv, config::scope_data) || refuse_on_postgres(inv, "backup")) return;
    store::backup_database(store::database_path(inv.config.data_dir), *out);
    const int version = store::verify_backup(*out, store::BackupCheck::quick);
    std::cout << "backup written to " << *out << " (schema version " << version << ")" << std::endl;
    inv.exit_code = 0;
  });

  auto from = std::make_shared<std::string>();
  auto* restore = app.add_subcommand("restore", "Verify a snapshot and swap it in (the server must be stopped)");
  add_data_flag(*restore, inv);
  restore->add_option("--from", *from, "Snapshot file to restore")->required();
  restore->callback([&inv, from] {
    if (!resolve_config(inv, config::scope_data | config::scope_keys) || refuse_on_postgres(inv, "restore")) return;
    store::verify_backup(*from);  // before touching anything
    store::ensure_data_dir(inv.config.data_dir);
    store::DataDirLock lock(inv.config.data_dir);  // refuses while a server holds the dir
    const std::string kept = store::restore_database(inv.config.data_dir, *from);
    std::cout << "restored " << *from << " into " << store::database_path(inv.config.data_dir) << "\n";
    if (!kept.empty()) std::cout << "previous database kept as " << kept << "\n";
    name_missing_key_files(inv.config);
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
