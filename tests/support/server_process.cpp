#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "support/postgres_cluster.h"

extern char** environ;

namespace iron::test {
namespace {

std::vector<char*> to_argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = kv.substr(0, eq);
    // The tests decide the server's configuration; never inherit the developer's.
    if (key.rfind("IRON_", 0) == 0 || key == "ALLOWED_ORIGINS") continue;
    env[key] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

bool on_postgres() {
  const char* cluster_dir = std::getenv("IRON_TEST_PG_CLUSTER");
  return cluster_dir && *cluster_dir;
}

namespace {

// The API suite's PostgreSQL run (IRON_TEST_PG_CLUSTER, tests/CMakeLists.txt): a command on a
// data dir works on that data dir's own schema of the shared cluster instead of its iron.db,
// unless the test chose a database itself.
std::map<std::string, std::string> with_database_url(const std::vector<std::string>& args,
                                                     std::map<std::string, std::string> env) {
  if (!on_postgres() || env.count("IRON_DATABASE_URL")) return env;
  const auto data = std::find(args.begin(), args.end(), "--data");
  if (data == args.end() || data + 1 == args.end()) return env;
  std::string why_not;
  const PostgresCluster* cluster = shared_postgres(why_not);
  if (!cluster) throw std::runtime_error("IRON_TEST_PG_CLUSTER is set but PostgreSQL cannot run: " + why_not);
  env["IRON_DATABASE_URL"] = schema_dsn_for(*cluster, *(data + 1));
  return env;
}

pid_t spawn(std::vector<std::string> args, const std::map<std::string, std::string>& env, int in_fd, int out_fd,
            int err_fd) {
  auto envs = merged_env(with_database_url(args, env));
  auto argv = to_argv(args);
  auto envp = to_argv(envs);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    // The test runner may block signals; the server must start with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string binary_path() {
  if (const char* p = std::getenv("IRONPANEL_BIN")) return p;
  return IRONPANEL_DEFAULT_BIN;
}

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ironpanel-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

RunResult run_binary(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                     const std::string& stdin_text, int timeout_s) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe");
  std::vector<std::string> full{binary_path()};
  full.insert(full.end(), args.begin(), args.end());
  const pid_t pid = spawn(full, env, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_text.empty()) (void)!write(in[1], stdin_text.data(), stdin_text.size());
  close(in[1]);
  RunResult r;
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (timeout_s > 0 && !cv.wait_for(lock, std::chrono::seconds(timeout_s), [&] { return finished; })) kill(pid, SIGKILL);
  });
  std::thread t([&] { r.err = read_all(err[0]); });
  r.out = read_all(out[0]);
  t.join();
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

ServerProcess::ServerProcess(Options options) {
  // Tests write to servers they kill (crash safety, shutdown): a write to a socket or pipe whose
  // peer is gone must be an error the test sees, not a SIGPIPE that ends the test binary. (The
  // server ignores SIGPIPE itself, so the child inheriting the disposition changes nothing.)
  signal(SIGPIPE, SIG_IGN);
  data_dir_ = options.data_dir.empty() ? make_temp_dir() + "/data" : options.data_dir;
  std::vector<std::string> args{binary_path()};
  if (!options.bare) args.insert(args.end(), {"serve", "--data", data_dir_, "--listen", "127.0.0.1:0", "--log-format", "json"});
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe");
  const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = spawn(args, options.env, devnull, out[1], err[1]);
  close(devnull);
  close(out[1]);
  close(err[1]);
  out_thread_ = std::thread([this, fd = out[0]] { drain(fd, true); });
  err_thread_ = std::thread([this, fd = err[0]] { drain(fd, false); });

  std::unique_lock lock(mutex_);
  const bool up = cv_.wait_for(lock, std::chrono::seconds(15), [&] { return port_ != 0 || exited_; });
  if (!up || port_ == 0) {
    const std::string err_text = err_;
    lock.unlock();
    stop(SIGKILL, 5);
    throw std::runtime_error("server did not start: " + err_text);
  }
}

void ServerProcess::drain(int fd, bool is_stdout) {
  std::string pending;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    std::lock_guard lock(mutex_);
    if (!is_stdout) {
      err_.append(buf, static_cast<size_t>(n));
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (port_ == 0) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("msg", "") == "listening") {
          const std::string addr = j.value("addr", "");
          port_ = std::stoi(addr.substr(addr.rfind(':') + 1));
          cv_.notify_all();
        }
      }
      out_lines_.push_back(std::move(line));
    }
  }
  close(fd);
  std::lock_guard lock(mutex_);
  // Exited only once both streams are drained: a start-up refusal's message on stderr may
  // still be in flight when stdout closes.
  if (--open_streams_ == 0) {
    exited_ = true;
    cv_.notify_all();
  }
}

std::unique_ptr<httplib::Client> ServerProcess::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(5);
  c->set_read_timeout(20);
  return c;
}

void ServerProcess::send_signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServerProcess::wait_exit(int timeout_s) {
  if (pid_ <= 0) return exit_code_;
  {
    // The server's stdout closes when it exits; wait for that instead of polling.
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(timeout_s), [&] { return exited_; })) return -1;
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
  return exit_code_;
}

int ServerProcess::stop(int sig, int timeout_s) {
  if (pid_ <= 0) return exit_code_;
  send_signal(sig);
  const int code = wait_exit(timeout_s);
  if (code == -1) {
    send_signal(SIGKILL);
    wait_exit(5);
    return -1;
  }
  return code;
}

ServerProcess::~ServerProcess() {
  stop(SIGKILL, 5);
  if (out_thread_.joinable()) out_thread_.detach();
  if (err_thread_.joinable()) err_thread_.detach();
}

std::vector<nlohmann::json> ServerProcess::log_lines() const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> out;
  for (const auto& l : out_lines_) {
    auto j = nlohmann::json::parse(l, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

std::string ServerProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return err_;
}

nlohmann::json json_of(const httplib::Result& r) {
  if (!r) return nullptr;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace iron::test
