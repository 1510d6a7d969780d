#include "store/agent_repo.h"

#include <nlohmann/json.hpp>

namespace iron::store::agents {
namespace {
constexpr const char* kAgentColumns =
    "id, name, owner_id, provider_key_id, providers, created_at, updated_at, ic_token_hash, ic_token_created_at";

std::vector<std::string> parse_providers(const std::string& text) {
  std::vector<std::string> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& p : j)
    if (p.is_string()) out.push_back(p.get<std::string>());
  return out;
}

Agent read_agent(Statement& s) {
  Agent a;
  a.id = s.int64(0);
  a.name = s.text(1);
  a.owner_id = s.text(2);
  a.provider_key_id = s.opt_int64(3);
  a.providers = parse_providers(s.text(4));
  a.created_at = s.int64(5);
  a.updated_at = s.int64(6);
  a.ic_token_hash = s.opt_text(7);
  a.ic_token_created_at = s.opt_int64(8);
  return a;
}
}  // namespace

int64_t insert(Connection& c, const Agent& a) {
  auto& s = c.prepare(
      "INSERT INTO agents(name, owner_id, provider_key_id, providers, created_at, updated_at, ic_token_hash, "
      "ic_token_created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, a.name).bind(2, a.owner_id).bind(3, a.provider_key_id).bind(4, nlohmann::json(a.providers).dump());
  s.bind(5, a.created_at).bind(6, a.updated_at).bind(7, a.ic_token_hash).bind(8, a.ic_token_created_at);
  s.run();
  return c.last_insert_rowid();
}

std::optional<Agent> find_by_id(Connection& c, int64_t id) {
  auto& s = c.prepare(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_agent(s);
}

std::optional<IcCredential> ic_credential_of_active(Connection& c, int64_t id) {
  auto& s = c.prepare(
      "SELECT a.ic_token_hash, a.owner_id FROM agents a JOIN users u ON u.id = a.owner_id "
      "WHERE a.id = ? AND u.deleted_at IS NULL AND u.suspended_at IS NULL AND u.is_active != 0");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return IcCredential{s.opt_text(0), s.text(1)};
}

namespace {
std::vector<Agent> read_all(Statement& s) {
  std::vector<Agent> out;
  while (s.step()) out.push_back(read_agent(s));
  return out;
}
}  // namespace

std::vector<Agent> list_all(Connection& c) {
  auto& s = c.prepare(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY created_at DESC, id DESC");
  return read_all(s);
}

std::vector<Agent> list_for_owner(Connection& c, const std::string& owner_id) {
  auto& s = c.prepare(std::string("SELECT ") + kAgentColumns +
                      " FROM agents WHERE owner_id = ? ORDER BY created_at DESC, id DESC");
  s.bind(1, owner_id);
  return read_all(s);
}

void update(Connection& c, const Agent& a) {
  auto& s = c.prepare(
      "UPDATE agents SET name = ?, owner_id = ?, provider_key_id = ?, providers = ?, updated_at = ? WHERE id = ?");
  s.bind(1, a.name).bind(2, a.owner_id).bind(3, a.provider_key_id).bind(4, nlohmann::json(a.providers).dump());
  s.bind(5, a.updated_at).bind(6, a.id);
  s.run();
}

bool set_ic_token(Connection& c, int64_t id, const std::string& hash, int64_t created_at_s, bool only_if_none) {
  auto& s = c.prepare(only_if_none ? "UPDATE agents SET ic_token_hash = ?, ic_token_created_at = ? "
                                     "WHERE id = ? AND ic_token_hash IS NULL"
                                   : "UPDATE agents SET ic_token_hash = ?, ic_token_created_at = ? WHERE id = ?");
  s.bind(1, hash).bind(2, created_at_s).bind(3, id);
  s.run();
  return c.changes() > 0;
}

void clear_ic_token(Connection& c, int64_t id) {
  auto& s = c.prepare("UPDATE agents SET ic_token_hash = NULL, ic_token_created_at = NULL WHERE id = ?");
  s.bind(1, id);
  s.run();
}

bool remove(Connection& c, int64_t id) {
  auto& s = c.prepare("DELETE FROM agents WHERE id = ?");
  s.bind(1, id);
  s.run();
  return c.changes() > 0;
}

}  // namespace iron::store::agents
