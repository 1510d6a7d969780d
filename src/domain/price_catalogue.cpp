#include "domain/price_catalogue.h"

#include <algorithm>
#include <regex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "domain/audit.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

using nlohmann::json;

constexpr int64_t kMaxEffectiveMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr __int128 kMillion = 1'000'000;

Error field_error(const std::string& field, const std::string& message) { return Error::validation(field, message); }

bool valid_provider(const std::string& p) {
  static const std::regex re("^[a-z0-9_-]{1,64}$");
  return std::regex_match(p, re);
}

Status check_model(const std::string& model, const std::string& field) {
  if (model.empty() || model.size() > 200) return field_error(field, "model must be 1 to 200 characters");
  if (std::any_of(model.begin(), model.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
    return field_error(field, "model must not contain control characters");
  const auto star = model.find('*');
  if (star != std::string::npos && star != model.size() - 1)
    return field_error(field, "model is an exact name or a prefix ending in one '*' (e.g. gpt-4o*)");
  return ok_status();
}

Status check_price(int64_t v, const std::string& field) {
  if (v < 0 || v > kMaxPriceMicrosPerMtok)
    return field_error(field, field.substr(field.rfind('.') + 1) + " must be between 0 and " +
                                  std::to_string(kMaxPriceMicrosPerMtok) + " microdollars per million tokens");
  return ok_status();
}

bool same_prices(const store::PriceRow& a, const PriceInput& b) {
  return a.input_micros_per_mtok == b.input_micros_per_mtok && a.output_micros_per_mtok == b.output_micros_per_mtok &&
         a.cached_input_micros_per_mtok == b.cached_input_micros_per_mtok;
}

store::PriceRow row_of(const PriceInput& p, const std::string& source, int64_t now_ms) {
  store::PriceRow r = p;
  r.id = 0;  // assigned on insert
  r.source = source;
  r.created_at = now_ms;
  return r;
}

// One document row into a PriceInput; errors name `prices[i].field`.
Result<PriceInput> decode_row(const json& row, const std::string& at) {
  if (!row.is_object()) return field_error(at, "each price must be a JSON object");
  PriceInput p;
  const auto text = [&](const char* name, std::string& out) -> Status {
    if (!row.contains(name) || !row[name].is_string())
      return field_error(at + "." + name, std::string(name) + " must be a string");
    out = row[name].get<std::string>();
    return ok_status();
  };
  const auto integer = [&](const char* name, int64_t& out) -> Status {
    if (!row.contains(name) || !row[name].is_number_integer())
      return field_error(at + "." + name, std::string(name) + " must be an integer");
    if (row[name].is_number_unsigned() && row[name].get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      return field_error(at + "." + name, std::string(name) + " is out of range");
    out = row[name].get<int64_t>();
    return ok_status();
  };
  if (auto s = text("provider", p.provider); !s) return s.error();
  if (auto s = text("model", p.model); !s) return s.error();
  if (auto s = integer("input_micros_per_mtok", p.input_micros_per_mtok); !s) return s.error();
  if (auto s = integer("output_micros_per_mtok", p.output_micros_per_mtok); !s) return s.error();
  if (auto s = integer("cached_input_micros_per_mtok", p.cached_input_micros_per_mtok); !s) return s.error();
  std::string when;
  if (auto s = text("effective_from", when); !s) return s.error();
  const auto t = util::parse_rfc3339(when);
  if (!t) return field_error(at + ".effective_from", "effective_from must be an RFC 3339 time");
  p.effective_from_ms = util::to_unix_ms(*t);
  if (auto s = validate_price(p, at + "."); !s) return s.error();
  return p;
}

Result<std::vector<PriceInput>> decode_document(const json& doc) {
  if (!doc.is_object()) return field_error("prices", "a price document is a JSON object");
  if (doc.contains("format") && doc["format"] != kPriceDocumentFormat)
    return field_error("format", std::string("format must be ") + kPriceDocumentFormat);
  if (!doc.contains("prices") || !doc["prices"].is_array()) return field_error("prices", "prices must be an array");
  const auto& rows = doc["prices"];
  if (rows.size() > kMaxImportedPrices)
    return field_error("prices", "a document holds at most " + std::to_string(kMaxImportedPrices) + " prices");
  std::vector<PriceInput> out;
  std::set<std::tuple<std::string, std::string, int64_t>> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string at = "prices[" + std::to_string(i) + "]";
    auto p = decode_row(rows[i], at);
    if (!p) return p.error();
    if (!seen.insert({p->provider, p->model, p->effective_from_ms}).second)
      return field_error(at, "the document lists this provider, model and effective_from twice");
    out.push_back(std::move(*p));
  }
  return out;
}

// Adds the rows not yet present; nullopt-free errors as import() documents them.
Result<PriceCatalogue::ImportOutcome> store_all(store::Connection& c, const std::vector<PriceInput>& rows,
                                                const std::string& source, int64_t now_ms) {
  PriceCatalogue::ImportOutcome out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& p = rows[i];
    if (auto existing = store::prices::find(c, p.provider, p.model, p.effective_from_ms)) {
      if (!same_prices(*existing, p)) {
        Error e = Error::conflict("PRICE_VERSION_CONFLICT",
                                  "a version of this model at this effective_from exists with other prices; "
                                  "versions are never edited: use a new effective_from");
        e.details = {{"field", "prices[" + std::to_string(i) + "]"}, {"existing_id", existing->id}};
        return e;
      }
      ++out.unchanged;
      continue;
    }
    store::prices::insert(c, row_of(p, source, now_ms));
    ++out.added;
  }
  return out;
}

}  // namespace

std::string effective_text(int64_t ms) {
  const auto t = util::from_unix_ms(ms);
  return ms % 1000 == 0 ? util::to_rfc3339(t) : util::to_rfc3339_millis(t);
}

json document_row(const store::PriceRow& p) {
  return {IRON_JSON_FIELDS(p, provider, model, input_micros_per_mtok, output_micros_per_mtok,
                           cached_input_micros_per_mtok),
          {"effective_from", effective_text(p.effective_from_ms)}};
}

Status validate_price(const PriceInput& p, const std::string& prefix) {
  if (!valid_provider(p.provider))
    return field_error(prefix + "provider", "provider must be 1 to 64 characters of a-z, 0-9, _ or -");
  if (auto s = check_model(p.model, prefix + "model"); !s) return s;
  if (auto s = check_price(p.input_micros_per_mtok, prefix + "input_micros_per_mtok"); !s) return s;
  if (auto s = check_price(p.output_micros_per_mtok, prefix + "output_micros_per_mtok"); !s) return s;
  if (auto s = check_price(p.cached_input_micros_per_mtok, prefix + "cached_input_micros_per_mtok"); !s) return s;
  if (p.effective_from_ms < 0 || p.effective_from_ms > kMaxEffectiveMs)
    return field_error(prefix + "effective_from", "effective_from must be between 1970 and 9999");
  return ok_status();
}

int64_t cost_at(const store::PriceRow& price, int64_t input_tokens, int64_t output_tokens,
                int64_t cached_input_tokens) {
  // 10^12 tokens × 10^9 µ$/Mtok overflows 64 bits; 128 bits hold it, and the quotient fits.
  const __int128 cached = std::min(cached_input_tokens, input_tokens);
  const __int128 sum = (input_tokens - cached) * price.input_micros_per_mtok +
                       static_cast<__int128>(output_tokens) * price.output_micros_per_mtok +
                       cached * price.cached_input_micros_per_mtok;
  return static_cast<int64_t>((sum + kMillion / 2) / kMillion);
}

PriceTable::PriceTable(const std::vector<store::PriceRow>& rows) {
  for (const auto& r : rows) {
    Provider& p = providers_[r.provider];
    if (!r.model.empty() && r.model.back() == '*') {
      const std::string prefix = r.model.substr(0, r.model.size() - 1);
      auto it = std::find_if(p.patterns.begin(), p.patterns.end(), [&](const Key& k) { return k.prefix == prefix; });
      if (it == p.patterns.end()) it = p.patterns.insert(p.patterns.end(), Key{prefix, {}});
      it->versions.push_back(r);
    } else {
      Key& k = p.exact[r.model];
      k.prefix = r.model;
      k.versions.push_back(r);
    }
  }
  const auto by_time = [](const store::PriceRow& a, const store::PriceRow& b) {
    return a.effective_from_ms < b.effective_from_ms;
  };
  for (auto& [name, p] : providers_) {
    for (auto& [model, k] : p.exact) std::sort(k.versions.begin(), k.versions.end(), by_time);
    for (auto& k : p.patterns) std::sort(k.versions.begin(), k.versions.end(), by_time);
    std::stable_sort(p.patterns.begin(), p.patterns.end(),
                     [](const Key& a, const Key& b) { return a.prefix.size() > b.prefix.size(); });
  }
}

const store::PriceRow* PriceTable::in_effect(const Key& k, int64_t at_ms) {
  const auto after = std::upper_bound(k.versions.begin(), k.versions.end(), at_ms,
                                      [](int64_t t, const store::PriceRow& r) { return t < r.effective_from_ms; });
  return after == k.versions.begin() ? nullptr : &*(after - 1);
}

const store::PriceRow* PriceTable::price_at(const std::string& provider, const std::string& model,
                                            int64_t at_ms) const {
  const auto p = providers_.find(provider);
  if (p == providers_.end()) return nullptr;
  if (const auto e = p->second.exact.find(model); e != p->second.exact.end())
    if (const auto* v = in_effect(e->second, at_ms)) return v;
  for (const auto& k : p->second.patterns)
    if (model.compare(0, k.prefix.size(), k.prefix) == 0)
      if (const auto* v = in_effect(k, at_ms)) return v;
  return nullptr;
}

EventCost PriceTable::cost_of(const std::string& provider, const std::string& model, int64_t at_ms,
                              int64_t input_tokens, int64_t output_tokens, int64_t cached_input_tokens,
                              std::optional<int64_t> reported) const {
  const auto* price = price_at(provider, model, at_ms);
  const std::optional<int64_t> catalogue =
      price ? std::optional(cost_at(*price, input_tokens, output_tokens, cached_input_tokens)) : std::nullopt;
  if (reported) return {*reported, "reported", catalogue};
  if (catalogue) return {*catalogue, "catalogue", catalogue};
  return {0, input_tokens + output_tokens > 0 ? "unpriced" : "none", std::nullopt};
}

PriceCatalogue::PriceCatalogue(store::Database& db) : db_(db) { reload(); }

std::shared_ptr<const PriceTable> PriceCatalogue::table() const {
  std::lock_guard lock(mutex_);
  return table_;
}

void PriceCatalogue::reload() {
  auto rows = db_.read([](store::Connection& c) { return store::prices::list(c); });
  auto table = std::make_shared<const PriceTable>(rows);
  std::lock_guard lock(mutex_);
  table_ = std::move(table);
}

size_t PriceCatalogue::seed_if_empty(std::string_view seed_json) {
  const auto doc = json::parse(seed_json, nullptr, false);
  auto rows = decode_document(doc);
  if (!rows) throw std::runtime_error("the price seed does not validate: " + rows.error().message);
  const int64_t now_ms = util::now_unix_ms();
  const auto added = db_.write([&](store::Connection& c) -> int64_t {
    if (store::prices::count(c) > 0) return 0;
    auto r = store_all(c, *rows, "seed", now_ms);
    if (!r) throw std::runtime_error("the price seed could not be stored: " + r.error().message);
    audit(c, RequestContext::system(), "prices.seed", "price_catalogue", "seed", nullptr,
          {{"added", r->added}, {"prices_as_of", doc.value("prices_as_of", "")}});
    return r->added;
  });
  if (added > 0) reload();
  return static_cast<size_t>(added);
}

std::vector<store::PriceRow> PriceCatalogue::list() {
  return db_.read([](store::Connection& c) { return store::prices::list(c); });
}

Result<store::PriceRow> PriceCatalogue::add(const PriceInput& p, const RequestContext& ctx) {
  if (auto s = validate_price(p); !s) return s.error();
  auto r = db_.write([&](store::Connection& c) -> Result<store::PriceRow> {
    if (store::prices::find(c, p.provider, p.model, p.effective_from_ms)) {
      Error e = Error::conflict("PRICE_VERSION_EXISTS",
                                "this model already has a version at this effective_from; versions are never "
                                "edited: use a new effective_from");
      e.details = {{"field", "effective_from"}};
      return e;
    }
    auto row = row_of(p, "admin", util::now_unix_ms());
    row.id = store::prices::insert(c, row);
    audit(c, ctx, "price.create", "price", std::to_string(row.id), nullptr, document_row(row));
    return row;
  });
  if (r) reload();
  return r;
}

Result<PriceCatalogue::ImportOutcome> PriceCatalogue::import(const json& document, const RequestContext& ctx) {
  auto rows = decode_document(document);
  if (!rows) return rows.error();
  auto r = db_.write([&](store::Connection& c) -> Result<ImportOutcome> {
    auto out = store_all(c, *rows, "import", util::now_unix_ms());
    if (!out) return out.error();
    audit(c, ctx, "prices.import", "price_catalogue", "import", nullptr,
          {{"added", out->added}, {"unchanged", out->unchanged}});
    return out;
  });
  if (r && r->added > 0) reload();
  return r;
}

json PriceCatalogue::export_document() {
  json rows = json::array();
  for (const auto& p : list()) rows.push_back(document_row(p));
  return {{"format", kPriceDocumentFormat}, {"exported_at", util::to_rfc3339(util::now())}, {"prices", rows}};
}

}  // namespace iron::domain
