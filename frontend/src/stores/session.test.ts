import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi, sessionBody } from '../test/mockApi'
import { roleAtLeast, useSessionStore } from './session'

describe('session store', () => {
  let mock: ReturnType<typeof mockApi>
  beforeEach(() => {
    setActivePinia(createPinia())
    mock = mockApi()
    localStorage.clear()
  })

  it('login keeps the token in memory only and exposes the role', async () => {
    mock.on('POST', '/api/v1/auth/login', { body: sessionBody('t1', 'viewer') })
    const s = useSessionStore()
    await s.login('ada@example.com', 'pw')
    expect(s.signedIn).toBe(true)
    expect(s.role).toBe('viewer')
    expect(s.canMutate).toBe(false)
    // Only the "may have a session" hint is stored, never a token.
    expect(Object.keys(localStorage)).toEqual(['ironpanel.session'])
    expect(JSON.stringify(localStorage)).not.toContain('t1')
    expect(sessionStorage.length).toBe(0)
    expect(mock.calls('POST', '/api/v1/auth/login')[0]?.body).toEqual({ email: 'ada@example.com', password: 'pw' })
  })

  it('restore uses the refresh cookie once per page load', async () => {
    localStorage.setItem('ironpanel.session', '1')
    mock.on('POST', '/api/v1/auth/refresh', { body: sessionBody('t2', 'user', true) })
    const s = useSessionStore()
    await Promise.all([s.restore(), s.restore()])
    await s.restore()
    expect(mock.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1)
    expect(s.mustChangePassword).toBe(true)
    expect(s.accessToken).toBe('t2')
  })

  it('restore without a cookie leaves the person signed out', async () => {
    localStorage.setItem('ironpanel.session', '1')
    mock.on('POST', '/api/v1/auth/refresh', { status: 401, body: envelope('AUTH_MISSING_TOKEN') })
    const s = useSessionStore()
    await s.restore()
    expect(s.signedIn).toBe(false)
    expect(localStorage.getItem('ironpanel.session')).toBeNull()
  })

  it('restore makes no request when this browser never signed in', async () => {
    const s = useSessionStore()
    await s.restore()
    expect(mock.calls()).toHaveLength(0)
    expect(s.signedIn).toBe(false)
  })

  it('logout ends the local session even when the server fails', async () => {
    mock.on('POST', '/api/v1/auth/login', { body: sessionBody('t1') })
    mock.on('POST', '/api/v1/auth/logout', { status: 500, body: envelope('INTERNAL') })
    const s = useSessionStore()
    await s.login('a@b.c', 'pw')
    await expect(s.logout()).rejects.toMatchObject({ status: 500 })
    expect(s.signedIn).toBe(false)
    expect(mock.calls('POST', '/api/v1/auth/logout')[0]?.headers.get('Authorization')).toBe('Bearer t1')
  })

  it('changePassword adopts the fresh session the server answers with', async () => {
    mock.on('POST', '/api/v1/auth/login', { body: sessionBody('t1', 'user', true) })
    mock.on('PUT', '/api/v1/me/password', { body: { id: 'user_1', force_password_change: false, session: sessionBody('t9', 'user', false) } })
    const s = useSessionStore()
    await s.login('ada@example.com', 'old-password')
    await s.changePassword('old-password', 'new-password-123')
    expect(s.accessToken).toBe('t9')
    expect(s.mustChangePassword).toBe(false)
  })

  it('ranks roles', () => {
    expect(roleAtLeast('admin', 'user')).toBe(true)
    expect(roleAtLeast('user', 'admin')).toBe(false)
    expect(roleAtLeast('viewer', 'viewer')).toBe(true)
    expect(roleAtLeast(null, 'viewer')).toBe(false)
  })
})
