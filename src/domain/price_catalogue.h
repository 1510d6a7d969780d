#pragma once
// The price catalogue (docs/prices.md): versioned prices per (provider, model key), in integer
// microdollars per million tokens, and the cost of an event computed from them.
//
// Which price applies to an event of (provider, model) at time t: among the keys of that
// provider that match the model — the exact name, and every pattern `prefix*` whose prefix
// starts the model (`*` alone matches any model) — the most specific key that has a version
// in effect at t wins: the exact name first, then patterns by longer prefix. A key's version
// in effect at t is the one with the latest effective_from <= t. Matching is case-sensitive.
//
// Versions are append-only (a change is a new effective_from), so the table the ingestion
// path prices with is an immutable in-memory snapshot, rebuilt after each catalogue change
// this process commits: one lookup per event, never a query (the ingestion hot path).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/principal.h"
#include "store/database.h"
#include "store/price_repo.h"
#include "util/result.h"

namespace iron::domain {

// Sanity bound: no list price comes near $1,000 per million tokens; a value above it is a
// unit mistake (dollars typed into a microdollar field), refused with 400 naming the field.
inline constexpr int64_t kMaxPriceMicrosPerMtok = 1'000'000'000;
inline constexpr size_t kMaxImportedPrices = 5000;
inline constexpr const char* kPriceDocumentFormat = "ironpanel-prices/1";

// A price version as a caller gives it (POST /prices, one row of an imported document): the
// catalogue's row, whose id, source and created_at are set when it is stored.
using PriceInput = store::PriceRow;

// VALIDATION_ERROR naming `prefix + field` (`prices[2].model` in an import), or ok.
Status validate_price(const PriceInput& p, const std::string& prefix = "");

// The cost of tokens at a price, rounded half up to whole microdollars; cached input tokens
// are part of input_tokens and billed at the cached price instead of the input price.
int64_t cost_at(const store::PriceRow& price, int64_t input_tokens, int64_t output_tokens, int64_t cached_input_tokens);

// How an event's cost came about (analytics_events.cost_source, migration 012).
struct EventCost {
  int64_t cost_micros = 0;
  std::string source;  // reported | catalogue | unpriced | none
  std::optional<int64_t> catalogue_micros;
};

// An immutable snapshot of every version, indexed for price_at.
class PriceTable {
 public:
  explicit PriceTable(const std::vector<store::PriceRow>& rows);
  // The version that applies (see the file comment), or nullptr.
  const store::PriceRow* price_at(const std::string& provider, const std::string& model, int64_t at_ms) const;
  // The cost columns of an event: a reported cost is kept (the catalogue's beside it); without
  // one the catalogue's, else unpriced (tokens > 0) or none.
  EventCost cost_of(const std::string& provider, const std::string& model, int64_t at_ms, int64_t input_tokens,
                    int64_t output_tokens, int64_t cached_input_tokens, std::optional<int64_t> reported) const;

 private:
  struct Key {
    std::string prefix;                   // the model, or a pattern without its '*'
    std::vector<store::PriceRow> versions; // by effective_from ascending
  };
  struct Provider {
    std::unordered_map<std::string, Key> exact;
    std::vector<Key> patterns;  // longest prefix first
  };
  static const store::PriceRow* in_effect(const Key& k, int64_t at_ms);
  std::unordered_map<std::string, Provider> providers_;
};

class PriceCatalogue {
 public:
  explicit PriceCatalogue(store::Database& db);

  // The current snapshot (cheap: a shared pointer copy under a mutex).
  std::shared_ptr<const PriceTable> table() const;

  // On a server's first start (an empty catalogue) loads `seed_json`, a price document; returns
  // how many versions it added. Throws on a seed that does not validate (a build mistake).
  size_t seed_if_empty(std::string_view seed_json);

  std::vector<store::PriceRow> list();
  // 400 naming the field, 409 PRICE_VERSION_EXISTS when the key already has a version at
  // that effective_from (versions are never edited). Audited.
  Result<store::PriceRow> add(const PriceInput& p, const RequestContext& ctx);

  struct ImportOutcome {
    int64_t added = 0;
    int64_t unchanged = 0;  // identical versions already present
  };
  // A price document ({"format","prices":[…]}), all or nothing: every row is validated first
  // (400 naming `prices[i].field`); a row whose key and effective_from exist with other
  // prices is 409 PRICE_VERSION_CONFLICT naming it. One transaction, one audit row.
  Result<ImportOutcome> import(const nlohmann::json& document, const RequestContext& ctx);
  // Every version as a price document that import() takes back.
  nlohmann::json export_document();

 private:
  void reload();
  store::Database& db_;
  mutable std::mutex mutex_;
  std::shared_ptr<const PriceTable> table_;
};

// resources/prices/seed.json, embedded at build time (cmake/Resources.cmake).
std::string_view embedded_price_seed();

// A price version as a price document row (what export writes and import reads).
nlohmann::json document_row(const store::PriceRow& p);
// RFC 3339 UTC, with milliseconds only when the time has them.
std::string effective_text(int64_t ms);

}  // namespace iron::domain
