#pragma once
// Provider API keys (reference §2.4, fixed): each key belongs to the user who created it and
// is sealed under the master key (security/aead.h) with associated data naming its row, so
// nothing above this layer ever sees key material except through plaintext_key(). Creating
// a key always inserts a new row (the predecessor overwrote and re-owned any key of the same
// provider); assigning a project needs the key's owner, and so does taking a project away
// from a key (or an admin). Every mutation writes its audit row in the same transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
struct ProviderKeyInfo {
  int64_t id = 0;
  std::string owner_id;
  std::string provider;
  std::string masked_key;  // "sk-a...wxyz", or "***" for keys too short to show any of
  std::optional<std::string> base_url;
  std::optional<std::string> description;
  bool is_enabled = true;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_used_at;
  std::vector<std::string> assigned_projects;
};

struct ProjectAssignment {
  std::string project_id;
  int64_t provider_key_id = 0;
  std::string assigned_by;
  int64_t assigned_at = 0;
};

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
  // The caller's own keys; `everyone` (admins only, else 403) lists every user's keys.
  Result<std::vector<ProviderKeyInfo>> list(const Principal& caller, bool everyone);
  // Owner or admin; anyone else gets 404, as for a key that does not exist.
  Result<ProviderKeyInfo> get(const Principal& caller, int64_t id);
  Result<ProviderKeyInfo> update(const Principal& caller, int64_t id, const ProviderKeyChanges& changes,
                                 const RequestContext& ctx);
  Status remove(const Principal& caller, int64_t id, const RequestContext& ctx);

  // Points `project_id` at a key the caller owns (admins too: it is the owner's credential).
  // Replacing another key's assignment needs that key's owner or an admin (409 otherwise).
  Result<ProjectAssignment> assign(const Principal& caller, const std::string& project_id, int64_t key_id,
                                   const RequestContext& ctx);
  // 404 when nothing is assigned, or when the assigned key is not the caller's (non-admins).
  Status unassign(const Principal& caller, const std::string& project_id, const RequestContext& ctx);

  // The decrypted key, for the handshake: owner or admin only (404 otherwise, as above),
  // 403 KEY_DISABLED for a disabled key, 500 when the row does not open (wrong master key
  // or a row that was tampered with or copied from elsewhere).
  Result<std::string> plaintext_key(int64_t key_id, const Principal& caller);

  // For agents, on the caller's transaction. resolve_for_agent: the provider of key `key_id`
  // when it may be assigned to an agent of `owner_id` (the owner's own, enabled key; else
  // 404 PROVIDER_KEY_NOT_FOUND). open_row: the decrypted key of a row already read (500 when
  // it does not open), so the handshake checks and decrypts inside its one transaction.
  static Result<std::string> resolve_for_agent(store::Connection& c, int64_t key_id, const std::string& owner_id);
  Result<std::string> open_row(const store::ProviderKey& row) const;

 private:
  static ProviderKeyInfo info(store::Connection& c, const store::ProviderKey& row);
  static std::string associated_data(const store::ProviderKey& row);

  store::Database& db_;
  std::string master_key_;
};

}  // namespace iron::domain
