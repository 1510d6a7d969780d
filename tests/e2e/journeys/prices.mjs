// The price catalogue (docs/prices.md): the admin adds a price, a simulated runtime reports a
// request WITHOUT a cost and the event log shows the cost computed from that price; the admin
// changes the price (a new version, still before the event), the recalculation dry run shows
// the per-agent change, Apply commits it and the event log shows the new cost; a request that
// reports its own cost appears in the Analytics card of reported against catalogue cost.

import { newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { runtime } from '../lib/runtime.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** Waits until the locator's text contains `want`; the error names what it showed instead. */
async function expectContains(locator, want, what) {
  try {
    await locator.filter({ hasText: want }).first().waitFor()
  } catch {
    const got = await locator.first().innerText({ timeout: 200 }).catch(() => '(nothing)')
    throw new E2eError(`${what}: expected "${want}", the page shows "${got.trim()}"`)
  }
}

async function addPrice(page, { key, input, output, effective }) {
  await page.getByTestId(key ? `price-change-${key}` : 'price-new').click()
  if (!key) {
    await page.getByTestId('price-provider').fill('e2e')
    await page.getByTestId('price-model').fill('e2e-model*')
  }
  await page.getByTestId('price-input').fill(input)
  await page.getByTestId('price-output').fill(output)
  await page.getByTestId('price-cached').fill('0')
  await page.getByTestId('price-effective').fill(effective)
  await page.getByTestId('price-submit').click()
  await page.getByTestId('price-submit').waitFor({ state: 'hidden' })
}

export async function pricesJourney({ browser, baseUrl, api, people, shots }) {
  const [admin] = people
  const token = await api.login(admin.email, admin.password)
  const rt = runtime(api)
  const agent = await rt.createAgent(token, { name: `prices-${Date.now()}`, budgetMicros: 50_000_000 })
  const ic = await rt.issueIcToken(token, agent.id)
  const key = 'e2e/e2e-model*'

  const t = await newTrackedContext(browser)
  const { page } = t
  await signIn(page, baseUrl, admin)

  // 1. Add a price: $1 per million input tokens, $2 per million output tokens.
  await page.goto(new URL('prices', baseUrl).href)
  await waitForView(page, 'prices')
  await addPrice(page, { input: '1.00', output: '2.00', effective: '2026-01-01T00:00' })
  await expectContains(page.getByTestId(`price-input-${key}`), '$1.00', 'the new price in the table')

  // 2. A request reported without a cost gets it from the catalogue: 1M in + 0.5M out = $2.00.
  const event = await rt.completedRequest(ic, { provider: 'e2e', model: 'e2e-model-large', inputTokens: 1_000_000, outputTokens: 500_000 })
  await page.goto(new URL('analytics', baseUrl).href)
  await waitForView(page, 'analytics')
  await expectContains(page.getByTestId(`event-cost-${event.event_id}`), '$2.00', 'the computed cost in the event log')

  // 3. The price changes (a new version that also covers the event): input $3 → the event is worth $4.
  await page.goto(new URL('prices', baseUrl).href)
  await waitForView(page, 'prices')
  await addPrice(page, { key, input: '3.00', output: '2.00', effective: '2026-01-02T00:00' })
  await expectContains(page.getByTestId(`price-input-${key}`), '$3.00', 'the changed price in the table')

  // 4. Dry run over today (the form's default window): +$2.00 for the agent; nothing changed yet.
  await page.getByTestId('recalc-dry-run').click()
  await expectContains(page.getByTestId('recalc-delta'), '$2.00', 'the dry run’s total change')
  await expectContains(page.getByTestId('recalc-agents'), agent.name, 'the dry run’s per-agent line')
  if (shots) await screenshot(page, 'journey-prices-dry-run')

  // 5. Apply, confirmed; the event log shows the recalculated cost.
  await page.getByTestId('recalc-apply').click()
  await page.getByTestId('confirm-button').click()
  await expectContains(page.getByTestId('recalc-result'), 'Applied', 'the applied recalculation')
  await page.goto(new URL('analytics', baseUrl).href)
  await waitForView(page, 'analytics')
  await expectContains(page.getByTestId(`event-cost-${event.event_id}`), '$4.00', 'the recalculated cost in the event log')

  // 6. A runtime that reports its own cost ($5.00) keeps it; the catalogue says $4.00, so the
  //    "Reported vs catalogue cost" card shows the agent's model $1.00 over the catalogue.
  await rt.completedRequest(ic, { provider: 'e2e', model: 'e2e-model-large', inputTokens: 1_000_000, outputTokens: 500_000, costMicros: 5_000_000 })
  await page.reload()
  await waitForView(page, 'analytics after a reported cost')
  const row = page.getByTestId('breakdown-costs').getByTestId('table-row').filter({ hasText: agent.name })
  await expectContains(row, '$1.00', 'the reported − catalogue difference')
  await expectContains(row, 'e2e-model-large', 'the model of the compared event')
  if (shots) await screenshot(page, 'journey-prices-cost-differences')
  await t.assertClean('prices journey')
  await t.close()
}
