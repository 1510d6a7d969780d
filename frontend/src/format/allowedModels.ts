// Model allow-lists as the dashboard edits them (docs/model-allow-lists.md): one textarea of
// names or `*` patterns separated by commas or new lines, behind an "only these models"
// switch. Off = null (every model); on with nothing entered = [] (no model at all). The
// server's bounds are checked here too, so the form can name the bad entry before sending.

export const MAX_ALLOWED_MODELS = 100
export const MAX_ALLOWED_MODEL_LENGTH = 200

export type AllowedModels = string[] | null

export type ParsedAllowedModels = { ok: true; list: AllowedModels } | { ok: false; error: string }

// Control characters the server refuses (C0 and DEL); a new line only separates entries.
const CONTROL = /[\u0000-\u001f\u007f]/ // eslint-disable-line no-control-regex

/** The list the form holds, from the switch and the text; duplicates dropped in order. */
export function parseAllowedModels(restrict: boolean, text: string): ParsedAllowedModels {
  if (!restrict) return { ok: true, list: null }
  const list: string[] = []
  for (const raw of text.split(/[,\n]/)) {
    const entry = raw.replace(/\r$/, '').trim()
    if (!entry) continue
    if (CONTROL.test(entry)) return { ok: false, error: `“${entry.replace(CONTROL, '?')}” contains a control character.` }
    if (entry.length > MAX_ALLOWED_MODEL_LENGTH) return { ok: false, error: `“${entry.slice(0, 24)}…” is longer than ${MAX_ALLOWED_MODEL_LENGTH} characters.` }
    if (!list.includes(entry)) list.push(entry)
  }
  if (list.length > MAX_ALLOWED_MODELS) return { ok: false, error: `At most ${MAX_ALLOWED_MODELS} models or patterns (${list.length} given).` }
  return { ok: true, list }
}

/** The text a stored list is edited as: one entry per line. */
export function allowedModelsText(list: AllowedModels | undefined): string {
  return (list ?? []).join('\n')
}

/** A short reading of a list for tables and summaries. */
export function describeAllowedModels(list: AllowedModels | undefined): string {
  if (list === null || list === undefined) return 'All models'
  if (list.length === 0) return 'No models'
  return list.join(', ')
}
