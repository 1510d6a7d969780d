import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { groupPrices, priceBodyOf, usePrices, windowOf, emptyPriceForm, type Price } from './usePrices'

const version = (id: number, model: string, from: string, current: boolean, input = 1): Price => ({
  id,
  provider: 'openai',
  model,
  input_micros_per_mtok: input,
  output_micros_per_mtok: 2,
  cached_input_micros_per_mtok: 0,
  effective_from: from,
  source: 'admin',
  created_at: from,
  current,
})

async function setup() {
  let p!: ReturnType<typeof usePrices>
  mount(
    defineComponent({
      setup() {
        p = usePrices()
        return () => h('div')
      },
    }),
  )
  await flushPromises()
  return p
}

describe('groupPrices', () => {
  it('groups versions per key, newest first, with the current one and the scheduled ones', () => {
    const now = Date.parse('2026-06-01T00:00:00Z')
    const keys = groupPrices(
      [
        version(1, 'gpt-4o*', '2025-01-01T00:00:00Z', false, 1),
        version(2, 'gpt-4o*', '2026-01-01T00:00:00Z', true, 2),
        version(3, 'gpt-4o*', '2026-09-01T00:00:00Z', false, 3),
        version(4, 'later', '2027-01-01T00:00:00Z', false),
      ],
      now,
    )
    expect(keys.map((k) => k.key)).toEqual(['openai/gpt-4o*', 'openai/later'])
    expect(keys[0]!.current?.id).toBe(2)
    expect(keys[0]!.history.map((v) => v.id)).toEqual([3, 2, 1])
    expect(keys[0]!.scheduled.map((v) => v.id)).toEqual([3])
    expect(keys[1]!.current).toBeNull()
  })
})

describe('priceBodyOf', () => {
  it('turns dollars per million tokens into exact µ$ and a UTC time', () => {
    const r = priceBodyOf({ ...emptyPriceForm(), model: 'gpt-4o*', input: '2.50', output: '10', cached: '0.075', effectiveFrom: '2026-07-01T12:30' })
    expect(r).toEqual({
      body: {
        provider: 'openai',
        model: 'gpt-4o*',
        input_micros_per_mtok: 2_500_000,
        output_micros_per_mtok: 10_000_000,
        cached_input_micros_per_mtok: 75_000,
        effective_from: '2026-07-01T12:30:00Z',
      },
    })
  })
  it('names the fields it refuses', () => {
    const r = priceBodyOf({ ...emptyPriceForm(), model: '', input: '-1', output: '0.0000001' })
    expect('errors' in r && Object.keys(r.errors).sort()).toEqual(['input_micros_per_mtok', 'model', 'output_micros_per_mtok'])
  })
})

describe('windowOf', () => {
  it('makes inclusive UTC days a [from, to) window', () => {
    expect(windowOf('2026-02-27', '2026-02-28')).toEqual({ from: '2026-02-27T00:00:00Z', to: '2026-03-01T00:00:00Z' })
    expect(windowOf('', '2026-02-28')).toBeNull()
  })
})

describe('usePrices', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('loads once, and a dry run then apply send the same window', async () => {
    const api = mockApi().on('GET', '/api/v1/prices', { body: { prices: [version(1, 'm', '2026-01-01T00:00:00Z', true)] } })
    const plan = { from: 'a', to: 'b', agent_id: null, applied: false, events_examined: 2, events_changed: 1, unpriced_before: 0, unpriced_after: 0, before_micros: 1, after_micros: 3, delta_micros: 2, agents: [] }
    api.on('POST', '/api/v1/prices/recalculate', (c) => ({ body: { ...plan, applied: (c.body as { apply: boolean }).apply } }))
    const p = await setup()
    expect(api.calls('GET', '/api/v1/prices')).toHaveLength(1)
    expect(p.prices.value).toHaveLength(1)
    const w = windowOf('2026-01-01', '2026-01-31')!
    expect(await p.recalculate(w, false)).toBe(true)
    expect(p.plan.value?.applied).toBe(false)
    expect(await p.recalculate(w, true)).toBe(true)
    const bodies = api.calls('POST', '/api/v1/prices/recalculate').map((c) => c.body)
    expect(bodies).toEqual([{ ...w, apply: false }, { ...w, apply: true }])
    expect(p.plan.value?.applied).toBe(true)
  })

  it('imports a document and reloads; a refused import changes nothing', async () => {
    const api = mockApi().on('GET', '/api/v1/prices', { body: { prices: [] } })
    let refuse = true
    api.on('POST', '/api/v1/prices/import', () =>
      refuse
        ? { status: 400, body: envelope('VALIDATION_ERROR', 'bad', { field: 'prices[0].model' }) }
        : { body: { added: 1, unchanged: 0 } },
    )
    const p = await setup()
    expect(await p.importText('{"prices":[{}]}')).toBeNull()
    expect(await p.importText('not json')).toBeNull()
    expect(api.calls('POST', '/api/v1/prices/import')).toHaveLength(1)
    refuse = false
    expect(await p.importText('{"prices":[]}')).toEqual({ added: 1, unchanged: 0 })
    expect(api.calls('GET', '/api/v1/prices')).toHaveLength(2)
  })
})
