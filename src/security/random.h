#pragma once
// Randomness from libsodium's CSPRNG (call security::init() once at start).
#include <cstddef>
#include <string>

namespace iron::security {

void init();  // sodium_init(); throws if the library cannot initialise
std::string random_bytes(size_t n);
std::string random_hex(size_t bytes);
std::string random_base62(size_t chars);
std::string uuid_v4();  // 8-4-4-4-12 lowercase hex

}  // namespace iron::security
