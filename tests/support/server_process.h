#pragma once
// Starts the real ironpanel binary on an ephemeral loopback port with a fresh data dir and
// talks to it over HTTP. The port comes from the server's own "listening" log line.
#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace iron::test {

std::string binary_path();        // $IRONPANEL_BIN, else the build tree's ironpanel
// Whether this is the API suite's PostgreSQL run (tests/CMakeLists.txt, label api_pg): servers
// keep their data in PostgreSQL, and a test about iron.db itself skips.
bool on_postgres();
std::string make_temp_dir();      // fresh mkdtemp dir under $TMPDIR

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the binary to completion with args/env (env adds to the current environment). A run
// still going after `timeout_s` (e.g. a server that started although the test expected a
// refusal) is killed: exit_code 128 + SIGKILL. 0 = no limit.
RunResult run_binary(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                     const std::string& stdin_text = "", int timeout_s = 60);

class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> extra_args;
    std::map<std::string, std::string> env;
    std::string data_dir;  // empty = fresh temp dir
    // true: run the binary with extra_args alone (no `serve --data --listen --log-format`), for
    // tests of the command line itself; they must still end up listening on a free port.
    bool bare = false;
  };
  explicit ServerProcess(Options options);
  ServerProcess() : ServerProcess(Options{}) {}
  ~ServerProcess();

  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::unique_ptr<httplib::Client> client() const;

  // Sends `sig` and waits up to `timeout_s` for exit; returns the exit code (-1 on timeout,
  // 128+signal when killed by a signal).
  int stop(int sig = 15, int timeout_s = 15);
  void send_signal(int sig);
  int wait_exit(int timeout_s);
  pid_t pid() const { return pid_; }
  // Every stdout line parsed as JSON so far (non-JSON lines are skipped).
  std::vector<nlohmann::json> log_lines() const;
  std::string stderr_text() const;

 private:
  void drain(int fd, bool is_stdout);
  pid_t pid_ = -1;
  int port_ = 0;
  std::string data_dir_;
  int open_streams_ = 2;  // stdout and stderr; both closed = the process has exited
  bool exited_ = false;
  int exit_code_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> out_lines_;
  std::string err_;
  std::thread out_thread_, err_thread_;
};

// Convenience: JSON body of a response (null when not JSON).
nlohmann::json json_of(const httplib::Result& r);

}  // namespace iron::test
