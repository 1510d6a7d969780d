// Who is signed in. The access token lives only in memory (never in storage); a reload
// restores the session through the HttpOnly refresh cookie (POST /auth/refresh). The client
// asks this store for the token and for refreshes through connectSession().
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, connectSession, unwrap } from '../api/client'
import { ApiError } from '../api/errors'
import type { components } from '../api/schema'

export type Role = components['schemas']['Role']
export type SessionUser = components['schemas']['UserBrief'] & { force_password_change: boolean }
type Session = components['schemas']['Session']

// A hint (never a secret) that this browser may hold a refresh cookie: without it a page load
// skips the refresh attempt, so a signed-out visit makes no request that is bound to fail.
const HINT_KEY = 'ironpanel.session'

function setHint(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1')
    else localStorage.removeItem(HINT_KEY)
  } catch {
    // storage disabled: restore() then always tries the cookie
  }
}

function hinted(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) !== null
  } catch {
    return true
  }
}

// Refresh tokens are single-use and a reused one revokes the whole session, while every tab
// shares the one cookie: two tabs refreshing at the same instant would present the same token
// twice. A Web Lock makes them take turns (the second then sends the already rotated cookie).
function acrossTabs<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  return locks ? (locks.request('ironpanel.refresh', fn) as Promise<T>) : fn()
}

const RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 }

/** True when `role` is at least `min` (admin > user > viewer). */
export function roleAtLeast(role: Role | null | undefined, min: Role): boolean {
  return role != null && RANK[role] >= RANK[min]
}

export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionUser | null>(null)
  const accessToken = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  let restoring: Promise<void> | null = null

  const signedIn = computed(() => user.value !== null && accessToken.value !== null)
  const role = computed<Role | null>(() => user.value?.role ?? null)
  const mustChangePassword = computed(() => user.value?.force_password_change === true)
  const isAdmin = computed(() => role.value === 'admin')
  /** Viewers never see a mutating control. */
  const canMutate = computed(() => roleAtLeast(role.value, 'user'))

  function adopt(s: Session): void {
    accessToken.value = s.user_token
    expiresAt.value = s.expires_at
    user.value = { ...s.user, force_password_change: s.force_password_change }
    setHint(true)
  }

  function clear(): void {
    user.value = null
    accessToken.value = null
    expiresAt.value = null
    setHint(false)
  }

  /** Exchanges the refresh cookie for a new session; false (and signed out) when it is gone. */
  async function refresh(): Promise<boolean> {
    try {
      adopt(await acrossTabs(() => unwrap(api.POST('/api/v1/auth/refresh'))))
      return true
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) throw e // offline: keep what we have
      clear()
      return false
    }
  }

  /** Once per page load: picks up a session that survives in the refresh cookie. */
  function restore(): Promise<void> {
    if (!hinted()) restoring ??= Promise.resolve()
    restoring ??= refresh().then(
      () => undefined,
      () => undefined,
    )
    return restoring
  }

  async function login(email: string, password: string): Promise<void> {
    adopt(await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } })))
    restoring = Promise.resolve()
  }

  /** Signs this device out. The local session ends even when the server cannot be reached. */
  async function logout(): Promise<void> {
    try {
      if (accessToken.value) await unwrap(api.POST('/api/v1/auth/logout'))
    } finally {
      clear()
    }
  }

  /**
   * Changes the password. The server ends every other session of the account and answers with
   * a fresh one for this device (`session`), which replaces the old one here.
   */
  async function changePassword(current: string, next: string): Promise<void> {
    const answer = await unwrap(api.PUT('/api/v1/me/password', { body: { current_password: current, new_password: next } }))
    adopt(answer.session)
  }

  connectSession({ accessToken: () => accessToken.value, refresh, lost: clear })

  return {
    user,
    accessToken,
    expiresAt,
    signedIn,
    role,
    isAdmin,
    canMutate,
    mustChangePassword,
    restore,
    refresh,
    login,
    logout,
    changePassword,
    clear,
  }
})
