import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import AppChart from './AppChart.vue'

// jsdom cannot draw; the chart object is replaced by a recorder of its configuration.
const created: { config: any; destroyed: boolean }[] = []
vi.mock('./chartSetup', () => ({
  Chart: class {
    entry: { config: any; destroyed: boolean }
    constructor(_canvas: unknown, config: any) {
      this.entry = { config, destroyed: false }
      created.push(this.entry)
    }
    destroy() {
      this.entry.destroyed = true
    }
  },
}))

const props = {
  title: 'Spend per day',
  labels: ['Nov 1', 'Nov 2'],
  series: [{ label: 'OpenAI', data: [1_500_000, 4_000] }],
  format: 'money' as const,
}

describe('AppChart', () => {
  it('draws lazily and labels money values with the one formatter', async () => {
    created.length = 0
    const w = mount(AppChart, { props })
    await flushPromises()
    expect(created).toHaveLength(1)
    const cfg = created[0]!.config
    expect(cfg.data.labels).toEqual(['Nov 1', 'Nov 2'])
    expect(cfg.options.scales.y.ticks.callback(2_500_000)).toBe('$2.50')
    // The same numbers as a table, for screen readers and the "Show table" toggle.
    expect(w.findAll('tbody td').map((td) => td.text())).toEqual(['$1.50', '<$0.01'])
    w.unmount()
    expect(created[0]!.destroyed).toBe(true)
  })

  it('shows the table instead of the chart on request', async () => {
    const w = mount(AppChart, { props })
    await w.find('button').trigger('click')
    expect(w.find('canvas').exists()).toBe(false)
    expect(w.find('[role=region]').isVisible()).toBe(true)
    expect(w.find('button').attributes('aria-pressed')).toBe('true')
  })

  it('says when there is nothing to draw', () => {
    const w = mount(AppChart, { props: { ...props, labels: [], series: [] } })
    expect(w.find('[data-testid=empty-state]').text()).toContain('No data')
  })
})
