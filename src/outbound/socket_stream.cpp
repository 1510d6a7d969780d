#include "outbound/socket_stream.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/cidr.h"

namespace iron::outbound {
namespace {

int remaining_ms(SocketStream::Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// The reason of the last OpenSSL failure, for the delivery log (names no peer data).
std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "connection closed";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

std::unique_ptr<SocketStream> SocketStream::connect(const std::string& address, int port, Deadline deadline,
                                                    std::string& error) {
  sockaddr_storage sa{};
  socklen_t len = 0;
  if (address.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&sa);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, address.c_str(), &a6->sin6_addr) != 1) return error = "invalid address", nullptr;
    len = sizeof(sockaddr_in6);
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&sa);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &a4->sin_addr) != 1) return error = "invalid address", nullptr;
    len = sizeof(sockaddr_in);
  }
  const int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error = std::string("socket: ") + std::strerror(errno), nullptr;
  std::unique_ptr<SocketStream> s(new SocketStream(fd, deadline));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    if (errno != EINPROGRESS) return error = std::string("connect: ") + std::strerror(errno), nullptr;
    if (!s->wait(false, error)) return error = "connect: " + error, nullptr;
    int so_error = 0;
    socklen_t so_len = sizeof so_error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
    if (so_error != 0) return error = std::string("connect: ") + std::strerror(so_error), nullptr;
  }
  return s;
}

SocketStream::~SocketStream() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

bool SocketStream::wait(bool for_read, std::string& error) const {
  pollfd p{fd_, static_cast<short>(for_read ? POLLIN : POLLOUT), 0};
  for (;;) {
    const int left = remaining_ms(deadline_);
    if (left == 0) return error = "timed out", false;
    const int n = poll(&p, 1, left);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return error = std::string("poll: ") + std::strerror(errno), false;
  }
}

bool SocketStream::start_tls(const std::string& peer_name, const std::string& ca_file, std::string& error) {
  if (!buffer_.empty()) return error = "the relay sent data before the TLS handshake", false;
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) return error = openssl_reason(), false;
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                     : SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
  if (loaded != 1) return error = "cannot load the CA certificates: " + openssl_reason(), false;
  ssl_ = SSL_new(ctx_);
  if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return error = openssl_reason(), false;
  // The certificate must name the configured host: as an IP address when it is one, else
  // as a DNS name (which is also sent as SNI).
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (util::parse_ip(peer_name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, peer_name.c_str()) != 1) return error = "invalid peer address", false;
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl_, peer_name.c_str()) != 1 || SSL_set_tlsext_host_name(ssl_, peer_name.c_str()) != 1)
      return error = "invalid peer name", false;
  }
  for (;;) {
    ERR_clear_error();
    const int r = SSL_connect(ssl_);
    if (r == 1) return true;
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!wait(e == SSL_ERROR_WANT_READ, error)) return error = "TLS handshake " + error, false;
      continue;
    }
    const long verify = SSL_get_verify_result(ssl_);
    error = "TLS handshake failed: " +
            (verify != X509_V_OK ? std::string("certificate verify failed (") +
                                       X509_verify_cert_error_string(verify) + ")"
                                 : openssl_reason());
    return false;
  }
}

bool SocketStream::fill(std::string& error) {
  char chunk[4096];
  for (;;) {
    if (ssl_) {
      ERR_clear_error();
      const int n = SSL_read(ssl_, chunk, sizeof chunk);
      if (n > 0) return buffer_.append(chunk, static_cast<size_t>(n)), true;
      const int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!wait(e == SSL_ERROR_WANT_READ, error)) return false;
        continue;
      }
      return error = e == SSL_ERROR_ZERO_RETURN ? "connection closed" : "TLS read failed: " + openssl_reason(), false;
    }
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) return buffer_.append(chunk, static_cast<size_t>(n)), true;
    if (n == 0) return error = "connection closed", false;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait(true, error)) return false;
      continue;
    }
    return error = std::string("read: ") + std::strerror(errno), false;
  }
}

std::optional<std::string> SocketStream::read_line(size_t max_len, std::string& error) {
  for (;;) {
    const size_t lf = buffer_.find('\n');
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > max_len) return error = "reply line too long", std::nullopt;
      return line;
    }
    if (buffer_.size() > max_len + 2) return error = "reply line too long", std::nullopt;
    if (!fill(error)) return std::nullopt;
  }
}

bool SocketStream::write_all(const std::string& bytes, std::string& error) {
  size_t done = 0;
  while (done < bytes.size()) {
    if (ssl_) {
      ERR_clear_error();
      const int n = SSL_write(ssl_, bytes.data() + done, static_cast<int>(bytes.size() - done));
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      const int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!wait(e == SSL_ERROR_WANT_READ, error)) return false;
        continue;
      }
      return error = "TLS write failed: " + openssl_reason(), false;
    }
    // MSG_NOSIGNAL: a relay hanging up must not raise SIGPIPE.
    const ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait(false, error)) return false;
      continue;
    }
    return error = std::string("write: ") + std::strerror(errno), false;
  }
  return true;
}

}  // namespace iron::outbound
