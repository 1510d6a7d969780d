// ironpanel: the control panel for governing AI agents, in one static binary.
#include <sys/stat.h>

#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/server_key_check.h"
#include "server/signals.h"

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and only the sigwait
  // thread ever sees SIGTERM/SIGINT (required to behave as PID 1 in a container).
  iron::server::block_termination_signals();
  // Every file this process creates (the database, its WAL and SHM, key files, backups) is
  // private to the service user, whatever umask the shell or unit left: they hold secrets.
  umask(077);

  CLI::App app{"ironpanel — control panel for governing AI agents (REST API + dashboard in one binary)"};
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  iron::cli::Invocation inv;
  CLI::App* serve = iron::cli::add_serve(app, inv);
  iron::cli::add_healthcheck(app, inv);
  iron::cli::add_version(app, inv);
  iron::cli::add_migrate(app, inv);
  iron::cli::add_backup_restore(app, inv);
  iron::cli::add_admin(app, inv);
  iron::cli::add_demo_seed(app, inv);
  iron::cli::add_copy_to_postgres(app, inv);
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the help or the error; its own codes (105, 106, 109, ...) are not the
    // documented ones: any usage error exits 2 (docs/deploy.md, "Exit codes").
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const iron::cli::ConfigError& e) {
    return iron::cli::fail(e.what(), 2);
  } catch (const std::exception& e) {
    // Subcommand callbacks (backup, restore, migrate, ...) run inside parse(): without this
    // their runtime errors escaped main and aborted the process.
    return iron::cli::fail(e.what(), 1);
  }
  try {
    if (app.get_subcommands().empty() || serve->parsed()) return iron::cli::run_serve(inv);
    return inv.exit_code;
  } catch (const iron::cli::ConfigError& e) {
    return iron::cli::fail(e.what(), 2);
  } catch (const std::exception& e) {
    return iron::cli::fail(e.what(), 1);
  }
}
