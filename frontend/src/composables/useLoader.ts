// The request state every loaded list or page shares: `loading`, the `error` the view shows
// (AppError, or the table's error state) and the cancelling of a superseded load, so an older
// answer never overwrites a newer one. A failure is kept in `error` and handled quietly
// (handleApiError's `quiet`: no toast, but 401 and a forced password change still redirect).
//
//   const loader = useLoader()
//   const load = () => loader.run((signal) => unwrap(api.GET('/api/v1/prices', { signal })), (r) => (prices.value = r.prices))
import { ref } from 'vue'
import { handleApiError, toApiError, type ApiError } from '../api/errors'

export function useLoader() {
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let controller: AbortController | null = null

  /** Fetches, then applies the answer unless a newer run (or `abort`) superseded this one. */
  async function run<R>(fetch: (signal: AbortSignal) => Promise<R>, apply: (result: R) => void): Promise<void> {
    controller?.abort()
    const mine = (controller = new AbortController())
    loading.value = true
    error.value = null
    try {
      const result = await fetch(mine.signal)
      if (!mine.signal.aborted) apply(result)
    } catch (e) {
      if (mine.signal.aborted) return
      error.value = toApiError(e)
      handleApiError(e, { quiet: true })
    } finally {
      if (controller === mine) loading.value = false
    }
  }

  return { loading, error, run, abort: () => controller?.abort() }
}
