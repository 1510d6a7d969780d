#pragma once
// One outbound TCP connection for a line-based protocol (SMTP, outbound/smtp_client.h): to a
// numeric address that destination.h already checked, under one deadline for everything
// (connect, every read and write, the TLS handshake), optionally upgraded to TLS in place
// (STARTTLS) or from the first byte (implicit TLS). TLS is OpenSSL, verified always: the chain
// against the CA file or the system's trust store, and the certificate must name `peer_name`
// (the configured host, not the pinned address).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

// OpenSSL's SSL_CTX and SSL, declared here so the header does not pull in <openssl/ssl.h>.
struct ssl_ctx_st;
struct ssl_st;

namespace iron::outbound {

class SocketStream {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Connects to `address` (numeric) : `port` before `deadline`; nullptr and `error` set when not.
  static std::unique_ptr<SocketStream> connect(const std::string& address, int port, Deadline deadline,
                                               std::string& error);
  ~SocketStream();
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  // Switches the connection to TLS. Refused when bytes the peer sent before the handshake are
  // still unread: they were not protected, and honouring them would let a man in the middle
  // inject answers into the encrypted session (the STARTTLS response-injection flaw).
  bool start_tls(const std::string& peer_name, const std::string& ca_file, std::string& error);
  bool is_tls() const { return ssl_ != nullptr; }

  // One line without its CRLF (a bare LF also ends it); nullopt on timeout, close, or a line
  // longer than `max_len` (`error` says which).
  std::optional<std::string> read_line(size_t max_len, std::string& error);
  bool write_all(const std::string& bytes, std::string& error);

 private:
  SocketStream(int fd, Deadline deadline) : fd_(fd), deadline_(deadline) {}
  // Waits until the socket is readable (`for_read`) or writable, before the deadline.
  bool wait(bool for_read, std::string& error) const;
  bool fill(std::string& error);  // appends what arrives to buffer_

  int fd_ = -1;
  Deadline deadline_;
  ::ssl_ctx_st* ctx_ = nullptr;
  ::ssl_st* ssl_ = nullptr;
  std::string buffer_;
};

}  // namespace iron::outbound
