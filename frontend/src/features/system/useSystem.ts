// The System page's API (admin): GET /api/v1/system and the backup download. The only
// caller of those routes.
import { api, unwrap } from '../../api/client'
import { downloadFile } from '../../api/download'
import type { ApiError } from '../../api/errors'
import type { paths } from '../../api/schema'
import { formatBytes } from './formatBytes'

export type SystemInfo = paths['/api/v1/system']['get']['responses'][200]['content']['application/json']

export function fetchSystem(signal?: AbortSignal): Promise<SystemInfo> {
  return unwrap(api.GET('/api/v1/system', { signal }))
}

/** Saves the snapshot under the server's filename; throws ApiError when refused. */
export function downloadBackup(): Promise<string> {
  return downloadFile('/api/v1/system/backup', {}, 'ironpanel-backup.db', 'application/vnd.sqlite3')
}

/** The server's refusal of a backup, in words for the page (null: show the generic error). */
export function backupRefusal(e: ApiError): string | null {
  switch (e.code) {
    case 'BACKUP_IN_PROGRESS':
      return 'Another backup is being made or downloaded right now. Try again when it has finished.'
    case 'INSUFFICIENT_STORAGE': {
      const d = (e.details ?? {}) as { needed_bytes?: number; free_bytes?: number }
      const sizes = typeof d.needed_bytes === 'number' && typeof d.free_bytes === 'number'
        ? ` It needs ${formatBytes(d.needed_bytes)}; ${formatBytes(d.free_bytes)} is free.` : ''
      return `The data directory does not have enough free space for a backup.${sizes} Free some space and try again.`
    }
    default:
      return null
  }
}
