// The password-change form both places share (the forced change page and My account): the
// fields, the rules checked as you type, and the one call. The server ends every other session
// and answers with a fresh one for this device, which the session store adopts; the caller says
// what happens next (navigate, or reset and toast).
import { computed, reactive, ref } from 'vue'
import { useFormSubmit } from '../../composables/useFormSubmit'
import { useSessionStore } from '../../stores/session'
import { passwordProblem } from './passwordRules'

export function usePasswordChange(onChanged: (form: { current: string; next: string; confirm: string }) => unknown, context?: string) {
  const session = useSessionStore()
  const form = reactive({ current: '', next: '', confirm: '' })
  const { fields, busy, clear, run } = useFormSubmit(() => context ?? '')
  const touched = ref(false)
  const problem = computed(() => passwordProblem(form.next, form.confirm))

  async function submit(): Promise<void> {
    touched.value = true
    clear()
    if (problem.value) return
    await run(async () => {
      await session.changePassword(form.current, form.next)
      touched.value = false
      await onChanged(form)
    })
  }

  return { form, fields, busy, touched, problem, submit }
}
