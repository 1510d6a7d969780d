// Turning the command line and the environment into a Config, the same way for every
// subcommand (config/options.h holds the table and the rule).
#include "cli/commands.h"
#include "util/log.h"

namespace iron::cli {

void add_data_flag(CLI::App& cmd, Invocation& inv) { config::add_flags(cmd, inv.flags, config::scope_data); }

bool resolve_config(Invocation& inv, unsigned scope) {
  if (auto e = config::resolve(inv.flags, inv.config, static_cast<config::Scope>(scope), inv.resolution)) {
    inv.exit_code = fail(*e);
    return false;
  }
  return true;
}

void log_configuration(const Invocation& inv) {
  for (const auto& w : inv.resolution.warnings) log::warn(w);
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& o : config::options()) {
    const auto source = inv.resolution.sources.find(o.env);
    if (source == inv.resolution.sources.end()) continue;  // not a serve setting
    settings[o.env] = {{"value", config::shown_value(inv.config, o)}, {"from", config::to_string(source->second)}};
  }
  log::info("configuration", {{"settings", settings}});
}

}  // namespace iron::cli
