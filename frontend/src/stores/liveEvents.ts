// The one live connection to /api/v1/events/stream per tab. Views subscribe to event types
// instead of polling; the top bar shows `status` as the "live" indicator. The stream is read
// with fetch (see api/sse.ts) so it carries the session's Bearer token, and it reconnects with
// exponential backoff plus jitter after any failure (401s refresh the session first).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { apiUrl } from '../base'
import { authFetch } from '../api/client'
import { createSseParser, type SseFrame } from '../api/sse'

export type LiveStatus = 'off' | 'connecting' | 'live' | 'retrying'

export interface LiveEvent {
  id: string | null
  type: string
  data: unknown
  receivedAt: number
}

type Listener = (e: LiveEvent) => void

const MIN_DELAY_MS = 1_000
const MAX_DELAY_MS = 30_000
const RECENT_MAX = 50

function parseData(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}

export const useLiveEventsStore = defineStore('liveEvents', () => {
  const status = ref<LiveStatus>('off')
  /** Newest first, at most RECENT_MAX: enough for a "latest events" feed. */
  const recent = shallowRef<LiveEvent[]>([])
  const listeners = new Map<string, Set<Listener>>()
  let controller: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let failures = 0
  let serverRetryMs = MIN_DELAY_MS

  function emit(frame: SseFrame): void {
    const e: LiveEvent = { id: frame.id, type: frame.event, data: parseData(frame.data), receivedAt: Date.now() }
    recent.value = [e, ...recent.value].slice(0, RECENT_MAX)
    for (const key of [e.type, '*']) listeners.get(key)?.forEach((fn) => fn(e))
  }

  /** Calls `fn` for every event of `type` ('*' for all); returns the unsubscribe function. */
  function subscribe(type: string, fn: Listener): () => void {
    let set = listeners.get(type)
    if (!set) listeners.set(type, (set = new Set()))
    set.add(fn)
    return () => set.delete(fn)
  }

  function scheduleReconnect(): void {
    if (!controller) return // stopped meanwhile
    status.value = 'retrying'
    const backoff = Math.min(MAX_DELAY_MS, Math.max(serverRetryMs, MIN_DELAY_MS) * 2 ** Math.min(failures, 5))
    failures++
    // Jitter spreads reconnects of many tabs after a server restart.
    timer = setTimeout(() => void open(), backoff / 2 + Math.random() * (backoff / 2))
  }

  async function open(): Promise<void> {
    timer = null
    const mine = controller
    if (!mine) return
    status.value = failures ? 'retrying' : 'connecting'
    try {
      const res = await authFetch(
        new Request(apiUrl('api/v1/events/stream'), { headers: { Accept: 'text/event-stream' }, signal: mine.signal }),
      )
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
      status.value = 'live'
      failures = 0
      const parse = createSseParser(emit, (ms) => (serverRetryMs = ms))
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        parse(value)
      }
    } catch {
      // fall through to the reconnect below, unless stop() aborted us
    }
    if (controller === mine && !mine.signal.aborted) scheduleReconnect()
  }

  /** Opens the stream (idempotent). Called when a session starts. */
  function start(): void {
    if (controller) return
    controller = new AbortController()
    failures = 0
    void open()
  }

  /** Closes the stream. Called on sign-out. */
  function stop(): void {
    controller?.abort()
    controller = null
    if (timer) clearTimeout(timer)
    timer = null
    status.value = 'off'
  }

  return { status, recent, subscribe, start, stop }
})
