// The one caller of /api/v1/providers and /api/v1/projects/{id}/provider for the dashboard:
// a page of my provider keys (admins may list everyone's: `?all=true` in the URL), add, edit,
// enable/disable, delete, and which of the owner's projects use a key. The key itself is sent
// once on add and never comes back.
import { api, unwrap } from '../../api/client'
import { pageOf, rowsOf } from '../../api/lists'
import type { components } from '../../api/schema'
import { usePagedList } from '../../composables/usePagedList'

export type ProviderKey = components['schemas']['ProviderKey']

export interface NewKeyInput {
  provider: string
  api_key: string
  base_url: string
  description: string
}

export interface KeyEdit {
  base_url: string
  description: string
}

/** The add body: optional fields left out when empty. */
export function addBody(input: NewKeyInput) {
  const body: { provider: string; api_key: string; base_url?: string; description?: string } = {
    provider: input.provider.trim().toLowerCase(),
    api_key: input.api_key.trim(),
  }
  if (input.base_url.trim()) body.base_url = input.base_url.trim()
  if (input.description.trim()) body.description = input.description.trim()
  return body
}

/**
 * The edit body: an emptied field is cleared (null), as the API documents. The base URL is
 * sent only when changed: one holding credentials comes back masked, and resending the mask
 * would replace the real URL.
 */
export function editBody(edit: KeyEdit, urlChanged: boolean) {
  const body: { base_url?: string | null; description: string | null } = { description: edit.description.trim() || null }
  if (urlChanged) body.base_url = edit.base_url.trim() || null
  return body
}

/** `mayListEveryone`: only an admin's `?all=true` is sent (anyone else would get a 403). */
export function useProviderKeys(mayListEveryone: () => boolean) {
  const list = usePagedList({ all: false as boolean, page: 1, per_page: 25 }, async (q, signal) => {
    const query = { page: q.page, per_page: q.per_page, ...(q.all && mayListEveryone() ? { all: true } : {}) }
    return pageOf(await unwrap(api.GET('/api/v1/providers', { params: { query }, signal })))
  })
  const keys = list.items

  /** Replaces one row with the server's answer (no reload for an edit of one key). */
  function put(key: ProviderKey): void {
    keys.value = keys.value.map((k) => (k.id === key.id ? key : k))
  }

  async function add(input: NewKeyInput): Promise<ProviderKey> {
    const key = await unwrap(api.POST('/api/v1/providers', { body: addBody(input) }))
    await list.reload()
    return key
  }

  async function edit(id: number, changes: KeyEdit, urlChanged: boolean): Promise<void> {
    put(await unwrap(api.PUT('/api/v1/providers/{id}', { params: { path: { id } }, body: editBody(changes, urlChanged) })))
  }

  async function setEnabled(id: number, enabled: boolean): Promise<void> {
    put(await unwrap(api.PUT('/api/v1/providers/{id}', { params: { path: { id } }, body: { is_enabled: enabled } })))
  }

  async function remove(id: number): Promise<void> {
    await unwrap(api.DELETE('/api/v1/providers/{id}', { params: { path: { id } } }))
    await list.reload()
  }

  /** The agents that lose their key when `id` is deleted (one filtered request, asked when the dialog opens). */
  async function agentsUsing(id: number): Promise<{ id: number; name: string }[]> {
    const agents = await unwrap(api.GET('/api/v1/agents', { params: { query: { provider_key_id: id } } }))
    return rowsOf(agents).map((a) => ({ id: a.id, name: a.name }))
  }

  /** Points the key owner's project `project` at key `id`; the server answers per owner. */
  async function assign(id: number, project: string): Promise<void> {
    await unwrap(
      api.POST('/api/v1/projects/{project_id}/provider', { params: { path: { project_id: project.trim() } }, body: { provider_key_id: id } }),
    )
    await reloadOne(id)
  }

  /** Removes the assignment of `project` (of the key's owner, named for an admin acting on another's). */
  async function unassign(key: ProviderKey, project: string, myId: string | undefined): Promise<void> {
    const query = key.owner_id !== myId ? { owner_id: key.owner_id } : {}
    await unwrap(api.DELETE('/api/v1/projects/{project_id}/provider', { params: { path: { project_id: project }, query } }))
    await reloadOne(key.id)
  }

  async function reloadOne(id: number): Promise<void> {
    put(await unwrap(api.GET('/api/v1/providers/{id}', { params: { path: { id } } })))
  }

  return { ...list, add, edit, setEnabled, remove, agentsUsing, assign, unassign }
}
