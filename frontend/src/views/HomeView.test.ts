import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import HomeView from './HomeView.vue'

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function mountHome() {
  const pinia = createPinia()
  setActivePinia(pinia)
  return mount(HomeView, { global: { plugins: [pinia] } })
}

describe('HomeView', () => {
  beforeEach(() => {
    document.head.querySelectorAll('base').forEach((el) => el.remove())
    const base = document.createElement('base')
    base.setAttribute('href', '/panel/')
    document.head.prepend(base)
  })

  it('fetches <base>health and shows the report', async () => {
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      jsonResponse({
        status: 'ok',
        version: '1.2.3',
        build_sha: 'abc1234',
        uptime_s: 3725,
        checks: { database: 'ok' },
      }),
    )
    vi.stubGlobal('fetch', fetchMock)

    const wrapper = mountHome()
    expect(wrapper.get('[data-testid="health-status"]').text()).toBe('loading')
    await flushPromises()

    expect(fetchMock).toHaveBeenCalledTimes(1)
    const url = fetchMock.mock.calls[0]?.[0]
    expect(url instanceof URL ? url.pathname : String(url)).toBe('/panel/health')

    expect(wrapper.get('[data-testid="health-status"]').text()).toBe('ok')
    expect(wrapper.get('[data-testid="health-status"]').classes()).toContain('is-ok')
    expect(wrapper.get('[data-testid="health-version"]').text()).toBe('1.2.3')
    expect(wrapper.get('[data-testid="health-build-sha"]').text()).toBe('abc1234')
    expect(wrapper.get('[data-testid="health-uptime"]').text()).toBe('1h 2m 5s')
    expect(wrapper.get('[data-testid="health-check-database"]').text()).toBe('ok')
    expect(wrapper.find('[data-testid="health-error"]').exists()).toBe(false)
  })

  it('shows a degraded report sent with 503', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          { status: 'degraded', version: '1.2.3', build_sha: 'abc', uptime_s: 1, checks: { database: 'error' } },
          503,
        ),
      ),
    )
    const wrapper = mountHome()
    await flushPromises()
    expect(wrapper.get('[data-testid="health-status"]').text()).toBe('degraded')
    expect(wrapper.get('[data-testid="health-status"]').classes()).toContain('is-bad')
    expect(wrapper.get('[data-testid="health-check-database"]').text()).toBe('error')
  })

  it('reports an unreachable server', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('bad gateway', { status: 502 })),
    )
    const wrapper = mountHome()
    await flushPromises()
    expect(wrapper.get('[data-testid="health-status"]').text()).toBe('unreachable')
    expect(wrapper.get('[data-testid="health-error"]').text()).toContain('HTTP 502')
    expect(wrapper.find('[data-testid="health-version"]').exists()).toBe(false)
  })

  it('refreshes on demand', async () => {
    const fetchMock = vi.fn(async () =>
      jsonResponse({ status: 'ok', version: 'v', build_sha: 's', uptime_s: 0, checks: {} }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const wrapper = mountHome()
    await flushPromises()
    await wrapper.get('[data-testid="health-refresh"]').trigger('click')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })
})
