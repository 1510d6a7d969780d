import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../test/mockApi'
import { csvReply, stubDownloads } from '../test/mockDownload'
import { downloadFile, downloadUrl, filenameFrom } from './download'

describe('filenameFrom', () => {
  const cases: [string | null, string][] = [
    ['attachment; filename="events-2026-11-30.csv"', 'events-2026-11-30.csv'],
    ['attachment; filename=spend.csv', 'spend.csv'],
    ["attachment; filename=\"x.csv\"; filename*=UTF-8''d%C3%A9penses.csv", 'dépenses.csv'],
    ['inline', 'fallback.csv'],
    [null, 'fallback.csv'],
  ]
  for (const [header, want] of cases) it(String(header), () => expect(filenameFrom(header, 'fallback.csv')).toBe(want))
})

describe('downloadFile', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('asks for CSV with the filters and hands the file to the browser under the server’s name', async () => {
    const mock = mockApi().on('GET', '/api/v1/analytics/events/list', csvReply('events.csv', 'a,b\n1,2\n'))
    const click = stubDownloads()
    const name = await downloadFile('/api/v1/analytics/events/list', { format: 'csv', agent_id: 7, provider: '' }, 'x.csv')
    expect(name).toBe('events.csv')
    expect(click).toHaveBeenCalledOnce()
    const call = mock.calls('GET', '/api/v1/analytics/events/list')[0]!
    expect(call.url.search).toBe('?format=csv&agent_id=7')
    expect(call.headers.get('Accept')).toBe('text/csv')
  })

  it('turns a refusal into an ApiError', async () => {
    mockApi().on('GET', '/api/v1/audit', { status: 403, body: envelope('INSUFFICIENT_PERMISSIONS', 'this action requires the admin role') })
    await expect(downloadFile('/api/v1/audit', {}, 'audit.csv')).rejects.toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSIONS' })
  })

  it('keeps the URL under the mount point', () => {
    expect(downloadUrl('/api/v1/audit', { a: 1 }).pathname).toBe('/api/v1/audit')
  })
})
