import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import AppSidebar from './AppSidebar.vue'
import { routes } from '../router'
import { signIn } from '../test/signIn'
import { setNavBadge } from '../composables/useNavBadges'

async function sidebarAt(path: string, role: 'admin' | 'user' | 'viewer' = 'admin') {
  const { pinia } = await signIn('t', role)
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  return mount(AppSidebar, { global: { plugins: [pinia, router] } })
}

describe('AppSidebar', () => {
  it('keeps the section highlighted on the pages below it', async () => {
    const w = await sidebarAt('/agents/42')
    expect(w.find('[data-testid=nav-agents]').classes()).toContain('active')
    expect(w.find('[data-testid=nav-overview]').classes()).not.toContain('active')
  })

  it('shows a viewer no administration entries', async () => {
    const w = await sidebarAt('/', 'viewer')
    expect(w.find('[data-testid=nav-users]').exists()).toBe(false)
    expect(w.find('[data-testid=nav-overview]').classes()).toContain('active')
  })

  it('nav badges show a count beside the entry, with words for screen readers, and hide at zero', async () => {
    const { pinia } = await signIn('t', 'admin')
    const router = createRouter({ history: createMemoryHistory(), routes })
    const w = mount(AppSidebar, { global: { plugins: [pinia, router] } })
    setNavBadge('budgets', 3, 'pending')
    await w.vm.$nextTick()
    expect(w.find('[data-testid=nav-badge-budgets] .visually-hidden').text()).toBe('3 pending')
    setNavBadge('budgets', 0)
    await w.vm.$nextTick()
    expect(w.find('[data-testid=nav-badge-budgets]').exists()).toBe(false)
  })
})
