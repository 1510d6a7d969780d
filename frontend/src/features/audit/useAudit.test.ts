import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { csvReply, stubDownloads } from '../../test/mockDownload'
import { auditQuery, exportAuditCsv, fetchAuditPage, noFilters } from './useAudit'

const row = { id: 9, at: '2026-11-30T04:00:00.000Z', actor_id: 'user_1', actor_type: 'user', action: 'user.create',
  entity_type: 'user', entity_id: 'user_2', before: null, after: { role: 'viewer' }, request_id: 'r', client_ip: '127.0.0.1', user_agent: 'ua' }

describe('useAudit', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('sends only the filters that are set, the page size and the cursor', async () => {
    const mock = mockApi().on('GET', '/api/v1/audit', { body: { items: [row], next_cursor: '9' } })
    const f = { ...noFilters, action: 'user.create', entity_type: ' user ', from: '2026-11-01T00:00:00.000Z' }
    const page = await fetchAuditPage(f, null, new AbortController().signal)
    expect(page.items).toHaveLength(1)
    expect(page.next_cursor).toBe('9')
    await fetchAuditPage(f, '9', new AbortController().signal)
    const [first, second] = mock.calls('GET', '/api/v1/audit')
    expect(Object.fromEntries(first!.url.searchParams)).toEqual({
      action: 'user.create', entity_type: 'user', from: '2026-11-01T00:00:00.000Z', limit: '50',
    })
    expect(second!.url.searchParams.get('cursor')).toBe('9')
  })

  it('throws the server’s refusal as an ApiError', async () => {
    mockApi().on('GET', '/api/v1/audit', { status: 400, body: envelope('VALIDATION_ERROR', 'from must be an RFC 3339 time', { field: 'from' }) })
    await expect(fetchAuditPage({ ...noFilters, from: 'x' }, null, new AbortController().signal)).rejects.toMatchObject({
      status: 400, field: 'from',
    })
  })

  it('exports the same filters as CSV', async () => {
    const mock = mockApi().on('GET', '/api/v1/audit', csvReply('audit.csv', 'at,id\r\n'))
    stubDownloads()
    const name = await exportAuditCsv({ ...noFilters, actor_id: 'user_1' })
    expect(name).toBe('audit.csv')
    const call = mock.calls('GET', '/api/v1/audit')[0]!
    expect(call.url.searchParams.get('format')).toBe('csv')
    expect(call.url.searchParams.get('actor_id')).toBe('user_1')
    expect(auditQuery(noFilters)).toEqual({})
  })
})
