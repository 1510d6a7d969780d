// The browser's side of a file download, for unit tests: jsdom has no object URLs and cannot
// navigate, so both are stubbed. Pair it with a `csvReply` route on mockApi.
import { vi } from 'vitest'
import type { MockReply } from './mockApi'

/** Stubs object URLs and the anchor click; the returned spy records each hand-over to the browser. */
export function stubDownloads() {
  URL.createObjectURL = vi.fn(() => 'blob:x')
  URL.revokeObjectURL = vi.fn()
  return vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
}

/** A CSV answer as the server streams it, to be saved under `filename`. */
export function csvReply(filename: string, body: string): MockReply {
  return { headers: { 'Content-Type': 'text/csv', 'Content-Disposition': `attachment; filename="${filename}"` }, body }
}
