#include "domain/verified_tokens.h"

#include "security/crypto.h"
#include "security/random.h"
#include "util/clock.h"

namespace iron::domain {
namespace {
// Tokens live 15 minutes (SessionPolicy): a few thousand cover every signed-in device of a
// large panel; past that, expired entries are dropped first, then everything.
constexpr size_t kMaxEntries = 4096;
}  // namespace

VerifiedTokens::VerifiedTokens() : key_(security::random_bytes(32)) {}

std::string VerifiedTokens::digest_of(const std::string& token) const { return security::keyed_digest128(key_, token); }

std::optional<VerifiedTokens::Hit> VerifiedTokens::find(const std::string& token, uint64_t data_version,
                                                         int64_t now_s) {
  const std::string digest = digest_of(token);
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(digest);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.claims.expires_s <= now_s) {
    entries_.erase(it);
    return std::nullopt;
  }
  Hit hit{it->second.claims, std::nullopt};
  if (it->second.data_version == data_version) hit.principal = it->second.principal;
  return hit;
}

void VerifiedTokens::remember(const std::string& token, const AccessClaims& claims, uint64_t data_version,
                              const Principal& principal) {
  std::string digest = digest_of(token);
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries && !entries_.contains(digest)) {
    const int64_t now_s = util::now_unix_ms() / 1000;
    std::erase_if(entries_, [&](const auto& e) { return e.second.claims.expires_s <= now_s; });
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  entries_.insert_or_assign(std::move(digest), Entry{claims, data_version, principal});
}

}  // namespace iron::domain
