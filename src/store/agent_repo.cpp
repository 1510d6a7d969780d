#include "store/agent_repo.h"

#include <nlohmann/json.hpp>

#include "store/string_list_column.h"
#include "store/table.h"

namespace iron::store::agents {
namespace {

std::vector<std::string> parse_providers(const std::string& text) {
  std::vector<std::string> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& p : j)
    if (p.is_string()) out.push_back(p.get<std::string>());
  return out;
}

const Table<Agent> kAgents =
    Table<Agent>("agents")
        .key_assigned_on_insert() IRON_COLUMNS(Agent, id, name, owner_id, provider_key_id)
        .column(  // a JSON array of provider names
            "providers", [](const Statement& s, int col, Agent& a) { a.providers = parse_providers(s.text(col)); },
            [](Statement& s, int i, const Agent& a) { s.bind(i, nlohmann::json(a.providers).dump()); })
        IRON_COLUMNS(Agent, created_at, updated_at, ic_token_hash, ic_token_created_at)
        .column("allowed_models", &Agent::allowed_models, StringListColumn{});  // NULL = every model

}  // namespace

int64_t insert(Connection& c, const Agent& a) { return kAgents.insert(c, a); }

std::optional<Agent> find_by_id(Connection& c, int64_t id) { return kAgents.find(c, id); }

std::optional<IcCredential> ic_credential_of_active(Connection& c, int64_t id) {
  auto& s = c.prepare(
      "SELECT a.ic_token_hash, a.owner_id FROM agents a JOIN users u ON u.id = a.owner_id "
      "WHERE a.id = ? AND u.deleted_at IS NULL AND u.suspended_at IS NULL AND u.is_active != 0");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return IcCredential{s.opt_text(0), s.text(1)};
}

std::vector<Agent> list_all(Connection& c) {
  return kAgents.all(c.prepare(kAgents.select() + " ORDER BY created_at DESC, id DESC"));
}

std::vector<Agent> list_for_owner(Connection& c, const std::string& owner_id) {
  auto& s = c.prepare(kAgents.select() + " WHERE owner_id = ? ORDER BY created_at DESC, id DESC");
  s.bind(1, owner_id);
  return kAgents.all(s);
}

void update(Connection& c, const Agent& a) {
  auto& s = c.prepare(
      "UPDATE agents SET name = ?, owner_id = ?, provider_key_id = ?, providers = ?, updated_at = ?, allowed_models = ? "
      "WHERE id = ?");
  s.bind(1, a.name).bind(2, a.owner_id).bind(3, a.provider_key_id).bind(4, nlohmann::json(a.providers).dump());
  s.bind(5, a.updated_at);
  bind_string_list(s, 6, a.allowed_models);
  s.bind(7, a.id);
  s.run();
}

std::optional<std::vector<std::string>> allowed_models_of(Connection& c, int64_t id) {
  auto& s = c.prepare("SELECT allowed_models FROM agents WHERE id = ?");
  s.bind(1, id);
  auto out = s.step() ? read_string_list(s, 0) : std::nullopt;
  s.reset();
  return out;
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

bool remove(Connection& c, int64_t id) { return kAgents.remove(c, id); }

}  // namespace iron::store::agents
