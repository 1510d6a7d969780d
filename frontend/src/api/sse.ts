// A Server-Sent Events parser for a fetch() body. The browser's EventSource cannot send an
// Authorization header and the server authenticates /api/v1/events/stream by Bearer token
// only (a token in the URL would end up in access logs), so the stream is read with fetch.

export interface SseFrame {
  id: string | null
  event: string
  data: string
}

/**
 * Feeds chunks of text, calls `onFrame` per complete frame and `onRetry` for `retry:` lines.
 * Follows the WHATWG event-stream rules that matter here: comment lines (":") are ignored,
 * multiple data lines join with "\n", a frame without data is not dispatched.
 */
export function createSseParser(onFrame: (f: SseFrame) => void, onRetry: (ms: number) => void = () => {}) {
  let buffer = ''
  let id: string | null = null
  let event = ''
  let data: string[] = []

  function line(l: string): void {
    if (l === '') {
      if (data.length) onFrame({ id, event: event || 'message', data: data.join('\n') })
      event = ''
      data = []
      return
    }
    if (l.startsWith(':')) return
    const colon = l.indexOf(':')
    const field = colon < 0 ? l : l.slice(0, colon)
    let value = colon < 0 ? '' : l.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') data.push(value)
    else if (field === 'event') event = value
    else if (field === 'id') id = value
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value))
  }

  return (chunk: string): void => {
    buffer += chunk
    const lines = buffer.split(/\r\n|\r|\n/)
    buffer = lines.pop() ?? ''
    for (const l of lines) line(l)
  }
}
