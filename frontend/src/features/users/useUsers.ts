// The only caller of /api/v1/users: the paged, filtered list (URL state) plus every admin
// action on an account. Each action answers with the changed user; the view reloads the page
// so filters (a suspended user leaving "active only") stay true.
import { ref } from 'vue'
import { api, unwrap } from '../../api/client'
import { usePagedList } from '../../composables/usePagedList'
import type { components } from '../../api/schema'

export type User = components['schemas']['User']
export type Role = components['schemas']['Role']
export type StatusFilter = '' | 'active' | 'suspended'

export const LIST_DEFAULTS = { search: '', role: '', status: '', page: 1, per_page: 25 }

export interface NewUser {
  username: string
  email: string
  name?: string
  role: Role
  password: string
  /** They must choose their own password at first sign-in (the dashboard's default). */
  force_password_change: boolean
}

function isActiveParam(status: string): boolean | undefined {
  if (status === 'active') return true
  if (status === 'suspended') return false
  return undefined
}

function isRole(v: string): v is Role {
  return v === 'admin' || v === 'user' || v === 'viewer'
}

/** Names of the first 100 users by id, for an admin's owner column (one request, not one per row):
 * agents and API tokens show owners by name. */
export async function userNames(signal?: AbortSignal): Promise<Map<string, string>> {
  const r = await unwrap(api.GET('/api/v1/users', { params: { query: { page: 1, page_size: 100 } }, signal }))
  return new Map(r.users.map((u) => [u.id, u.name || u.username]))
}

export function useUsers() {
  // How many active admins exist: the server refuses to suspend, demote or delete the last one,
  // and the view disables those controls with that reason instead of letting the request fail.
  const activeAdmins = ref<number | null>(null)

  async function countActiveAdmins(signal?: AbortSignal): Promise<void> {
    const r = await unwrap(api.GET('/api/v1/users', { params: { query: { role: 'admin', is_active: true, page_size: 1 } }, signal }))
    activeAdmins.value = r.total
  }

  const list = usePagedList(LIST_DEFAULTS, async (q, signal) => {
    const [r] = await Promise.all([
      unwrap(
        api.GET('/api/v1/users', {
          params: {
            query: {
              search: q.search.trim() || undefined,
              role: isRole(q.role) ? q.role : undefined,
              is_active: isActiveParam(q.status),
              page: q.page,
              page_size: q.per_page,
            },
          },
          signal,
        }),
      ),
      activeAdmins.value === null ? countActiveAdmins(signal) : Promise.resolve(),
    ])
    return { items: r.users, total: r.total }
  })

  /** After any change: the page again, and the admin count (a role or status may have moved it). */
  async function refresh(): Promise<void> {
    await Promise.all([list.reload(), countActiveAdmins()])
  }

  const path = (id: string) => ({ params: { path: { id } } })

  async function create(u: NewUser): Promise<User> {
    return unwrap(api.POST('/api/v1/users', { body: { ...u, name: u.name?.trim() || undefined } }))
  }
  async function changeRole(id: string, role: Role): Promise<User> {
    return unwrap(api.PUT('/api/v1/users/{id}/role', { ...path(id), body: { role } }))
  }
  async function suspend(id: string, reason: string): Promise<User> {
    return unwrap(api.PUT('/api/v1/users/{id}/suspend', { ...path(id), body: reason.trim() ? { reason: reason.trim() } : {} }))
  }
  async function activate(id: string): Promise<User> {
    return unwrap(api.PUT('/api/v1/users/{id}/activate', path(id)))
  }
  async function resetPassword(id: string, password: string, forceChange: boolean): Promise<User> {
    return unwrap(api.POST('/api/v1/users/{id}/reset-password', { ...path(id), body: { new_password: password, force_change: forceChange } }))
  }
  /** Lifts the login throttle; answers how many recorded failures were forgotten. */
  async function unlock(id: string): Promise<number> {
    return (await unwrap(api.POST('/api/v1/users/{id}/unlock', path(id)))).login_failures_cleared
  }
  async function remove(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/v1/users/{id}', path(id)))
  }

  return { ...list, activeAdmins, refresh, create, changeRole, suspend, activate, resetPassword, unlock, remove }
}
