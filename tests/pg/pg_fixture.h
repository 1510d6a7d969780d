#pragma once
// Tests against the binary's shared PostgreSQL (tests/support/postgres_cluster.h), each in a
// fresh database of its own.
#include <gtest/gtest.h>

#include <string>

#include "support/postgres_cluster.h"

namespace iron::test {

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    cluster_ = shared_postgres(why_not);
    if (!cluster_) GTEST_SKIP() << "PostgreSQL cannot run here: " << why_not;
    database_ = cluster_->create_database("t");
  }
  std::string dsn(bool tls = false) const { return cluster_->dsn(database_, tls); }

  const PostgresCluster* cluster_ = nullptr;
  std::string database_;
};

}  // namespace iron::test
