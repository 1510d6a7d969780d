#include "server/signals.h"

#include <pthread.h>
#include <signal.h>

namespace iron::server {
namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR2);  // private wake-up used by the destructor
  return set;
}
}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the server
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal)
    : thread_([cb = std::move(on_signal)] {
        sigset_t set = termination_set();
        int signo = 0;
        while (sigwait(&set, &signo) == 0) {
          if (signo == SIGUSR2) return;
          cb(signo);
          return;
        }
      }) {}

SignalWatcher::~SignalWatcher() {
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
}

}  // namespace iron::server
