#!/usr/bin/env node
// End-to-end check of the embedded SPA against the real server binary, in Debian's chromium.
//
// For each mount point ('/' and '--base-path /panel') it starts a fresh server, then in a fresh
// browser profile: opens the deep link <base>about (SPA fallback), clicks Home and waits for
// GET <base>health to show "ok", reloads, opens an unknown client route, and finally requires
// zero console errors, zero uncaught page errors and zero Content-Security-Policy violations.
//
//   IRONPANEL_BIN=build/ironpanel node tests/e2e/run.mjs      (or: cd frontend && npm run e2e)
//
// Environment: IRONPANEL_BIN (required), CHROMIUM_BIN (default /usr/bin/chromium),
// E2E_TIMEOUT_MS (per wait, default 10000). Exit code 0 = pass. No sleeps: every wait is a
// Playwright locator/URL/response wait or a process event with a deadline.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 10_000)
const LISTEN_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 10_000
const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
const BASES = [
  { label: '/', args: [], path: '/' },
  { label: '/panel', args: ['--base-path', '/panel'], path: '/panel/' },
]

class E2eError extends Error {}

function fatal(message) {
  console.error(`e2e: FAIL: ${message}`)
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------
// Preconditions

const requireFromFrontend = createRequire(new URL('../../frontend/package.json', import.meta.url))
let chromium
try {
  ;({ chromium } = requireFromFrontend('playwright-core'))
} catch (e) {
  fatal(`cannot load playwright-core from frontend/node_modules (run "npm ci" in frontend/): ${e.message}`)
}

const bin = process.env.IRONPANEL_BIN
if (!bin) fatal('IRONPANEL_BIN is not set; point it at the server binary, e.g. IRONPANEL_BIN=build/ironpanel')
if (!existsSync(bin)) fatal(`IRONPANEL_BIN=${bin} does not exist`)
if (!existsSync(CHROMIUM_BIN)) fatal(`${CHROMIUM_BIN} not found (apt-get install chromium, or set CHROMIUM_BIN)`)

// ---------------------------------------------------------------------------------------------
// Server process

const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`e2e: interrupted by ${sig}`)
    process.exit(130)
  })
}

/** Starts the server and resolves once it logged {"msg":"listening","addr":"HOST:PORT"}. */
async function startServer(extraArgs) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ironpanel-e2e-data-'))
  const args = ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--log-format', 'json', ...extraArgs]
  const child = spawn(path.resolve(bin), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)

  const server = {
    child,
    dataDir,
    command: `${bin} ${args.join(' ')}`,
    log: [], // last lines of stdout and stderr, for failure reports
    errorLines: [], // JSON log lines with level error/fatal
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child)
        resolve({ code, signal })
      })
    }),
  }
  const remember = (line) => {
    server.log.push(line)
    if (server.log.length > 200) server.log.shift()
  }

  // stderr is drained for the whole run so the server never blocks on a full pipe.
  createInterface({ input: child.stderr }).on('line', (line) => remember(`[stderr] ${line}`))

  // stdout: one JSON object per line; keep reading after "listening" for the same reason.
  const addr = await new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn, value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn(value)
    }
    const timer = setTimeout(
      () => settle(reject, new E2eError(`no "listening" log line within ${LISTEN_TIMEOUT_MS} ms`)),
      LISTEN_TIMEOUT_MS,
    )
    child.once('error', (e) => settle(reject, new E2eError(`cannot start server: ${e.message}`)))
    server.exited.then(({ code, signal }) =>
      settle(reject, new E2eError(`server exited before listening (code ${code}, signal ${signal})`)),
    )
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line)
      let entry
      try {
        entry = JSON.parse(line)
      } catch {
        return // not a JSON line: kept in the log tail, otherwise ignored
      }
      if (entry && typeof entry === 'object') {
        if (entry.level === 'error' || entry.level === 'fatal') server.errorLines.push(line)
        if (entry.msg === 'listening') {
          if (typeof entry.addr !== 'string' || !/^[\d.]+:\d+$/.test(entry.addr)) {
            settle(reject, new E2eError(`"listening" line has no usable addr: ${line}`))
          } else {
            settle(resolve, entry.addr)
          }
        }
      }
    })
  }).catch(async (e) => {
    await stopServer(server).catch(() => {})
    e.message += `\n  command: ${server.command}\n  server output:\n${indent(server.log)}`
    throw e
  })

  server.addr = addr
  return server
}

/** SIGTERM, then wait for a clean exit. Returns a short status string. */
async function stopServer(server) {
  const { child } = server
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  let timer
  const result = await Promise.race([
    server.exited,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS)
    }),
  ])
  clearTimeout(timer)
  await rm(server.dataDir, { recursive: true, force: true })
  if (result === null) {
    child.kill('SIGKILL')
    await server.exited
    throw new E2eError(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`)
  }
  if (result.code !== null && result.code !== 0) {
    throw new E2eError(`server exited with code ${result.code} after SIGTERM`)
  }
  return result.code === 0 ? 'exit 0' : `killed by ${result.signal}`
}

// ---------------------------------------------------------------------------------------------
// Browser checks

async function launchBrowser() {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'ironpanel-e2e-chromium-'))
  // Playwright refuses --user-data-dir in args; a persistent context is how it takes one.
  const context = await chromium.launchPersistentContext(userDataDir, {
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
  context.setDefaultTimeout(TIMEOUT_MS)
  context.setDefaultNavigationTimeout(TIMEOUT_MS)
  return {
    context,
    async close() {
      await context.close().catch(() => {})
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

function isCspMessage(text) {
  return /content security policy/i.test(text)
}

/** Waits until the element with data-testid `id` shows exactly `text`; reports what it showed otherwise. */
async function expectText(page, id, text, what) {
  const el = page.getByTestId(id)
  try {
    await el.filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) }).waitFor({ state: 'visible' })
  } catch {
    const actual = await el
      .first()
      .textContent({ timeout: 100 })
      .catch(() => '<element missing>')
    throw new E2eError(`${what}: [data-testid=${id}] should show "${text}", shows ${JSON.stringify(actual)} (url ${page.url()})`)
  }
}

async function expectVisible(page, id, what) {
  try {
    await page.getByTestId(id).waitFor({ state: 'visible' })
  } catch {
    const body = await page
      .locator('body')
      .innerText({ timeout: 100 })
      .catch(() => '')
    throw new E2eError(`${what}: [data-testid=${id}] not visible at ${page.url()}; page text: ${JSON.stringify(body.slice(0, 300))}`)
  }
}

async function checkBase(context, origin, basePath) {
  const baseUrl = new URL(basePath, origin).href
  const consoleErrors = []
  const pageErrors = []
  const cspViolations = []

  // securitypolicyviolation events are reported through a binding, which survives reloads and
  // navigations (a window variable would not) and is not itself subject to the page's CSP.
  await context.exposeBinding('__e2eReportCsp', (_source, v) => cspViolations.push(v))
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      globalThis.__e2eReportCsp({
        directive: e.violatedDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
        sample: e.sample,
      })
    })
  })

  const page = context.pages()[0] ?? (await context.newPage())
  page.on('console', (msg) => {
    if (isCspMessage(msg.text())) cspViolations.push({ console: msg.text() })
    else if (msg.type() === 'error') {
      const loc = msg.location()
      consoleErrors.push(`${msg.text()}${loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`)
    }
  })
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? String(err)))

  // 1. Deep link straight to a client route: the server must answer with index.html.
  const aboutUrl = new URL('about', baseUrl).href
  const res = await page.goto(aboutUrl, { waitUntil: 'domcontentloaded' })
  if (!res) throw new E2eError(`no response for ${aboutUrl}`)
  if (res.status() !== 200) throw new E2eError(`GET ${aboutUrl}: HTTP ${res.status()}, want 200 (SPA fallback)`)
  const headers = res.headers()
  if (!/^text\/html\b/i.test(headers['content-type'] ?? '')) {
    throw new E2eError(`GET ${aboutUrl}: Content-Type ${JSON.stringify(headers['content-type'])}, want text/html`)
  }
  const csp = headers['content-security-policy'] ?? ''
  if (!/script-src 'self'/.test(csp)) {
    throw new E2eError(`GET ${aboutUrl}: no Content-Security-Policy with script-src 'self' (got ${JSON.stringify(csp)}); the CSP check would prove nothing`)
  }
  const docBase = await page.evaluate(() => document.baseURI)
  if (docBase !== baseUrl) throw new E2eError(`document.baseURI is ${docBase}, want ${baseUrl} (<base href> rewrite)`)
  await expectVisible(page, 'about-page', `deep link ${aboutUrl}`)

  // 2. Client-side navigation to Home, which must call GET <base>health.
  const healthUrl = new URL('health', baseUrl).href
  // Settled into a value at once so that a failing click cannot leave it rejecting unobserved.
  const healthResponse = page.waitForResponse((r) => r.url() === healthUrl).catch((e) => e)
  await page.getByTestId('nav-home').click()
  await page.waitForURL(baseUrl)
  const health = await healthResponse
  if (health instanceof Error) throw new E2eError(`clicking Home did not request ${healthUrl}: ${health.message}`)
  if (health.status() !== 200) throw new E2eError(`GET ${healthUrl}: HTTP ${health.status()}`)
  await expectText(page, 'health-status', 'ok', 'after clicking Home')
  const version = (await page.getByTestId('health-version').textContent())?.trim()
  if (!version) throw new E2eError('health-version is empty')

  // 3. Reload the client route: served again from the server, still healthy.
  const reloaded = await page.reload({ waitUntil: 'domcontentloaded' })
  if (reloaded?.status() !== 200) throw new E2eError(`reload of ${baseUrl}: HTTP ${reloaded?.status()}`)
  await expectText(page, 'health-status', 'ok', 'after reload')

  // 4. An unknown, nested client route: the SPA fallback serves index.html, assets still
  //    resolve through <base href>, and the router shows its catch-all view.
  const unknownUrl = new URL('no/such/route', baseUrl).href
  await page.goto(unknownUrl, { waitUntil: 'domcontentloaded' })
  await expectVisible(page, 'not-found', `unknown route ${unknownUrl}`)

  // Let any pending binding calls from the page land before judging.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))))

  const problems = []
  if (consoleErrors.length) problems.push(`${consoleErrors.length} console error(s):\n${indent(consoleErrors)}`)
  if (pageErrors.length) problems.push(`${pageErrors.length} page error(s):\n${indent(pageErrors)}`)
  if (cspViolations.length) {
    problems.push(`${cspViolations.length} CSP violation(s):\n${indent(cspViolations.map((v) => JSON.stringify(v)))}`)
  }
  if (problems.length) throw new E2eError(problems.join('\n'))
  return { version }
}

function indent(lines) {
  return lines.map((l) => `    ${l}`).join('\n')
}

// ---------------------------------------------------------------------------------------------

async function runBase(base) {
  const started = Date.now()
  let server
  let browser
  let result
  let failure
  try {
    server = await startServer(base.args)
    browser = await launchBrowser()
    result = await checkBase(browser.context, `http://${server.addr}`, base.path)
  } catch (e) {
    failure = e
  } finally {
    if (browser) await browser.close()
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
    let msg = `e2e base=${base.label} FAIL (${secs}s): ${failure instanceof E2eError ? failure.message : failure.stack}`
    if (server && !(failure.message ?? '').includes('server output:')) {
      msg += `\n  command: ${server.command}\n  server output (tail):\n${indent(server.log.slice(-30))}`
    }
    console.error(msg)
    return false
  }
  const serverErrors = server.errorLines.length ? `, ${server.errorLines.length} server error log line(s)` : ''
  console.log(
    `e2e base=${base.label} ok (${secs}s): deep link about, nav home -> health ok (version ${result.version}), ` +
      `reload ok, not-found ok; 0 console errors, 0 page errors, 0 CSP violations; server ${stopped}${serverErrors}`,
  )
  if (server.errorLines.length) console.log(indent(server.errorLines))
  return true
}

let ok = true
for (const base of BASES) {
  ok = (await runBase(base)) && ok
}
if (!ok) {
  console.error('e2e: FAIL')
  process.exit(1)
}
console.log('e2e: PASS')
