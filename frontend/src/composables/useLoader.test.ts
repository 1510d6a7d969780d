import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '../api/errors'
import { useToastStore } from '../stores/toasts'
import { useLoader } from './useLoader'

/** A fetch the test settles by hand, recording the signal it was given. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('useLoader', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('is loading until the answer is applied', async () => {
    const loader = useLoader()
    const answer = deferred<number>()
    const applied: number[] = []
    const done = loader.run(() => answer.promise, (n) => applied.push(n))
    expect(loader.loading.value).toBe(true)
    answer.resolve(7)
    await done
    expect(applied).toEqual([7])
    expect(loader.loading.value).toBe(false)
    expect(loader.error.value).toBeNull()
  })

  it('drops the answer of a superseded run and aborts its signal', async () => {
    const loader = useLoader()
    const first = deferred<string>()
    const second = deferred<string>()
    const signals: AbortSignal[] = []
    const applied: string[] = []
    const a = loader.run((s) => (signals.push(s), first.promise), (v) => applied.push(v))
    const b = loader.run((s) => (signals.push(s), second.promise), (v) => applied.push(v))
    expect(signals[0]!.aborted).toBe(true)
    second.resolve('newer')
    await b
    first.resolve('older')
    await a
    expect(applied).toEqual(['newer'])
    expect(loader.loading.value).toBe(false)
  })

  it('keeps a failure as the error without a toast, and clears it on the next run', async () => {
    const loader = useLoader()
    await loader.run(() => Promise.reject(new ApiError(500, 'INTERNAL', 'boom')), () => {})
    expect(loader.error.value?.code).toBe('INTERNAL')
    expect(loader.loading.value).toBe(false)
    expect(useToastStore().toasts).toHaveLength(0)
    await loader.run(() => Promise.resolve(1), () => {})
    expect(loader.error.value).toBeNull()
  })

  it('ignores the failure of an aborted run', async () => {
    const loader = useLoader()
    const answer = deferred<number>()
    const done = loader.run(() => answer.promise, () => {})
    loader.abort()
    answer.reject(new ApiError(500, 'INTERNAL', 'boom'))
    await done
    expect(loader.error.value).toBeNull()
  })
})
