import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { stubDownloads } from '../../test/mockDownload'
import { ApiError } from '../../api/errors'
import { backupRefusal, downloadBackup, fetchSystem } from './useSystem'
import { formatBytes, formatUptime } from './formatBytes'

describe('useSystem', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    stubDownloads()
  })

  it('reads the facts', async () => {
    const mock = mockApi().on('GET', '/api/v1/system', { body: { version: '1.0.0', uptime_s: 5 } })
    expect((await fetchSystem()).version).toBe('1.0.0')
    expect(mock.calls('GET', '/api/v1/system')).toHaveLength(1)
  })

  it('downloads the backup under the server’s filename', async () => {
    const mock = mockApi().on('GET', '/api/v1/system/backup', {
      body: 'SQLite format 3',
      headers: { 'Content-Type': 'application/vnd.sqlite3', 'Content-Disposition': 'attachment; filename="ironpanel-backup-x.db"' },
    })
    expect(await downloadBackup()).toBe('ironpanel-backup-x.db')
    expect(mock.calls('GET', '/api/v1/system/backup')[0]!.headers.get('Accept')).toBe('application/vnd.sqlite3')
  })

  it('turns the two refusals into words', async () => {
    mockApi().on('GET', '/api/v1/system/backup', { status: 409, body: envelope('BACKUP_IN_PROGRESS', 'another backup is running') })
    const e = await downloadBackup().catch((x: unknown) => x as ApiError)
    expect(e).toMatchObject({ status: 409, code: 'BACKUP_IN_PROGRESS' })
    expect(backupRefusal(e as ApiError)).toMatch(/Another backup/)
    mockApi().on('GET', '/api/v1/system/backup', {
      status: 503, body: envelope('INSUFFICIENT_STORAGE', 'not enough free space', { needed_bytes: 17 * 1024 * 1024, free_bytes: 5 }),
    })
    const short = await downloadBackup().catch((x: unknown) => x as ApiError)
    expect(backupRefusal(short as ApiError)).toBe(
      'The data directory does not have enough free space for a backup. It needs 17 MiB; 5 B is free. Free some space and try again.')
    expect(backupRefusal(new ApiError(500, 'INTERNAL', 'x'))).toBeNull()
  })
})

describe('formatBytes / formatUptime', () => {
  it.each([
    [0, '0 B'], [1023, '1023 B'], [1024, '1.0 KiB'], [1536, '1.5 KiB'], [10 * 1024, '10 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'], [-1, '—'],
  ])('%d bytes → %s', (n, text) => expect(formatBytes(n)).toBe(text))

  it('formats uptime', () => {
    expect(formatUptime(42)).toBe('42 s')
    expect(formatUptime(3 * 60)).toBe('3 min')
    expect(formatUptime(93784)).toBe('1 d 2 h 3 min')
  })
})
