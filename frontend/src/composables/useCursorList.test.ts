import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '../api/errors'
import { useCursorList, type CursorPage } from './useCursorList'

describe('useCursorList', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads the newest page, appends the next one and stops at the end', async () => {
    const pages: Record<string, CursorPage<number>> = {
      first: { items: [5, 4], next_cursor: 'c1' },
      c1: { items: [3, 2], next_cursor: 'c2' },
      c2: { items: [1], next_cursor: null },
    }
    const asked: (string | null)[] = []
    const list = useCursorList<number>(async (cursor) => {
      asked.push(cursor)
      return pages[cursor ?? 'first']!
    })
    await list.reload()
    await list.loadMore()
    expect(list.items.value).toEqual([5, 4, 3, 2])
    expect(list.hasMore()).toBe(true)
    await list.loadMore()
    expect(list.items.value).toEqual([5, 4, 3, 2, 1])
    expect(list.hasMore()).toBe(false)
    await list.loadMore() // nothing left: no request
    expect(asked).toEqual([null, 'c1', 'c2'])
    await list.reload()
    expect(list.items.value).toEqual([5, 4])
  })

  it('keeps the rows and reports the error when a page fails', async () => {
    let fail = false
    const list = useCursorList<number>(async () => {
      if (fail) throw new ApiError(400, 'INVALID_CURSOR', 'cursor is not one this server issued', 'cursor')
      return { items: [1], next_cursor: 'x' }
    })
    await list.reload()
    fail = true
    await list.loadMore()
    expect(list.items.value).toEqual([1])
    expect(list.error.value).toMatchObject({ code: 'INVALID_CURSOR' })
    expect(list.loading.value).toBe(false)
  })

  it('drops the answer of a superseded load (filters changed meanwhile)', async () => {
    const resolvers: ((p: CursorPage<string>) => void)[] = []
    const list = useCursorList<string>(() => new Promise((r) => resolvers.push(r)))
    const first = list.reload()
    const second = list.reload()
    resolvers[1]!({ items: ['new'], next_cursor: null })
    resolvers[0]!({ items: ['old'], next_cursor: null })
    await Promise.all([first, second])
    expect(list.items.value).toEqual(['new'])
  })
})
