import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { readQuery, useQueryState, writeQuery } from './useQueryState'

const defaults = { search: '', role: '', active: false, page: 1, per_page: 25 }

describe('readQuery / writeQuery', () => {
  it('types values by their defaults and falls back on junk', () => {
    expect(readQuery({ search: 'ada', page: '3', active: '1', per_page: 'x' }, defaults)).toEqual({
      search: 'ada',
      role: '',
      active: true,
      page: 3,
      per_page: 25,
    })
  })
  it('leaves defaults out of the URL and keeps foreign parameters', () => {
    expect(writeQuery({ tab: 'x', page: '4' }, { ...defaults, role: 'admin', page: 1 }, defaults)).toEqual({ tab: 'x', role: 'admin' })
  })
})

describe('useQueryState', () => {
  async function setup(url: string) {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/list', component: { render: () => null } }] })
    await router.push(url)
    let q!: ReturnType<typeof useQueryState<typeof defaults>>
    const Comp = defineComponent({
      setup() {
        q = useQueryState(defaults)
        return () => h('div')
      },
    })
    mount(Comp, { global: { plugins: [router] } })
    return { router, q: () => q }
  }

  it('reads the deep link, writes changes to the URL and resets the page on a filter change', async () => {
    const { router, q } = await setup('/list?search=ada&page=3')
    expect(q().state.search).toBe('ada')
    expect(q().state.page).toBe(3)
    await q().set({ role: 'viewer' })
    expect(router.currentRoute.value.query).toEqual({ search: 'ada', role: 'viewer' })
    expect(q().state.page).toBe(1)
    await q().set({ page: 2 })
    expect(router.currentRoute.value.query).toEqual({ search: 'ada', role: 'viewer', page: '2' })
  })

  it('follows the URL on back/forward', async () => {
    const { router, q } = await setup('/list')
    await router.push('/list?search=bob&page=5')
    await flushPromises()
    await nextTick()
    expect(q().state).toMatchObject({ search: 'bob', page: 5 })
  })
})
