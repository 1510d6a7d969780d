// One Debian chromium per run; one context per person (cookies are per context). Every page
// opened through openPage() records console errors, uncaught exceptions and CSP violations,
// which `assertClean()` turns into a failure naming what happened where.

import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { E2eError, indent } from './server.mjs'

const requireFromFrontend = createRequire(new URL('../../../frontend/package.json', import.meta.url))
export const { chromium } = requireFromFrontend('playwright-core')
const { AxeBuilder } = requireFromFrontend('@axe-core/playwright')

export const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 10_000)
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'

export async function launchBrowser() {
  if (!existsSync(CHROMIUM_BIN)) throw new E2eError(`${CHROMIUM_BIN} not found (apt-get install chromium, or set CHROMIUM_BIN)`)
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  })
}

// Console errors that are the app working as designed, counted instead of failed: the server
// keeps a closed live stream's slot until its next heartbeat notices the client left, so quick
// successive page loads can meet the per-user stream cap (429 TOO_MANY_STREAMS_FOR_USER);
// the live store backs off and reconnects. Chromium logs the refused fetch as an error.
const TOLERATED = [/status of 429 .*\/api\/v1\/events\/stream/]
export const tolerated = { count: 0 }

/**
 * A fresh context (no cookies, no storage) with problem tracking. `allow` holds regexes for
 * console errors a step provokes on purpose (a wrong password's 401); call expectConsole().
 */
export async function newTrackedContext(browser, { viewport = { width: 1280, height: 800 }, timezoneId } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: 'light', ...(timezoneId ? { timezoneId } : {}) })
  context.setDefaultTimeout(TIMEOUT_MS)
  context.setDefaultNavigationTimeout(TIMEOUT_MS)
  const problems = { console: [], page: [], csp: [], allowed: [] }
  // securitypolicyviolation events reach us through a binding, which survives navigations and
  // is not itself subject to the page's CSP.
  await context.exposeBinding('__e2eReportCsp', (_source, v) => problems.csp.push(v))
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      globalThis.__e2eReportCsp({ directive: e.violatedDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` })
    })
  })
  const page = await context.newPage()
  page.on('console', (msg) => {
    const text = msg.text()
    if (/content security policy/i.test(text)) problems.csp.push({ console: text })
    else if (msg.type() === 'error') {
      const loc = msg.location()
      const line = `${text}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`
      const i = problems.allowed.findIndex((re) => re.test(line))
      if (i >= 0) problems.allowed.splice(i, 1)
      else if (TOLERATED.some((re) => re.test(line))) tolerated.count++
      else problems.console.push(`[${page.url()}] ${line}`)
    }
  })
  page.on('pageerror', (err) => problems.page.push(`[${page.url()}] ${err.stack ?? String(err)}`))
  return {
    context,
    page,
    /** The next console error matching `re` is expected (used once). */
    expectConsole(re) {
      problems.allowed.push(re)
    },
    /** Throws when anything went wrong on any page of this context so far, then resets. */
    async assertClean(what) {
      // Let pending binding calls from the page land before judging.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null)))).catch(() => {})
      const out = []
      if (problems.console.length) out.push(`${problems.console.length} console error(s):\n${indent(problems.console)}`)
      if (problems.page.length) out.push(`${problems.page.length} page error(s):\n${indent(problems.page)}`)
      if (problems.csp.length) out.push(`${problems.csp.length} CSP violation(s):\n${indent(problems.csp.map((v) => JSON.stringify(v)))}`)
      problems.console = []
      problems.page = []
      problems.csp = []
      if (out.length) throw new E2eError(`${what}: ${out.join('\n')}`)
    },
    close: () => context.close().catch(() => {}),
  }
}

/** Waits until the view settled: its h1 is visible and no loading state is left on screen. */
export async function waitForView(page, what) {
  try {
    await page.locator('h1').first().waitFor({ state: 'visible' })
    await page.getByTestId('loading-state').first().waitFor({ state: 'hidden' })
  } catch (e) {
    const body = await page.locator('body').innerText({ timeout: 200 }).catch(() => '')
    throw new E2eError(`${what}: the view did not settle at ${page.url()}: ${e.message.split('\n')[0]}; page text: ${JSON.stringify(body.slice(0, 300))}`)
  }
}

/** axe-core on the current page: serious and critical violations fail, others are reported. */
export async function checkAxe(page, what) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (bad.length) {
    const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
    throw new E2eError(`${what}: axe found ${bad.length} serious/critical violation(s):\n${indent(lines)}`)
  }
  return { minor: result.violations.length }
}

export const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR ?? path.join(process.cwd(), 'e2e-screenshots')

/** Full-page PNG under SCREENSHOT_DIR/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' })
  return file
}

/** Waits until [data-testid=id] is visible; the error says what the page showed instead. */
export async function expectVisible(page, id, what) {
  try {
    await page.getByTestId(id).first().waitFor({ state: 'visible' })
  } catch {
    const body = await page.locator('body').innerText({ timeout: 200 }).catch(() => '')
    throw new E2eError(`${what}: [data-testid=${id}] not visible at ${page.url()}; page text: ${JSON.stringify(body.slice(0, 300))}`)
  }
}
