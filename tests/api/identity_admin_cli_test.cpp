// The three ways into an empty database (issue 4 item 6), all with the real binary:
// `ironpanel admin create` (password from a file or stdin), the IRON_ADMIN_* environment
// bootstrap on first start (ignored once an admin exists), and the one-time setup token;
// plus `ironpanel admin reset-password` for recovery while the server runs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/files.h"
#include "support/panel.h"

using namespace iron::test;

namespace {

// A password file as an operator would keep it: owner-only.
std::string secret_file(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  write_file(path, content);
  chmod(path.c_str(), 0600);
  return path;
}

bool mentions(const iron::test::RunResult& r, const std::string& text) {
  return r.out.find(text) != std::string::npos || r.err.find(text) != std::string::npos;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::optional<std::string> setup_token_in_log(const ServerProcess& s) {
  for (const auto& l : s.log_lines())
    if (l.contains("setup_token")) return l.value("setup_token", "");
  return std::nullopt;
}

}  // namespace

TEST(IdentityAdminCli, CreateWithPasswordFileMakesAWorkingAdminAndNeverEchoesIt) {
  const std::string dir = make_temp_dir();
  const std::string data = dir + "/data";
  const std::string password = "file-password-Zq7x";
  // A trailing newline (as `echo` writes) is not part of the password.
  const std::string file = secret_file(dir, "pw", password + "\n");
  const auto r = run_binary({"admin", "create", "--data", data, "--email", "ops@example.test", "--password-file", file,
                             "--name", "Ops Person"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(mentions(r, password)) << r.out << r.err;
  EXPECT_NE(r.out.find("ops@example.test"), std::string::npos) << r.out;

  ServerProcess server({.extra_args = {}, .env = {}, .data_dir = data});
  EXPECT_FALSE(setup_token_in_log(server)) << "an admin exists: no setup token";
  EXPECT_EQ(get(server, "/api/v1/setup").body["setup_required"], false);
  const std::string token = login(server, "ops@example.test", password);
  const Reply me = get(server, "/api/v1/me", token);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["role"], "admin");
  EXPECT_EQ(me.body["name"], "Ops Person");
  EXPECT_EQ(me.body["username"], "ops");
  EXPECT_EQ(get(server, "/api/v1/users", token).status, 200) << "a real admin, not forced to change the password";
  // Audited as a system action.
  const Reply audit = get(server, "/api/v1/audit?action=user.create&entity_id=" + me.body["id"].get<std::string>(), token);
  ASSERT_EQ(audit.body["items"].size(), 1u) << audit.raw;
  EXPECT_EQ(audit.body["items"][0]["actor_type"], "system");
  EXPECT_EQ(audit.raw.find(password), std::string::npos);
}

TEST(IdentityAdminCli, CreateWithPasswordStdinWorksWhileTheServerRuns) {
  ServerProcess server({.extra_args = {},
                        .env = {{"IRON_ADMIN_EMAIL", "first@example.test"}, {"IRON_ADMIN_PASSWORD", "first-password-1"}}});
  const std::string password = "stdin-password-Kp4w";
  const auto r = run_binary({"admin", "create", "--data", server.data_dir(), "--email", "second@example.test",
                             "--password-stdin"},
                            {}, password + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(mentions(r, password));
  // A second admin even though one exists: this is the operator's recovery path.
  const std::string token = login(server, "second@example.test", password);
  EXPECT_EQ(get(server, "/api/v1/users?role=admin", token).body["total"], 2);
  EXPECT_FALSE(login(server, "first@example.test", "first-password-1").empty());
}

// A refused value exits 1; a missing required flag or password source is a usage error and exits 2
// (docs/deploy.md, "Exit codes").
TEST(IdentityAdminCli, CreateRefusesBadInputWithItsDocumentedExitCode) {
  const std::string dir = make_temp_dir();
  const std::string data = dir + "/data";
  const std::string short_pw = secret_file(dir, "short", "elevenchars\n");
  const std::string good_pw = secret_file(dir, "good", "good-password-99\n");
  const std::string empty_pw = secret_file(dir, "empty", "\n");
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::string stdin_text;
    std::string says;
    int exit_code = 1;
  };
  const std::vector<Case> cases = {
      {"short password file", {"--email", "a@example.test", "--password-file", short_pw}, "", "12"},
      {"short password stdin", {"--email", "a@example.test", "--password-stdin"}, "shortpw\n", "12"},
      {"empty password", {"--email", "a@example.test", "--password-file", empty_pw}, "", "empty"},
      {"missing file", {"--email", "a@example.test", "--password-file", dir + "/nope"}, "", "cannot read"},
      {"no password source", {"--email", "a@example.test"}, "", "password", 2},
      {"no email", {"--password-file", good_pw}, "", "--email", 2},
      {"bad email", {"--email", "not-an-email", "--password-file", good_pw}, "", "email"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> args = {"admin", "create", "--data", data};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = run_binary(args, {}, c.stdin_text);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    EXPECT_EQ(lines(r.err), 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("elevenchars"), std::string::npos) << "the password is never echoed";
  }
  // Both sources at once is a usage error.
  EXPECT_NE(run_binary({"admin", "create", "--data", data, "--email", "a@example.test", "--password-file", good_pw,
                        "--password-stdin"})
                .exit_code,
            0);
  // Nothing was created: the same email now succeeds, and a duplicate then fails.
  const auto ok = run_binary({"admin", "create", "--data", data, "--email", "a@example.test", "--password-file", good_pw});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  const auto dup = run_binary({"admin", "create", "--data", data, "--email", "A@example.test", "--password-file", good_pw});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("already"), std::string::npos) << dup.err;
}

TEST(IdentityAdminCli, ResetPasswordWhileServingRevokesTheOldPasswordAndSessions) {
  const std::string dir = make_temp_dir();
  ServerProcess server({.extra_args = {},
                        .env = {{"IRON_ADMIN_EMAIL", "boss@example.test"}, {"IRON_ADMIN_PASSWORD", "old-password-123"}}});
  const Reply before = login_reply(server, "boss@example.test", "old-password-123");
  ASSERT_EQ(before.status, 200) << before.raw;
  const std::string refresh = before.body["refresh_token"];

  const std::string new_pw = "new-password-456";
  const auto r = run_binary({"admin", "reset-password", "--data", server.data_dir(), "--email", "boss@example.test",
                             "--password-file", secret_file(dir, "pw", new_pw + "\n")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(mentions(r, new_pw));

  EXPECT_EQ(login_reply(server, "boss@example.test", "old-password-123").status, 401);
  EXPECT_EQ(post(server, "/api/v1/auth/refresh", "", {{"refresh_token", refresh}}).status, 401)
      << "sessions from before the reset are revoked";
  const std::string token = login(server, "boss@example.test", new_pw);
  const Reply me = get(server, "/api/v1/me", token);
  EXPECT_EQ(me.body["force_password_change"], false);
  EXPECT_EQ(get(server, "/api/v1/users", token).status, 200);

  // Via stdin too; an unknown email fails with exit 1.
  const auto again = run_binary({"admin", "reset-password", "--data", server.data_dir(), "--email", "boss@example.test",
                                 "--password-stdin"},
                                {}, "third-password-789");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(login(server, "boss@example.test", "third-password-789").empty());
  const auto unknown = run_binary({"admin", "reset-password", "--data", server.data_dir(), "--email",
                                   "nobody@example.test", "--password-stdin"},
                                  {}, "whatever-password-1");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(lines(unknown.err), 1) << unknown.err;
  const auto short_pw = run_binary({"admin", "reset-password", "--data", server.data_dir(), "--email",
                                    "boss@example.test", "--password-stdin"},
                                   {}, "short");
  EXPECT_EQ(short_pw.exit_code, 1);
  EXPECT_FALSE(login(server, "boss@example.test", "third-password-789").empty()) << "a refused reset changes nothing";
}

TEST(IdentityAdminCli, ResetPasswordLiftsTheLoginThrottle) {
  ServerProcess server({.extra_args = {},
                        .env = {{"IRON_ADMIN_EMAIL", "locked@example.test"}, {"IRON_ADMIN_PASSWORD", "locked-password-1"}}});
  // Five failures throttle this source address at this account (the test client is a trusted
  // proxy, so X-Forwarded-For is the source): the operator who forgot the password is stuck.
  for (int i = 0; i < 5; ++i) {
    const Reply r = login_reply(server, "locked@example.test", "wrong-password-" + std::to_string(i),
                                {{"X-Forwarded-For", "10.0.0.1"}});
    ASSERT_EQ(r.status, 401) << i << ": " << r.raw;
  }
  Reply r = login_reply(server, "locked@example.test", "locked-password-1", {{"X-Forwarded-For", "10.0.0.1"}});
  ASSERT_EQ(r.status, 429) << r.raw;

  const auto reset = run_binary({"admin", "reset-password", "--data", server.data_dir(), "--email",
                                 "locked@example.test", "--password-stdin"},
                                {}, "unlocked-password-1\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  r = login_reply(server, "locked@example.test", "unlocked-password-1", {{"X-Forwarded-For", "10.0.0.1"}});
  EXPECT_EQ(r.status, 200) << r.raw;
}

TEST(IdentityAdminCli, EnvironmentBootstrapCreatesTheFirstAdminOnlyOnce) {
  const std::string dir = make_temp_dir();
  const std::string data = dir + "/data";
  const std::string first_pw = secret_file(dir, "first", "env-first-password\n");
  {
    ServerProcess first({.extra_args = {}, .env = {{"IRON_ADMIN_EMAIL", "env1@example.test"},
                                                   {"IRON_ADMIN_PASSWORD_FILE", first_pw}},
                         .data_dir = data});
    EXPECT_FALSE(setup_token_in_log(first));
    const std::string t = login(first, "env1@example.test", "env-first-password");
    EXPECT_EQ(get(first, "/api/v1/me", t).body["role"], "admin");
    ASSERT_EQ(first.stop(), 0);
  }
  // Restarted with a different admin in the environment: ignored, an admin exists.
  const std::string second_pw = secret_file(dir, "second", "env-second-password\n");
  ServerProcess again({.extra_args = {}, .env = {{"IRON_ADMIN_EMAIL", "env2@example.test"},
                                                 {"IRON_ADMIN_PASSWORD_FILE", second_pw}},
                       .data_dir = data});
  EXPECT_EQ(login_reply(again, "env2@example.test", "env-second-password").status, 401);
  const std::string t = login(again, "env1@example.test", "env-first-password");
  EXPECT_EQ(get(again, "/api/v1/users?role=admin", t).body["total"], 1);
  EXPECT_FALSE(setup_token_in_log(again));

  // The same holds for an admin made by the CLI before the first start.
  const std::string data2 = dir + "/data2";
  ASSERT_EQ(run_binary({"admin", "create", "--data", data2, "--email", "cli@example.test", "--password-file",
                        secret_file(dir, "cli", "cli-made-password\n")})
                .exit_code,
            0);
  ServerProcess third({.extra_args = {}, .env = {{"IRON_ADMIN_EMAIL", "env3@example.test"},
                                                 {"IRON_ADMIN_PASSWORD", "env-third-password"}},
                       .data_dir = data2});
  EXPECT_EQ(login_reply(third, "env3@example.test", "env-third-password").status, 401);
  EXPECT_FALSE(login(third, "cli@example.test", "cli-made-password").empty());
}

TEST(IdentityAdminCli, SetupTokenFlowCreatesTheFirstAdminOnce) {
  ServerProcess server;
  const auto token = setup_token_in_log(server);
  ASSERT_TRUE(token.has_value()) << "with no admin and no IRON_ADMIN_*, a setup token is logged";
  ASSERT_FALSE(token->empty());
  bool warned = false;
  for (const auto& l : server.log_lines())
    if (l.contains("setup_token")) warned = l.value("level", "") == "warn";
  EXPECT_TRUE(warned);

  EXPECT_EQ(get(server, "/api/v1/setup").body["setup_required"], true);
  const json admin = {{"email", "setup@example.test"}, {"password", "setup-password-1"}, {"name", "Set Up"}};
  auto with_token = [&](const std::string& t) {
    json b = admin;
    b["setup_token"] = t;
    return b;
  };
  Reply r = post(server, "/api/v1/setup", "", with_token("setup_wrong-token"));
  EXPECT_EQ(r.status, 403) << r.raw;
  EXPECT_EQ(r.code(), "INVALID_SETUP_TOKEN");
  EXPECT_EQ(get(server, "/api/v1/setup").body["setup_required"], true) << "a wrong token changes nothing";
  EXPECT_EQ(login_reply(server, "setup@example.test", "setup-password-1").status, 401);

  r = post(server, "/api/v1/setup", "", with_token(*token));
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["role"], "admin");
  EXPECT_FALSE(r.body.contains("password_hash"));
  const std::string t = login(server, "setup@example.test", "setup-password-1");
  EXPECT_EQ(get(server, "/api/v1/users", t).status, 200);

  json other = with_token(*token);
  other["email"] = "again@example.test";
  r = post(server, "/api/v1/setup", "", other);
  EXPECT_EQ(r.status, 403) << "the token dies when used: " << r.raw;
  EXPECT_EQ(get(server, "/api/v1/setup").body["setup_required"], false);
  EXPECT_EQ(get(server, "/api/v1/users?role=admin", t).body["total"], 1);
}

TEST(IdentityAdminCli, AdminSubcommandsHaveHelp) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"admin", "--help"},
                                               std::vector<std::string>{"admin", "create", "--help"},
                                               std::vector<std::string>{"admin", "reset-password", "--help"}}) {
    const auto r = run_binary(args);
    EXPECT_EQ(r.exit_code, 0) << args[1];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
  const auto create = run_binary({"admin", "create", "--help"});
  for (const char* flag : {"--email", "--password-file", "--password-stdin", "--name", "--data"})
    EXPECT_NE(create.out.find(flag), std::string::npos) << flag;
  EXPECT_NE(run_binary({"admin"}).exit_code, 0) << "admin alone needs a subcommand";
}
