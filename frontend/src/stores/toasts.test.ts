import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useToastStore } from './toasts'

describe('toast store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('fades successes, keeps errors longer, and does not repeat the same message', () => {
    const t = useToastStore()
    t.success('Saved')
    t.error('Could not save: name is taken')
    t.error('Could not save: name is taken')
    expect(t.toasts.map((x) => x.message)).toEqual(['Saved', 'Could not save: name is taken'])
    vi.advanceTimersByTime(5_000)
    expect(t.toasts.map((x) => x.kind)).toEqual(['error'])
    vi.advanceTimersByTime(10_000)
    expect(t.toasts).toHaveLength(0)
  })

  it('keeps at most four', () => {
    const t = useToastStore()
    for (let i = 0; i < 6; i++) t.info(`n${i}`)
    expect(t.toasts.map((x) => x.message)).toEqual(['n2', 'n3', 'n4', 'n5'])
  })
})
