#include "api/agent_list_cache.h"

#include <algorithm>

namespace iron::api {

// Admins see every agent, anyone else their own (domain::Agents::list, Analytics::recent_spend).
// Each parameter length-prefixed, so no two different queries give the same text.
AgentListCache::Key AgentListCache::key_for(const domain::Principal& caller, const Request& req) {
  Key key{caller.is_admin() ? "*" : "user:" + caller.user_id, {}};
  for (const auto& [name, value] : req.query)
    key.query += std::to_string(name.size()) + ":" + name + std::to_string(value.size()) + ":" + value;
  return key;
}

std::optional<std::string> AgentListCache::find(const Key& key, uint64_t version, util::TimePoint now) {
  std::lock_guard lock(mutex_);
  if (version != version_) return std::nullopt;
  for (const auto& e : entries_)
    if (e.key == key) {
      if (now < e.built_at || now >= e.valid_until) return std::nullopt;  // also a clock stepped back
      return e.body;
    }
  return std::nullopt;
}

void AgentListCache::put(Key key, uint64_t version, util::TimePoint built_at, util::TimePoint valid_until,
                         std::string body) {
  std::lock_guard lock(mutex_);
  if (version < version_) return;  // built from an older state than the entries held
  if (version > version_) {
    entries_.clear();
    version_ = version;
  }
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.push_back({std::move(key), built_at, valid_until, std::move(body)});
}

}  // namespace iron::api
