import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { withSetup } from '../../test/withSetup'
import { createBody, tokenStatus, useApiTokens, type ApiToken, type NewTokenInput } from './useApiTokens'

const row = (over: Partial<ApiToken>): ApiToken => ({
  id: 1,
  user_id: 'user_1',
  project_id: null,
  name: 'ci',
  description: null,
  agent_id: null,
  provider: null,
  created_at: 1_000,
  last_used_at: null,
  expires_at: null,
  is_active: true,
  scope: 'user',
  allowed_models: null,
  ...over,
})
const input = (over: Partial<NewTokenInput> = {}): NewTokenInput => ({
  name: ' ci ',
  scope: 'read',
  project_id: '',
  agent_id: null,
  provider: '',
  expires_on: '',
  description: '',
  allowed_models: null,
  ...over,
})

describe('createBody', () => {
  it('leaves empty optional fields out', () => {
    expect(createBody(input())).toEqual({ name: 'ci', scope: 'read' })
  })
  it('sends every filled field and ends the expiry day in UTC', () => {
    expect(createBody(input({ project_id: 'prod', provider: 'openai', expires_on: '2030-01-31', description: 'x' }))).toEqual({
      name: 'ci',
      scope: 'read',
      project_id: 'prod',
      provider: 'openai',
      expires_at: '2030-01-31T23:59:59Z',
      description: 'x',
    })
  })
  it('makes a token bound to an agent a runtime token, as the server does', () => {
    expect(createBody(input({ agent_id: 7, scope: 'admin' }))).toMatchObject({ agent_id: 7, scope: 'runtime' })
  })
  it('sends a model allow-list, even an empty one (no model), and leaves out null (every model)', () => {
    expect(createBody(input())).not.toHaveProperty('allowed_models')
    expect(createBody(input({ allowed_models: [] }))).toMatchObject({ allowed_models: [] })
    expect(createBody(input({ allowed_models: ['gpt-4o*'] }))).toMatchObject({ allowed_models: ['gpt-4o*'] })
  })
})

describe('tokenStatus', () => {
  it.each([
    [row({}), 'active'],
    [row({ is_active: false }), 'inactive'],
    [row({ expires_at: '2000-01-01T00:00:00Z' }), 'expired'],
    [row({ expires_at: '2999-01-01T00:00:00Z' }), 'active'],
  ] as const)('%o is %s', (t, status) => expect(tokenStatus(t)).toBe(status))
})

describe('useApiTokens', () => {
  let mock: ReturnType<typeof mockApi>
  beforeEach(() => {
    setActivePinia(createPinia())
    mock = mockApi()
  })

  const page = (rows: ApiToken[], total = rows.length) => ({
    body: { data: rows, pagination: { page: 1, per_page: 25, total, total_pages: Math.ceil(total / 25) } },
  })
  const tokensAt = async (url: string) => (await withSetup(url, useApiTokens)).value

  it('asks the server for one page of my active tokens by default, in one request', async () => {
    mock.on('GET', '/api/v1/api-tokens', page([row({ id: 3 }), row({ id: 1 })], 30))
    const t = await tokensAt('/api-tokens')
    const calls = mock.calls('GET', '/api/v1/api-tokens')
    expect(calls).toHaveLength(1)
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({ page: '1', per_page: '25', status: 'active' })
    expect(t.items.value.map((x) => x.id)).toEqual([3, 1])
    expect(t.pager.total.value).toBe(30)
    expect(t.error.value).toBeNull()
  })

  it.each([
    ['/api-tokens?who=*&status=all', { user_id: '*' }],
    ['/api-tokens?who=user_7&status=inactive&page=2', { user_id: 'user_7', status: 'inactive', page: '2' }],
  ])('turns %s into the server query', async (url, expected) => {
    mock.on('GET', '/api/v1/api-tokens', page([]))
    await tokensAt(url)
    const params = Object.fromEntries(mock.calls('GET', '/api/v1/api-tokens')[0]!.url.searchParams)
    expect(params).toMatchObject(expected)
    if (!('status' in expected)) expect(params).not.toHaveProperty('status')
  })

  it('keeps a load failure for the table to show', async () => {
    mock.on('GET', '/api/v1/api-tokens', { status: 500, body: envelope('INTERNAL') })
    const t = await tokensAt('/api-tokens')
    expect(t.error.value?.code).toBe('INTERNAL')
  })

  it('returns the secret of a created token and reloads the list', async () => {
    mock.on('GET', '/api/v1/api-tokens', page([]))
    mock.on('POST', '/api/v1/api-tokens', { status: 201, body: { ...row({ id: 9 }), token: 'apitok_secret' } })
    const t = await tokensAt('/api-tokens')
    const issued = await t.create(input())
    expect(issued.token).toBe('apitok_secret')
    expect(mock.calls('POST', '/api/v1/api-tokens')[0]?.body).toEqual({ name: 'ci', scope: 'read' })
    expect(mock.calls('GET', '/api/v1/api-tokens')).toHaveLength(2)
  })

  it('rotates and revokes by id', async () => {
    mock.on('GET', '/api/v1/api-tokens', page([]))
    mock.on('POST', '/api/v1/api-tokens/:id/rotate', { body: { ...row({ id: 10 }), token: 'apitok_new' } })
    mock.on('DELETE', '/api/v1/api-tokens/:id', { body: { id: 10, revoked: true, message: 'ok' } })
    const t = await tokensAt('/api-tokens')
    expect((await t.rotate(4)).token).toBe('apitok_new')
    await t.revoke(10)
    expect(mock.calls('POST', '/api/v1/api-tokens/:id/rotate')[0]?.params.id).toBe('4')
    expect(mock.calls('DELETE', '/api/v1/api-tokens/:id')[0]?.params.id).toBe('10')
  })

  it('renames by id and reloads the list', async () => {
    mock.on('GET', '/api/v1/api-tokens', page([]))
    mock.on('PUT', '/api/v1/api-tokens/:id', { body: row({ id: 7, name: 'ci-deploy' }) })
    const t = await tokensAt('/api-tokens')
    await t.update(7, { name: 'ci-deploy', description: 'deploys', allowed_models: ['gpt-4o*'] })
    const [put] = mock.calls('PUT', '/api/v1/api-tokens/:id')
    expect(put?.params.id).toBe('7')
    expect(put?.body).toEqual({ name: 'ci-deploy', description: 'deploys', allowed_models: ['gpt-4o*'] })
    expect(mock.calls('GET', '/api/v1/api-tokens')).toHaveLength(2)
  })

  it('offers my agents and the providers and projects of my keys for the form', async () => {
    mock.on('GET', '/api/v1/agents', { body: [{ id: 5, name: 'bot', owner_id: 'user_1' }] })
    mock.on('GET', '/api/v1/providers', {
      body: [
        { id: 1, provider: 'openai', assigned_projects: ['prod', 'dev'] },
        { id: 2, provider: 'anthropic', assigned_projects: ['prod'] },
      ],
    })
    mock.on('GET', '/api/v1/api-tokens', page([]))
    const choices = await (await tokensAt('/api-tokens')).formChoices()
    expect(choices).toEqual({
      agents: [{ id: 5, name: 'bot', owner_id: 'user_1' }],
      providers: ['anthropic', 'openai'],
      projects: ['dev', 'prod'],
    })
  })
})
