#include <httplib.h>
#include <sodium.h>
#include <sqlite3.h>

#include <iostream>

#include "cli/commands.h"

namespace iron::cli {

void add_version(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("version", "Print the version, build SHA and library versions");
  cmd->callback([&inv] {
    std::cout << "ironpanel " << IRON_VERSION << "\n"
              << "build_sha " << IRON_BUILD_SHA << "\n"
              << "sqlite " << sqlite3_libversion() << "\n"
              << "cpp-httplib " << CPPHTTPLIB_VERSION << "\n"
              << "libsodium " << sodium_version_string() << "\n";
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
