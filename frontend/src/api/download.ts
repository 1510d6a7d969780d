// File downloads from the API (CSV exports). A plain link cannot carry the Bearer token, so the
// file is fetched through authFetch and handed to the browser as a blob with the server's
// filename (Content-Disposition). Same scoping and filters as the JSON list: pass the query.
import { apiUrl } from '../base'
import { authFetch } from './client'
import { apiErrorFrom } from './errors'
import type { paths } from './schema'

type Query = Record<string, string | number | boolean | null | undefined>

/** The filename from a Content-Disposition header (RFC 6266, incl. filename*=UTF-8''…). */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // malformed: try the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
  return plain?.[1]?.trim() || fallback
}

/** The request URL: `path` under the mount point, empty query values left out. */
export function downloadUrl(path: keyof paths & string, query: Query): URL {
  const url = apiUrl(path)
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v))
  return url
}

/** Downloads `path?query` as a file (CSV by default); throws ApiError on failure. */
export async function downloadFile(path: keyof paths & string, query: Query, fallbackName: string, accept = 'text/csv'): Promise<string> {
  const res = await authFetch(new Request(downloadUrl(path, query), { headers: { Accept: accept } }))
  if (!res.ok) {
    const body = await res.json().catch(() => null)
    throw apiErrorFrom(res.status, body, res.headers)
  }
  const name = filenameFrom(res.headers.get('Content-Disposition'), fallbackName)
  const href = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = href
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  // Revoke after the click was handled; the download keeps its own reference.
  setTimeout(() => URL.revokeObjectURL(href), 0)
  return name
}
