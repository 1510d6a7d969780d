#pragma once
// provider_keys and project_providers. Plain structs in, plain structs out; the key is only
// ever handled here as sealed bytes (ciphertext + nonce), never as plaintext.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

// Everything about a key but its material: what callers may be shown (domain::ProviderKeyInfo).
struct ProviderKeyMetadata {
  int64_t id = 0;
  std::string owner_id;
  std::string provider;
  std::optional<std::string> base_url;  // masked (https://***@host) when it embeds credentials
  std::optional<std::string> description;
  bool is_enabled = true;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_used_at;
};

// The row: the metadata and the key material, which never leaves the domain's provider-key code.
struct ProviderKey : ProviderKeyMetadata {
  std::string ciphertext;  // raw bytes, tag included
  std::string nonce;       // raw bytes
  std::optional<std::string> key_prefix;
  std::optional<std::string> key_suffix;
  // The full base_url, sealed, when it embeds credentials (raw bytes; both set or both null).
  std::optional<std::string> base_url_sealed;
  std::optional<std::string> base_url_nonce;
};

// Project ids are per owner: (owner_id, project_id) names one project, and it uses one of
// that owner's keys (a composite foreign key enforces it).
struct ProjectProvider {
  std::string owner_id;
  std::string project_id;
  int64_t provider_key_id = 0;
  std::string assigned_by;
  int64_t assigned_at = 0;
};

namespace provider_keys {
// Inserts a new row (k.id is ignored) and returns its id.
int64_t insert(Connection& c, const ProviderKey& k);
// Replaces the sealed key of a row (create seals after the insert, once the id is known).
void set_secret(Connection& c, int64_t id, const std::string& ciphertext, const std::string& nonce);
std::optional<ProviderKey> find(Connection& c, int64_t id);
std::vector<ProviderKey> list_by_owner(Connection& c, const std::string& owner_id);  // oldest first
std::vector<ProviderKey> list_all(Connection& c);                                    // oldest first
// One page, oldest first: the owner's keys, or every owner's when `owner_id` is nullopt.
std::vector<ProviderKey> list_page(Connection& c, const std::optional<std::string>& owner_id, int64_t limit,
                                   int64_t offset);
int64_t count(Connection& c, const std::optional<std::string>& owner_id);
// Writes the mutable fields: base_url (+ its sealed form), description, is_enabled, updated_at.
void update(Connection& c, const ProviderKey& k);
// Deletes the key; its project assignments go with it (ON DELETE CASCADE) and the agents
// that used it lose it (provider_key_id and providers cleared). Returns those agents' ids.
std::vector<int64_t> remove(Connection& c, int64_t id);
}  // namespace provider_keys

namespace project_providers {
std::optional<ProjectProvider> find(Connection& c, const std::string& owner_id, const std::string& project_id);
std::vector<std::string> projects_of(Connection& c, int64_t provider_key_id);  // sorted
void put(Connection& c, const ProjectProvider& a);  // insert or replace the project's one key
void remove(Connection& c, const std::string& owner_id, const std::string& project_id);
}  // namespace project_providers

}  // namespace iron::store
