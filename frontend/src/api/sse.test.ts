import { describe, expect, it } from 'vitest'
import { createSseParser, type SseFrame } from './sse'

describe('createSseParser', () => {
  it('parses frames split anywhere across chunks', () => {
    const frames: SseFrame[] = []
    const retries: number[] = []
    const feed = createSseParser((f) => frames.push(f), (ms) => retries.push(ms))
    const stream = ': connected\nretry: 3000\n\nid: 7\nevent: usage.tick\ndata: {"agent_id":1}\n\n: heartbeat\n\nid: 8\nevent: lease.opened\ndata: a\ndata: b\r\n\r\n'
    for (const ch of stream) feed(ch)
    expect(retries).toEqual([3000])
    expect(frames).toEqual([
      { id: '7', event: 'usage.tick', data: '{"agent_id":1}' },
      { id: '8', event: 'lease.opened', data: 'a\nb' },
    ])
  })

  it('does not dispatch a frame without data and defaults the type to message', () => {
    const frames: SseFrame[] = []
    const feed = createSseParser((f) => frames.push(f))
    feed('event: nothing\n\ndata: x\n\n')
    expect(frames).toEqual([{ id: null, event: 'message', data: 'x' }])
  })
})
