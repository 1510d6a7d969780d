// HTTP calls the tests make directly against the server (arranging data, or acting as another
// client), with the same envelope checks as the UI.

import { E2eError } from './server.mjs'

export function apiClient(baseUrl) {
  async function call(method, path, { token, body, expect = [200, 201, 204] } = {}) {
    const headers = { Accept: 'application/json' }
    if (token) headers.Authorization = `Bearer ${token}`
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const res = await fetch(new URL(path.replace(/^\//, ''), baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    const json = text ? JSON.parse(text) : null
    if (!expect.includes(res.status)) throw new E2eError(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`)
    return json
  }
  return {
    call,
    async login(email, password) {
      return (await call('POST', 'api/v1/auth/login', { body: { email, password } })).user_token
    },
    /** Creates a user as `adminToken`, ready to sign in with `password`. */
    async createUser(adminToken, { email, role, password, name }) {
      return call('POST', 'api/v1/users', { token: adminToken, body: { email, role, password, name, username: email.split('@')[0] } })
    },
    /** An admin sets `password` for the user, who must then choose their own at next sign-in. */
    async resetPassword(adminToken, userId, password) {
      return call('POST', `api/v1/users/${encodeURIComponent(userId)}/reset-password`, {
        token: adminToken,
        body: { new_password: password, force_change: true },
      })
    },
  }
}
