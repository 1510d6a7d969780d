import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError } from '../api/errors'
import { usePagedList } from './usePagedList'

const defaults = { search: '', page: 1, per_page: 2 }

async function setup(url: string, fetchPage: (q: typeof defaults) => Promise<{ items: string[]; total: number }>) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/list', component: { render: () => null } }] })
  await router.push(url)
  let list!: ReturnType<typeof usePagedList<string, typeof defaults>>
  const Comp = defineComponent({
    setup() {
      list = usePagedList(defaults, (q) => fetchPage(q))
      return () => h('div')
    },
  })
  mount(Comp, { global: { plugins: [router, createPinia()] } })
  await flushPromises()
  return { router, list: () => list }
}

describe('usePagedList', () => {
  it('fetches the page the URL names and refetches on every query change', async () => {
    const asked: (typeof defaults)[] = []
    const { router, list } = await setup('/list?page=2&search=a', async (q) => {
      asked.push(q)
      return { items: [`${q.search}-${q.page}`], total: 5 }
    })
    expect(asked).toEqual([{ search: 'a', page: 2, per_page: 2 }])
    expect(list().items.value).toEqual(['a-2'])
    expect(list().pager.totalPages.value).toBe(3)
    await list().query.set({ search: 'b' })
    await flushPromises()
    expect(asked.at(-1)).toEqual({ search: 'b', page: 1, per_page: 2 })
    expect(router.currentRoute.value.query).toEqual({ search: 'b' })
    await list().pager.setPage(3)
    await flushPromises()
    expect(list().items.value).toEqual(['b-3'])
  })

  it('shows a failure as the list error, without a toast', async () => {
    const { list } = await setup('/list', async () => {
      throw new ApiError(500, 'INTERNAL', 'internal error')
    })
    expect(list().error.value).toMatchObject({ code: 'INTERNAL' })
    expect(list().loading.value).toBe(false)
  })
})
