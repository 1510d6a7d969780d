// Runs a composable inside a mounted component with a memory router at `url`, for
// composables that keep their state in the URL (useQueryState, usePagedList).
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'

export async function withSetup<T>(url: string, setup: () => T): Promise<{ value: T; router: Router }> {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: { render: () => null } }] })
  await router.push(url)
  let value!: T
  const Comp = defineComponent({
    setup() {
      value = setup()
      return () => h('div')
    },
  })
  mount(Comp, { global: { plugins: [router] } })
  await flushPromises()
  return { value, router }
}
