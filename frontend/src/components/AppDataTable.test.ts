import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { ref, shallowRef } from 'vue'
import { ApiError } from '../api/errors'
import AppDataTable from './AppDataTable.vue'
import { nextSort } from './table'

const columns = [
  { key: 'name', label: 'Name', sortable: true },
  { key: 'spent', label: 'Spent', sortable: true, align: 'end' as const },
  { key: 'owner', label: 'Owner' },
]
const rows = [
  { id: 1, name: 'alpha', spent: 5, owner: null },
  { id: 2, name: 'beta', spent: 7, owner: 'ada' },
]

function table(props: Record<string, unknown> = {}) {
  return mount(AppDataTable, {
    props: { columns, rows, rowKey: (r: unknown) => (r as { id: number }).id, caption: 'Agents', ...props },
    slots: { 'cell-name': '<template #cell-name="{ row }"><a class="name">{{ row.name }}</a></template>' },
  })
}

describe('AppDataTable', () => {
  it('renders rows through cell slots and shows a dash for empty values', () => {
    const w = table()
    expect(w.findAll('[data-testid=table-row]')).toHaveLength(2)
    expect(w.findAll('a.name').map((a) => a.text())).toEqual(['alpha', 'beta'])
    expect(w.findAll('tbody tr')[0]!.findAll('td')[2]!.text()).toBe('—')
  })

  it.each([
    ['money', 1_234_500_000, '$1,234.50'],
    ['count', 1234567, '1,234,567'],
  ] as const)('formats %s columns without a slot and aligns them to the end', (format, value, shown) => {
    const w = mount(AppDataTable, {
      props: { columns: [{ key: 'v', label: 'V', format }], rows: [{ id: 1, v: value }], rowKey: () => 1, caption: 'T' },
    })
    const td = w.find('tbody td')
    expect(td.text()).toBe(shown)
    expect(td.classes()).toContain('end')
  })

  it('asks the server for another sort and marks the sorted column', async () => {
    const w = table({ sort: 'spent' })
    expect(w.find('th[aria-sort=ascending]').text()).toContain('Spent')
    await w.find('[data-testid=sort-spent]').trigger('click')
    expect(w.emitted('update:sort')?.[0]).toEqual(['-spent'])
    await w.find('[data-testid=sort-name]').trigger('click')
    expect(w.emitted('update:sort')?.[1]).toEqual(['name'])
  })

  it('cycles ascending → descending → ascending', () => {
    expect(nextSort('', 'name')).toBe('name')
    expect(nextSort('name', 'name')).toBe('-name')
    expect(nextSort('-name', 'name')).toBe('name')
  })

  it('shows loading, empty and error states', async () => {
    expect(table({ rows: [], loading: true }).find('[data-testid=loading-state]').exists()).toBe(true)
    expect(table({ rows: [], emptyTitle: 'No agents yet' }).find('[data-testid=empty-state]').text()).toContain('No agents yet')
    const w = table({ error: new ApiError(500, 'INTERNAL', 'internal error') })
    expect(w.find('[data-testid=error-state]').text()).toContain('internal error')
    expect(w.findAll('[data-testid=table-row]')).toHaveLength(0)
    await w.find('[data-testid=error-state] button').trigger('click')
    expect(w.emitted('retry')).toHaveLength(1)
  })

  describe('given a whole list', () => {
    function listOf(extra: Record<string, unknown> = {}) {
      const calls: string[] = []
      const list = {
        items: shallowRef(rows),
        loading: ref(false),
        error: ref<ApiError | null>(null),
        reload: () => calls.push('reload'),
        ...extra,
      }
      const w = mount(AppDataTable, { props: { columns, list, rowKey: (r: unknown) => (r as { id: number }).id, caption: 'Agents' } })
      return { w, list, calls }
    }

    it('shows its rows and states and retries through it', async () => {
      const { w, list, calls } = listOf()
      expect(w.findAll('[data-testid=table-row]')).toHaveLength(2)
      list.error.value = new ApiError(500, 'INTERNAL', 'internal error')
      await w.vm.$nextTick()
      await w.find('[data-testid=error-state] button').trigger('click')
      expect(calls).toEqual(['reload'])
      expect(w.emitted('retry')).toBeUndefined()
    })

    it('puts a pager under a page-numbered list', async () => {
      const pages: number[] = []
      const pagerProps = ref({ page: 1, perPage: 1, total: 2, 'onUpdate:page': (p: number) => pages.push(p), 'onUpdate:perPage': () => {} })
      const { w } = listOf({ pagerProps })
      expect(w.find('.footer').text()).toContain('of 2')
      await w.find('[data-testid=pager-next]').trigger('click')
      expect(pages).toEqual([2])
      expect(w.find('[data-testid=load-more]').exists()).toBe(false)
    })

    it('puts "Load more" under a cursor-paged list', async () => {
      let more = 0
      const { w } = listOf({ hasMore: () => true, loadMore: () => more++ })
      await w.find('[data-testid=load-more]').trigger('click')
      expect(more).toBe(1)
    })

    it('has no footer for a list without paging', () => {
      expect(listOf().w.find('.footer').exists()).toBe(false)
    })
  })
})
