#pragma once
// The database a test server keeps its data in, opened by the test itself to read (or set up)
// state the API does not show: iron.db in the server's data dir, or on the API suite's
// PostgreSQL run (on_postgres()) the schema that stands for that data dir.
#include <memory>
#include <string>

#include "store/database.h"

namespace iron::test {

std::unique_ptr<store::Database> open_server_database(const std::string& data_dir);

}  // namespace iron::test
