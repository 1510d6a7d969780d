#pragma once
// One file per subcommand. Each `add_*` registers its subcommand on the app and sets the
// exit code through `exit_code` when it runs.
#include <CLI/CLI.hpp>

#include "config/config.h"
#include "config/options.h"

namespace iron::cli {

struct Invocation {
  config::Config config;
  config::FlagValues flags;        // what the command line said; resolve_config() adds the rest
  config::Resolution resolution;
  int exit_code = 0;
};

// Registers --data on a data-dir command (migrate, backup, restore, admin, demo-seed).
void add_data_flag(CLI::App& cmd, Invocation& inv);
// Fills inv.config for `scope` by the one precedence rule (config/options.h). On a bad value
// prints it and sets exit code 2; returns false.
bool resolve_config(Invocation& inv, unsigned scope);
// One "configuration" log line: every serve setting's effective value (secrets only as
// "(set)") and where it came from, after any warning the resolution produced.
void log_configuration(const Invocation& inv);

// Registers serve flags on `app` itself too, so `ironpanel --data DIR` means serve.
CLI::App* add_serve(CLI::App& app, Invocation& inv);
void add_healthcheck(CLI::App& app, Invocation& inv);
void add_version(CLI::App& app, Invocation& inv);
void add_migrate(CLI::App& app, Invocation& inv);
void add_backup_restore(CLI::App& app, Invocation& inv);
void add_admin(CLI::App& app, Invocation& inv);
void add_demo_seed(CLI::App& app, Invocation& inv);
void add_copy_to_postgres(CLI::App& app, Invocation& inv);

int run_serve(Invocation& inv);

// Prints "ironpanel: <message>" to stderr and returns the exit code for bad configuration.
int fail(const std::string& message, int code = 2);

}  // namespace iron::cli
