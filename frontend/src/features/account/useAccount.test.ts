import { afterEach, describe, expect, it, vi } from 'vitest'
import { mockApi } from '../../test/mockApi'
import { useAccount, type OwnSession } from './useAccount'

const me = {
  id: 'user_1', username: 'uma', email: 'uma@example.com', name: null, role: 'viewer', is_active: true,
  force_password_change: false, created_at: 1, deleted_at: null, last_login: 2, suspended_at: null, suspended_reason: null,
}
const session = (id: string, current = false): OwnSession => ({ id, started_at: 1, last_active_at: 2, expires_at: 3, current })

afterEach(() => vi.unstubAllGlobals())

describe('useAccount', () => {
  it('loads my profile and sessions in two requests', async () => {
    const mock = mockApi()
      .on('GET', '/api/v1/me', { body: me })
      .on('GET', '/api/v1/me/sessions', { body: { sessions: [session('a', true), session('b')] } })
    const account = useAccount()
    await account.load()
    expect(account.me.value?.email).toBe('uma@example.com')
    expect(account.sessions.value.map((s) => s.id)).toEqual(['a', 'b'])
    expect(mock.calls()).toHaveLength(2)
  })

  it('ends one session or every other one, then shows what is left', async () => {
    let left = [session('a', true), session('b'), session('c')]
    const mock = mockApi()
      .on('GET', '/api/v1/me/sessions', () => ({ body: { sessions: left } }))
      .on('DELETE', '/api/v1/me/sessions/:id', (c) => {
        left = left.filter((s) => s.id !== c.params.id)
        return { status: 204 }
      })
      .on('DELETE', '/api/v1/me/sessions', () => {
        const ended = left.filter((s) => !s.current).length
        left = left.filter((s) => s.current)
        return { body: { ended } }
      })
    const account = useAccount()
    await account.endSession('b')
    expect(mock.calls('DELETE', '/api/v1/me/sessions/:id')[0]!.params).toEqual({ id: 'b' })
    expect(account.sessions.value.map((s) => s.id)).toEqual(['a', 'c'])
    expect(await account.endOtherSessions()).toBe(1)
    expect(account.sessions.value.map((s) => s.id)).toEqual(['a'])
  })

  it('keeps a load failure as the view error', async () => {
    mockApi().on('GET', '/api/v1/me', { status: 500, body: { error: { code: 'INTERNAL', message: 'x', details: {} } } })
    const account = useAccount()
    await account.load()
    expect(account.error.value?.code).toBe('INTERNAL')
    expect(account.loading.value).toBe(false)
  })
})
