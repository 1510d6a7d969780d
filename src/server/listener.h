#pragma once
// The listening socket, opened by us rather than by cpp-httplib: its defaults set
// SO_REUSEPORT (a second server on a port in use would start and the kernel would split
// connections between two databases) and a listen backlog of 5 (bursts of handshakes get
// dropped). We bind without SO_REUSEPORT, with a real backlog, and say why a bind failed.
#include <stdexcept>
#include <string>

namespace iron::server {

// The address cannot be listened on (in use, not permitted, not local): a configuration
// problem, reported with the address and the reason; the CLI exits 2 on it.
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BoundSocket {
  int fd = -1;
  int port = 0;     // the actual port (the ephemeral one when 0 was asked for)
  int backlog = 0;  // the backlog passed to listen(2)
};

// The backlog we ask for: 4096, or less when net.core.somaxconn is lower (the kernel
// would silently cap it anyway; knowing the real value lets the start-up log say it).
int listen_backlog();

// Raises this process's open-file limit (soft, up to the hard limit) to `wanted` when it is
// lower; returns the limit in force afterwards. Every connection is a descriptor.
size_t raise_open_files_limit(size_t wanted);

// Binds `host:port` (numeric host) with SO_REUSEADDR only, and listens. Throws ListenError.
BoundSocket open_listener(const std::string& host, int port);

// The first step of closing a listener without resetting anyone: closing it resets the
// connections queued on it, whose clients have already sent their requests, so first the
// listener stops answering new handshakes (a socket filter drops incoming SYNs; such a
// client retries after a second and then finds the port closed) while the handshakes under
// way still complete. The accept queue then only shrinks. False when the filter was refused.
bool refuse_new_connections(int listen_fd);

}  // namespace iron::server
