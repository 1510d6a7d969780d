// Times arrive as RFC 3339 strings (new fields) or ms since the epoch (predecessor fields).
// Shown in the browser's zone; the UTC form goes into title attributes; relative text
// ("3 min ago") is only ever shown beside an absolute time.

export type TimeInput = string | number | Date

export function toDate(v: TimeInput | null | undefined): Date | null {
  if (v == null || v === '') return null
  const d = v instanceof Date ? v : new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

/** "Nov 30, 2026, 3:07 AM" in the browser's zone and locale. */
export function formatDateTime(v: TimeInput | null | undefined, opts: { dateOnly?: boolean } = {}): string {
  const d = toDate(v)
  if (!d) return '—'
  return (opts.dateOnly ? dateOnly : absolute).format(d)
}

/** The browser's IANA zone ("UTC" when it reports none). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/**
 * "Dec 1, 2026, 12:00 AM Europe/Berlin": wall-clock time in an IANA zone, the zone named.
 * A zone the browser does not know falls back to the browser's zone, named as such.
 */
export function formatInZone(v: TimeInput | null | undefined, zone: string): string {
  const d = toDate(v)
  if (!d) return '—'
  try {
    return `${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(d)} ${zone}`
  } catch {
    return `${absolute.format(d)} (your time)`
  }
}

/** "2026-11-30 03:07:16 UTC": unambiguous, for title attributes and exports. */
export function formatUtc(v: TimeInput | null | undefined): string {
  const d = toDate(v)
  if (!d) return ''
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' })
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
]

/** "3 min. ago", "in 2 days": coarse, for display beside an absolute time only. */
export function formatRelative(v: TimeInput | null | undefined, now: number = Date.now()): string {
  const d = toDate(v)
  if (!d) return ''
  let amount = (d.getTime() - now) / 1000
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit)
    amount /= size
  }
  return ''
}
