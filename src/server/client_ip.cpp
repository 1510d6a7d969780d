#include "server/client_ip.h"

#include <arpa/inet.h>

#include <algorithm>

namespace iron::server {
namespace {
std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}
}  // namespace

std::string connection_group(const std::string& peer) {
  auto ip = util::parse_ip(peer);
  if (!ip) return peer;
  const bool mapped_v4 = std::all_of(ip->begin(), ip->begin() + 10, [](uint8_t b) { return b == 0; }) &&
                         (*ip)[10] == 0xff && (*ip)[11] == 0xff;
  char text[INET6_ADDRSTRLEN] = {};
  if (mapped_v4) return inet_ntop(AF_INET, ip->data() + 12, text, sizeof text) ? text : peer;
  std::fill(ip->begin() + 8, ip->end(), 0);
  return inet_ntop(AF_INET6, ip->data(), text, sizeof text) ? std::string(text) + "/64" : peer;
}

bool ClientIpResolver::is_trusted_proxy(const std::string& ip) const {
  const auto parsed = util::parse_ip(ip);
  if (!parsed) return false;
  return std::any_of(trusted_.begin(), trusted_.end(), [&](const util::Cidr& c) { return c.contains(*parsed); });
}

ClientOrigin ClientIpResolver::resolve(const std::string& peer, const std::optional<std::string>& forwarded_for,
                                       const std::optional<std::string>& real_ip,
                                       const std::optional<std::string>& forwarded_proto) const {
  ClientOrigin origin{peer, false};
  if (!is_trusted_proxy(peer)) return origin;  // headers from untrusted peers are ignored entirely
  if (forwarded_proto) {
    std::string proto = trim(forwarded_proto->substr(0, forwarded_proto->find(',')));
    std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
    origin.https = proto == "https";
  }
  if (forwarded_for && !forwarded_for->empty()) {
    // Walk from the nearest hop outwards; the first address we do not trust is the client.
    std::vector<std::string> hops;
    size_t pos = 0;
    while (pos <= forwarded_for->size()) {
      size_t comma = forwarded_for->find(',', pos);
      if (comma == std::string::npos) comma = forwarded_for->size();
      hops.push_back(trim(forwarded_for->substr(pos, comma - pos)));
      pos = comma + 1;
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
      if (!util::parse_ip(*it)) return origin;  // garbage in the chain: stop believing it
      origin.ip = *it;
      if (!is_trusted_proxy(*it)) return origin;
    }
    return origin;
  }
  if (real_ip) {
    const std::string ip = trim(*real_ip);
    if (util::parse_ip(ip)) origin.ip = ip;
  }
  return origin;
}

}  // namespace iron::server
