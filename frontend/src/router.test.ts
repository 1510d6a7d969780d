import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createAppRouter, navFor, routes, safeRedirect } from './router'
import { signIn } from './test/signIn'

const signedInAs = (role: 'admin' | 'user' | 'viewer', force = false) => signIn('t', role, force)

describe('route guard', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
  })

  it('sends a signed-out visitor to sign-in, keeping the intended URL', async () => {
    const router = createAppRouter('/')
    await router.push('/agents?search=x')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/agents?search=x')
  })

  it('holds everything behind a pending password change', async () => {
    await signedInAs('user', true)
    const router = createAppRouter('/')
    await router.push('/analytics')
    expect(router.currentRoute.value.name).toBe('change-password')
    expect(router.currentRoute.value.query.redirect).toBe('/analytics')
  })

  const table: [role: 'admin' | 'user' | 'viewer', path: string, want: string][] = [
    ['viewer', '/users', 'forbidden'],
    ['user', '/audit', 'forbidden'],
    ['admin', '/system', 'system'],
    ['viewer', '/agents', 'agents'],
    ['admin', '/login', 'overview'], // signed in: the sign-in page moves aside
  ]
  for (const [role, path, want] of table) {
    it(`${role} opening ${path} lands on ${want}`, async () => {
      await signedInAs(role)
      const router = createAppRouter('/')
      await router.push(path)
      expect(router.currentRoute.value.name).toBe(want)
    })
  }

  it('builds the sidebar from the table, by role', () => {
    const names = (role: 'admin' | 'user' | 'viewer') => navFor(role).flatMap((s) => s.items.map((r) => r.name))
    expect(names('admin')).toEqual(expect.arrayContaining(['overview', 'agents', 'users', 'audit', 'system']))
    expect(names('viewer')).not.toContain('users')
    expect(navFor('viewer').map((s) => s.group)).toEqual(['Monitor', 'Manage'])
    // Every nav entry is a route with a lazily loaded view.
    for (const r of routes.filter((x) => x.meta?.nav)) expect(typeof r.component).toBe('function')
  })

  it('only redirects inside the app', () => {
    expect(safeRedirect('/agents?x=1')).toBe('/agents?x=1')
    expect(safeRedirect('//evil.example')).toBe('/')
    expect(safeRedirect('https://evil.example')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})
