// Notifications through the dashboard (docs/alerts.md), against a real receiver this journey
// starts on loopback (run.mjs lets the e2e server reach private destinations): the admin
// creates a webhook channel, reads its signing secret from the shown-once dialog, sends a
// test alert and sees it delivered in the channel's log; the receiver checks the signature
// with that secret. Then a rule routes provider_key.disabled to the channel, a key disabled
// over the API raises it, and the log shows the second delivery. Last, an email channel is
// created through the same dialog and the list shows its recipients.

import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { TIMEOUT_MS, newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** A webhook receiver on 127.0.0.1: records each POST (headers, raw body) and answers 200. */
async function startReceiver() {
  const received = []
  const waiters = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
      for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  /** Resolves once `n` requests arrived; rejects after TIMEOUT_MS. */
  const waitFor = (n, what) =>
    new Promise((resolve, reject) => {
      if (received.length >= n) return resolve()
      const timer = setTimeout(() => reject(new E2eError(`${what}: the receiver got ${received.length} of ${n} requests`)), TIMEOUT_MS)
      waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) })
    })
  return { received, waitFor, url: `http://127.0.0.1:${server.address().port}/hooks/ironpanel`, close: () => new Promise((r) => server.close(r)) }
}

/** The receiver's check of docs/alerts.md: HMAC-SHA256 over "<timestamp>.<raw body>". */
function signatureValid(request, secret) {
  const ts = request.headers['x-ironpanel-timestamp']
  const sig = request.headers['x-ironpanel-signature'] ?? ''
  if (!ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false
  const want = 'sha256=' + createHmac('sha256', secret).update(`${ts}.`).update(request.body).digest('hex')
  return want.length === sig.length && timingSafeEqual(Buffer.from(want), Buffer.from(sig))
}

async function captureBoth(page, name) {
  await screenshot(page, `${name}-1280`)
  await page.setViewportSize({ width: 390, height: 844 })
  await screenshot(page, `${name}-390`)
  await page.setViewportSize({ width: 1280, height: 800 })
}

/** Waits until the channel's log shows `n` delivered attempts. */
async function deliveredInLog(page, n) {
  await page.getByTestId('delivery-log').locator('[data-testid^=delivery-outcome-]').filter({ hasText: 'delivered' }).nth(n - 1).waitFor()
}

export async function notificationsJourney({ browser, baseUrl, api, people, shots, label }) {
  const [admin] = people
  const receiver = await startReceiver()
  const t = await newTrackedContext(browser)
  try {
    const { page } = t
    await signIn(page, baseUrl, admin)
    await page.goto(new URL('notifications', baseUrl).href)
    await waitForView(page, 'Notifications')

    const name = `e2e-hook-${label}`
    await page.getByTestId('channel-new').click()
    await page.getByTestId('channel-name').fill(name)
    await page.getByTestId('channel-kind').selectOption('webhook')
    await page.getByTestId('channel-url').fill(receiver.url)
    if (shots) await captureBoth(page, `${label}-journey-notifications-create`)
    await page.getByTestId('channel-submit').click()

    // The signing secret, once.
    const field = page.getByTestId('secret-value')
    await field.waitFor({ state: 'visible' })
    await page.waitForFunction(() => (document.querySelector('[data-testid=secret-value]')?.value ?? '').startsWith('whsec_'))
    const secret = await field.inputValue()
    if (shots) await screenshot(page, `${label}-journey-notifications-secret-1280`)
    await page.getByTestId('secret-done').click()
    await field.waitFor({ state: 'hidden' })
    if ((await page.locator('body').innerText()).includes(secret)) throw new E2eError('the signing secret is still on the page after the dialog closed')

    // Send test → delivered in the log, signed with that secret.
    const row = page.getByTestId('channels-table').locator('[data-testid^=channel-row-]').filter({ hasText: name })
    const id = (await row.getAttribute('data-testid')).replace('channel-row-', '')
    await page.getByTestId(`channel-test-${id}`).click()
    await deliveredInLog(page, 1)
    if (receiver.received.length !== 1) throw new E2eError(`the receiver got ${receiver.received.length} requests, expected the test alert`)
    const test = receiver.received[0]
    if (!signatureValid(test, secret)) throw new E2eError('the test alert does not verify with the secret the dialog showed')
    if (signatureValid(test, secret + 'x')) throw new E2eError('the signature check accepts a wrong secret')
    const payload = JSON.parse(test.body.toString())
    if (payload.type !== 'test' || !String(payload.id).startsWith('dlv_')) throw new E2eError(`unexpected test payload ${test.body}`)

    // A rule for provider_key.disabled; a key disabled over the API raises it.
    await page.getByTestId('rule-new').click()
    await page.getByTestId('rule-name').fill('Key watch')
    await page.getByTestId('rule-event-provider_key.disabled').check()
    await page.getByTestId(`rule-channel-${id}`).check()
    await page.getByTestId('rule-submit').click()
    await page.getByTestId('rules-table').getByText('Key watch').waitFor()
    const token = await api.login(admin.email, admin.password)
    const key = await api.call('POST', 'api/v1/providers', { token, body: { provider: 'openai', api_key: 'sk-e2e-notifications-0123456789' } })
    await api.call('PUT', `api/v1/providers/${key.id}`, { token, body: { is_enabled: false } })
    // The server's delivery worker sends it; the page shows it after a reload.
    await receiver.waitFor(2, 'the provider_key.disabled alert')
    if (!signatureValid(receiver.received[1], secret)) throw new E2eError('the alert does not verify with the channel secret')
    if (JSON.parse(receiver.received[1].body.toString()).type !== 'provider_key.disabled') throw new E2eError('the second alert is not provider_key.disabled')
    await page.reload()
    await waitForView(page, 'Notifications')
    await deliveredInLog(page, 2)
    if (shots) await captureBoth(page, `${label}-journey-notifications-log`)

    // An email channel: recipients instead of a URL, shown in the list.
    const mailName = `e2e-mail-${label}`
    await page.getByTestId('channel-new').click()
    await page.getByTestId('channel-name').fill(mailName)
    await page.getByTestId('channel-kind').selectOption('email')
    await page.getByTestId('channel-recipients').fill('ops@example.com\noncall@example.org')
    await page.getByTestId('channel-subject-prefix').fill('[e2e]')
    await page.getByTestId('channel-submit').click()
    const mailRow = page.getByTestId('channels-table').locator('[data-testid=table-row]').filter({ hasText: mailName })
    await mailRow.filter({ hasText: 'ops@example.com, oncall@example.org' }).waitFor()
    if (!(await mailRow.innerText()).includes('Email')) throw new E2eError('the email channel row does not say Email')
    if (shots) await captureBoth(page, `${label}-journey-notifications-email`)
    await t.assertClean('notifications journey')
  } finally {
    await t.close()
    await receiver.close()
  }
}
