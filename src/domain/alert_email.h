#pragma once
// Email channels (docs/alerts.md, "Email"): who an email channel writes to, checked before it
// is saved, and the message an alert becomes. The relay is the operator's (IRON_SMTP_*,
// outbound/smtp_client.h); a channel only names recipients and an optional subject prefix.
// Nothing an admin types can add a header: recipients must be plain addresses
// (util/mail_address.h) and the prefix has no control characters.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "outbound/mail_message.h"
#include "util/result.h"

namespace iron::domain {

constexpr size_t kEmailRecipientsMax = 20;
constexpr size_t kEmailSubjectPrefixMax = 100;
constexpr size_t kEmailSubjectMax = 250;  // characters of the whole subject, prefix included

struct EmailTarget {
  std::vector<std::string> recipients;
  std::string subject_prefix;  // "" = "[ironpanel]"
};

// VALIDATION_ERROR naming `recipients` or `subject_prefix`.
std::optional<Error> check_email_target(const EmailTarget& target);

// "mailto:a@example.com,b@example.com" (RFC 6068's form): what the channel list shows.
std::string email_display(const EmailTarget& target);

// The alert `payload` (alert_payload's shape) as a plain-text message from `from`. Its
// Message-ID is built from the payload's `id`, so every attempt of one alert carries the same
// one and mail clients can drop repeats.
outbound::MailMessage alert_email(const nlohmann::json& payload, const std::string& from, const EmailTarget& target,
                                  int64_t now_ms);

}  // namespace iron::domain
