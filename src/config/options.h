#pragma once
// The one table of settings. Each setting has an IRON_* environment variable, a NAME_FILE
// twin (a path to a file holding the value) and, unless it is a secret, a command-line flag.
// One precedence rule for all of them, whatever the subcommand:
//   flag > environment > NAME_FILE > (predecessor's variable) > default.
// CLI11 only collects the flags; the rule is applied here, so a flag registered on both the
// root command and `serve` cannot lose to its environment twin.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace CLI { class App; }

namespace iron::config {

// Which commands read a setting (a bit set).
enum Scope : unsigned {
  scope_serve = 1,        // `serve` and the root command
  scope_data = 2,         // commands that open the data dir or the database: migrate, backup, restore, admin,
                          // demo-seed, copy-to-postgres
  scope_keys = 4,         // commands that need the server keys besides serve (demo-seed)
  scope_healthcheck = 8,  // `healthcheck`
};

enum class Source { flag, env, file, legacy_env, default_value };
const char* to_string(Source s);

using Field = std::variant<std::string Config::*, int Config::*, int64_t Config::*, bool Config::*>;

// A row of the table: what the setting is (names, field, scopes), then its help line.
struct Option {
  const char* env;            // IRON_LISTEN
  const char* flag;           // --listen; nullptr: environment only (a flag would show a secret in `ps`)
  Field field;
  unsigned scopes;
  const char* help;
  bool secret = false;        // its value is never logged or shown
  const char* legacy_env = nullptr;  // the predecessor's variable, read last
};

const std::vector<Option>& options();

// Flag values as CLI11 parsed them, keyed by environment name.
struct FlagValues {
  std::map<std::string, std::string> given;
};

// Where each resolved setting came from, keyed by environment name, plus notes worth a
// warning once logging is configured (e.g. NAME and NAME_FILE both set).
struct Resolution {
  std::map<std::string, Source> sources;
  std::vector<std::string> warnings;
};

// Registers the flags of the options in `scope` on `app`; parsed values land in `flags`.
void add_flags(CLI::App& app, FlagValues& flags, Scope scope);

// Applies the precedence rule to every option in `scope`, writing into `config`.
// Returns a one-line message naming the setting when a value cannot be read or converted.
std::optional<std::string> resolve(const FlagValues& flags, Config& config, Scope scope, Resolution& out);

// The setting's current value as text ("" when unset); "(set)"/"" for secrets.
std::string shown_value(const Config& config, const Option& option);

}  // namespace iron::config
