import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '../api/errors'
import { useFormSubmit } from './useFormSubmit'
import { useToastStore } from '../stores/toasts'

describe('useFormSubmit', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('is busy while the action runs and idle after', async () => {
    const f = useFormSubmit(() => 'Saving')
    let seen = false
    await f.run(async () => {
      seen = f.busy.value
    })
    expect(seen).toBe(true)
    expect(f.busy.value).toBe(false)
  })

  it('sends nothing while a local check left a field error', async () => {
    const f = useFormSubmit(() => 'Saving')
    f.fields.name = 'Give it a name.'
    let ran = false
    await f.run(async () => {
      ran = true
    })
    expect(ran).toBe(false)
    f.clear()
    expect(f.fields).toEqual({})
  })

  it('puts a refusal with a field under that field, and one without in a toast', async () => {
    const f = useFormSubmit(() => 'Could not save')
    await f.run(async () => {
      throw new ApiError(400, 'VALIDATION_ERROR', 'too long', 'name')
    })
    expect(f.fields.name).toBe('too long')
    f.clear()
    await f.run(async () => {
      throw new ApiError(409, 'CONFLICT', 'taken')
    })
    expect(useToastStore().toasts.at(-1)?.message).toContain('taken')
  })

  it('lets the caller place a refusal itself', async () => {
    const f = useFormSubmit(() => 'Could not save')
    await f.run(
      async () => {
        throw new ApiError(409, 'EMAIL_TAKEN', 'taken')
      },
      () => {
        f.fields.email = 'That email is taken.'
        return true
      },
    )
    expect(f.fields.email).toBe('That email is taken.')
    expect(useToastStore().toasts).toHaveLength(0)
  })
})
