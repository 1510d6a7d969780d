// Byte counts for people: binary units (what `du -h` and `df -h` show), one decimal
// below 10 of a unit, whole numbers above.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—'
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  const digits = u === 0 || v >= 10 ? 0 : 1
  return `${v.toFixed(digits)} ${UNITS[u]}`
}

/** 93784 → "1 d 2 h 3 min"; seconds only in the first minute. */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.floor(seconds % 60)
  const parts = [d && `${d} d`, h && `${h} h`, m && `${m} min`, seconds < 60 && `${s} s`].filter(Boolean)
  return parts.join(' ')
}
