#pragma once
// Opens the PostgreSQL engine for store::Database without showing libpq's headers to the
// caller (only src/store/pg/ compiles against them; see CMakeLists.txt).
#include <memory>
#include <string>

#include "store/database_engine.h"

namespace iron::store::pg {

// Connects to `url` (postgres://… or key=value pairs) and applies pending migrations. Throws
// StoreError with a message that names the server and the reason, never the password.
std::unique_ptr<DatabaseEngine> open_postgres(const std::string& url);

}  // namespace iron::store::pg
