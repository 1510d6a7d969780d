// `ironpanel admin create|reset-password`: the operator's way in with file-system access —
// the first admin on an empty data dir, or recovery when every admin password is lost.
// Works while a server runs on the same data dir (no data-dir lock: SQLite serialises the
// writers). The password is read from a file or stdin, never from argv (visible in ps) and
// never echoed or logged.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/open_database.h"
#include "domain/accounts.h"
#include "security/random.h"
#include "store/data_dir.h"
#include "store/database.h"

namespace iron::cli {
namespace {

struct PasswordSource {
  std::string file;
  bool from_stdin = false;
};

// One trailing line ending is not part of the password (echo, editors, heredocs add it).
std::string strip_line_ending(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

// The password, or an error message. Exactly one source must be given.
// 0 with the password read, else the exit code after saying why: no source or two sources is a
// usage error (2), an unreadable or empty one a refused value (1).
int read_password(const PasswordSource& src, std::string& password) {
  if (src.file.empty() == !src.from_stdin) return fail("give exactly one of --password-file FILE or --password-stdin", 2);
  if (src.from_stdin) {
    password = strip_line_ending(std::string(std::istreambuf_iterator<char>(std::cin), {}));
  } else {
    std::ifstream in(src.file, std::ios::binary);
    if (!in) return fail("cannot read --password-file " + src.file, 1);
    password = strip_line_ending(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  if (password.empty()) return fail("the password is empty", 1);
  return 0;
}

domain::RequestContext cli_context() {
  domain::RequestContext ctx = domain::RequestContext::system();
  ctx.user_agent = "ironpanel-cli";
  return ctx;
}

void add_password_options(CLI::App& cmd, PasswordSource& src) {
  auto* file = cmd.add_option("--password-file", src.file, "Read the password from this file (one trailing newline is ignored)");
  auto* in = cmd.add_flag("--password-stdin", src.from_stdin, "Read the password from standard input");
  file->excludes(in);
}

// Runs `body` and turns every failure into exit code 1 with a one-line message.
template <class F>
void run_guarded(Invocation& inv, F&& body) {
  try {
    inv.exit_code = body();
  } catch (const std::exception& e) {
    inv.exit_code = fail(e.what(), 1);
  }
}

// What both subcommands do first: resolve the data dir, require --email (a usage error
// without it), read the password; then act(accounts, password) on the data dir's database.
template <class F>
void run_on_accounts(Invocation& inv, const std::string& email, const PasswordSource& src, F act) {
  run_guarded(inv, [&]() -> int {
    if (!resolve_config(inv, config::scope_data)) return inv.exit_code;
    if (email.empty()) return fail("--email is required", 2);  // usage error
    std::string password;
    if (const int code = read_password(src, password)) return code;
    security::init();
    store::ensure_data_dir(inv.config.data_dir);
    auto db = open_database(inv.config, 1);
    domain::Accounts accounts(db);
    return act(accounts, std::move(password));
  });
}

struct CreateArgs {
  std::string email;
  std::string name;
  std::string username;
  PasswordSource password;
};

struct ResetArgs {
  std::string email;
  PasswordSource password;
};

}  // namespace

void add_admin(CLI::App& app, Invocation& inv) {
  auto* admin = app.add_subcommand("admin", "Create an admin account or reset a password (works while serving)");
  admin->require_subcommand(1);

  auto create_args = std::make_shared<CreateArgs>();
  auto* create = admin->add_subcommand("create", "Create an admin account (the first one, or another one for recovery)");
  add_data_flag(*create, inv);
  create->add_option("--email", create_args->email, "Email of the new admin (required)");
  create->add_option("--name", create_args->name, "Display name");
  create->add_option("--username", create_args->username, "Username (default: the part of the email before @)");
  add_password_options(*create, create_args->password);
  create->callback([&inv, create_args] {
    run_on_accounts(inv, create_args->email, create_args->password, [&](domain::Accounts& accounts, std::string password) {
      domain::NewUser u;
      u.email = create_args->email;
      u.username = create_args->username;
      if (!create_args->name.empty()) u.name = create_args->name;
      u.password = std::move(password);
      auto created = accounts.create_admin(u, cli_context());
      if (!created) return fail("admin create: " + created.error().message, 1);
      std::cout << "admin created: " << created->email << " (id " << created->id << ", username "
                << created->username << ")\n";
      return 0;
    });
  });

  auto reset_args = std::make_shared<ResetArgs>();
  auto* reset = admin->add_subcommand(
      "reset-password", "Set a user's password, clear the lockout and sign the user out everywhere");
  add_data_flag(*reset, inv);
  reset->add_option("--email", reset_args->email, "Email of the account (required)");
  add_password_options(*reset, reset_args->password);
  reset->callback([&inv, reset_args] {
    run_on_accounts(inv, reset_args->email, reset_args->password, [&](domain::Accounts& accounts, std::string password) {
      auto u = accounts.recover_password(reset_args->email, password, cli_context());
      if (!u) {
        const std::string why = u.error().kind == ErrorKind::not_found ? "no live account with email " + reset_args->email
                                                                         : u.error().message;
        return fail("admin reset-password: " + why, 1);
      }
      std::cout << "password reset for " << u->email << " (id " << u->id << "); existing sessions revoked\n";
      return 0;
    });
  });
}

}  // namespace iron::cli
