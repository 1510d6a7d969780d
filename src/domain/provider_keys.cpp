#include "domain/provider_keys.h"

#include "domain/alert_raisers.h"

#include <stdexcept>

#include "domain/audit.h"
#include "security/aead.h"
#include "util/clock.h"
#include "util/json_fields.h"
#include "util/log.h"
#include "util/utf8.h"

namespace iron::domain {
namespace {

// Keys shorter than this show nothing: 4 + 4 characters of a 9-character key is most of it.
constexpr size_t kMaskMinLength = 16;
constexpr size_t kMaskChars = 4;

Error key_not_found() { return Error::not_found("provider key"); }

Error no_assignment() {
  return {ErrorKind::not_found, "NOT_FOUND", "no provider key is assigned to this project of this user",
          nlohmann::json::object(), 0};
}

bool may_see(const Principal& caller, const store::ProviderKey& k) {
  return k.owner_id == caller.user_id || caller.is_admin();
}

bool is_control(unsigned char ch) { return ch < 0x20 || ch == 0x7f; }

std::optional<std::string> non_empty(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// Where the userinfo of a URL ends (the '@' before the host), if it has any.
std::optional<size_t> userinfo_at(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const size_t authority = scheme_end + 3;
  const size_t authority_end = url.find_first_of("/?#", authority);
  const size_t at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end - 1);
  if (at == std::string::npos || at < authority) return std::nullopt;
  return at;
}

std::string base_url_associated_data(const store::ProviderKey& row) {
  return "ironpanel/provider_key_base_url/v1:" + std::to_string(row.id) + ":" + row.owner_id + ":" + row.provider;
}

}  // namespace

nlohmann::json provider_key_view(const ProviderKeyInfo& k) {
  return {IRON_JSON_FIELDS(k, id, provider, base_url, description, is_enabled, created_at, last_used_at,
                           masked_key, assigned_projects, owner_id)};
}

nlohmann::json project_assignment_view(const ProjectAssignment& a) {
  return {IRON_JSON_FIELDS(a, owner_id, project_id, provider_key_id, assigned_by, assigned_at)};
}

KeyMask key_mask(const std::string& api_key) {
  if (api_key.size() < kMaskMinLength) return {};
  return {api_key.substr(0, kMaskChars), api_key.substr(api_key.size() - kMaskChars)};
}

std::string mask_url_credentials(const std::string& url) {
  const auto at = userinfo_at(url);
  if (!at) return url;
  return url.substr(0, url.find("://") + 3) + "***" + url.substr(*at);
}

std::string masked_key(const std::optional<std::string>& prefix, const std::optional<std::string>& suffix) {
  if (!prefix || !suffix) return "***";
  return *prefix + "..." + *suffix;
}

std::optional<Error> check_provider_slug(const std::string& provider) {
  bool ok = !provider.empty() && provider.size() <= kProviderSlugMax;
  for (char ch : provider)
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-');
  if (!ok)
    return Error::validation("provider",
                             "provider must be 1..64 lowercase letters, digits, '_' or '-' (e.g. openai, anthropic)");
  return std::nullopt;
}

std::optional<Error> check_api_key(const std::string& api_key) {
  if (api_key.empty() || api_key.size() > kProviderApiKeyMax)
    return Error::validation("api_key", "api_key must be 1..500 characters");
  for (char ch : api_key)
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f)
      return Error::validation("api_key",
                               "api_key must be visible ASCII characters only (no whitespace or control characters)");
  return std::nullopt;
}

std::optional<Error> check_base_url(const std::string& base_url) {
  if (base_url.empty()) return std::nullopt;
  if (base_url.size() > kProviderBaseUrlMax) return Error::validation("base_url", "base_url must be at most 2000 characters");
  const size_t scheme = base_url.rfind("https://", 0) == 0 ? 8 : base_url.rfind("http://", 0) == 0 ? 7 : 0;
  if (scheme == 0 || base_url.size() == scheme)
    return Error::validation("base_url", "base_url must be an http:// or https:// URL");
  for (char ch : base_url)
    if (static_cast<unsigned char>(ch) == ' ' || is_control(static_cast<unsigned char>(ch)))
      return Error::validation("base_url", "base_url must not contain spaces or control characters");
  return std::nullopt;
}

std::optional<Error> check_description(const std::string& description) {
  if (description.size() > kProviderDescriptionMax)
    return Error::validation("description", "description must be at most 500 characters");
  if (description.find('\0') != std::string::npos)
    return Error::validation("description", "description must not contain NUL characters");
  return std::nullopt;
}

std::optional<Error> check_project_id(const std::string& project_id) {
  if (project_id.empty() || project_id.size() > kProjectIdMax)
    return Error::validation("project_id", "project_id must be 1..500 characters");
  // Project ids arrive in the URL path (percent-decoded), not through the JSON parser, so
  // nothing has checked their encoding yet; audit rows and responses are JSON.
  if (!util::valid_utf8(project_id)) return Error::validation("project_id", "project_id must be valid UTF-8");
  for (char ch : project_id)
    if (is_control(static_cast<unsigned char>(ch)))
      return Error::validation("project_id", "project_id must not contain control characters");
  return std::nullopt;
}

ProviderKeys::ProviderKeys(store::Database& db, std::string master_key) : db_(db), master_key_(std::move(master_key)) {
  if (master_key_.size() != security::aead::kKeyBytes)
    throw std::invalid_argument("the master key must be exactly 32 bytes");
}

// Binds a ciphertext to its row: a sealed key copied into another row, or a row re-owned
// or re-typed behind the application's back, no longer opens.
std::string ProviderKeys::associated_data(const store::ProviderKey& row) {
  return "ironpanel/provider_key/v1:" + std::to_string(row.id) + ":" + row.owner_id + ":" + row.provider;
}

ProviderKeyInfo ProviderKeys::info(store::Connection& c, const store::ProviderKey& row) {
  // The row's metadata only: its key material stays behind.
  ProviderKeyInfo k{row, masked_key(row.key_prefix, row.key_suffix), store::project_providers::projects_of(c, row.id)};
  // Masked again here: a row written before migration 008 may still hold credentials in
  // clear until the startup pass seals them.
  if (k.base_url) k.base_url = mask_url_credentials(*k.base_url);
  return k;
}

Result<ProviderKeyInfo> ProviderKeys::create(const Principal& caller, const NewProviderKey& in,
                                             const RequestContext& ctx) {
  if (auto e = check_provider_slug(in.provider)) return *e;
  if (auto e = check_api_key(in.api_key)) return *e;
  if (in.base_url)
    if (auto e = check_base_url(*in.base_url)) return *e;
  if (in.description)
    if (auto e = check_description(*in.description)) return *e;
  return db_.write([&](store::Connection& c) -> Result<ProviderKeyInfo> {
    store::ProviderKey row;
    row.owner_id = caller.user_id;  // always the caller: never another user's row
    row.provider = in.provider;
    const KeyMask mask = key_mask(in.api_key);
    row.key_prefix = mask.prefix;
    row.key_suffix = mask.suffix;
    const auto base_url = non_empty(in.base_url);
    if (base_url) row.base_url = mask_url_credentials(*base_url);  // never in clear, not even briefly
    row.description = non_empty(in.description);
    row.created_at = row.updated_at = util::now_unix_ms();
    // The associated data names the row id, known only after the insert; every statement is
    // in one transaction, so no reader ever sees the row without its sealed key.
    row.id = store::provider_keys::insert(c, row);
    const auto sealed = security::aead::seal(master_key_, in.api_key, associated_data(row));
    store::provider_keys::set_secret(c, row.id, sealed.ciphertext, sealed.nonce);
    if (base_url && *base_url != *row.base_url) {
      set_base_url(row, base_url);
      store::provider_keys::update(c, row);
    }
    ProviderKeyInfo out = info(c, row);
    audit(c, ctx, "provider_key.create", "provider_key", std::to_string(row.id), nullptr, provider_key_view(out));
    return out;
  });
}

Result<Paged<ProviderKeyInfo>> ProviderKeys::list(const Principal& caller, bool everyone,
                                                  const std::optional<PageRequest>& page) {
  if (everyone && !caller.is_admin())
    return Error::forbidden("listing every user's provider keys requires the admin role", "INSUFFICIENT_PERMISSIONS");
  const std::optional<std::string> owner = everyone ? std::nullopt : std::optional(caller.user_id);
  return db_.read([&](store::Connection& c) {
    return page_on_request<ProviderKeyInfo>(
        page, [&] { return store::provider_keys::count(c, owner); },
        [&](int64_t limit, int64_t offset) {
          std::vector<ProviderKeyInfo> infos;
          for (const auto& row : store::provider_keys::list_page(c, owner, limit, offset)) infos.push_back(info(c, row));
          return infos;
        });
  });
}

Result<ProviderKeyInfo> ProviderKeys::get(const Principal& caller, int64_t id) {
  return db_.read([&](store::Connection& c) -> Result<ProviderKeyInfo> {
    const auto row = store::provider_keys::find(c, id);
    if (!row || !may_see(caller, *row)) return key_not_found();
    return info(c, *row);
  });
}

Result<ProviderKeyInfo> ProviderKeys::update(const Principal& caller, int64_t id, const ProviderKeyChanges& changes,
                                             const RequestContext& ctx) {
  if (changes.empty())
    return Error::validation("body", "nothing to update: give base_url, description or is_enabled");
  if (changes.base_url)
    if (auto e = check_base_url(*changes.base_url)) return *e;
  if (changes.description)
    if (auto e = check_description(*changes.description)) return *e;
  return db_.write([&](store::Connection& c) -> Result<ProviderKeyInfo> {
    auto row = store::provider_keys::find(c, id);
    if (!row || !may_see(caller, *row)) return key_not_found();
    const auto before = provider_key_view(info(c, *row));
    const bool disabling = changes.is_enabled && !*changes.is_enabled && row->is_enabled;
    if (changes.base_url) set_base_url(*row, non_empty(changes.base_url));
    if (changes.description) row->description = non_empty(changes.description);
    if (changes.is_enabled) row->is_enabled = *changes.is_enabled;
    row->updated_at = util::now_unix_ms();
    store::provider_keys::update(c, *row);
    ProviderKeyInfo out = info(c, *row);
    audit(c, ctx, "provider_key.update", "provider_key", std::to_string(id), before, provider_key_view(out));
    if (disabling) alerts::provider_key_disabled(c, id, row->owner_id, row->provider, caller.user_id, row->updated_at);
    return out;
  });
}

Status ProviderKeys::remove(const Principal& caller, int64_t id, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    const auto row = store::provider_keys::find(c, id);
    if (!row || !may_see(caller, *row)) return key_not_found();
    auto before = provider_key_view(info(c, *row));  // lists the assignments the delete removes
    // Agents using the key lose it in this same transaction (never a dangling reference).
    before["agents_unassigned"] = store::provider_keys::remove(c, id);
    audit(c, ctx, "provider_key.delete", "provider_key", std::to_string(id), before, nullptr);
    return ok_status();
  });
}

Result<ProjectAssignment> ProviderKeys::assign(const Principal& caller, const std::string& project_id, int64_t key_id,
                                               const RequestContext& ctx) {
  if (auto e = check_project_id(project_id)) return *e;
  return db_.write([&](store::Connection& c) -> Result<ProjectAssignment> {
    const auto key = store::provider_keys::find(c, key_id);
    // Only the owner may point a project at a key: it spends the owner's provider account.
    if (!key || key->owner_id != caller.user_id) {
      Error e = key_not_found();
      e.details["field"] = "provider_key_id";
      return e;
    }
    // The caller's own project: another user's project of the same name is another project.
    const auto current = store::project_providers::find(c, caller.user_id, project_id);
    const store::ProjectProvider a{caller.user_id, project_id, key_id, caller.user_id, util::now_unix_ms()};
    store::project_providers::put(c, a);
    audit(c, ctx, "project.provider_assign", "project", project_id,
          current ? project_assignment_view(*current) : nullptr, project_assignment_view(a));
    return a;
  });
}

Status ProviderKeys::unassign(const Principal& caller, const std::string& project_id,
                              const std::optional<std::string>& owner_id, const RequestContext& ctx) {
  if (auto e = check_project_id(project_id)) return *e;
  const std::string owner = owner_id.value_or(caller.user_id);
  if (owner != caller.user_id && !caller.is_admin())
    return Error::forbidden("only an admin may unassign another user's project", "INSUFFICIENT_PERMISSIONS");
  return db_.write([&](store::Connection& c) -> Status {
    const auto current = store::project_providers::find(c, owner, project_id);
    if (!current) return no_assignment();
    store::project_providers::remove(c, owner, project_id);
    audit(c, ctx, "project.provider_unassign", "project", project_id, project_assignment_view(*current), nullptr);
    return ok_status();
  });
}

Result<std::string> ProviderKeys::plaintext_key(int64_t key_id, const Principal& caller) {
  const auto row = db_.read([&](store::Connection& c) { return store::provider_keys::find(c, key_id); });
  if (!row || !may_obtain_plaintext(*row, caller.user_id)) return key_not_found();
  if (!row->is_enabled) return Error::forbidden("this provider key is disabled", "KEY_DISABLED");
  return open_row(*row);
}

Result<std::string> ProviderKeys::open_row(const store::ProviderKey& row) const {
  auto plain = security::aead::open(master_key_, {row.nonce, row.ciphertext}, associated_data(row));
  if (!plain) {
    log::error("provider key does not decrypt: wrong master key, or the row was altered or copied",
               {{"provider_key_id", row.id}});
    return Error::internal("the stored provider key cannot be decrypted");
  }
  return std::move(*plain);
}

Result<std::optional<std::string>> ProviderKeys::open_base_url(const store::ProviderKey& row) const {
  if (!row.base_url_sealed || !row.base_url_nonce) return row.base_url;
  auto full = security::aead::open(master_key_, {*row.base_url_nonce, *row.base_url_sealed}, base_url_associated_data(row));
  if (!full) {
    log::error("provider key base_url does not decrypt: wrong master key, or the row was altered or copied",
               {{"provider_key_id", row.id}});
    return Error::internal("the stored provider base_url cannot be decrypted");
  }
  return std::optional<std::string>(std::move(*full));
}

void ProviderKeys::set_base_url(store::ProviderKey& row, const std::optional<std::string>& full) const {
  row.base_url_sealed.reset();
  row.base_url_nonce.reset();
  row.base_url = full;
  if (!full || mask_url_credentials(*full) == *full) return;
  const auto sealed = security::aead::seal(master_key_, *full, base_url_associated_data(row));
  row.base_url_sealed = sealed.ciphertext;
  row.base_url_nonce = sealed.nonce;
  row.base_url = mask_url_credentials(*full);
}

size_t ProviderKeys::seal_embedded_credentials() {
  return db_.write([&](store::Connection& c) {
    size_t sealed = 0;
    for (auto row : store::provider_keys::list_all(c)) {
      if (row.base_url_sealed || !row.base_url || mask_url_credentials(*row.base_url) == *row.base_url) continue;
      set_base_url(row, row.base_url);
      store::provider_keys::update(c, row);
      audit(c, RequestContext::system(), "provider_key.seal_base_url", "provider_key", std::to_string(row.id), nullptr,
            provider_key_view(info(c, row)));
      ++sealed;
    }
    return sealed;
  });
}

}  // namespace iron::domain
