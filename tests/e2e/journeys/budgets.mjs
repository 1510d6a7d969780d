// Budgets and usage limits: a user asks for more budget for their agent in the UI, the admin
// sees the pending count in the sidebar and approves → the new budget shows in Budgets; a
// second request is rejected with a reason the user then reads; the user cancels a third.
// The admin creates, edits and deletes a usage limit in dollars; a viewer sees both pages with
// no mutating control.

import { expectVisible, newTrackedContext, waitForView } from '../lib/browser.mjs'
import { runtime } from '../lib/runtime.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

async function openView(page, baseUrl, path, what) {
  await page.goto(new URL(path, baseUrl).href)
  await waitForView(page, what)
}

async function expectText(locator, text, what) {
  try {
    await locator.filter({ hasText: text }).first().waitFor()
  } catch {
    throw new E2eError(`${what}: expected "${text}", saw "${((await locator.first().textContent().catch(() => '')) ?? '').trim()}"`)
  }
}

/** Sends a budget request through the dialog, as the signed-in owner. */
async function requestBudget(page, agent, dollars, justification) {
  await page.getByTestId('request-new').click()
  await page.getByTestId('request-agent').selectOption(String(agent.id))
  await expectText(page.getByTestId('request-current-budget'), '$5.00', 'the request form shows the current budget')
  await page.getByTestId('request-amount').fill(dollars)
  await page.getByTestId('request-justification').fill(justification)
  await page.getByTestId('request-submit').click()
  await page.getByTestId('request-submit').waitFor({ state: 'hidden' })
}

export async function budgetsJourney({ browser, baseUrl, api, people }) {
  const [admin, user, viewer] = people
  const adminToken = await api.login(admin.email, admin.password)
  const userToken = await api.login(user.email, user.password)
  const me = await api.call('GET', 'api/v1/me', { token: userToken })
  const agent = await runtime(api).createAgent(adminToken, { name: `budget-${Date.now()}`, budgetMicros: 5_000_000, ownerId: me.id })

  // The owner asks three times in the UI.
  const u = await newTrackedContext(browser)
  await signIn(u.page, baseUrl, user)
  await openView(u.page, baseUrl, 'budgets', 'Budgets as the user')
  await requestBudget(u.page, agent, '12.50', 'More traffic this month from the new region')
  await requestBudget(u.page, agent, '1,000', 'A big experiment with long prompts')
  await requestBudget(u.page, agent, '7', 'Changed my mind about this one')
  const mine = (await api.call('GET', `api/v1/budget/requests?agent_id=${agent.id}`, { token: userToken })).requests
  const byAmount = (m) => mine.find((r) => r.requested_budget_microdollars === m)
  const [approve, reject, cancel] = [byAmount(12_500_000), byAmount(1_000_000_000), byAmount(7_000_000)]
  if (!approve || !reject || !cancel) throw new E2eError(`the three UI requests did not reach the server exactly: ${JSON.stringify(mine)}`)
  await u.page.getByTestId(`cancel-${cancel.id}`).click()
  await expectText(u.page.getByTestId(`request-status-${cancel.id}`), 'cancelled', 'the cancelled request')
  await u.assertClean('user requests and cancels')

  // The admin sees the two pending requests in the sidebar badge and decides.
  const a = await newTrackedContext(browser)
  await signIn(a.page, baseUrl, admin)
  await openView(a.page, baseUrl, 'budgets', 'Budgets as the admin')
  await expectText(a.page.getByTestId('nav-badge-budgets'), '2', 'the pending badge')
  await a.page.getByTestId(`approve-${approve.id}`).click()
  await expectText(a.page.getByTestId('nav-badge-budgets'), '1', 'the pending badge after approving')
  await a.page.getByTestId(`reject-${reject.id}`).click()
  await a.page.getByTestId('reject-submit').click()
  await expectVisible(a.page, 'field-error', 'a rejection without a reason')
  await a.page.getByTestId('reject-reason').fill('Too much for one experiment')
  await a.page.getByTestId('reject-submit').click()
  await a.page.getByTestId('nav-badge-budgets').waitFor({ state: 'detached' })
  await expectText(a.page.getByTestId(`budget-amount-${agent.id}`), '$12.50', 'the approved budget in the status table')
  await a.assertClean('admin approves and rejects')

  // The user reads the outcome.
  await u.page.reload()
  await waitForView(u.page, 'Budgets after the decisions')
  await expectText(u.page.getByTestId(`request-status-${approve.id}`), 'approved', 'the approved request')
  await expectText(u.page.getByTestId(`request-reason-${reject.id}`), 'Too much for one experiment', 'the rejection reason')
  await expectText(u.page.getByTestId(`budget-amount-${agent.id}`), '$12.50', 'the new budget as the owner')
  await u.assertClean('user sees the decisions')
  await u.close()

  // Usage limits in dollars: create, edit, delete.
  await openView(a.page, baseUrl, 'limits', 'Usage limits as the admin')
  await a.page.getByTestId('limit-new').click()
  await a.page.getByTestId('limit-cost').fill('25.50')
  await a.page.getByTestId('limit-tokens').fill('100000')
  await a.page.getByTestId('limit-tpm').fill('5000')
  await a.page.getByTestId('limit-submit').click()
  await a.page.getByTestId('limit-submit').waitFor({ state: 'hidden' })
  const limits = await api.call('GET', 'api/v1/limits', { token: adminToken })
  const limit = limits.find((l) => l.max_cost_per_month_microdollars === 25_500_000)
  if (!limit) throw new E2eError(`the limit made in the UI is not $25.50 on the server: ${JSON.stringify(limits)}`)
  if (limit.max_tokens_per_minute !== 5000) throw new E2eError(`the limit's TPM is ${limit.max_tokens_per_minute}, not 5000`)
  await expectText(a.page.getByTestId(`limit-cost-${limit.id}`), '$25.50', 'the new limit')
  await a.page.getByTestId(`limit-edit-${limit.id}`).click()
  await a.page.getByTestId('limit-cost').fill('40')
  await a.page.getByTestId('limit-submit').click()
  await expectText(a.page.getByTestId(`limit-cost-${limit.id}`), '$40.00', 'the edited limit')
  await a.page.getByTestId(`limit-delete-${limit.id}`).click()
  await a.page.getByTestId('confirm-button').click()
  await a.page.getByTestId(`limit-row-${limit.id}`).waitFor({ state: 'detached' })
  await a.assertClean('limit create, edit, delete')
  await a.close()

  // A viewer reads both pages and finds nothing to press.
  const v = await newTrackedContext(browser)
  await signIn(v.page, baseUrl, viewer)
  for (const path of ['budgets', 'limits']) {
    await openView(v.page, baseUrl, path, `${path} as a viewer`)
    const n = await v.page.locator('[data-mutates]').count()
    if (n) throw new E2eError(`a viewer sees ${n} mutating control(s) on /${path}`)
  }
  await v.assertClean('viewer on budgets and limits')
  await v.close()
}
