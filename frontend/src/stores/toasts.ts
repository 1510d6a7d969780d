// Transient messages (AppToastHost shows them in an aria-live region). Errors stay until
// dismissed or replaced by the same text; successes and infos fade after a few seconds.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type ToastKind = 'error' | 'success' | 'info'

export interface Toast {
  id: number
  kind: ToastKind
  message: string
}

const AUTO_DISMISS_MS: Record<ToastKind, number | null> = { error: 10_000, success: 4_000, info: 5_000 }
const MAX_TOASTS = 4

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1
  const timers = new Map<number, ReturnType<typeof setTimeout>>()

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
    clearTimeout(timers.get(id))
    timers.delete(id)
  }

  function push(t: { kind: ToastKind; message: string }): number {
    // The same message again (a retry failing the same way) replaces the old one.
    const same = toasts.value.find((x) => x.kind === t.kind && x.message === t.message)
    if (same) dismiss(same.id)
    const toast: Toast = { id: nextId++, ...t }
    toasts.value = [...toasts.value, toast].slice(-MAX_TOASTS)
    const ms = AUTO_DISMISS_MS[t.kind]
    if (ms !== null) timers.set(toast.id, setTimeout(() => dismiss(toast.id), ms))
    return toast.id
  }

  const success = (message: string) => push({ kind: 'success', message })
  const error = (message: string) => push({ kind: 'error', message })
  const info = (message: string) => push({ kind: 'info', message })

  return { toasts, push, dismiss, success, error, info }
})
