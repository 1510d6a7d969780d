import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '../api/errors'
import { useToastStore } from '../stores/toasts'
import { useActions } from './useActions'

describe('useActions', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('is busy while the mutation runs, reloads after a success and says so', async () => {
    const order: string[] = []
    const a = useActions(async () => {
      order.push('reload')
    })
    const ok = await a.act(async () => {
      order.push(a.busy.value ? 'run while busy' : 'run while idle')
    }, 'Saving')
    expect(ok).toBe(true)
    expect(order).toEqual(['run while busy', 'reload'])
    expect(a.busy.value).toBe(false)
  })

  it('does not reload after a refusal and places it under its field or in a toast', async () => {
    let reloads = 0
    const a = useActions(async () => {
      reloads++
    })
    const fields: Record<string, string> = {}
    expect(await a.act(() => Promise.reject(new ApiError(400, 'VALIDATION_ERROR', 'too big', 'amount')), 'Could not save', fields)).toBe(false)
    expect(fields.amount).toBe('too big')
    expect(await a.act(() => Promise.reject(new ApiError(409, 'CONFLICT', 'already decided')), 'Could not approve')).toBe(false)
    expect(useToastStore().toasts.at(-1)?.message).toContain('already decided')
    expect(reloads).toBe(0)
    expect(a.busy.value).toBe(false)
  })

  it("without a reload runs just the action (a view's single delete or export)", async () => {
    const a = useActions()
    let ran = false
    expect(await a.act(async () => void (ran = a.busy.value), 'Deleting')).toBe(true)
    expect(ran).toBe(true)
    expect(a.busy.value).toBe(false)
    expect(await a.act(() => Promise.reject(new ApiError(500, 'INTERNAL', 'broke')), 'Deleting')).toBe(false)
    expect(useToastStore().toasts.at(-1)?.message).toContain('broke')
  })
})
