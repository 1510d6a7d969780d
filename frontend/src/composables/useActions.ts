// A feature's mutations in one place: `busy` while one runs, the feature's data reloaded after
// it succeeded (when a `reload` is given: a view's single action, e.g. a delete or an export,
// says itself what success means), and a refusal shown under its field (or as a toast naming
// `context`).
import { ref } from 'vue'
import { handleApiError } from '../api/errors'

export function useActions(reload: () => Promise<void> = async () => {}) {
  const busy = ref(false)

  /** Runs one action; true when it succeeded (the data is reloaded by then). */
  async function act(run: () => Promise<unknown>, context: string, fields?: Record<string, string>): Promise<boolean> {
    busy.value = true
    try {
      await run()
      await reload()
      return true
    } catch (e) {
      handleApiError(e, { context, fields })
      return false
    } finally {
      busy.value = false
    }
  }

  return { busy, act }
}
