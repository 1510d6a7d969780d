#include "domain/alert_email.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "util/mail_address.h"

namespace iron::domain {
namespace {

// Summaries are written by the server, but may quote names users chose: control characters
// become spaces before they reach the Subject line.
std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' ');
  return text;
}

// At most `max` bytes, cut between UTF-8 characters.
std::string utf8_prefix(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

}  // namespace

std::optional<Error> check_email_target(const EmailTarget& target) {
  if (target.recipients.empty() || target.recipients.size() > kEmailRecipientsMax)
    return Error::validation("recipients", "recipients must list 1.." + std::to_string(kEmailRecipientsMax) +
                                               " email addresses");
  std::set<std::string> seen;
  for (const auto& r : target.recipients) {
    if (!util::is_mail_address(r))
      return Error::validation("recipients", "recipients must be plain addresses such as ops@example.com "
                                             "(no display names, spaces, quotes or line breaks)");
    std::string lower = r;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!seen.insert(lower).second) return Error::validation("recipients", "recipients lists an address twice");
  }
  if (target.subject_prefix.size() > kEmailSubjectPrefixMax)
    return Error::validation("subject_prefix", "subject_prefix must be at most " +
                                                   std::to_string(kEmailSubjectPrefixMax) + " bytes");
  if (!outbound::is_header_safe(target.subject_prefix))
    return Error::validation("subject_prefix", "subject_prefix must not contain line breaks or control characters");
  return std::nullopt;
}

std::string email_display(const EmailTarget& target) {
  std::string out = "mailto:";
  for (size_t i = 0; i < target.recipients.size(); ++i) out += (i ? "," : "") + target.recipients[i];
  return out;
}

outbound::MailMessage alert_email(const nlohmann::json& payload, const std::string& from, const EmailTarget& target,
                                  int64_t now_ms) {
  const std::string type = payload.value("type", "");
  const std::string summary = payload.value("summary", "");
  const std::string id = payload.value("id", "");
  const std::string prefix = target.subject_prefix.empty() ? "[ironpanel]" : target.subject_prefix;
  outbound::MailMessage m;
  m.from = from;
  m.to = target.recipients;
  m.subject = utf8_prefix(one_line(prefix + " " + type + ": " + summary), kEmailSubjectMax);
  m.date_ms = now_ms;
  m.message_id = one_line(id) + "@" + from.substr(from.rfind('@') + 1);
  m.extra_headers = {{"X-Ironpanel-Event", one_line(type)}, {"X-Ironpanel-Delivery", one_line(id)}};
  std::string body = summary + "\n\n";
  body += "Event:        " + type + "\n";
  body += "Occurred at:  " + payload.value("occurred_at", "") + "\n";
  body += "Delivery id:  " + id + "\n";
  if (payload.contains("rule_id") && !payload["rule_id"].is_null())
    body += "Rule:         " + payload["rule_id"].dump() + "\n";
  if (payload.contains("data") && !payload["data"].empty()) body += "\nDetails:\n" + payload["data"].dump(2) + "\n";
  body += "\n-- \nSent by ironpanel. Every attempt of one alert carries the same Message-ID and delivery id.\n";
  m.body = std::move(body);
  return m;
}

}  // namespace iron::domain
