// The one fetch mock for unit tests: routes "METHOD /path" (":param" segments allowed) to
// replies, records every call, and answers anything unrouted with a 404 envelope so a test
// never reaches the network. Install it per test: `const api = mockApi()`.
//
//   api.on('GET', '/api/v1/me', { body: user })
//   api.on('POST', '/api/v1/auth/refresh', () => ({ status: 401, body: envelope('AUTH_INVALID_TOKEN') }))
//   expect(api.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1)
import { vi } from 'vitest'

export interface MockCall {
  method: string
  path: string
  url: URL
  headers: Headers
  /** Parsed JSON body, the raw text when not JSON, undefined when empty. */
  body: unknown
  params: Record<string, string>
}

export interface MockReply {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

type Handler = MockReply | ((call: MockCall) => MockReply | Promise<MockReply>)

/** An error envelope as the server writes it. */
export function envelope(code: string, message = code.toLowerCase(), details: Record<string, unknown> = {}) {
  return { error: { code, message, details } }
}

function compile(path: string): RegExp {
  const src = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)')
  return new RegExp(`^${src}$`)
}

export function mockApi() {
  const routes: { method: string; re: RegExp; handler: Handler }[] = []
  const log: MockCall[] = []

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init)
    const url = new URL(req.url)
    const text = await req.text()
    let body: unknown = undefined
    if (text) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    const call: MockCall = { method: req.method, path: url.pathname, url, headers: req.headers, body, params: {} }
    log.push(call)
    // Later registrations win, so a test can override a default.
    for (let i = routes.length - 1; i >= 0; i--) {
      const r = routes[i]!
      const m = r.method === req.method ? r.re.exec(url.pathname) : null
      if (!m) continue
      call.params = { ...(m.groups ?? {}) }
      const reply = typeof r.handler === 'function' ? await r.handler(call) : r.handler
      const status = reply.status ?? 200
      const headers = new Headers(reply.headers)
      if (reply.body !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
      const payload = reply.body === undefined || status === 204 ? null : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
      return new Response(payload, { status, headers })
    }
    return new Response(JSON.stringify(envelope('NOT_FOUND', `no mock for ${req.method} ${url.pathname}`)), {
      status: 404,
      headers: { 'Content-Type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fetchMock)

  return {
    fetch: fetchMock,
    on(method: string, path: string, handler: Handler) {
      routes.push({ method, re: compile(path), handler })
      return this
    },
    /** Calls made so far, optionally only those to METHOD path. */
    calls(method?: string, path?: string): MockCall[] {
      return log.filter((c) => (!method || c.method === method) && (!path || compile(path).test(c.path)))
    },
  }
}

/** A session body as POST /auth/login and /auth/refresh return it. */
export function sessionBody(token: string, role: 'admin' | 'user' | 'viewer' = 'admin', force = false) {
  return {
    user_token: token,
    token_type: 'Bearer',
    expires_in: 900,
    expires_at: '2030-01-01T00:00:00Z',
    refresh_token: null,
    user: { id: 'user_1', email: 'ada@example.com', role, name: 'Ada' },
    force_password_change: force,
  }
}
