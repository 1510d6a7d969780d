import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi } from '../../test/mockApi'
import { withSetup } from '../../test/withSetup'
import { addBody, editBody, useProviderKeys, type ProviderKey } from './useProviderKeys'

const key = (over: Partial<ProviderKey>): ProviderKey => ({
  id: 1,
  provider: 'openai',
  base_url: null,
  description: null,
  is_enabled: true,
  created_at: 1,
  last_used_at: null,
  masked_key: 'sk-a...wxyz',
  assigned_projects: [],
  owner_id: 'user_1',
  ...over,
})

describe('bodies', () => {
  it('add: trims, lowercases the provider and leaves empty optionals out', () => {
    expect(addBody({ provider: ' OpenAI ', api_key: ' sk-1 ', base_url: '', description: '' })).toEqual({ provider: 'openai', api_key: 'sk-1' })
  })
  it('edit: clears emptied fields and sends the base URL only when changed (a masked one must not be resent)', () => {
    expect(editBody({ base_url: 'https://***@h', description: '' }, false)).toEqual({ description: null })
    expect(editBody({ base_url: '', description: 'd' }, true)).toEqual({ base_url: null, description: 'd' })
  })
})

const page = (rows: ProviderKey[], total = rows.length) => ({
  body: { data: rows, pagination: { page: 1, per_page: 25, total, total_pages: Math.ceil(total / 25) } },
})

describe('useProviderKeys', () => {
  let mock: ReturnType<typeof mockApi>
  beforeEach(() => {
    setActivePinia(createPinia())
    mock = mockApi()
  })
  const keysAt = async (url: string, admin = true) => (await withSetup(url, () => useProviderKeys(() => admin))).value

  it.each([
    ['/providers', true, { page: '1', per_page: '25' }],
    ['/providers?all=true&page=2', true, { page: '2', per_page: '25', all: 'true' }],
    ['/providers?all=true', false, { page: '1', per_page: '25' }],
  ])('%s (admin: %s) asks the server for one page: %o', async (url, admin, expected) => {
    mock.on('GET', '/api/v1/providers', page([key({})], 40))
    const k = await keysAt(url, admin)
    const calls = mock.calls('GET', '/api/v1/providers')
    expect(calls).toHaveLength(1)
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual(expected)
    expect(k.items.value).toHaveLength(1)
    expect(k.pager.total.value).toBe(40)
  })

  it('enables / disables with one PUT and replaces the row with the answer', async () => {
    mock.on('GET', '/api/v1/providers', page([key({}), key({ id: 2 })]))
    mock.on('PUT', '/api/v1/providers/:id', (c) => ({ body: key({ id: Number(c.params.id), is_enabled: false }) }))
    const k = await keysAt('/providers')
    await k.setEnabled(1, false)
    expect(mock.calls('PUT', '/api/v1/providers/:id')[0]?.body).toEqual({ is_enabled: false })
    expect(k.items.value.map((x) => x.is_enabled)).toEqual([false, true])
    expect(mock.calls('GET', '/api/v1/providers')).toHaveLength(1)
  })

  it('names the agents that lose the key with one request filtered by the server', async () => {
    mock.on('GET', '/api/v1/agents', {
      body: [
        { id: 1, name: 'a', provider_key_id: 3 },
        { id: 4, name: 'c', provider_key_id: 3 },
      ],
    })
    mock.on('GET', '/api/v1/providers', page([]))
    expect(await (await keysAt('/providers')).agentsUsing(3)).toEqual([
      { id: 1, name: 'a' },
      { id: 4, name: 'c' },
    ])
    const calls = mock.calls('GET', '/api/v1/agents')
    expect(calls).toHaveLength(1)
    expect(calls[0]?.url.searchParams.get('provider_key_id')).toBe('3')
  })

  it('assigns a project and unassigns another owner’s project with owner_id', async () => {
    mock.on('GET', '/api/v1/providers/:id', { body: key({ assigned_projects: ['prod'] }) })
    mock.on('POST', '/api/v1/projects/:project_id/provider', { body: {} })
    mock.on('DELETE', '/api/v1/projects/:project_id/provider', { status: 204 })
    mock.on('GET', '/api/v1/providers', page([key({})]))
    const k = await keysAt('/providers')
    await k.assign(1, ' prod ')
    expect(mock.calls('POST', '/api/v1/projects/:project_id/provider')[0]).toMatchObject({ params: { project_id: 'prod' }, body: { provider_key_id: 1 } })
    expect(k.items.value[0]?.assigned_projects).toEqual(['prod'])
    await k.unassign(key({ owner_id: 'user_2' }), 'prod', 'user_1')
    await k.unassign(key({}), 'prod', 'user_1')
    expect(mock.calls('DELETE', '/api/v1/projects/:project_id/provider').map((c) => c.url.searchParams.get('owner_id'))).toEqual(['user_2', null])
  })

  it('deletes and reloads the page', async () => {
    mock.on('DELETE', '/api/v1/providers/:id', { status: 204 })
    let rows = [key({}), key({ id: 2 })]
    mock.on('GET', '/api/v1/providers', () => page(rows))
    const k = await keysAt('/providers')
    rows = [key({ id: 2 })]
    await k.remove(1)
    expect(mock.calls('DELETE', '/api/v1/providers/:id')[0]?.params.id).toBe('1')
    expect(k.items.value.map((x) => x.id)).toEqual([2])
  })
})
