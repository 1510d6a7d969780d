#include "support/postgres_cluster.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "store/pg/connection.h"
#include "support/server_process.h"

#ifndef IRON_PG_CLUSTER_SCRIPT
#error "IRON_PG_CLUSTER_SCRIPT must name tests/support/postgres_cluster.sh"
#endif

namespace iron::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Runs `postgres_cluster.sh stop dir` once this process has ended, however it ends: a child in
// its own session blocks on a pipe whose only writer is this process.
void stop_when_process_ends(const std::string& dir) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::string script = IRON_PG_CLUSTER_SCRIPT, stop = "stop", where = dir;
  char* argv[] = {script.data(), stop.data(), where.data(), nullptr};
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    close(fds[1]);
    // Not holding the test's output open: CTest reads it until every writer is gone.
    if (int null = open("/dev/null", O_RDWR); null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    char byte;
    while (read(fds[0], &byte, 1) != 0) {
    }
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[0]);  // fds[1] stays open (and unused) until this process ends
}

std::unique_ptr<PostgresCluster> start(std::string& why_not) {
  const std::string dir = make_temp_dir();
  const std::string command = std::string(IRON_PG_CLUSTER_SCRIPT) + " start '" + dir + "' 2>&1";
  FILE* out = popen(command.c_str(), "r");
  if (!out) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, out)) output.append(buf, n);
  const int status = pclose(out);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  if (code == 77) {
    why_not = output;
    return nullptr;
  }
  // Stop it at exit even if starting failed half-way (the script deletes what it made).
  stop_when_process_ends(dir);
  const auto at = output.rfind("port=");
  if (code != 0 || at == std::string::npos) {
    throw std::runtime_error("postgres_cluster.sh start failed (exit " + std::to_string(code) + "):\n" + output);
  }
  auto cluster = std::make_unique<PostgresCluster>();
  cluster->dir = dir;
  cluster->port = std::stoi(output.substr(at + 5));
  cluster->password = read_file(dir + "/password");
  cluster->ca_file = dir + "/ca.crt";
  return cluster;
}

}  // namespace

std::string PostgresCluster::dsn(std::string_view database, bool tls) const {
  std::string s = "host=localhost hostaddr=127.0.0.1 port=" + std::to_string(port) + " user=" + user +
                  " password=" + password + " dbname=" + std::string(database);
  s += tls ? " sslmode=verify-full sslrootcert=" + ca_file : " sslmode=disable";
  return s;
}

std::string PostgresCluster::create_database(std::string_view prefix) const {
  static std::atomic<int> counter{0};
  const std::string name = std::string(prefix) + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  store::pg::Connection admin(dsn("postgres"));
  admin.exec("CREATE DATABASE " + name);  // name: a prefix from test code + digits
  return name;
}

// The cluster CTest started in `dir` for the whole run; it outlives this process.
std::unique_ptr<PostgresCluster> attach(const std::string& dir) {
  const std::string port = read_file(dir + "/port");
  if (port.empty()) throw std::runtime_error("IRON_TEST_PG_CLUSTER=" + dir + " has no running cluster (no port file)");
  auto cluster = std::make_unique<PostgresCluster>();
  cluster->dir = dir;
  cluster->port = std::stoi(port);
  cluster->password = read_file(dir + "/password");
  cluster->ca_file = dir + "/ca.crt";
  return cluster;
}

std::string schema_dsn_for(const PostgresCluster& cluster, const std::string& data_dir) {
  // The same data dir always maps to the same schema, also from another test process (a CLI
  // command run on a server's data dir); FNV-1a of the path names it.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : data_dir) h = (h ^ ch) * 1099511628211ull;
  char name[24];
  std::snprintf(name, sizeof name, "d_%016llx", static_cast<unsigned long long>(h));
  store::pg::Connection admin(cluster.dsn("postgres"));
  // citext lives in public, where every schema's search_path finds it; created once.
  admin.exec("SELECT pg_advisory_lock(42)");
  admin.exec("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public");
  admin.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + name);
  admin.exec("SELECT pg_advisory_unlock(42)");
  return cluster.dsn("postgres") + " options=-csearch_path=" + name + ",public";
}

const PostgresCluster* shared_postgres(std::string& why_not) {
  static std::once_flag once;
  static std::unique_ptr<PostgresCluster> cluster;
  static std::string reason;
  std::call_once(once, [] {
    const char* dir = std::getenv("IRON_TEST_PG_CLUSTER");
    cluster = dir && *dir ? attach(dir) : start(reason);
  });
  why_not = reason;
  return cluster.get();
}

}  // namespace iron::test
