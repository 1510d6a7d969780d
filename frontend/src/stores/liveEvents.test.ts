import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi, sessionBody } from '../test/mockApi'
import { useLiveEventsStore } from './liveEvents'
import { useSessionStore } from './session'

describe('live events store', () => {
  let mock: ReturnType<typeof mockApi>
  beforeEach(async () => {
    setActivePinia(createPinia())
    mock = mockApi()
    mock.on('POST', '/api/v1/auth/login', { body: sessionBody('tok') })
    await useSessionStore().login('ada@example.com', 'pw')
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
})
