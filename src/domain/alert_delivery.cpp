#include "domain/alert_delivery.h"

#include <algorithm>
#include <utility>

#include "util/clock.h"
#include "util/log.h"

namespace iron::domain {
namespace {

constexpr int64_t kDeliveryBatch = 20;

}  // namespace

int64_t AlertDelivery::backoff_ms(const AlertSettings& s, int64_t attempts) {
  const int64_t shift = std::clamp<int64_t>(attempts - 1, 0, 30);
  const __int128 wait = static_cast<__int128>(s.retry_base_ms) << shift;
  return static_cast<int64_t>(std::min<__int128>(wait, s.retry_max_ms));
}

int AlertDelivery::deliver_due(const std::atomic<bool>& stop) {
  const auto rows = db_.read([&](store::Connection& c) {
    return store::alert_outbox::due(c, util::now_unix_ms(), kDeliveryBatch);
  });
  const AlertSettings& settings = channels_.settings();
  int attempted = 0;
  for (const auto& row : rows) {
    if (stop.load()) break;
    const auto channel = db_.read([&](store::Connection& c) { return store::alert_channels::find(c, row.channel_id); });
    if (!channel) continue;  // deleted meanwhile: its outbox rows went with it
    const auto payload = nlohmann::json::parse(row.payload, nullptr, false);
    const outbound::PostOutcome sent = channels_.send(*channel, payload);
    ++attempted;
    const int64_t attempts = row.attempts + 1;
    const int64_t now = util::now_unix_ms();
    store::AlertDelivery attempt;
    attempt.channel_id = row.channel_id;
    attempt.outbox_id = row.id;
    attempt.delivery_id = row.delivery_id;
    attempt.event_type = row.event_type;
    attempt.attempt = attempts;
    const store::AlertDelivery log_row =
        logged_attempt(std::move(attempt), sent, attempts >= settings.max_attempts, now);
    db_.write([&](store::Connection& c) {
      if (!store::alert_outbox::is_pending(c, row.id)) return 0;  // its channel was deleted during the send
      if (log_row.outcome == "retrying")
        store::alert_outbox::mark_retry(c, row.id, attempts, now + backoff_ms(settings, attempts));
      else
        store::alert_outbox::finish(c, row.id, log_row.outcome, attempts, now);  // delivered | failed
      store::alert_deliveries::insert(c, log_row);
      return 0;
    });
    if (!sent.delivered)
      log::warn("alert delivery attempt failed", {{"alert_channel_id", row.channel_id},
                                                  {"delivery_id", row.delivery_id},
                                                  {"attempt", attempts},
                                                  {"outcome", log_row.outcome},
                                                  {"error", sent.error}});
  }
  return attempted;
}

}  // namespace iron::domain
