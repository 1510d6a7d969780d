// The submit of a form dialog in one place: field errors cleared, no request while a local
// check left one, `busy` while the request runs, and the server's refusal shown under its
// field (or as a toast naming `context`). The action says what success means (close, toast,
// emit); `refusal` may place an error the generic handler would not (returns true if it did).
import { reactive, ref } from 'vue'
import { handleApiError } from '../api/errors'

export function useFormSubmit(context: () => string) {
  const fields = reactive<Record<string, string>>({})
  const busy = ref(false)

  function clear(): void {
    for (const k of Object.keys(fields)) delete fields[k]
  }

  async function run(action: () => Promise<void>, refusal?: (e: unknown) => boolean): Promise<void> {
    if (Object.keys(fields).length) return
    busy.value = true
    try {
      await action()
    } catch (e) {
      if (!refusal?.(e)) handleApiError(e, { fields, context: context() })
    } finally {
      busy.value = false
    }
  }

  return { fields, busy, clear, run }
}
