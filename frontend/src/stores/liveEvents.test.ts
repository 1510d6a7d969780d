import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { mockApi } from '../test/mockApi'
import { signIn } from '../test/signIn'
import { RESYNC_NOTICE, useLiveEventsStore } from './liveEvents'
import { useToastStore } from './toasts'

const SSE = { 'Content-Type': 'text/event-stream' }

describe('live events store', () => {
  let mock: ReturnType<typeof mockApi>
  beforeEach(async () => {
    ;({ mock } = await signIn('tok'))
  })
  afterEach(() => useLiveEventsStore().stop())

  it('reads the stream with the Bearer token and dispatches events to subscribers', async () => {
    mock.on('GET', '/api/v1/events/stream', {
      headers: { 'Content-Type': 'text/event-stream' },
      body: ': connected\nretry: 3000\n\nid: 1\nevent: usage.tick\ndata: {"agent_id":7}\n\nid: 2\nevent: lease.opened\ndata: {}\n\n',
    })
    const live = useLiveEventsStore()
    const ticks: unknown[] = []
    const all: string[] = []
    live.subscribe('usage.tick', (e) => ticks.push(e.data))
    const off = live.subscribe('*', (e) => all.push(e.type))
    live.start()
    await vi.waitFor(() => expect(all).toEqual(['usage.tick', 'lease.opened']))
    expect(ticks).toEqual([{ agent_id: 7 }])
    expect(live.recent.map((e) => e.id)).toEqual(['2', '1'])
    expect(mock.calls('GET', '/api/v1/events/stream')[0]?.headers.get('Authorization')).toBe('Bearer tok')
    off()
  })

  it('reconnects with backoff when the stream ends or fails, and stops on request', async () => {
    let opened = 0
    mock.on('GET', '/api/v1/events/stream', () => (++opened === 1 ? { status: 503, body: { error: { code: 'TOO_MANY_STREAMS', message: 'x', details: {} } } } : { headers: { 'Content-Type': 'text/event-stream' }, body: ': ok\n\n' }))
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const live = useLiveEventsStore()
      live.start()
      await vi.waitFor(() => expect(live.status).toBe('retrying'))
      await vi.advanceTimersByTimeAsync(60_000)
      expect(opened).toBeGreaterThanOrEqual(2)
      live.stop()
      expect(live.status).toBe('off')
      const before = opened
      await vi.advanceTimersByTimeAsync(120_000)
      expect(opened).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })

  it('turns a stream.resync into one run of every onResync listener and a notice, not into an event', async () => {
    mock.on('GET', '/api/v1/events/stream', {
      headers: SSE,
      body: 'id: 1\nevent: usage.tick\ndata: {}\n\nid: 2\nevent: stream.resync\ndata: {}\n\nid: 3\nevent: lease.opened\ndata: {}\n\n',
    })
    const live = useLiveEventsStore()
    const seen: string[] = []
    const cards = vi.fn()
    const chart = vi.fn()
    live.subscribe('*', (e) => seen.push(e.type))
    live.onResync(cards)
    const off = live.onResync(chart)
    live.start()
    await vi.waitFor(() => expect(seen).toEqual(['usage.tick', 'lease.opened']))
    expect(cards).toHaveBeenCalledTimes(1)
    expect(chart).toHaveBeenCalledTimes(1)
    expect(live.recent.map((e) => e.type)).toEqual(['lease.opened', 'usage.tick'])
    expect(useToastStore().toasts.map((t) => [t.kind, t.message])).toEqual([['info', RESYNC_NOTICE]])
    off()
    live.stop()
  })

  it('a resync with no view listening refreshes nothing and says nothing', async () => {
    mock.on('GET', '/api/v1/events/stream', { headers: SSE, body: 'id: 1\nevent: stream.resync\ndata: {}\n\nid: 2\nevent: usage.tick\ndata: {}\n\n' })
    const live = useLiveEventsStore()
    live.start()
    await vi.waitFor(() => expect(live.recent).toHaveLength(1))
    expect(useToastStore().toasts).toEqual([])
  })

  it('opening the stream again after it was live resyncs quietly (the server replays nothing); the first opening does not', async () => {
    let opened = 0
    mock.on('GET', '/api/v1/events/stream', () => {
      opened++
      return { headers: SSE, body: `id: ${opened}\nevent: usage.tick\ndata: {}\n\n` }
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const live = useLiveEventsStore()
      const refetch = vi.fn()
      live.onResync(refetch)
      live.start()
      await vi.waitFor(() => expect(live.status).toBe('retrying')) // the first stream ended
      expect(refetch).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(60_000)
      expect(opened).toBeGreaterThanOrEqual(2)
      expect(refetch).toHaveBeenCalledTimes(opened - 1)
      expect(useToastStore().toasts).toEqual([])
      live.stop()
      live.start() // signed in again: a fresh start, no gap to fill
      const before = refetch.mock.calls.length
      await vi.waitFor(() => expect(live.status).toBe('retrying'))
      expect(refetch).toHaveBeenCalledTimes(before)
    } finally {
      vi.useRealTimers()
    }
  })
})
