// The only caller of /api/v1/me* for the account page: my profile and my sessions (sign-ins),
// ending one or every other. The password change goes through the session store, which adopts
// the fresh session the server answers with (the same path as the forced change).
import { shallowRef } from 'vue'
import { api, unwrap } from '../../api/client'
import { useLoader } from '../../composables/useLoader'
import type { components, operations } from '../../api/schema'

export type Me = components['schemas']['User']
export type OwnSession = operations['listOwnSessions']['responses'][200]['content']['application/json']['sessions'][number]

export function useAccount() {
  const me = shallowRef<Me | null>(null)
  const sessions = shallowRef<OwnSession[]>([])
  const { loading, error, run } = useLoader()

  const load = () =>
    run(
      (signal) => Promise.all([unwrap(api.GET('/api/v1/me', { signal })), unwrap(api.GET('/api/v1/me/sessions', { signal }))]),
      ([profile, mine]) => {
        me.value = profile
        sessions.value = mine.sessions
      },
    )

  async function reloadSessions(): Promise<void> {
    sessions.value = (await unwrap(api.GET('/api/v1/me/sessions'))).sessions
  }

  async function endSession(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/v1/me/sessions/{id}', { params: { path: { id } } }))
    await reloadSessions()
  }

  /** Signs out every other device; answers how many sessions ended. */
  async function endOtherSessions(): Promise<number> {
    const { ended } = await unwrap(api.DELETE('/api/v1/me/sessions'))
    await reloadSessions()
    return ended
  }

  return { me, sessions, loading, error, load, reloadSessions, endSession, endOtherSessions }
}
