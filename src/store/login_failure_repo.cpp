#include "store/login_failure_repo.h"

namespace iron::store::login_failures {
namespace {
FailureWindow read_window(Statement& s) {
  s.step();
  return FailureWindow{s.int64(0), s.opt_int64(1), s.opt_int64(2)};
}
}  // namespace

void record(Connection& c, const std::string& source, const std::string& account, int64_t at) {
  c.prepare("INSERT INTO login_failures(source, account, at) VALUES(?, ?, ?)")
      .bind(1, source).bind(2, account).bind(3, at).run();
}

FailureWindow for_pair(Connection& c, const std::string& source, const std::string& account, int64_t since) {
  auto& s = c.prepare(
      "SELECT count(*), min(at), max(at) FROM login_failures WHERE source = ? AND account = ? AND at >= ?");
  s.bind(1, source).bind(2, account).bind(3, since);
  return read_window(s);
}

FailureWindow for_source(Connection& c, const std::string& source, int64_t since) {
  auto& s = c.prepare("SELECT count(*), min(at), max(at) FROM login_failures WHERE source = ? AND at >= ?");
  s.bind(1, source).bind(2, since);
  return read_window(s);
}

void clear_pair(Connection& c, const std::string& source, const std::string& account) {
  c.prepare("DELETE FROM login_failures WHERE source = ? AND account = ?").bind(1, source).bind(2, account).run();
}

int64_t clear_account(Connection& c, const std::string& account) {
  c.prepare("DELETE FROM login_failures WHERE account = ?").bind(1, account).run();
  return c.changes();
}

int64_t purge_before(Connection& c, int64_t cutoff) {
  c.prepare("DELETE FROM login_failures WHERE at < ?").bind(1, cutoff).run();
  return c.changes();
}

}  // namespace iron::store::login_failures
