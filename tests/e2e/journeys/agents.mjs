// The Agents views end to end: an admin in a browser set to Europe/Berlin creates an agent in
// the UI with a daily budget in that zone (an unknown zone refused on the field first; the
// period and next reset, a Berlin midnight, shown on the agent page, later made weekly), issues its IC
// token and copies it from the copy-once dialog; a simulated runtime handshakes and reports with
// that token, and the open agent page shows the spend and the lease without a reload; the token
// is regenerated (the old one stops working) and revoked; a new budget is set; an agent is
// deleted after typing its name. A viewer sees the agents pages without any mutating control.

import { expectVisible, newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { E2eError } from '../lib/server.mjs'
import { runtime } from '../lib/runtime.mjs'
import { signIn } from '../lib/ui.mjs'
import { SAMPLE_PARAMS } from '../smoke.mjs'

let seq = 0

/** The lease protocol as an agent runtime speaks it (POST /budget/handshake, /budget/report). */
function leaseRuntime(api) {
  return {
    async handshake(icToken, { requestedMicros, expect } = {}) {
      return api.call('POST', 'api/v1/budget/handshake', {
        body: { ic_token: icToken, provider: 'openai', requested_budget: requestedMicros ?? 2_000_000 },
        expect,
      })
    },
    async report(icToken, leaseId, costMicros) {
      return api.call('POST', 'api/v1/budget/report', {
        body: {
          ic_token: icToken,
          lease_id: leaseId,
          request_id: `e2e-agents-${process.pid}-${++seq}`,
          provider: 'openai',
          model: 'gpt-4o',
          tokens: 150,
          cost_microdollars: costMicros,
        },
      })
    },
  }
}

async function readSecret(page, what) {
  const input = page.locator('dialog[open] [data-testid=secret-value]')
  await input.waitFor().catch(() => {
    throw new E2eError(`${what}: the copy-once dialog did not open`)
  })
  const secret = await input.inputValue()
  if (!/^ic_\d+_[0-9A-Za-z]{48}$/.test(secret)) throw new E2eError(`${what}: the dialog shows "${secret}", not an IC token`)
  await page.locator('dialog[open] [data-testid=secret-done]').click()
  await input.waitFor({ state: 'detached' }).catch(() => input.waitFor({ state: 'hidden' }))
  return secret
}

async function confirmOpenDialog(page, typed) {
  if (typed) await page.locator('dialog[open] [data-testid=confirm-input]').fill(typed)
  await page.locator('dialog[open] [data-testid=confirm-button]').click()
}

async function waitForText(locator, re, what) {
  await locator.filter({ hasText: re }).first().waitFor().catch(async () => {
    throw new E2eError(`${what}: expected ${re}, found "${((await locator.first().textContent().catch(() => '')) ?? '').trim()}"`)
  })
}

export async function agentsJourney({ browser, baseUrl, api, people, label, shots }) {
  const [admin, user, viewer] = people
  const token = await api.login(admin.email, admin.password)
  const key = await api.call('POST', 'api/v1/providers', {
    token,
    body: { provider: 'openai', api_key: `sk-e2e-${'x'.repeat(40)}`, description: 'e2e key' },
  })
  // The browser lives in Berlin: a new periodic budget defaults to its zone (docs/budgets.md).
  const zone = 'Europe/Berlin'
  const t = await newTrackedContext(browser, { timezoneId: zone })
  const { page } = t
  await signIn(page, baseUrl, admin)
  await page.locator('[data-testid=live-indicator][data-status=live]').waitFor()

  // 1. Create an agent in the UI with a key and a daily budget of $25.50 in the browser's zone;
  //    a zone the server does not know is its 400, shown on the field.
  const name = `ui-agent-${Date.now()}`
  await page.goto(new URL('agents', baseUrl).href)
  await waitForView(page, 'agents list')
  await page.getByTestId('agent-new').click()
  await page.getByTestId('agent-name').fill(name)
  await page.getByTestId('agent-key').locator(`option[value="${key.id}"]`).waitFor({ state: 'attached' })
  await page.getByTestId('agent-key').selectOption(String(key.id))
  await page.getByTestId('agent-period').selectOption('daily')
  const suggested = await page.getByTestId('agent-time-zone').inputValue()
  if (suggested !== zone) throw new E2eError(`the time zone defaults to "${suggested}", not the browser's ${zone}`)
  await page.getByTestId('agent-budget').fill('25.50')
  await page.getByTestId('agent-time-zone').fill('Mars/Olympus_Mons')
  t.expectConsole(/status of 400 .*\/api\/v1\/agents/)
  await page.getByTestId('agent-save').click()
  await waitForText(page.getByTestId('field-error'), /unknown time zone 'Mars\/Olympus_Mons'/, 'the server refusing an unknown zone')
  if (shots) {
    await screenshot(page, `${label}-journey-agent-zone-refused-1280-light`)
    await page.setViewportSize({ width: 390, height: 844 })
    await screenshot(page, `${label}-journey-agent-zone-refused-390-light`)
    await page.setViewportSize({ width: 1280, height: 800 })
  }
  await page.getByTestId('agent-time-zone').fill(zone)
  await page.getByTestId('agent-save').click()
  await page.waitForURL(/\/agents\/\d+$/)
  const agentId = Number(new URL(page.url()).pathname.split('/').pop())
  await waitForText(page.locator('h1'), new RegExp(name), 'the new agent page')
  await waitForText(page.getByTestId('agent-allocated'), /\$25\.50/, 'the initial allocation')
  await waitForText(page.getByTestId('agent-period-label'), /Daily/, 'the budget period')
  await waitForText(page.getByTestId('agent-resets-at'), /Europe\/Berlin/, 'the next reset, its zone named')
  const created = await api.call('GET', `api/v1/agents/${agentId}`, { token })
  // The next reset is a Berlin midnight (read with the runtime's own tz data) within a day.
  const resetsAt = Date.parse(created.budget.resets_at)
  const berlinClock = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
  if (created.budget.period !== 'daily' || created.budget.time_zone !== zone || berlinClock.format(resetsAt) !== '00:00:00' ||
      !(resetsAt > Date.now() - 60_000 && resetsAt <= Date.now() + 25 * 3_600_000))
    throw new E2eError(`the daily budget resets at ${created.budget.resets_at} (${berlinClock.format(resetsAt)} in ${zone}), not the next Berlin midnight`)
  if (shots) await screenshot(page, `${label}-journey-agent-periodic-1280-light`)
  if (shots) {
    await page.setViewportSize({ width: 390, height: 844 })
    await screenshot(page, `${label}-journey-agent-periodic-390-light`)
    await page.setViewportSize({ width: 1280, height: 800 })
  }

  // 2. Issue the IC token; the test reads it from the dialog, as a person would copy it.
  await page.getByTestId('ic-issue').click()
  const ic = await readSecret(page, 'issuing the IC token')
  await waitForText(page.getByTestId('ic-status'), /Issued/, 'IC status after issuing')

  // 3. The runtime leases and reports $1.234567; the open page shows it without reload.
  const rt = leaseRuntime(api)
  const lease = await rt.handshake(ic)
  await rt.report(ic, lease.lease_id, 1_234_567)
  await waitForText(page.getByTestId('agent-spent'), /\$1\.23/, 'live spend on the agent page')
  await waitForText(page.getByTestId('lease-status'), /active/, 'the live lease on the agent page')
  // Its analytics event (what the spend chart, burn rate and event list read) arrives live too.
  await runtime(api).completedRequest(ic, { costMicros: 1_234_567 })
  await waitForText(page.getByTestId('agent-events').locator('td'), /completed/, 'the live event on the agent page')
  if (shots) await screenshot(page, `${label}-journey-agent-detail-1280-light`)

  // 4. Regenerate: a new token in the dialog, the old one refused at once; then revoke.
  await page.getByTestId('ic-regenerate').click()
  await confirmOpenDialog(page)
  const ic2 = await readSecret(page, 'regenerating the IC token')
  if (ic2 === ic) throw new E2eError('the regenerated IC token equals the old one')
  await rt.handshake(ic, { expect: [401] })
  await page.getByTestId('ic-revoke').click()
  await confirmOpenDialog(page)
  await waitForText(page.getByTestId('ic-status'), /None/, 'IC status after revoking')
  await rt.handshake(ic2, { expect: [401] })

  // 5. A new budget of $40.
  await page.getByTestId('agent-set-budget').click()
  await page.getByTestId('budget-amount').fill('40')
  await page.getByTestId('budget-save').click()
  await waitForText(page.getByTestId('agent-allocated'), /\$40\.00/, 'the new allocation')
  // The edit dialog makes the budget weekly: the next reset is the coming Monday 00:00 in Berlin.
  await page.getByTestId('agent-edit').click()
  await page.getByTestId('agent-period').selectOption('weekly')
  await page.getByTestId('agent-save').click()
  await waitForText(page.getByTestId('agent-period-label'), /Weekly/, 'the budget period after the edit')
  const weekly = await api.call('GET', `api/v1/agents/${agentId}`, { token })
  const monday = Date.parse(weekly.budget.resets_at)
  const berlinDay = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short' }).format(monday)
  if (weekly.budget.period !== 'weekly' || berlinDay !== 'Mon' || berlinClock.format(monday) !== '00:00:00' || monday <= Date.now())
    throw new E2eError(`the weekly budget resets at ${weekly.budget.resets_at}, not the coming Monday in ${zone}`)

  // 6. The list finds it by name (server-side search in the URL), then delete another agent.
  await page.goto(new URL(`agents?search=${encodeURIComponent(name)}`, baseUrl).href)
  await expectVisible(page, `agent-link-${name}`, 'the searched agent in the list')
  const doomed = await api.call('POST', 'api/v1/agents', { token, body: { name: `doomed-${Date.now()}`, initial_budget_microdollars: 1_000_000 } })
  await page.goto(new URL(`agents/${doomed.id}`, baseUrl).href)
  await waitForText(page.locator('h1'), new RegExp(doomed.name), 'the agent to delete')
  await page.getByTestId('agent-delete').click()
  if (!(await page.locator('dialog[open] [data-testid=confirm-button]').isDisabled()))
    throw new E2eError('deleting is possible before typing the agent name')
  await confirmOpenDialog(page, doomed.name)
  await page.waitForURL((u) => u.pathname.endsWith('/agents'))
  await api.call('GET', `api/v1/agents/${doomed.id}`, { token, expect: [404] })
  await t.assertClean('agents journey (admin)')
  await t.close()

  // 7. A viewer with an agent of their own reads both pages and sees no mutating control.
  const idOf = async (person) => {
    const found = await api.call('GET', `api/v1/users?search=${encodeURIComponent(person.email.split('@')[0])}`, { token })
    const id = found.users.find((u) => u.email === person.email)?.id
    if (!id) throw new E2eError(`cannot find the account of ${person.email}`)
    return id
  }
  const agentOf = async (person) =>
    api.call('POST', 'api/v1/agents', {
      token,
      body: { name: `${person.role}-agent-${Date.now()}`, initial_budget_microdollars: 3_000_000, owner_id: await idOf(person) },
    })
  const theirs = await agentOf(viewer)
  // Agents are owner-scoped: the smoke test opens, per role, an agent that role may see.
  SAMPLE_PARAMS['agent-detail'] = {
    admin: { id: String(agentId) },
    user: { id: String((await agentOf(user)).id) },
    viewer: { id: String(theirs.id) },
  }
  const v = await newTrackedContext(browser)
  await signIn(v.page, baseUrl, viewer)
  for (const path of ['agents', `agents/${theirs.id}`]) {
    await v.page.goto(new URL(path, baseUrl).href)
    await waitForView(v.page, `${path} as a viewer`)
    if (path !== 'agents') await expectVisible(v.page, 'agent-summary', 'the agent page as a viewer')
    else await expectVisible(v.page, `agent-link-${theirs.name}`, 'the viewer\'s agent in the list')
    const mutating = await v.page.locator('[data-mutates]').count()
    if (mutating > 0) throw new E2eError(`a viewer sees ${mutating} mutating control(s) on /${path}`)
  }
  await v.assertClean('agents journey (viewer)')
  await v.close()
  return { agentId }
}
