// Light/dark theme: follows prefers-color-scheme until the person picks one, then remembers
// the pick in localStorage. The resolved theme is written to <html data-theme>, which
// style.css keys its tokens on (an attribute set from JS, so the strict CSP holds).
import { computed, ref } from 'vue'

export type ThemeChoice = 'system' | 'light' | 'dark'
const STORAGE_KEY = 'ironpanel.theme'

const choice = ref<ThemeChoice>('system')
const systemDark = ref(false)
let media: MediaQueryList | null = null

const resolved = computed<'light' | 'dark'>(() =>
  choice.value === 'system' ? (systemDark.value ? 'dark' : 'light') : choice.value,
)

function apply(): void {
  document.documentElement.dataset.theme = resolved.value
}

function readStored(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system' // storage disabled: follow the system
  }
}

/** Called once before mounting, so the first paint already has the right theme. */
export function initTheme(): void {
  choice.value = readStored()
  media = window.matchMedia?.('(prefers-color-scheme: dark)') ?? null
  systemDark.value = media?.matches ?? false
  media?.addEventListener('change', (e) => {
    systemDark.value = e.matches
    apply()
  })
  apply()
}

export function useTheme() {
  function set(next: ThemeChoice): void {
    choice.value = next
    try {
      if (next === 'system') localStorage.removeItem(STORAGE_KEY)
      else localStorage.setItem(STORAGE_KEY, next)
    } catch {
      // not remembered; still applied for this page
    }
    apply()
  }
  /** The top bar's button: switches to the other theme and remembers it. */
  function toggle(): void {
    set(resolved.value === 'dark' ? 'light' : 'dark')
  }
  return { choice, resolved, set, toggle }
}
