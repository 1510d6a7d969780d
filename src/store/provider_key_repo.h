#pragma once
// provider_keys and project_providers. Plain structs in, plain structs out; the key is only
// ever handled here as sealed bytes (ciphertext + nonce), never as plaintext.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct ProviderKey {
  int64_t id = 0;
  std::string owner_id;
  std::string provider;
  std::string ciphertext;  // raw bytes, tag included
  std::string nonce;       // raw bytes
  std::optional<std::string> key_prefix;
  std::optional<std::string> key_suffix;
  std::optional<std::string> base_url;
  std::optional<std::string> description;
  bool is_enabled = true;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_used_at;
};

struct ProjectProvider {
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
// Writes the mutable fields: base_url, description, is_enabled, updated_at.
void update(Connection& c, const ProviderKey& k);
void remove(Connection& c, int64_t id);  // assignments go with it (ON DELETE CASCADE)
}  // namespace provider_keys

namespace project_providers {
std::optional<ProjectProvider> find(Connection& c, const std::string& project_id);
std::vector<std::string> projects_of(Connection& c, int64_t provider_key_id);  // sorted
void put(Connection& c, const ProjectProvider& a);  // insert or replace the project's one key
void remove(Connection& c, const std::string& project_id);
}  // namespace project_providers

}  // namespace iron::store
