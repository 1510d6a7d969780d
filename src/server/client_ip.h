#pragma once
// Who is really calling: the peer address, unless the peer is a trusted proxy, in which case
// X-Forwarded-For (right to left, skipping trusted hops) / X-Real-IP / X-Forwarded-Proto count.
#include <optional>
#include <string>
#include <vector>

#include "util/cidr.h"

namespace iron::server {

struct ClientOrigin {
  std::string ip;
  bool https = false;
};

// What a per-client connection limit counts under: an IPv4 address itself (also when it
// arrives IPv4-mapped), an IPv6 address's /64 — one subscriber's allocation, in which a
// single client can pick a fresh address for every connection. Unparsable: `peer` as is.
std::string connection_group(const std::string& peer);

class ClientIpResolver {
 public:
  explicit ClientIpResolver(std::vector<util::Cidr> trusted) : trusted_(std::move(trusted)) {}
  ClientOrigin resolve(const std::string& peer, const std::optional<std::string>& forwarded_for,
                       const std::optional<std::string>& real_ip,
                       const std::optional<std::string>& forwarded_proto) const;
  // The peer is one of IRON_TRUSTED_PROXIES.
  bool is_trusted_proxy(const std::string& ip) const;

 private:
  std::vector<util::Cidr> trusted_;
};

}  // namespace iron::server
