// <input type="datetime-local"> speaks local wall time without a zone; the API and the URL
// speak RFC 3339 UTC. These convert between the two (empty stays empty).

const pad = (n: number) => String(n).padStart(2, '0')

/** RFC 3339 → 'YYYY-MM-DDTHH:mm' in the browser's zone ('' when empty or invalid). */
export function toLocalInput(iso: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** 'YYYY-MM-DDTHH:mm' (local) → RFC 3339 UTC ('' when empty or invalid). */
export function fromLocalInput(local: string): string {
  if (!local) return ''
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}
