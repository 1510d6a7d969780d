// Filters, sort and page live in the URL query, so every list is a shareable deep link and
// survives a reload. A view declares its state with defaults; the defaults decide each key's
// type (number, boolean or string) and are left out of the URL to keep links short.
//
//   const q = useQueryState({ search: '', role: '', sort: '-created_at', page: 1, per_page: 25 })
//   q.state.search          // reactive, read it in templates and watchers
//   q.set({ role: 'admin' }) // updates the URL; any change but `page` itself resets page to 1
import { reactive, watch, type UnwrapRef } from 'vue'
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router'

export type QueryDefaults = Record<string, string | number | boolean>

function parse<T extends string | number | boolean>(raw: unknown, fallback: T): T {
  const s = Array.isArray(raw) ? raw[0] : raw
  if (typeof s !== 'string') return fallback
  if (typeof fallback === 'number') {
    const n = Number(s)
    return (Number.isFinite(n) ? n : fallback) as T
  }
  if (typeof fallback === 'boolean') return (s === '1' || s === 'true') as T
  return s as T
}

/** Query values of `defaults`' keys read from a route query (pure; exported for tests). */
export function readQuery<D extends QueryDefaults>(query: LocationQuery, defaults: D): D {
  const out = { ...defaults }
  for (const key of Object.keys(defaults) as (keyof D)[]) out[key] = parse(query[key as string], defaults[key])
  return out
}

/** The route query for `state`: default values dropped, other parameters kept. */
export function writeQuery<D extends QueryDefaults>(current: LocationQuery, state: D, defaults: D): LocationQueryRaw {
  const out: LocationQueryRaw = { ...current }
  for (const key of Object.keys(defaults)) {
    const v = state[key]
    if (v === defaults[key] || v === '' || v === undefined) delete out[key]
    else out[key] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v)
  }
  return out
}

export function useQueryState<D extends QueryDefaults>(defaults: D) {
  const route = useRoute()
  const router = useRouter()
  const state = reactive({ ...readQuery(route.query, defaults) }) as UnwrapRef<D>

  // Back/forward and links change the URL: mirror it into the state.
  watch(
    () => route.query,
    (q) => Object.assign(state, readQuery(q, defaults)),
  )

  function set(patch: Partial<D>): Promise<unknown> {
    const next = { ...(state as D), ...patch }
    if ('page' in defaults && !('page' in patch)) (next as QueryDefaults).page = defaults.page as number
    Object.assign(state, next)
    return router.replace({ query: writeQuery(route.query, next, defaults) })
  }

  function reset(): Promise<unknown> {
    return set({ ...defaults })
  }

  return { state, set, reset }
}
