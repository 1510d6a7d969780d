#!/usr/bin/env node
// End-to-end tests of the embedded dashboard against the real server binary, in Debian's
// chromium (never a downloaded browser). For each mount point ('/' and '--base-path /panel')
// it starts one fresh server and runs, in one browser:
//   journeys/auth.mjs  first-run setup → sign in/out → forced password change → role refusal
//   journeys/live.mjs  a simulated runtime's spend reaches the open dashboard over the live stream
//   smoke.mjs          every route of the app's router × admin/user/viewer: no console error,
//                      no CSP violation, axe clean; screenshots at 1280/390 px, light/dark
//
//   IRONPANEL_BIN=build/ironpanel node tests/e2e/run.mjs      (or: cd frontend && npm run e2e)
//   ... run.mjs --base root   (or panel): that mount point only. CTest runs each base as its own
//   entry (e2e_chromium_root, e2e_chromium_panel) so the two run side by side.
//
// Environment: IRONPANEL_BIN (required), CHROMIUM_BIN (default /usr/bin/chromium),
// E2E_TIMEOUT_MS (per wait, default 10000), E2E_SCREENSHOT_DIR (default ./e2e-screenshots),
// E2E_SCREENSHOTS=0 to skip screenshots. Exit code 0 = pass. No sleeps: every wait is a
// Playwright locator/URL wait or a process event with a deadline.
//
// To add a journey: write journeys/<name>.mjs exporting an async function taking the context
// object below, and add it to JOURNEYS.

import { existsSync } from 'node:fs'
import { apiClient } from './lib/api.mjs'
import { launchBrowser, SCREENSHOT_DIR, tolerated } from './lib/browser.mjs'
import { E2eError, indent, startServer, stopServer } from './lib/server.mjs'
import { authJourney } from './journeys/auth.mjs'
import { liveJourney } from './journeys/live.mjs'
import { analyticsJourney } from './journeys/analytics.mjs'
import { agentsJourney } from './journeys/agents.mjs'
import { systemJourney } from './journeys/system.mjs'
import { budgetsJourney } from './journeys/budgets.mjs'
import { usersJourney } from './journeys/users.mjs'
import { tokensJourney } from './journeys/tokens.mjs'
import { pricesJourney } from './journeys/prices.mjs'
import { notificationsJourney } from './journeys/notifications.mjs'
import { SAMPLE_PARAMS, smokeRoutes } from './smoke.mjs'

const BASES = [
  { label: 'root', args: [], path: '/', full: true },
  { label: 'panel', args: ['--base-path', '/panel'], path: '/panel/', full: false },
]
const SHOTS = process.env.E2E_SCREENSHOTS !== '0'
// `--base LABEL` (repeatable) picks mount points; none: every one, one after the other.
const picked = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--base' ? [a] : []))
for (const label of picked) {
  if (!BASES.some((b) => b.label === label)) {
    console.error(`e2e: FAIL: --base ${label}: not one of ${BASES.map((b) => b.label).join(', ')}`)
    process.exit(2)
  }
}
const RUN_BASES = picked.length ? BASES.filter((b) => picked.includes(b.label)) : BASES
// The journeys between the live one and the agents one, in this order, each given the context
// and the people authJourney made.
const JOURNEYS = {
  analytics: analyticsJourney,
  system: systemJourney,
  budgets: budgetsJourney,
  users: usersJourney,
  tokens: tokensJourney,
  prices: pricesJourney,
  notifications: notificationsJourney,
}

const bin = process.env.IRONPANEL_BIN
if (!bin || !existsSync(bin)) {
  console.error(`e2e: FAIL: IRONPANEL_BIN=${bin ?? ''} is not a file; point it at the server binary`)
  process.exit(2)
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`e2e: interrupted by ${sig}`)
    process.exit(130)
  })
}

async function runBase(browser, base) {
  const started = Date.now()
  let server
  let failure
  const done = []
  // Each step is reported with its seconds, so where the run's time goes is in every log.
  let stepStart = Date.now()
  const step = (what) => {
    done.push(`${what} ${((Date.now() - stepStart) / 1000).toFixed(1)}s`)
    // Also as it happens: a run that CTest ends at its timeout still shows how far it got.
    console.log(`e2e base=${base.path} ${done.at(-1)} (${((Date.now() - started) / 1000).toFixed(1)}s in)`)
    stepStart = Date.now()
  }
  try {
    // A short heartbeat lets the server notice a closed live stream (a page reload) quickly;
    // the notifications journey's webhook receiver listens on loopback (docs/alerts.md, SSRF).
    // An SMTP relay is configured (nothing listens on it: the journey only creates an email
    // channel; tests/api/alerts_email_test.cpp delivers to a real one).
    server = await startServer(bin, base.args, {
      IRON_EVENT_HEARTBEAT: '2',
      IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS: '1',
      IRON_SMTP_HOST: '127.0.0.1',
      IRON_SMTP_PORT: '9',
      IRON_SMTP_TLS: 'none',
      IRON_SMTP_FROM: 'alerts@ironpanel.test',
    })
    step('server start')
    const baseUrl = new URL(base.path, server.origin).href
    // The full pass (screenshots, dark-theme axe, every role) runs at '/'; under /panel the
    // journeys and every route as the admin prove the base path (role checks do not depend on it).
    const ctx = { browser, server, baseUrl, api: apiClient(baseUrl), label: base.label, shots: SHOTS && base.full }
    const people = await authJourney(ctx)
    step('auth journey')
    const { agent } = await liveJourney({ ...ctx, people })
    step('live journey')
    for (const [name, journey] of Object.entries(JOURNEYS)) {
      await journey({ ...ctx, people })
      step(`${name} journey`)
    }
    SAMPLE_PARAMS['agent-detail'] = { id: String(agent.id) }
    await agentsJourney({ ...ctx, people }) // sets agent samples per role
    step('agents journey')
    const smoke = await smokeRoutes({ ...ctx, people: base.full ? people : people.slice(0, 1), darkAxe: base.full })
    step(`smoke ${smoke.visits} visits`)
    if (base.full) {
      // What each view costs on a fresh load as the admin (session restore and the live stream
      // included), and what axe noted below "serious": the numbers the dashboard notes quote.
      console.log('e2e: API requests per view on load (admin), minor axe findings:')
      for (const v of smoke.report) console.log(`  ${v.route.padEnd(16)} ${String(v.requests.length).padStart(2)}  axe-minor ${v.minorAxe}  ${v.requests.join(', ')}`)
    }
  } catch (e) {
    failure = e
  }
  let stopped = ''
  if (server) {
    try {
      stopped = await stopServer(server)
    } catch (e) {
      failure ??= e
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (failure) {
    let msg = `e2e base=${base.path} FAIL (${secs}s) after [${done.join(', ')}]: ${failure instanceof E2eError ? failure.message : failure.stack}`
    if (server && !(failure.message ?? '').includes('server output:')) {
      msg += `\n  command: ${server.command}\n  server output (tail):\n${indent(server.log.slice(-30))}`
    }
    console.error(msg)
    return false
  }
  const errs = server.errorLines.length ? `; ${server.errorLines.length} server error log line(s):\n${indent(server.errorLines)}` : ''
  console.log(`e2e base=${base.path} ok (${secs}s): ${done.join(', ')}; server ${stopped}${errs}`)
  return true
}

let ok = true
const browser = await launchBrowser()
try {
  for (const base of RUN_BASES) ok = (await runBase(browser, base)) && ok
} finally {
  await browser.close()
}
if (SHOTS) console.log(`e2e: screenshots in ${SCREENSHOT_DIR}`)
if (tolerated.count) console.log(`e2e: ${tolerated.count} live-stream reconnect(s) after the per-user stream cap (tolerated, see lib/browser.mjs)`)
if (!ok) {
  console.error('e2e: FAIL')
  process.exit(1)
}
console.log('e2e: PASS')
