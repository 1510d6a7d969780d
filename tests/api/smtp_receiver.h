#pragma once
// A real SMTP server for the email alert tests: tests/support/smtp_receiver.py (Debian's
// python3-aiosmtpd) started on a free loopback port. The constructor waits for the script's
// `ready <port>` line (a condition with a deadline, never a fixed sleep); each accepted message
// is a JSON file the script renames into place, read by wait_for().
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/dist_files.h"
#include "support/server_process.h"

namespace alerts_test {

class SmtpReceiver {
 public:
  // `args`: the script's options (--starttls CERT KEY, --auth USER:PW, --fail-data N, …).
  explicit SmtpReceiver(std::vector<std::string> args = {}) : out_dir_(iron::test::make_temp_dir()) {
    const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string script = (iron::test::source_dir() / "tests" / "support" / "smtp_receiver.py").string();
    std::vector<std::string> argv_s = {python, script, "--out", out_dir_};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      const int err = open((out_dir_ + "/stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err >= 0) dup2(err, 2);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    read_ready_line(out[0]);
    close(out[0]);
  }
  ~SmtpReceiver() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  SmtpReceiver(const SmtpReceiver&) = delete;
  SmtpReceiver& operator=(const SmtpReceiver&) = delete;

  // False when the script could not start (aiosmtpd missing: exit 77); why() says more.
  bool ready() const { return port_ > 0; }
  bool missing_aiosmtpd() const { return exit_code_ == 77; }
  std::string why() const { return iron::test::read_file(out_dir_ + "/stderr.txt"); }
  int port() const { return port_; }

  // The messages accepted so far, in order.
  std::vector<nlohmann::json> received() const {
    std::vector<nlohmann::json> out;
    for (int n = 1;; ++n) {
      const auto path = out_dir_ + "/msg-" + std::to_string(n) + ".json";
      if (!std::filesystem::exists(path)) return out;
      out.push_back(nlohmann::json::parse(iron::test::read_file(path)));
    }
  }
  // Waits (up to `timeout`) until `n` messages were accepted; returns what arrived.
  std::vector<nlohmann::json> wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto got = received();
    while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, not a fixed wait
      got = received();
    }
    return got;
  }

 private:
  void read_ready_line(int fd) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string line;
    bool closed = false;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[256];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) {
        closed = true;
        break;
      }
      line.append(buf, static_cast<size_t>(n));
    }
    if (line.rfind("ready ", 0) == 0) {
      port_ = std::stoi(line.substr(6));
      return;
    }
    int status = 0;  // not ready: it exited (stdout closed), or hangs and is ended by the destructor
    if (closed && waitpid(pid_, &status, 0) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }

  std::string out_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
};

// The header `name` of a received message's data ("" when absent); folded lines unfolded.
inline std::string mail_header(const std::string& data, const std::string& name) {
  const size_t end = data.find("\r\n\r\n");
  std::istringstream in(data.substr(0, end));
  std::string line, value;
  bool in_header = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (in_header && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += line;
      continue;
    }
    if (in_header) return value;
    if (line.size() > name.size() && line.compare(0, name.size() + 1, name + ":") == 0) {
      in_header = true;
      value = line.substr(name.size() + 1);
      value.erase(0, value.find_first_not_of(' '));
    }
  }
  return value;
}

// The body of a received message (after the blank line).
inline std::string mail_body(const std::string& data) {
  const size_t end = data.find("\r\n\r\n");
  return end == std::string::npos ? "" : data.substr(end + 4);
}

}  // namespace alerts_test
