import { describe, expect, it } from 'vitest'
import { browserTimeZone, formatDateTime, formatInZone, formatRelative, formatUtc, toDate } from './time'

describe('time formatting', () => {
  it('accepts RFC 3339 strings and ms epochs alike', () => {
    expect(toDate('2026-11-30T03:07:16Z')?.getTime()).toBe(Date.UTC(2026, 10, 30, 3, 7, 16))
    expect(toDate(Date.UTC(2026, 10, 30))?.toISOString()).toBe('2026-11-30T00:00:00.000Z')
    expect(toDate('not a date')).toBeNull()
    expect(toDate(null)).toBeNull()
  })

  it('gives UTC for titles', () => {
    expect(formatUtc('2026-11-30T03:07:16.951Z')).toBe('2026-11-30 03:07:16 UTC')
    expect(formatUtc(null)).toBe('')
  })

  it('shows wall-clock time in a budget zone, naming the zone', () => {
    // The same instant is midnight in Berlin (UTC+1 in December) and 18:00 the day before in New York.
    const instant = '2026-11-30T23:00:00Z'
    const expected = (zone: string) =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(instant))
    expect(formatInZone(instant, 'Europe/Berlin')).toBe(`${expected('Europe/Berlin')} Europe/Berlin`)
    expect(formatInZone(instant, 'America/New_York')).toBe(`${expected('America/New_York')} America/New_York`)
    expect(formatInZone(instant, 'Not/A_Zone')).toBe(`${formatDateTime(instant)} (your time)`)
    expect(formatInZone(null, 'UTC')).toBe('—')
    expect(browserTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
  })

  it('shows a dash for a missing time', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime('2026-11-30T03:07:16Z')).toMatch(/2026/)
  })

  it('relative text in both directions', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0)
    expect(formatRelative(now - 3 * 60_000, now)).toMatch(/3 min/)
    expect(formatRelative(now - 2 * 86_400_000, now)).toMatch(/2 days ago/)
    expect(formatRelative(now + 3_600_000, now)).toMatch(/in 1 hr|in 1 hour|next hour|in 60 min/)
  })
})
