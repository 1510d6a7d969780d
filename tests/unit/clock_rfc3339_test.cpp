#include <gtest/gtest.h>

#include "util/clock.h"

using iron::util::from_unix_ms;
using iron::util::parse_rfc3339;
using iron::util::to_unix_ms;

TEST(ClockRfc3339, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(to_unix_ms(*parse_rfc3339("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(to_unix_ms(*parse_rfc3339("2026-01-31T12:00:00.250Z")), 1769860800250);
  EXPECT_EQ(to_unix_ms(*parse_rfc3339("2026-01-31T14:00:00+02:00")), 1769860800000);
  EXPECT_EQ(iron::util::to_rfc3339_millis(from_unix_ms(1769860800250)), "2026-01-31T12:00:00.250Z");
}

TEST(ClockRfc3339, RefusesGarbageAndTimesThatWouldWrapAround) {
  for (const char* bad : {"", "yesterday", "2026-01-31", "2026-01-31T12:00:00", "2026-13-01T00:00:00Z",
                          "2026-01-31T12:00:00+0200", "2999-01-01T00:00:00Z", "1600-01-01T00:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  // The far but representable future still works (and stays in the future).
  const auto far = parse_rfc3339("2200-01-01T00:00:00Z");
  ASSERT_TRUE(far.has_value());
  EXPECT_GT(*far, iron::util::now());
}
