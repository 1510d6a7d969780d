// The password-change form both places share (the forced change page and My account): the
// fields, the rules checked as you type, and the one call. The server ends every other session
// and answers with a fresh one for this device, which the session store adopts; the caller says
// what happens next (navigate, or reset and toast).
import { computed, reactive, ref } from 'vue'
import { handleApiError } from '../../api/errors'
import { useSessionStore } from '../../stores/session'
import { passwordProblem } from './passwordRules'

export function usePasswordChange(onChanged: (form: { current: string; next: string; confirm: string }) => unknown, context?: string) {
  const session = useSessionStore()
  const form = reactive({ current: '', next: '', confirm: '' })
  const fields = reactive<Record<string, string>>({})
  const busy = ref(false)
  const touched = ref(false)
  const problem = computed(() => passwordProblem(form.next, form.confirm))

  async function submit(): Promise<void> {
    touched.value = true
    for (const k of Object.keys(fields)) delete fields[k]
    if (problem.value) return
    busy.value = true
    try {
      await session.changePassword(form.current, form.next)
      touched.value = false
      await onChanged(form)
    } catch (e) {
      handleApiError(e, { fields, context })
    } finally {
      busy.value = false
    }
  }

  return { form, fields, busy, touched, problem, submit }
}
