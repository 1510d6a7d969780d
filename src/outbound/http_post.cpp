#include "outbound/http_post.h"

#include <chrono>
#include <memory>

#include <httplib.h>

#include "util/blocking.h"

namespace iron::outbound {

PostOutcome post(const std::string& url_text, const HeaderList& headers, const std::string& body,
                 const std::string& content_type, const Policy& policy) {
  util::before_blocking();
  const auto started = std::chrono::steady_clock::now();
  PostOutcome out;
  const auto finish = [&]() -> PostOutcome {
    out.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    return out;
  };
  auto url = parse_url(url_text);
  if (!url) {
    out.error = url.error().message;
    return finish();
  }
  auto address = resolve_checked(*url, policy);
  if (!address) {
    out.error = address.error().message;
    return finish();
  }
  std::unique_ptr<httplib::ClientImpl> client;
  if (url->scheme == "https") {
    // The name stays the TLS peer name (SNI and certificate check); only the address is pinned.
    auto tls = std::make_unique<httplib::SSLClient>(url->host, url->port);
    tls->enable_server_certificate_verification(true);
    tls->enable_server_hostname_verification(true);
    if (!policy.ca_file.empty()) tls->set_ca_cert_path(policy.ca_file);
    client = std::move(tls);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url->host, url->port);
  }
  // The connection goes to the address that was checked, not to a second lookup's answer.
  client->set_hostname_addr_map({{url->host, *address}});
  client->set_follow_location(false);
  const auto timeout = std::chrono::milliseconds(policy.timeout_ms);
  client->set_connection_timeout(timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  client->set_max_timeout(timeout);
  client->set_keep_alive(false);
  httplib::Headers h;
  for (const auto& [name, value] : headers) h.emplace(name, value);
  h.emplace("User-Agent", "ironpanel-alerts/1");
  const auto res = client->Post(url->target, h, body, content_type);
  if (!res) {
    out.error = "request failed: " + httplib::to_string(res.error());
    return finish();
  }
  out.status = res->status;
  if (res->status >= 200 && res->status < 300) out.delivered = true;
  else if (res->status >= 300 && res->status < 400) out.error = "the receiver answered a redirect, which is not followed";
  else out.error = "the receiver answered HTTP " + std::to_string(res->status);
  return finish();
}

}  // namespace iron::outbound
