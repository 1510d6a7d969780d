import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError } from '../../api/errors'
import { mockApi } from '../../test/mockApi'
import { generatePassword, GENERATED_LENGTH } from './generatePassword'
import { isRefusal, refusal, refusalText } from './guards'
import { useUsers, type User } from './useUsers'

function user(over: Partial<User> = {}): User {
  return {
    id: 'user_1', username: 'uma', email: 'uma@example.com', name: null, role: 'user', is_active: true,
    force_password_change: false, created_at: 1, deleted_at: null, last_login: null, suspended_at: null, suspended_reason: null,
    ...over,
  }
}

async function setup(url: string) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/users', component: { render: () => null } }] })
  await router.push(url)
  let users!: ReturnType<typeof useUsers>
  mount(defineComponent({ setup: () => ((users = useUsers()), () => h('div')) }), { global: { plugins: [router, createPinia()] } })
  await flushPromises()
  return { router, users: () => users }
}

afterEach(() => vi.unstubAllGlobals())

describe('useUsers', () => {
  it('sends the URL filters to the server as its query parameters and counts active admins once', async () => {
    const mock = mockApi().on('GET', '/api/v1/users', (c) =>
      c.url.searchParams.get('role') === 'admin' && c.url.searchParams.get('page_size') === '1'
        ? { body: { users: [], total: 2, page: 1, page_size: 1 } }
        : { body: { users: [user()], total: 30, page: 2, page_size: 25 } },
    )
    const { users } = await setup('/users?search=uma&role=user&status=suspended&page=2')
    const listCalls = mock.calls('GET', '/api/v1/users').map((c) => Object.fromEntries(c.url.searchParams))
    expect(listCalls).toContainEqual({ search: 'uma', role: 'user', is_active: 'false', page: '2', page_size: '25' })
    expect(listCalls).toContainEqual({ role: 'admin', is_active: 'true', page_size: '1' })
    expect(listCalls).toHaveLength(2)
    expect(users().items.value).toHaveLength(1)
    expect(users().pager.total.value).toBe(30)
    expect(users().activeAdmins.value).toBe(2)
    // Changing a filter refetches the page only: the admin count is known.
    await users().query.set({ status: 'active' })
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/users')).toHaveLength(3)
    expect(Object.fromEntries(mock.calls('GET', '/api/v1/users').at(-1)!.url.searchParams)).toMatchObject({ is_active: 'true', page: '1' })
  })

  it('calls each admin action on its route with its body', async () => {
    const mock = mockApi()
      .on('GET', '/api/v1/users', { body: { users: [], total: 1, page: 1, page_size: 25 } })
      .on('PUT', '/api/v1/users/:id/role', (c) => ({ body: user({ role: (c.body as { role: User['role'] }).role }) }))
      .on('PUT', '/api/v1/users/:id/suspend', { body: user({ is_active: false }) })
      .on('PUT', '/api/v1/users/:id/activate', { body: user() })
      .on('POST', '/api/v1/users/:id/reset-password', { body: user({ force_password_change: true }) })
      .on('POST', '/api/v1/users/:id/unlock', { body: { user: user(), login_failures_cleared: 3 } })
      .on('DELETE', '/api/v1/users/:id', { status: 204 })
      .on('POST', '/api/v1/users', (c) => ({ status: 201, body: user(c.body as Partial<User>) }))
    const { users } = await setup('/users')
    const u = users()
    expect((await u.changeRole('user_1', 'viewer')).role).toBe('viewer')
    await u.suspend('user_1', '  left the team ')
    await u.suspend('user_1', '   ')
    await u.activate('user_1')
    await u.resetPassword('user_1', 'a-new-password-1', true)
    expect(await u.unlock('user_1')).toBe(3)
    await u.remove('user_1')
    await u.create({ username: 'v', email: 'v@example.com', name: ' ', role: 'viewer', password: 'p'.repeat(12), force_password_change: true })
    expect(mock.calls('PUT', '/api/v1/users/:id/suspend').map((c) => c.body)).toEqual([{ reason: 'left the team' }, {}])
    expect(mock.calls('POST', '/api/v1/users/:id/reset-password')[0]!.body).toEqual({ new_password: 'a-new-password-1', force_change: true })
    expect(mock.calls('DELETE', '/api/v1/users/:id')[0]!.params).toEqual({ id: 'user_1' })
    expect(mock.calls('POST', '/api/v1/users')[0]!.body).toEqual({
      username: 'v', email: 'v@example.com', role: 'viewer', password: 'p'.repeat(12), force_password_change: true,
    })
  })
})

describe('guards', () => {
  it('refuses what the server refuses: yourself and the last active admin', () => {
    const admin = user({ id: 'user_a', role: 'admin' })
    expect(refusal('suspend', admin, 'user_a', 3)).toMatch(/your own account/)
    expect(refusal('delete', admin, 'user_me', 1)).toMatch(/last active admin/)
    expect(refusal('role', admin, 'user_me', 2)).toBeNull()
    expect(refusal('delete', user({ role: 'admin', is_active: false }), 'user_me', 1)).toBeNull()
    expect(refusal('suspend', user(), 'user_me', 1)).toBeNull()
  })

  it('says the server refusals in words and leaves the rest to the error handler', () => {
    const last = new ApiError(409, 'LAST_ADMIN', 'this is the last active admin')
    expect(isRefusal(last)).toBe(true)
    expect(refusalText(last)).toMatch(/promote another admin/)
    expect(refusalText(new ApiError(400, 'VALIDATION_ERROR', 'reason too long'))).toBe('reason too long')
    expect(isRefusal(new ApiError(401, 'AUTH_INVALID_TOKEN', 'x'))).toBe(false)
    expect(isRefusal(new ApiError(403, 'PASSWORD_CHANGE_REQUIRED', 'x'))).toBe(false)
    expect(isRefusal(new ApiError(500, 'INTERNAL', 'x'))).toBe(false)
  })
})

describe('generatePassword', () => {
  it('makes long, varied passwords that pass the server rule', () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassword()))
    expect(seen.size).toBe(50)
    for (const p of seen) {
      expect(p).toHaveLength(GENERATED_LENGTH)
      expect(p).not.toMatch(/[0O1lI\s]/)
    }
  })
})
