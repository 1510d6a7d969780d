#include "util/build_info.h"
#include <httplib.h>
#include <sodium.h>
#include <sqlite3.h>

#include <iostream>

#include "cli/commands.h"

namespace iron::cli {

void add_version(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("version", "Print the version, build SHA and library versions");
  cmd->callback([&inv] {
    std::cout << "ironpanel " << iron::util::build_version() << "\n"
              << "build_sha " << iron::util::build_sha() << "\n"
              << "sqlite " << sqlite3_libversion() << "\n"
              << "cpp-httplib " << CPPHTTPLIB_VERSION << "\n"
              << "libsodium " << sodium_version_string() << "\n";
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
