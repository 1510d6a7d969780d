import { apiUrl } from '../base'

/** Body of GET <base>health. */
export interface Health {
  status: string
  version: string
  build_sha: string
  uptime_s: number
  checks: Record<string, string>
}

function isHealth(value: unknown): value is Health {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.status === 'string' &&
    typeof v.version === 'string' &&
    typeof v.build_sha === 'string' &&
    typeof v.uptime_s === 'number' &&
    typeof v.checks === 'object' &&
    v.checks !== null &&
    Object.values(v.checks).every((c) => typeof c === 'string')
  )
}

/**
 * Fetches the health report. A degraded server may answer 503 with the same body,
 * so the body is used whenever it has the right shape, whatever the status code.
 */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  const init: RequestInit = { headers: { Accept: 'application/json' }, cache: 'no-store' }
  if (signal) init.signal = signal
  const res = await fetch(apiUrl('health'), init)
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    // not JSON: reported below
  }
  if (isHealth(body)) return body
  throw new Error(`GET health: HTTP ${res.status}${res.ok ? ' (unexpected body)' : ''}`)
}
