// A signed-in session for unit tests: a fresh active Pinia, THE fetch mock (mockApi) answering
// POST /auth/login with `sessionBody(token, role, force)`, and the session store signed in
// through it. Add the routes the test needs to the returned mock.
import { createPinia, setActivePinia } from 'pinia'
import { useSessionStore } from '../stores/session'
import { mockApi, sessionBody } from './mockApi'

export async function signIn(...session: Parameters<typeof sessionBody>) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const mock = mockApi().on('POST', '/api/v1/auth/login', { body: sessionBody(...session) })
  await useSessionStore().login('ada@example.com', 'pw')
  return { mock, pinia }
}
