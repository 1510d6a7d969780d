// Migration 014 (email alert channels) on a database written before it: alert_channels is
// rebuilt for its wider kind CHECK, and its children (rule links, outbox, delivery log) keep
// every row, id and reference — a parent rebuilt with foreign keys on must not cascade.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "migration_support.h"
#include "temp_db.h"

TEST(Migration014, AlertChannelsTakeEmailAndKeepTheirChildren) {
  iron::store::SqliteConnection c(temp_db(), false);
  migrate_with_rows(
      c, 14,
      "INSERT INTO alert_channels(id, name, kind, url_display, sealed, nonce, created_by, created_at, updated_at) VALUES"
      " (1, 'hook', 'webhook', 'https://a.test', x'01', x'02', 'user_a', 1, 1),"
      " (2, 'chat', 'slack', 'https://b.test', x'03', x'04', 'user_a', 1, 1),"
      " (3, 'gone', 'slack', 'https://c.test', x'05', x'06', 'user_a', 1, 1);"
      "DELETE FROM alert_channels WHERE id = 3;"
      "INSERT INTO alert_rules(id, name, created_by, created_at, updated_at) VALUES (1, 'r', 'user_a', 1, 1);"
      "INSERT INTO alert_rule_channels(rule_id, channel_id) VALUES (1, 1), (1, 2);"
      "INSERT INTO alert_outbox(id, delivery_id, dedup_key, rule_id, channel_id, event_type, payload, next_attempt_at,"
      " created_at) VALUES (1, 'dlv_1', 'k1', 1, 1, 'test', '{}', 1, 1), (2, 'dlv_2', 'k2', 1, 2, 'test', '{}', 1, 1);"
      "INSERT INTO alert_deliveries(channel_id, outbox_id, delivery_id, event_type, attempt, outcome, duration_ms, at)"
      " VALUES (1, 1, 'dlv_1', 'test', 1, 'retrying', 5, 1), (2, 2, 'dlv_2', 'test', 1, 'delivered', 5, 1);");

  EXPECT_EQ(text_of(c, "SELECT group_concat(id || kind || hex(sealed), ',') FROM alert_channels"), "1webhook01,2slack03");
  EXPECT_EQ(text_of(c, "SELECT group_concat(rule_id || '-' || channel_id, ',') FROM alert_rule_channels"), "1-1,1-2");
  EXPECT_EQ(text_of(c, "SELECT group_concat(delivery_id || state, ',') FROM alert_outbox"), "dlv_1pending,dlv_2pending");
  EXPECT_EQ(text_of(c, "SELECT group_concat(outbox_id || outcome, ',') FROM alert_deliveries"), "1retrying,2delivered");
  EXPECT_EQ(text_of(c, "SELECT count(*) FROM pragma_foreign_key_check"), "0");
  EXPECT_EQ(text_of(c, "SELECT count(*) FROM sqlite_temp_master"), "0") << "the temporary copies are gone";

  // The new kind fits; a deleted channel's id is not handed out again.
  c.exec("INSERT INTO alert_channels(name, kind, url_display, sealed, nonce, created_by, created_at, updated_at)"
         " VALUES ('mail', 'email', 'mailto:ops@example.com', x'07', x'08', 'user_a', 2, 2)");
  EXPECT_EQ(text_of(c, "SELECT id FROM alert_channels WHERE kind = 'email'"), "4");
  expect_refused(c, "INSERT INTO alert_channels(name, kind, url_display, sealed, nonce, created_by, created_at,"
                    " updated_at) VALUES ('x', 'pager', 'x', x'00', x'00', 'user_a', 2, 2)");

  // The references still cascade from the rebuilt parent.
  c.exec("DELETE FROM alert_channels WHERE id = 1");
  EXPECT_EQ(text_of(c, "SELECT count(*) FROM alert_rule_channels"), "1");
  EXPECT_EQ(text_of(c, "SELECT count(*) FROM alert_outbox"), "1");
  EXPECT_EQ(text_of(c, "SELECT group_concat(channel_id, ',') FROM alert_deliveries"), "2");
}
