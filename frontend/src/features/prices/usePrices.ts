// The only caller of the price catalogue API for the Prices view (docs/prices.md): every
// version (one request), adding a version, importing / exporting price documents, and the
// recalculation dry run and apply. Prices are µ$ per million tokens; the form takes dollars
// per million tokens, parsed exactly (format/money).
import { ref, shallowRef } from 'vue'
import { api, unwrap } from '../../api/client'
import type { components, operations } from '../../api/schema'
import { downloadFile } from '../../api/download'
import { handleApiError } from '../../api/errors'
import { useLoader } from '../../composables/useLoader'
import { parseDollars } from '../../format/money'
import { useToastStore } from '../../stores/toasts'

export type Price = operations['listPrices']['responses'][200]['content']['application/json']['prices'][number]
export type PriceBody = operations['createPrice']['requestBody']['content']['application/json']
export type PriceDocument = operations['importPrices']['requestBody']['content']['application/json']
export type Recalculation = operations['recalculatePrices']['responses'][200]['content']['application/json']
export type CostSource = components['schemas']['AnalyticsEvent']['cost_source']

/** One model key (provider + exact name or pattern) with its versions, newest first. */
export interface PriceKey {
  key: string
  provider: string
  model: string
  /** The version in effect now, or null when every version lies in the future. */
  current: Price | null
  /** Versions that start later than now (scheduled changes). */
  scheduled: Price[]
  history: Price[]
}

/** The catalogue grouped by key, in the server's order (provider, model). */
export function groupPrices(rows: Price[], now = Date.now()): PriceKey[] {
  const keys = new Map<string, PriceKey>()
  for (const p of rows) {
    const key = `${p.provider}/${p.model}`
    let k = keys.get(key)
    if (!k) {
      k = { key, provider: p.provider, model: p.model, current: null, scheduled: [], history: [] }
      keys.set(key, k)
    }
    k.history.unshift(p)
    if (p.current) k.current = p
  }
  for (const k of keys.values()) k.scheduled = k.history.filter((p) => Date.parse(p.effective_from) > now)
  return [...keys.values()]
}

/** The add-price form as a person fills it: dollars per million tokens, effective_from local. */
export interface PriceForm {
  provider: string
  model: string
  input: string
  output: string
  cached: string
  /** `YYYY-MM-DDTHH:mm` read as UTC; empty = now. */
  effectiveFrom: string
}

export const emptyPriceForm = (): PriceForm => ({ provider: 'openai', model: '', input: '', output: '', cached: '', effectiveFrom: '' })

/** The API body for a form, or the field errors that stop it (keys are the API's field names). */
export function priceBodyOf(f: PriceForm): { body: PriceBody } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const price = (text: string, field: string): number => {
    const micros = parseDollars(text || '0')
    if (micros === null || micros < 0n) {
      errors[field] = 'Dollars per million tokens, e.g. 2.50 (at most six decimals)'
      return 0
    }
    return Number(micros)
  }
  const body: PriceBody = {
    provider: f.provider.trim(),
    model: f.model.trim(),
    input_micros_per_mtok: price(f.input, 'input_micros_per_mtok'),
    output_micros_per_mtok: price(f.output, 'output_micros_per_mtok'),
    cached_input_micros_per_mtok: price(f.cached, 'cached_input_micros_per_mtok'),
  }
  if (!body.provider) errors.provider = 'Required'
  if (!body.model) errors.model = 'Required: an exact model name or a prefix ending in *'
  if (f.effectiveFrom) {
    const t = Date.parse(`${f.effectiveFrom}:00Z`)
    if (Number.isNaN(t)) errors.effective_from = 'A date and time (UTC)'
    else body.effective_from = new Date(t).toISOString().replace('.000Z', 'Z')
  }
  return Object.keys(errors).length ? { errors } : { body }
}

/** A recalculation window of whole UTC days, `to` inclusive, as the API's [from, to). */
export function windowOf(fromDay: string, toDay: string): { from: string; to: string } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromDay) || !/^\d{4}-\d{2}-\d{2}$/.test(toDay)) return null
  const end = new Date(`${toDay}T00:00:00Z`)
  end.setUTCDate(end.getUTCDate() + 1)
  return { from: `${fromDay}T00:00:00Z`, to: end.toISOString().replace('.000Z', 'Z') }
}

export function usePrices() {
  const prices = shallowRef<Price[]>([])
  const { loading, error, run } = useLoader()
  const busy = ref(false)
  const plan = shallowRef<Recalculation | null>(null)

  const load = () => run((signal) => unwrap(api.GET('/api/v1/prices', { signal })), (r) => (prices.value = r.prices))

  /** Adds a version; throws the API's refusal (the dialog places it under its field). */
  async function add(body: PriceBody): Promise<void> {
    await unwrap(api.POST('/api/v1/prices', { body }))
    await load()
  }

  /** Imports a price document's text; returns {added, unchanged}, or null after a shown error. */
  async function importText(text: string): Promise<{ added: number; unchanged: number } | null> {
    let doc: PriceDocument
    try {
      doc = JSON.parse(text) as PriceDocument
    } catch {
      useToastStore().error('Could not import the prices: the file is not JSON')
      return null
    }
    busy.value = true
    try {
      const r = await unwrap(api.POST('/api/v1/prices/import', { body: doc }))
      await load()
      return r
    } catch (e) {
      handleApiError(e, { context: 'Could not import the prices' })
      return null
    } finally {
      busy.value = false
    }
  }

  async function exportFile(): Promise<void> {
    try {
      await downloadFile('/api/v1/prices/export', {}, 'ironpanel-prices.json', 'application/json')
    } catch (e) {
      handleApiError(e, { context: 'Could not export the prices' })
    }
  }

  /** Dry run (apply false) or apply of a window; the answer replaces `plan`. */
  async function recalculate(window: { from: string; to: string }, apply: boolean): Promise<boolean> {
    busy.value = true
    try {
      plan.value = await unwrap(api.POST('/api/v1/prices/recalculate', { body: { ...window, apply } }))
      return true
    } catch (e) {
      handleApiError(e, { context: apply ? 'Could not apply the recalculation' : 'Could not run the dry run' })
      return false
    } finally {
      busy.value = false
    }
  }

  load()
  return { prices, loading, error, busy, plan, load, add, importText, exportFile, recalculate }
}
