#pragma once
// The in-process store tests' fixture: a fresh database file holding one table, probe(v)
// (probe_table.h), for the calls under test to write to and read back.
#include <gtest/gtest.h>

#include "store/database.h"
#include "support/files.h"
#include "support/probe_table.h"

namespace iron::test {

class ProbeDatabase : public ::testing::Test {
 protected:
  explicit ProbeDatabase(int readers = store::Database::kDefaultReaders) : db(dir_.path() + "/probe.db", readers) {
    create_probe_table(db);
  }
  TempDir dir_;  // before db: outlives it
  store::Database db;
};

}  // namespace iron::test
