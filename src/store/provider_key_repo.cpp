#include "store/provider_key_repo.h"

#include "store/table.h"

namespace iron::store {
namespace provider_keys {
namespace {

// ciphertext, nonce and the sealed base URL are BLOBs: the stored bytes, unchanged.
const Table<ProviderKey> kProviderKeys =
    Table<ProviderKey>("provider_keys")
        .key_assigned_on_insert() IRON_COLUMNS(ProviderKey, id, owner_id, provider)
        IRON_BLOBS(ProviderKey, ciphertext, nonce)
        IRON_COLUMNS(ProviderKey, key_prefix, key_suffix, base_url, description, is_enabled, created_at, updated_at,
                     last_used_at)
        IRON_BLOBS(ProviderKey, base_url_sealed, base_url_nonce);

}  // namespace

int64_t insert(Connection& c, const ProviderKey& k) { return kProviderKeys.insert(c, k); }

void set_secret(Connection& c, int64_t id, const std::string& ciphertext, const std::string& nonce) {
  c.prepare("UPDATE provider_keys SET ciphertext = ?, nonce = ? WHERE id = ?")
      .bind_blob(1, ciphertext).bind_blob(2, nonce).bind(3, id).run();
}

std::optional<ProviderKey> find(Connection& c, int64_t id) { return kProviderKeys.find(c, id); }

std::vector<ProviderKey> list_by_owner(Connection& c, const std::string& owner_id) {
  auto& s = c.prepare(kProviderKeys.select() + " WHERE owner_id = ? ORDER BY id");
  s.bind(1, owner_id);
  return kProviderKeys.all(s);
}

std::vector<ProviderKey> list_all(Connection& c) {
  return kProviderKeys.all(c.prepare(kProviderKeys.select() + " ORDER BY id"));
}

std::vector<ProviderKey> list_page(Connection& c, const std::optional<std::string>& owner_id, int64_t limit,
                                   int64_t offset) {
  auto& s = c.prepare(kProviderKeys.select() + " WHERE (?1 IS NULL OR owner_id = ?1) ORDER BY id LIMIT ?2 OFFSET ?3");
  s.bind(1, owner_id).bind(2, limit).bind(3, offset);
  return kProviderKeys.all(s);
}

int64_t count(Connection& c, const std::optional<std::string>& owner_id) {
  auto& s = c.prepare("SELECT count(*) FROM provider_keys WHERE (?1 IS NULL OR owner_id = ?1)");
  s.bind(1, owner_id);
  return s.value<int64_t>().value_or(0);
}

void update(Connection& c, const ProviderKey& k) {
  auto& s = c.prepare(
      "UPDATE provider_keys SET base_url = ?, description = ?, is_enabled = ?, updated_at = ?, base_url_sealed = ?, "
      "base_url_nonce = ? WHERE id = ?");
  s.bind(1, k.base_url).bind(2, k.description).bind(3, k.is_enabled).bind(4, k.updated_at);
  s.bind_blob(5, k.base_url_sealed).bind_blob(6, k.base_url_nonce).bind(7, k.id).run();
}

std::vector<int64_t> remove(Connection& c, int64_t id) {
  std::vector<int64_t> agents;
  auto& using_key = c.prepare("SELECT id FROM agents WHERE provider_key_id = ? ORDER BY id");
  using_key.bind(1, id);
  while (using_key.step()) agents.push_back(using_key.int64(0));
  c.prepare("UPDATE agents SET provider_key_id = NULL, providers = '[]' WHERE provider_key_id = ?").bind(1, id).run();
  c.prepare("DELETE FROM provider_keys WHERE id = ?").bind(1, id).run();
  return agents;
}

}  // namespace provider_keys

namespace project_providers {

std::optional<ProjectProvider> find(Connection& c, const std::string& owner_id, const std::string& project_id) {
  auto& s = c.prepare(
      "SELECT owner_id, project_id, provider_key_id, assigned_by, assigned_at FROM project_providers "
      "WHERE owner_id = ? AND project_id = ?");
  s.bind(1, owner_id).bind(2, project_id);
  if (!s.step()) return std::nullopt;
  return ProjectProvider{s.text(0), s.text(1), s.int64(2), s.text(3), s.int64(4)};
}

std::vector<std::string> projects_of(Connection& c, int64_t provider_key_id) {
  auto& s = c.prepare("SELECT project_id FROM project_providers WHERE provider_key_id = ? ORDER BY project_id");
  s.bind(1, provider_key_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

void put(Connection& c, const ProjectProvider& a) {
  auto& s = c.prepare(
      "INSERT INTO project_providers(owner_id, project_id, provider_key_id, assigned_by, assigned_at) "
      "VALUES(?, ?, ?, ?, ?) ON CONFLICT(owner_id, project_id) DO UPDATE SET provider_key_id = excluded.provider_key_id, "
      "assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at");
  s.bind(1, a.owner_id).bind(2, a.project_id).bind(3, a.provider_key_id).bind(4, a.assigned_by).bind(5, a.assigned_at);
  s.run();
}

void remove(Connection& c, const std::string& owner_id, const std::string& project_id) {
  c.prepare("DELETE FROM project_providers WHERE owner_id = ? AND project_id = ?").bind(1, owner_id).bind(2, project_id).run();
}

}  // namespace project_providers
}  // namespace iron::store
