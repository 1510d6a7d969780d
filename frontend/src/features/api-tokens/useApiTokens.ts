// The one caller of /api/v1/api-tokens for the dashboard: a page of tokens filtered by status
// on the server — mine, or (admins) one user's or everyone's, kept in the URL as `who` — plus
// create, rotate, rename and revoke. The secret of a created or rotated token is returned to
// the view once and never kept here.
import { api, unwrap } from '../../api/client'
import { pageOf, rowsOf } from '../../api/lists'
import type { components } from '../../api/schema'
import { usePagedList } from '../../composables/usePagedList'

export type ApiToken = components['schemas']['ApiToken']
export type IssuedToken = components['schemas']['ApiTokenCreated']
export type TokenScope = 'read' | 'runtime' | 'user' | 'admin'
export type TokenStatus = 'active' | 'expired' | 'inactive'
/** `who`: whose tokens the list shows, `mine`, `*` (everyone, admins) or a user id (admins). */
const LIST_DEFAULTS = { who: 'mine', status: 'active' as TokenStatus | 'all', page: 1, per_page: 25 }

/** What each scope allows, in words (docs/deploy.md "API tokens, provider keys and who may use them"). */
export const SCOPE_HELP: Record<TokenScope | 'legacy_full', string> = {
  read: 'Read only: GET requests with viewer rights on your own resources; no admin routes, no key fetch.',
  runtime: 'Runtime: only fetches the provider key of the token’s project (GET /api/v1/keys); nothing else.',
  user: 'User (default): your rights, capped at the user role — never admin routes, even for an admin.',
  admin: 'Admin: your current rights, admin routes included. Only an admin can hold one.',
  legacy_full: 'Legacy: created before scopes existed; acts with your full role. Replace it with a scoped token.',
}

export interface NewTokenInput {
  name: string
  scope: TokenScope
  project_id: string
  agent_id: number | null
  provider: string
  /** `YYYY-MM-DD` from a date input, or '' for never; expires at the end of that day (UTC). */
  expires_on: string
  description: string
  /** null: every model; []: none (docs/model-allow-lists.md). */
  allowed_models: string[] | null
}

/** The create body: empty optional fields left out, a date turned into an RFC 3339 instant. */
export function createBody(input: NewTokenInput) {
  const body: {
    name: string
    scope: TokenScope
    project_id?: string
    agent_id?: number
    provider?: string
    expires_at?: string
    description?: string
    allowed_models?: string[]
  } = { name: input.name.trim(), scope: input.agent_id ? 'runtime' : input.scope }
  if (input.project_id.trim()) body.project_id = input.project_id.trim()
  if (input.agent_id) body.agent_id = input.agent_id
  if (input.provider.trim()) body.provider = input.provider.trim()
  if (input.expires_on) body.expires_at = `${input.expires_on}T23:59:59Z`
  if (input.description.trim()) body.description = input.description.trim()
  if (input.allowed_models) body.allowed_models = input.allowed_models
  return body
}

/** Active, expired (still marked active, past its expiry) or inactive (revoked or rotated). */
export function tokenStatus(t: ApiToken, now = Date.now()): TokenStatus {
  if (!t.is_active) return 'inactive'
  if (t.expires_at && Date.parse(t.expires_at) <= now) return 'expired'
  return 'active'
}

export function useApiTokens() {
  const list = usePagedList({ ...LIST_DEFAULTS }, async (q, signal) => {
    const query = {
      page: q.page,
      per_page: q.per_page,
      ...(q.who !== 'mine' ? { user_id: q.who } : {}),
      ...(q.status !== 'all' ? { status: q.status } : {}),
    }
    return pageOf(await unwrap(api.GET('/api/v1/api-tokens', { params: { query }, signal })))
  })
  async function create(input: NewTokenInput): Promise<IssuedToken> {
    const issued = await unwrap(api.POST('/api/v1/api-tokens', { body: createBody(input) }))
    await list.reload()
    return issued
  }

  async function rotate(id: number): Promise<IssuedToken> {
    const issued = await unwrap(api.POST('/api/v1/api-tokens/{id}/rotate', { params: { path: { id } } }))
    await list.reload()
    return issued
  }

  /** Renames a token, changes its description or its model allow-list; its secret and scope stay. */
  async function update(id: number, change: { name: string; description: string; allowed_models: string[] | null }): Promise<void> {
    await unwrap(api.PUT('/api/v1/api-tokens/{id}', { params: { path: { id } }, body: change }))
    await list.reload()
  }

  async function revoke(id: number): Promise<void> {
    await unwrap(api.DELETE('/api/v1/api-tokens/{id}', { params: { path: { id } } }))
    await list.reload()
  }

  /** Choices for the create form (agents to bind, providers and projects of my keys); on demand only. */
  async function formChoices() {
    const [agents, keys] = await Promise.all([
      unwrap(api.GET('/api/v1/agents')),
      unwrap(api.GET('/api/v1/providers')),
    ])
    return {
      agents: rowsOf(agents).map((a) => ({ id: a.id, name: a.name, owner_id: a.owner_id })),
      providers: [...new Set(rowsOf(keys).map((k) => k.provider))].sort(),
      projects: [...new Set(rowsOf(keys).flatMap((k) => k.assigned_projects))].sort(),
    }
  }

  return { ...list, create, rotate, update, revoke, formChoices }
}
