#pragma once
// One file per subcommand. Each `add_*` registers its subcommand on the app and sets the
// exit code through `exit_code` when it runs.
#include <CLI/CLI.hpp>

#include "config/config.h"

namespace iron::cli {

struct Invocation {
  config::Config config;
  int exit_code = 0;
};

// Registers serve flags on `app` itself too, so `ironpanel --data DIR` means serve.
CLI::App* add_serve(CLI::App& app, Invocation& inv);
void add_healthcheck(CLI::App& app, Invocation& inv);
void add_version(CLI::App& app, Invocation& inv);
void add_migrate(CLI::App& app, Invocation& inv);
void add_backup_restore(CLI::App& app, Invocation& inv);
void add_admin(CLI::App& app, Invocation& inv);
void add_demo_seed(CLI::App& app, Invocation& inv);

int run_serve(Invocation& inv);

// Prints "ironpanel: <message>" to stderr and returns the exit code for bad configuration.
int fail(const std::string& message, int code = 2);

}  // namespace iron::cli
