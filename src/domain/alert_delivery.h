#pragma once
// The alert delivery worker (docs/alerts.md, "Delivery and retries"): sends the outbox rows
// that are due, one attempt each, and records the outcome — delivered, or retried after an
// exponential backoff (base · 2^(attempt−1), capped), or failed after the last attempt —
// together with a delivery-log row, in one transaction per attempt. A row stays pending
// until that transaction commits, so a crash between the send and the commit sends it again
// on the next start: delivery is at least once, and the payload's `id` lets receivers drop
// repeats. One worker per process; several replicas would claim rows first (a lease column).
#include <atomic>
#include <cstdint>

#include "domain/alert_channels.h"
#include "store/database.h"

namespace iron::domain {

class AlertDelivery {
 public:
  AlertDelivery(store::Database& db, const AlertChannels& channels) : db_(db), channels_(channels) {}

  // Attempts the rows due now (at most a batch), stopping early once `stop` turns true;
  // returns how many were attempted.
  int deliver_due(const std::atomic<bool>& stop);

  // The wait after the `attempts`-th failed attempt.
  static int64_t backoff_ms(const AlertSettings& s, int64_t attempts);

 private:
  store::Database& db_;
  const AlertChannels& channels_;
};

}  // namespace iron::domain
