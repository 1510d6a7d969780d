// The audit log's API (GET /api/v1/audit, admin): one cursor page at a time, and the same
// filters as a CSV download. The only caller of that route.
import { api, unwrap } from '../../api/client'
import { downloadFile } from '../../api/download'
import type { components } from '../../api/schema'
import type { CursorPage } from '../../composables/useCursorList'

export type AuditEntry = components['schemas']['AuditEntry']

/** The filters, as they live in the URL (empty = not filtering). Times are RFC 3339. */
export interface AuditFilters {
  actor_id: string
  action: string
  entity_type: string
  entity_id: string
  from: string
  to: string
}

export const noFilters: AuditFilters = { actor_id: '', action: '', entity_type: '', entity_id: '', from: '', to: '' }

/** The filters the server should see: empty ones left out. */
export function auditQuery(f: AuditFilters): Partial<AuditFilters> {
  const out: Partial<AuditFilters> = {}
  for (const [k, v] of Object.entries(f) as [keyof AuditFilters, string][]) if (v.trim()) out[k] = v.trim()
  return out
}

export const PAGE_SIZE = 50

export async function fetchAuditPage(f: AuditFilters, cursor: string | null, signal: AbortSignal): Promise<CursorPage<AuditEntry>> {
  const query = { ...auditQuery(f), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }
  const page = await unwrap(api.GET('/api/v1/audit', { params: { query }, signal }))
  // The route's type also holds its text/csv answer (format=csv), which this call never asks for.
  return page as CursorPage<AuditEntry>
}

/** Every row matching the filters as audit.csv (the server streams it; paging does not apply). */
export function exportAuditCsv(f: AuditFilters): Promise<string> {
  return downloadFile('/api/v1/audit', { ...auditQuery(f), format: 'csv' }, 'audit.csv')
}
