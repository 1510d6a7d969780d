#pragma once
// Provider API keys (docs/compatibility.md, S4 fixed): each key belongs to the user who created it and
// is sealed under the master key (security/aead.h) with associated data naming its row.
// Creating a key always inserts a new row (the predecessor overwrote and re-owned any key of
// the same provider). Project ids are per owner: a user's project uses one of that user's
// keys, so nobody can squat or redirect another user's project. Credentials embedded in a
// base_url (https://user:pw@host) are secrets too: sealed like the key, masked everywhere
// else. Every mutation writes its audit row in the same transaction.
//
// WHO MAY OBTAIN A KEY IN PLAINTEXT (one rule, every path): the key's owner, through an
// API token (not read-scoped) bound to the owner's project that uses the key (GET /api/v1/keys),
// and an agent the key is assigned to (agent_key.h: handshake, agent key fetch). Being an
// admin never adds to this: an admin sees other users' keys masked, and may disable or
// delete them, but never reads them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/paging.h"
#include "domain/principal.h"
#include "store/database.h"
#include "store/provider_key_repo.h"
#include "util/result.h"

namespace iron::domain {

// Field limits (the predecessor's, plus an open list of provider slugs).
constexpr size_t kProviderSlugMax = 64;     // [a-z0-9_-]{1,64}
constexpr size_t kProviderApiKeyMax = 500;  // visible ASCII, no whitespace
constexpr size_t kProviderBaseUrlMax = 2000;
constexpr size_t kProviderDescriptionMax = 500;
constexpr size_t kProjectIdMax = 500;

struct NewProviderKey {
  std::string provider;
  std::string api_key;  // plaintext: sealed at once, never stored, logged or returned
  std::optional<std::string> base_url;     // "" = none
  std::optional<std::string> description;  // "" = none
};

// PUT /providers/:id. Absent = unchanged; "" clears base_url / description.
struct ProviderKeyChanges {
  std::optional<std::string> base_url;
  std::optional<std::string> description;
  std::optional<bool> is_enabled;
  bool empty() const { return !base_url && !description && !is_enabled; }
};

// A key as callers see it: no key material beyond the masked form.
struct ProviderKeyInfo : store::ProviderKeyMetadata {
  std::string masked_key;  // "sk-a...wxyz", or "***" for keys too short to show any of
  std::vector<std::string> assigned_projects;
};

// Which of its owner's keys a project uses (project ids are per owner).
using ProjectAssignment = store::ProjectProvider;

// The response / audit shape K: {id, provider, base_url, description, is_enabled,
// created_at, last_used_at, masked_key, assigned_projects, owner_id}.
nlohmann::json provider_key_view(const ProviderKeyInfo& k);
nlohmann::json project_assignment_view(const ProjectAssignment& a);

// What of a key may be kept for display: the first and last 4 characters of a key of at
// least 16 characters (so at most half of a short key is ever shown), else nothing.
struct KeyMask {
  std::optional<std::string> prefix;
  std::optional<std::string> suffix;
};
KeyMask key_mask(const std::string& api_key);
std::string masked_key(const std::optional<std::string>& prefix, const std::optional<std::string>& suffix);
// The URL with any userinfo ("user:pw@") replaced by "***@"; unchanged when it has none.
std::string mask_url_credentials(const std::string& url);

// Validation shared by the API and the domain; the errors name the field, never its value.
std::optional<Error> check_provider_slug(const std::string& provider);
std::optional<Error> check_api_key(const std::string& api_key);
std::optional<Error> check_base_url(const std::string& base_url);  // "" allowed (clears)
std::optional<Error> check_description(const std::string& description);
std::optional<Error> check_project_id(const std::string& project_id);

class ProviderKeys {
 public:
  // `master_key`: the 32-byte ServerKeys::master_key. Throws std::invalid_argument otherwise.
  ProviderKeys(store::Database& db, std::string master_key);

  // Always a new row owned by `caller`.
  Result<ProviderKeyInfo> create(const Principal& caller, const NewProviderKey& in, const RequestContext& ctx);
  // The caller's own keys, oldest first; `everyone` (admins only, else 403) lists every user's
  // keys; `page` answers one page, without it every key.
  Result<Paged<ProviderKeyInfo>> list(const Principal& caller, bool everyone, const std::optional<PageRequest>& page = {});
  // Owner or admin; anyone else gets 404, as for a key that does not exist.
  Result<ProviderKeyInfo> get(const Principal& caller, int64_t id);
  Result<ProviderKeyInfo> update(const Principal& caller, int64_t id, const ProviderKeyChanges& changes,
                                 const RequestContext& ctx);
  Status remove(const Principal& caller, int64_t id, const RequestContext& ctx);

  // Points the caller's project `project_id` at a key the caller owns (admins too: it is the
  // owner's credential; 404 otherwise). Re-assigning replaces the caller's previous key.
  Result<ProjectAssignment> assign(const Principal& caller, const std::string& project_id, int64_t key_id,
                                   const RequestContext& ctx);
  // Removes the assignment of project `project_id` of `owner_id` (default: the caller; another
  // user's project is for admins only, 403 otherwise). 404 when nothing is assigned.
  Status unassign(const Principal& caller, const std::string& project_id, const std::optional<std::string>& owner_id,
                  const RequestContext& ctx);

  // The decrypted key for its owner (the rule above; 404 for anyone else, admins included),
  // 403 KEY_DISABLED for a disabled key, 500 when the row does not open (wrong master key or
  // a row that was tampered with or copied from elsewhere).
  Result<std::string> plaintext_key(int64_t key_id, const Principal& caller);
  static bool may_obtain_plaintext(const store::ProviderKey& key, const std::string& user_id) {
    return key.owner_id == user_id;
  }

  // On the caller's transaction, for a row already read and checked: the decrypted key, and
  // the full base_url (credentials included) of a row (500 when either does not open).
  Result<std::string> open_row(const store::ProviderKey& row) const;
  Result<std::optional<std::string>> open_base_url(const store::ProviderKey& row) const;

  // Seals credentials still stored in clear in base_url (rows written before migration 008).
  // Run once at startup; returns how many rows it sealed.
  size_t seal_embedded_credentials();

 private:
  static ProviderKeyInfo info(store::Connection& c, const store::ProviderKey& row);
  static std::string associated_data(const store::ProviderKey& row);
  // Stores `full` as the row's base_url: masked in the clear column, sealed in full when it
  // embeds credentials. The row id must be known.
  void set_base_url(store::ProviderKey& row, const std::optional<std::string>& full) const;

  store::Database& db_;
  std::string master_key_;
};

}  // namespace iron::domain
