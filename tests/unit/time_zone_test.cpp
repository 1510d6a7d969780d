// The time-zone module (util/posix_tz_rule.h, util/time_zone.h) against the host: offsets,
// transition instants and the start of local days, for zones chosen for their shapes, every
// year from 2020 (the table's cutoff) to 2037 (the end of the host's explicit transitions).
// Expectations come from glibc reading the host's tzdata at run time (support/host_zoneinfo.h).
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>

#include "support/host_zoneinfo.h"
#include "util/clock.h"
#include "util/posix_tz_rule.h"
#include "util/time_zone_table.h"

namespace {

using iron::test::HostZone;
using iron::util::PosixTzRule;
using namespace std::chrono;

constexpr int64_t kFrom = 1577836800;  // 2020-01-01T00:00:00Z
constexpr int64_t kTo = 2145916800;    // 2038-01-01T00:00:00Z

std::string utc(int64_t s) { return iron::util::to_rfc3339(iron::util::TimePoint{seconds{s}}); }

int64_t local_midnight(sys_days d) { return duration_cast<seconds>(d.time_since_epoch()).count(); }

// `utoff_at(t)` (our offset at instant t) agrees with the host's just before and at each of
// its transitions, and at instants every 6 h 7 s (drifting across times of day) in between.
template <class UtoffAt>
void expect_offsets_match(const HostZone& host, const UtoffAt& utoff_at) {
  for (int64_t t : host.transitions(kFrom, kTo, 6 * 3600)) {
    EXPECT_EQ(utoff_at(t - 1), host.utoff(t - 1)) << "before " << utc(t);
    EXPECT_EQ(utoff_at(t), host.utoff(t)) << "at " << utc(t);
  }
  for (int64_t t = kFrom; t < kTo; t += 6 * 3600 + 7) EXPECT_EQ(utoff_at(t), host.utoff(t)) << utc(t);
}

TEST(PosixTzRule, RefusesMalformedRules) {
  for (const char* bad : {"", "CET", "CE-1", "<AB>1", "CET-25", "CET-1:60", "CET-1CEST", "CET-1CEST,M3.5.0",
                          "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
                          "CET-1CEST,M0.5.0,M10.5.0", "CET-1CEST,J0,J100", "CET-1CEST,J366,J100", "CET-1CEST,366,100",
                          "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0 ", "CET-1CEST,M3.5.0,M10.5.0,",
                          "<+01-1", "UTC0x"})
    EXPECT_FALSE(PosixTzRule::parse(bad).has_value()) << '"' << bad << '"';
}

// Rules of every shape the grammar allows, evaluated by glibc from the same string: Mm.w.d,
// Jn, zero-based n, negative and over-24 h transition times, southern DST, explicit DST
// offsets, half-hour and 45-minute offsets.
TEST(PosixTzRule, AgreesWithGlibcOnEveryRuleShape) {
  for (const char* rule : {"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "AEST-10AEDT,M10.1.0,M4.1.0/3",
                           "<-04>4<-03>,M9.1.6/24,M4.1.6/24", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
                           "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "CST5CDT,M3.2.0/0,M11.1.0/1", "IST-1GMT0,M10.5.0,M3.5.0/1",
                           "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "AAA3BBB,J60/-1,J300/26", "<+03>-3<+04>,59/0,300/25",
                           "XXX-2YYY-3:30,M3.1.0/-2:30,M11.1.0/1:15:30", "<+0545>-5:45",
                           "<-05>5", "UTC0", "AAA+3BBB+2,M1.1.1/167,M12.5.6/-167"}) {
    SCOPED_TRACE(rule);
    const auto parsed = PosixTzRule::parse(rule);
    ASSERT_TRUE(parsed.has_value());
    expect_offsets_match(HostZone(rule), [&](int64_t t) { return parsed->at(t).utoff; });
  }
}

// zic writes "DST all year" as DST starting on January 1 at 00:00 and ending after December 31
// (RFC 8536 section 3.3.1). glibc reads such a rule as standard time at each year's turn, so
// here the expectation is the RFC's: daylight time at every instant.
TEST(PosixTzRule, DstAllYearNeverEnds) {
  const auto rule = PosixTzRule::parse("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(rule.has_value());
  for (int64_t t = kFrom; t < kTo; t += 86400 - 1) {
    EXPECT_TRUE(rule->at(t).is_dst) << utc(t);
    EXPECT_EQ(rule->at(t).utoff, -4 * 3600) << utc(t);
  }
}

// Zones chosen for their shapes: northern and southern DST, +05:30, +05:45, +12:45 with DST,
// midnight skipped (Santiago, Beirut, Asuncion before 2024) or repeated (Havana), 30-minute
// DST (Lord Howe), negative DST (Dublin), rule changes since 2020 (Santiago, Tehran, Nuuk),
// Casablanca's Ramadan transitions (not expressible as a rule: kept explicitly), the
// inverted sign of Etc/GMT+5, +14 (Kiritimati), a link (US/Eastern) and UTC.
const char* const kShapedZones[] = {
    "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham",
    "America/Santiago", "Africa/Casablanca", "Etc/GMT+5", "UTC", "Asia/Beirut", "America/Havana",
    "Australia/Lord_Howe", "Europe/Dublin", "Asia/Tehran", "America/Nuuk", "America/Asuncion", "Pacific/Kiritimati",
    "Asia/Gaza", "US/Eastern", "America/Sao_Paulo", "Pacific/Auckland"};

// One instance per zone, so that a zone missing from the host skips only itself.
class TimeZoneAgainstHost : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!iron::test::host_has_zone(GetParam())) GTEST_SKIP() << "the host has no zoneinfo for " << GetParam();
    zone = iron::util::find_time_zone(GetParam());
    ASSERT_NE(zone, nullptr);
  }
  const iron::util::TimeZone* zone = nullptr;
};

INSTANTIATE_TEST_SUITE_P(ShapedZones, TimeZoneAgainstHost, ::testing::ValuesIn(kShapedZones),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST_P(TimeZoneAgainstHost, OffsetsAndTransitionsMatchTheHost) {
  expect_offsets_match(HostZone(GetParam()), [&](int64_t t) { return zone->type_at(t).utoff; });
}

// The start of local days around every transition (23 and 25-hour days, midnights skipped
// or repeated) and of every month and Monday, against the host's piecewise offsets.
TEST_P(TimeZoneAgainstHost, LocalDaysStartWhereTheHostSays) {
  HostZone host(GetParam());
  std::vector<sys_days> days_to_check;
  for (int64_t t : host.transitions(kFrom, kTo, 6 * 3600)) {
    const sys_days d = floor<days>(sys_seconds{seconds{host.to_local(t)}});
    for (int i = -1; i <= 1; ++i) days_to_check.push_back(d + days{i});
  }
  for (year_month m = 2020y / January; m < 2038y / January; m += months{1}) days_to_check.push_back(sys_days{m / 1});
  for (sys_days d = sys_days{2026y / January / Monday[1]}; d < sys_days{2028y / January / 1}; d += weeks{1})
    days_to_check.push_back(d);
  for (sys_days d : days_to_check) {
    const int64_t expected = host.first_instant_at_or_after(local_midnight(d));
    EXPECT_EQ(zone->start_of_day(d), expected) << "day " << utc(local_midnight(d)).substr(0, 10);
    EXPECT_EQ(zone->local_date(expected), d) << "the day's first instant lies in it";
  }
}

}  // namespace
