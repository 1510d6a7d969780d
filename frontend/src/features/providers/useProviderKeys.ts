// The one caller of /api/v1/providers and /api/v1/projects/{id}/provider for the dashboard:
// my provider keys (admins may list everyone's), add, edit, enable/disable, delete, and which
// of the owner's projects use a key. The key itself is sent once on add and never comes back.
import { ref, shallowRef } from 'vue'
import { api, unwrap } from '../../api/client'
import { handleApiError, toApiError, type ApiError } from '../../api/errors'
import type { components } from '../../api/schema'

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

export function useProviderKeys() {
  const keys = shallowRef<ProviderKey[]>([])
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let inflight: AbortController | null = null

  async function load(everyone = false): Promise<void> {
    inflight?.abort()
    const ctrl = (inflight = new AbortController())
    loading.value = true
    error.value = null
    try {
      const query = everyone ? { all: true } : {}
      keys.value = await unwrap(api.GET('/api/v1/providers', { params: { query }, signal: ctrl.signal }))
    } catch (e) {
      if (toApiError(e).code === 'ABORTED') return
      error.value = handleApiError(e, { quiet: true })
    } finally {
      if (inflight === ctrl) loading.value = false
    }
  }

  /** Replaces one row with the server's answer (no reload for an edit of one key). */
  function put(key: ProviderKey): void {
    keys.value = keys.value.map((k) => (k.id === key.id ? key : k))
  }

  async function add(input: NewKeyInput): Promise<ProviderKey> {
    const key = await unwrap(api.POST('/api/v1/providers', { body: addBody(input) }))
    keys.value = [key, ...keys.value]
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
    keys.value = keys.value.filter((k) => k.id !== id)
  }

  /** The agents that lose their key when `id` is deleted (one filtered request, asked when the dialog opens). */
  async function agentsUsing(id: number): Promise<{ id: number; name: string }[]> {
    const agents = await unwrap(api.GET('/api/v1/agents', { params: { query: { provider_key_id: id } } }))
    // Without paging parameters the list is the plain array (a page has `data`).
    return (Array.isArray(agents) ? agents : agents.data).map((a) => ({ id: a.id, name: a.name }))
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

  return { keys, loading, error, load, add, edit, setEnabled, remove, agentsUsing, assign, unassign }
}
