#include <iostream>

#include "cli/commands.h"

namespace iron::cli {

int fail(const std::string& message, int code) {
  std::cerr << "ironpanel: " << message << std::endl;
  return code;
}

}  // namespace iron::cli
