#include "server/listener.h"

#include <linux/filter.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace iron::server {
namespace {

constexpr int kWantedBacklog = 4096;

std::string describe(const std::string& host, int port) {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string why(int err) {
  switch (err) {
    case EADDRINUSE: return "the address is already in use (is another server running on it?)";
    case EACCES: return "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)";
    case EADDRNOTAVAIL: return "the address is not assigned to any interface of this host";
    default: return std::strerror(err);
  }
}

}  // namespace

int listen_backlog() {
  std::ifstream in("/proc/sys/net/core/somaxconn");
  int somaxconn = 0;
  if (in >> somaxconn && somaxconn > 0) return std::min(kWantedBacklog, somaxconn);
  return kWantedBacklog;
}

size_t raise_open_files_limit(size_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur == RLIM_INFINITY) return wanted;
  if (lim.rlim_cur < wanted) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, lim.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return static_cast<size_t>(lim.rlim_cur);
}

BoundSocket open_listener(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw ListenError("cannot listen on " + describe(host, port) + ": " + gai_strerror(rc));
  const addrinfo ai = *found;
  sockaddr_storage addr{};
  std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);

  BoundSocket out;
  out.fd = ::socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (out.fd < 0) throw ListenError("cannot listen on " + describe(host, port) + ": " + why(errno));
  const int on = 1, off = 0;
  // SO_REUSEADDR only lets a restart bind while old connections sit in TIME_WAIT; unlike
  // SO_REUSEPORT it never lets two live listeners share the port.
  setsockopt(out.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (ai.ai_family == AF_INET6) setsockopt(out.fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  out.backlog = listen_backlog();
  if (::bind(out.fd, reinterpret_cast<sockaddr*>(&addr), ai.ai_addrlen) != 0 || ::listen(out.fd, out.backlog) != 0) {
    const int err = errno;
    ::close(out.fd);
    throw ListenError("cannot listen on " + describe(host, port) + ": " + why(err));
  }
  out.port = port;
  socklen_t len = sizeof addr;
  if (port == 0 && getsockname(out.fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    out.port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                                : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return out;
}

bool refuse_new_connections(int listen_fd) {
  // A TCP socket's filter sees the segment from its TCP header on: byte 13 holds the flags.
  // Drop a segment whose SYN is set and ACK is not (a new handshake); accept everything else.
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),           // SYN | ACK
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),    // SYN alone?
      BPF_STMT(BPF_RET | BPF_K, 0),                       // drop
      BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFF),              // keep
  };
  sock_fprog program{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  return ::setsockopt(listen_fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) == 0;
}

}  // namespace iron::server
