// Live updates reach the browser: with the admin's dashboard open, a simulated runtime reports
// spend and the page's one live stream delivers the usage.tick, without polling or reload.

import { newTrackedContext } from '../lib/browser.mjs'
import { runtime } from '../lib/runtime.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** Waits until the page's live-events store holds an event matching (type, agentId). */
async function waitForLiveEvent(page, type, agentId) {
  try {
    await page.waitForFunction(
      ([t, id]) => {
        const pinia = document.querySelector('#app')?.__vue_app__?.config.globalProperties.$pinia
        const live = pinia?._s.get('liveEvents')
        return live?.recent.some((e) => e.type === t && e.data?.agent_id === id) ?? false
      },
      [type, agentId],
    )
  } catch {
    throw new E2eError(`no live "${type}" event for agent ${agentId} reached the page at ${page.url()}`)
  }
}

export async function liveJourney({ browser, baseUrl, api, people }) {
  const [admin] = people
  const t = await newTrackedContext(browser)
  await signIn(t.page, baseUrl, admin)
  await t.page.locator('[data-testid=live-indicator][data-status=live]').waitFor()

  const rt = runtime(api)
  const token = await api.login(admin.email, admin.password)
  const agent = await rt.createAgent(token, { name: `live-${Date.now()}`, budgetMicros: 10_000_000 })
  const ic = await rt.issueIcToken(token, agent.id)
  await rt.completedRequest(ic, { costMicros: 12_345 })
  await waitForLiveEvent(t.page, 'usage.tick', agent.id)
  await t.assertClean('live journey')

  // Two tabs of the same browser reload at the same instant: both restore the session through
  // the one shared refresh cookie (single-use tokens must not be presented twice), and stay signed in.
  const second = await t.context.newPage()
  await second.goto(new URL('analytics', baseUrl).href)
  await second.locator('h1').waitFor()
  await Promise.all([t.page.reload(), second.reload()])
  for (const p of [t.page, second]) {
    await p.getByTestId('user-menu').waitFor().catch(() => {
      throw new E2eError(`after two tabs reloaded together, ${p.url()} is not signed in`)
    })
  }
  // And the session still refreshes afterwards (the family was not revoked as reused), and the
  // live stream is back once the server released the slots of the streams the reloads closed.
  await t.page.reload()
  await t.page.getByTestId('user-menu').waitFor()
  await t.page.locator('[data-testid=live-indicator][data-status=live]').waitFor({ timeout: 30_000 })
  await t.assertClean('two tabs reloading together')
  await t.close()
  return { agent }
}
