// Table-driven smoke test: every route of the app's own router × every role. Each visit must
// settle without console errors, page errors or CSP violations and pass axe (no serious or
// critical violation); a route above the role must show the "not allowed" page; a viewer
// must see no control marked `data-mutates`. With
// screenshots on, every view is captured at 1280 and 390 px in light and dark.
//
// Views that need data (a detail page) take their parameters from SAMPLE_PARAMS; the journeys
// that create data may set better ones, per role where what a role may see differs.

import { checkAxe, expectVisible, newTrackedContext, screenshot, waitForView } from './lib/browser.mjs'
import { E2eError } from './lib/server.mjs'
import { appRoutes, signIn } from './lib/ui.mjs'

export const SAMPLE_PARAMS = { 'agent-detail': { id: '1' } }

const RANK = { viewer: 0, user: 1, admin: 2 }
// Not views to look at: signing out ends the session; the catch-all and "forbidden" are
// visited through the cases that lead to them.
const SKIP = new Set(['logout', 'not-found', 'forbidden'])
const SIGNED_OUT = new Set(['login', 'setup'])
const WIDTHS = [
  { w: 1280, h: 800 },
  { w: 390, h: 844 },
]

function fill(path, params = {}) {
  return path.replace(/:(\w+)/g, (_, k) => encodeURIComponent(params[k] ?? '1'))
}

async function capture(page, name) {
  for (const theme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: theme })
    for (const { w, h } of WIDTHS) {
      await page.setViewportSize({ width: w, height: h })
      // Let resize observers (charts) lay out at the new width before the picture.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
      await screenshot(page, `${name}-${w}-${theme}`)
    }
  }
  await page.setViewportSize({ width: WIDTHS[0].w, height: WIDTHS[0].h })
  await page.emulateMedia({ colorScheme: 'light' })
}

/**
 * people: [{ role, email, password }]. Options: shots (screenshots of every view, as the admin),
 * darkAxe (axe in the dark theme too). Returns { visits }.
 */
export async function smokeRoutes({ browser, baseUrl, people, label, shots, darkAxe }) {
  let visits = 0
  const report = [] // per admin visit: API requests the view made, minor axe findings
  for (const person of people) {
    const t = await newTrackedContext(browser)
    const { page } = t
    await signIn(page, baseUrl, person)
    let apiRequests = []
    page.on('request', (req) => {
      const path = new URL(req.url()).pathname
      if (path.includes('/api/v1/')) apiRequests.push(`${req.method()} ${path.slice(path.indexOf('/api/v1/') + 7)}`)
    })
    const routes = (await appRoutes(page)).filter((r) => !SKIP.has(r.name) && !SIGNED_OUT.has(r.name))
    if (routes.length < 5) throw new E2eError(`only ${routes.length} routes read from the app's router`)
    for (const r of routes) {
      const what = `${label} ${person.role} ${r.name} (${r.path})`
      // Owner-scoped details (an agent) need a sample per role: { admin: {id}, user: {id}, … }.
      const sample = SAMPLE_PARAMS[r.name]
      await page.goto(new URL(fill(r.path, sample?.[person.role] ?? sample).slice(1), baseUrl).href)
      const allowed = RANK[person.role] >= RANK[r.meta.minRole ?? 'viewer']
      apiRequests = []
      if (allowed) await waitForView(page, what)
      else await expectVisible(page, 'forbidden', `${what} above the role`)
      // Viewers are read-only: no control marked as mutating may be on screen for them.
      if (person.role === 'viewer') {
        const shown = await page.locator('[data-mutates]:visible').count()
        if (shown) throw new E2eError(`${what}: ${shown} mutating control(s) ([data-mutates]) visible to a viewer`)
      }
      const axe = await checkAxe(page, `${what} light`)
      if (person.role === 'admin') report.push({ route: r.name, requests: [...apiRequests], minorAxe: axe.minor })
      if (darkAxe) {
        await page.emulateMedia({ colorScheme: 'dark' })
        await checkAxe(page, `${what} dark`)
        await page.emulateMedia({ colorScheme: 'light' })
      }
      // Every view once, as the admin sees it (other roles see the same views with less in them).
      if (shots && person.role === 'admin') await capture(page, `${label}-${r.name}`)
      await t.assertClean(what)
      visits++
    }
    await t.close()
  }

  // The sign-in pages and an unknown route, signed out.
  const t = await newTrackedContext(browser)
  for (const name of [...SIGNED_OUT, 'no/such/route']) {
    const what = `${label} signed-out ${name}`
    await t.page.goto(new URL(name, baseUrl).href)
    await waitForView(t.page, what)
    await checkAxe(t.page, `${what} light`)
    if (shots) await capture(t.page, `${label}-signed-out-${name.replace(/\W+/g, '-')}`)
    await t.assertClean(what)
    visits++
  }
  await t.close()
  return { visits, report }
}
