// The embedded zone table (util/time_zone_table.h, resources/tz/zones.tsv) against the host's
// tzdata it was generated from: every zone's rule is the footer of the host's TZif file, every
// link resolves to the zone the host links it to, and every name gives the host's offsets
// from 2020 (the table's cutoff) to 2037. Skipped when the host lacks tzdata or has another
// release (regenerate with scripts/gen-tz-table).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include "support/host_zoneinfo.h"
#include "util/time_zone_table.h"

namespace {

using iron::test::HostZone;

std::string host_file(const std::string& name) {
  std::ifstream f(std::string(iron::test::kHostZoneinfo) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The POSIX TZ footer: the last line of a TZif v2+ file (RFC 8536 section 3.3).
std::string footer_of(const std::string& tzif) {
  const size_t end = tzif.size() - 1;  // the closing newline
  return tzif.substr(tzif.rfind('\n', end - 1) + 1, end - tzif.rfind('\n', end - 1) - 1);
}

// name -> second field of the table ("=target" for a link).
std::map<std::string, std::string> table_rows() {
  std::map<std::string, std::string> rows;
  std::istringstream in{std::string(iron::util::embedded_time_zone_table())};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    rows[line.substr(0, tab)] = line.substr(tab + 1, line.find('\t', tab + 1) - tab - 1);
  }
  return rows;
}

bool host_matches_table() {
  return !iron::test::host_tzdata_version().empty() &&
         iron::test::host_tzdata_version() == iron::util::time_zone_data_version();
}

TEST(TimeZoneTable, NamesAreIanaSpellingsAndLinksResolve) {
  EXPECT_FALSE(iron::util::time_zone_data_version().empty());
  EXPECT_GT(iron::util::time_zone_names().size(), 500u);
  for (const char* unknown : {"", "europe/berlin", "EUROPE/BERLIN", "Europe/Berlin ", "Mars/Olympus_Mons", "UTC+01:00",
                              "Etc/GMT+15", "CET-1CEST,M3.5.0,M10.5.0/3"})
    EXPECT_EQ(iron::util::find_time_zone(unknown), nullptr) << '"' << unknown << '"';
  const std::pair<const char*, const char*> links[] = {{"US/Eastern", "America/New_York"},
                                                       {"Asia/Calcutta", "Asia/Kolkata"},
                                                       {"UTC", "Etc/UTC"},
                                                       {"Europe/Berlin", "Europe/Berlin"}};
  for (const auto& [name, target] : links) {
    const auto* zone = iron::util::find_time_zone(name);
    ASSERT_NE(zone, nullptr) << name;
    EXPECT_EQ(zone->name(), target);
  }
}

TEST(TimeZoneTable, EveryRuleAndLinkIsTheHosts) {
  if (!host_matches_table())
    GTEST_SKIP() << "host tzdata '" << iron::test::host_tzdata_version() << "', table "
                 << iron::util::time_zone_data_version();
  const auto rows = table_rows();
  ASSERT_EQ(rows.size(), iron::util::time_zone_names().size());
  for (const auto& [name, rule] : rows) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(iron::test::host_has_zone(name));
    if (rule.starts_with('=')) {
      EXPECT_EQ(host_file(name), host_file(rule.substr(1))) << "the host's link has the target's data";
      EXPECT_EQ(iron::util::find_time_zone(name)->name(), rule.substr(1));
    } else {
      EXPECT_EQ(rule, footer_of(host_file(name)));
      EXPECT_EQ(iron::util::find_time_zone(name)->name(), name);
    }
  }
}

// Offsets every 3 days 1 hour (so the hour of day rotates) and at every host transition (none
// lie closer than 3 days: Casablanca's Ramadan changes are a month apart).
TEST(TimeZoneTable, EveryZoneGivesTheHostsOffsets) {
  if (!host_matches_table())
    GTEST_SKIP() << "host tzdata '" << iron::test::host_tzdata_version() << "', table "
                 << iron::util::time_zone_data_version();
  constexpr int64_t from = 1577836800, to = 2145916800;  // 2020-01-01 .. 2038-01-01 UTC
  for (const auto& [name, rule] : table_rows()) {
    if (rule.starts_with('=')) continue;  // same data as its target, checked above
    SCOPED_TRACE(name);
    const auto* zone = iron::util::find_time_zone(name);
    HostZone host(name);
    int mismatches = 0;
    for (int64_t t = from; t < to && mismatches < 3; t += 73 * 3600)
      if (zone->type_at(t).utoff != host.utoff(t)) {
        ++mismatches;
        ADD_FAILURE() << "offset at " << t << ": " << zone->type_at(t).utoff << " vs host " << host.utoff(t);
      }
    for (int64_t t : host.transitions(from, to, 73 * 3600)) {
      EXPECT_EQ(zone->type_at(t - 1).utoff, host.utoff(t - 1)) << "before " << t;
      EXPECT_EQ(zone->type_at(t).utoff, host.utoff(t)) << "at " << t;
    }
  }
}

}  // namespace
