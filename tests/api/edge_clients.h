#pragma once
// Misbehaving clients for the edge's connection tests (edge_slow_clients_test.cpp,
// edge_connection_abuse_test.cpp): connections that dribble a request head, and the error
// code of an edge answer.
#include <poll.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "support/raw_http.h"
#include "support/server_process.h"

// The names both connection tests use unqualified (`using namespace edge;`).
namespace edge {

using Clock = std::chrono::steady_clock;
using iron::test::RawConnection;
using iron::test::RawReply;
using iron::test::ServerProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline std::string error_code(const iron::test::RawReply& r) {
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

// Connections that send a request head one byte per tick, and what each was answered.
class Dribblers {
 public:
  // `from(i)`: the client address of connection i.
  Dribblers(int port, size_t n, const std::function<std::string(size_t)>& from) : answers_(n), done_(n, false) {
    for (size_t i = 0; i < n; ++i) {
      conns_.push_back(std::make_unique<iron::test::RawConnection>(port, from(i)));
      EXPECT_TRUE(conns_.back()->ok() && conns_.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n")) << i;
    }
  }
  // One more byte to every connection still open, after waiting up to `wait` for answers.
  void tick(milliseconds wait) {
    std::vector<pollfd> fds;
    for (size_t i = 0; i < conns_.size(); ++i) fds.push_back({done_[i] ? -1 : conns_[i]->fd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (done_[i]) continue;
      if (fds[i].revents) {
        answers_[i] = conns_[i]->read_reply(milliseconds(200));
        done_[i] = true;
        continue;
      }
      done_[i] = !conns_[i]->send(ticks_ == 0 ? "X-Slow: " : "a");
    }
    ++ticks_;
  }
  // Ticks every `every` for `duration`.
  void tick_for(milliseconds duration, milliseconds every) {
    const auto until = Clock::now() + duration;
    while (Clock::now() < until) tick(every);
  }
  // Ticks (every `every`) until every connection is answered or closed, for at most `within`.
  void finish(seconds within, milliseconds every = milliseconds(500)) {
    const auto until = Clock::now() + within;
    while (Clock::now() < until && std::find(done_.begin(), done_.end(), false) != done_.end()) tick(every);
    for (size_t i = 0; i < done_.size(); ++i) EXPECT_TRUE(done_[i]) << "dribbler " << i << " still held";
  }
  size_t count(int status, const std::string& code) const {
    return static_cast<size_t>(std::count_if(answers_.begin(), answers_.end(), [&](const iron::test::RawReply& r) {
      return r.status == status && error_code(r) == code;
    }));
  }
  std::string summary() const {  // "16x408 84x503"; 0 = closed without an answer
    std::map<int, int> statuses;
    for (const auto& a : answers_) ++statuses[a.status];
    std::string out;
    for (const auto& [status, n] : statuses) out += " " + std::to_string(n) + "x" + std::to_string(status);
    return out;
  }

 private:
  std::vector<std::unique_ptr<iron::test::RawConnection>> conns_;
  std::vector<iron::test::RawReply> answers_;
  std::vector<bool> done_;
  size_t ticks_ = 0;
};

}  // namespace edge
