// The one live connection to /api/v1/events/stream. Views subscribe to event types instead of
// polling; the top bar shows `status` as the "live" indicator. The stream is read with fetch
// (see api/sse.ts) so it carries the session's Bearer token, and it reconnects with exponential
// backoff plus jitter after any failure (401s refresh the session first).
//
// One stream per browser, not per tab: the server caps streams per user, so the tabs elect a
// leader with a Web Lock; the leader reads the stream and rebroadcasts every event and its
// status on a BroadcastChannel, the other tabs listen. When the leader's tab closes or signs
// out its lock is released and another tab takes over.
//
// Resync: the stream can miss events. A replica whose PostgreSQL relay lost its connection
// sends `stream.resync` (docs/postgresql.md, "Wiring the replica pieces"), and a stream that had
// to be opened again missed whatever was published meanwhile (the server replays nothing). Both
// take one path: every view showing live data registered its refetch with `onResync`, and
// those run (no page reload); the server's resync also says so in an info toast.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { apiUrl } from '../base'
import { authFetch } from '../api/client'
import { createSseParser, type SseFrame } from '../api/sse'
import { useToastStore } from './toasts'

export type LiveStatus = 'off' | 'connecting' | 'live' | 'retrying'

export interface LiveEvent {
  id: string | null
  type: string
  data: unknown
  receivedAt: number
}

type Listener = (e: LiveEvent) => void

const CHANNEL = 'ironpanel.live'
const MIN_DELAY_MS = 1_000
const MAX_DELAY_MS = 30_000
const RECENT_MAX = 50
/** The server's "what you have may be stale: refetch" event (src/domain/event_bus.h). */
export const RESYNC_EVENT = 'stream.resync'
/** The data of the resync a leader raises itself after opening the stream again. */
const RECONNECTED = '{"reason":"reconnected"}'
export const RESYNC_NOTICE = 'Live updates missed some events; the data shown was refreshed'

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
  const resyncers = new Set<() => void>()
  let controller: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let failures = 0
  let serverRetryMs = MIN_DELAY_MS
  let channel: BroadcastChannel | null = null
  let leading = false
  // This tab has seen the stream live (its own or the leader's): opening it again leaves a gap.
  let wasLive = false

  function resync(frame: SseFrame): void {
    resyncers.forEach((fn) => fn())
    if (frame.data !== RECONNECTED && resyncers.size) useToastStore().info(RESYNC_NOTICE)
  }

  function deliver(frame: SseFrame): void {
    if (frame.event === RESYNC_EVENT) return resync(frame)
    const e: LiveEvent = { id: frame.id, type: frame.event, data: parseData(frame.data), receivedAt: Date.now() }
    recent.value = [e, ...recent.value].slice(0, RECENT_MAX)
    for (const key of [e.type, '*']) listeners.get(key)?.forEach((fn) => fn(e))
  }

  // Leader only: an event from the stream, for this tab and the others.
  function emit(frame: SseFrame): void {
    deliver(frame)
    channel?.postMessage({ kind: 'event', frame })
  }

  function setStatus(s: LiveStatus): void {
    status.value = s
    wasLive ||= s === 'live'
    channel?.postMessage({ kind: 'status', status: s })
  }

  /** Calls `fn` for every event of `type` ('*' for all); returns the unsubscribe function. */
  function subscribe(type: string, fn: Listener): () => void {
    let set = listeners.get(type)
    if (!set) listeners.set(type, (set = new Set()))
    set.add(fn)
    return () => set.delete(fn)
  }

  /** Calls `fn` whenever the stream may have missed events (see the top); returns the unsubscribe function. */
  function onResync(fn: () => void): () => void {
    resyncers.add(fn)
    return () => resyncers.delete(fn)
  }

  function scheduleReconnect(): void {
    if (!controller) return // stopped meanwhile
    setStatus('retrying')
    const backoff = Math.min(MAX_DELAY_MS, Math.max(serverRetryMs, MIN_DELAY_MS) * 2 ** Math.min(failures, 5))
    failures++
    // Jitter spreads reconnects of many tabs after a server restart.
    timer = setTimeout(() => void open(), backoff / 2 + Math.random() * (backoff / 2))
  }

  async function open(): Promise<void> {
    timer = null
    const mine = controller
    if (!mine) return
    setStatus(failures ? 'retrying' : 'connecting')
    try {
      const res = await authFetch(
        new Request(apiUrl('api/v1/events/stream'), { headers: { Accept: 'text/event-stream' }, signal: mine.signal }),
      )
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
      const gap = wasLive
      setStatus('live')
      failures = 0
      if (gap) emit({ id: null, event: RESYNC_EVENT, data: RECONNECTED })
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

  // A follower tab: events and status come from the leader.
  function onMessage(m: MessageEvent): void {
    const msg = m.data as { kind: string; frame?: SseFrame; status?: LiveStatus }
    if (leading) {
      if (msg.kind === 'hello') channel?.postMessage({ kind: 'status', status: status.value })
    } else if (msg.kind === 'event' && msg.frame) {
      deliver(msg.frame)
    } else if (msg.kind === 'status' && msg.status) {
      status.value = msg.status
      wasLive ||= msg.status === 'live'
    }
  }

  /** Joins the live stream (idempotent). Called when the signed-in shell mounts. */
  function start(): void {
    if (controller) return
    const mine = (controller = new AbortController())
    failures = 0
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
    if (!locks || typeof BroadcastChannel === 'undefined') {
      leading = true
      void open()
      return
    }
    channel = new BroadcastChannel(CHANNEL)
    channel.onmessage = onMessage
    status.value = 'connecting'
    channel.postMessage({ kind: 'hello' }) // a leader answers with its status
    locks
      .request(CHANNEL, { signal: mine.signal }, async () => {
        leading = true
        void open()
        // Lead until this tab stops (sign-out, closing the tab).
        await new Promise<void>((resolve) => mine.signal.addEventListener('abort', () => resolve(), { once: true }))
      })
      .catch(() => {
        // stopped while waiting to lead
      })
  }

  /** Leaves the live stream (closing it if this tab leads). Called on sign-out. */
  function stop(): void {
    controller?.abort()
    controller = null
    if (timer) clearTimeout(timer)
    timer = null
    leading = false
    wasLive = false
    channel?.close()
    channel = null
    status.value = 'off'
  }

  return { status, recent, subscribe, onResync, start, stop }
})
