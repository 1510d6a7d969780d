// The configuration parser: every setting's text through the precedence rule (flags; the
// environment for settings that have no flag) and validate(). Input: lines "IRON_NAME=value";
// names are matched against the settings table (NAME_FILE twins are never set: they would
// make the fuzzer read arbitrary files).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace iron::config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  FlagValues flags;
  std::vector<std::string> set_env;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = line.substr(0, eq), value = line.substr(eq + 1);
    for (const auto& o : options()) {
      if (name != o.env) continue;
      if (o.flag) {
        flags.given[name] = value;
      } else if (value.find('\0') == std::string::npos) {
        setenv(o.env, value.c_str(), 1);
        set_env.push_back(name);
      }
    }
  }
  Config config;
  Resolution resolution;
  const auto error = resolve(flags, config, static_cast<Scope>(scope_serve | scope_data | scope_keys | scope_healthcheck),
                             resolution);
  if (error && error->empty()) std::abort();  // a refusal names the setting
  if (!error) {
    const auto invalid = validate(config);
    if (invalid && invalid->empty()) std::abort();
    // A valid configuration has a usable listen address and a normalised base path.
    if (!invalid && (config.listen_port < 0 || config.listen_port > 65535 || config.base_path.empty() ||
                     config.base_path.front() != '/' || config.base_path.back() != '/'))
      std::abort();
    for (const auto& o : options()) (void)shown_value(config, o);
  }
  std::string host;
  int port = -1;
  if (split_host_port(text, host, port) && (port < 0 || port > 65535)) std::abort();
  for (const auto& name : set_env) unsetenv(name.c_str());
  return 0;
}
