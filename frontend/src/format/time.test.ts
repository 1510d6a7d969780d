import { describe, expect, it } from 'vitest'
import { formatDateTime, formatRelative, formatUtc, toDate } from './time'

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
