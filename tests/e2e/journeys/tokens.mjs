// API tokens and provider keys through the dashboard, with the server's answers checked over
// HTTP as another client would: a token created in the dialog and copied from it works as a
// Bearer token, its rotation refuses the old secret and accepts the new one, revoking refuses
// it; a provider key added and assigned to a project, once disabled, refuses the handshake
// of the agent using it, works again once enabled, and its delete dialog names that agent.

import { newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { runtime } from '../lib/runtime.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** GET /api/v1/agents with `token` as Bearer; returns the HTTP status. */
async function agentsStatus(baseUrl, token) {
  const res = await fetch(new URL('api/v1/agents', baseUrl), { headers: { Authorization: `Bearer ${token}` } })
  await res.body?.cancel()
  return res.status
}

async function expectStatus(baseUrl, token, want, what) {
  const got = await agentsStatus(baseUrl, token)
  if (got !== want) throw new E2eError(`${what}: GET /api/v1/agents with the token answered ${got}, expected ${want}`)
}

/** The agent runtime's handshake with its IC token and key; returns { status, code }. */
async function handshake(baseUrl, icToken, providerKeyId) {
  const res = await fetch(new URL('api/v1/budget/handshake', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ic_token: icToken, provider: 'openai', provider_key_id: providerKeyId, requested_budget: 1000 }),
  })
  const body = await res.json().catch(() => null)
  return { status: res.status, code: body?.error?.code }
}

/** Reads the secret from the shown-once dialog through its Copy button (the clipboard), then closes it. */
async function copySecret(page, previous = '', shot = '') {
  const field = page.getByTestId('secret-value')
  await field.waitFor({ state: 'visible' })
  // The dialog is in the DOM while closed: wait for the secret it was opened with.
  await page.waitForFunction((old) => {
    const v = document.querySelector('[data-testid=secret-value]')?.value ?? ''
    return v.startsWith('apitok_') && v !== old
  }, previous)
  const shown = await field.inputValue()
  if (shot) await captureBoth(page, shot)
  await page.getByTestId('secret-copy').click()
  await page.getByTestId('secret-copy').filter({ hasText: 'Copied' }).waitFor()
  const copied = await page.evaluate(() => navigator.clipboard.readText())
  if (copied !== shown || !copied.startsWith('apitok_')) throw new E2eError(`the copied token (${copied.slice(0, 10)}…) is not the one shown`)
  await page.getByTestId('secret-done').click()
  await page.getByTestId('secret-value').waitFor({ state: 'hidden' })
  return copied
}

async function confirmTyped(page, name) {
  await page.getByTestId('confirm-input').fill(name)
  await page.getByTestId('confirm-button').click()
  await page.getByTestId('confirm-button').waitFor({ state: 'hidden' })
}

/** With rows in the list: a picture at 1280 and at 390 px (the smoke test sees empty lists). */
async function captureBoth(page, name) {
  await screenshot(page, `${name}-1280`)
  await page.setViewportSize({ width: 390, height: 844 })
  await screenshot(page, `${name}-390`)
  await page.setViewportSize({ width: 1280, height: 800 })
}

async function tokenJourney(t, baseUrl, shots, label) {
  const { page } = t
  await page.goto(new URL('api-tokens', baseUrl).href)
  await waitForView(page, 'API tokens')
  const name = `e2e-read-${Date.now()}`
  await page.getByTestId('token-new').click()
  await page.getByTestId('token-name').fill(name)
  await page.getByTestId('token-scope-read').check()
  if (shots) await captureBoth(page, `${label}-journey-token-create`)
  await page.getByTestId('token-create-submit').click()
  const first = await copySecret(page, '', shots && `${label}-journey-token-secret`)
  if (shots) await captureBoth(page, `${label}-journey-tokens-rows`)
  await expectStatus(baseUrl, first, 200, 'the created token')

  const row = page.locator('tr', { has: page.getByText(name, { exact: true }) })
  await row.getByRole('button', { name: 'Rotate' }).click()
  await confirmTyped(page, name)
  const second = await copySecret(page, first)
  await expectStatus(baseUrl, first, 401, 'the rotated-away token')
  await expectStatus(baseUrl, second, 200, 'the token from the rotation')

  // Rename: the list shows the new name and the secret keeps working.
  await row.getByRole('button', { name: 'Edit' }).click()
  const renamed = `${name}-renamed`
  await page.getByTestId('token-edit-name').fill(renamed)
  await page.getByTestId('token-edit-submit').click()
  const renamedRow = page.locator('tr', { has: page.getByText(renamed, { exact: true }) })
  await renamedRow.waitFor()
  await expectStatus(baseUrl, second, 200, 'the renamed token')

  await renamedRow.getByRole('button', { name: 'Revoke' }).click()
  await confirmTyped(page, renamed)
  await renamedRow.waitFor({ state: 'detached' }) // the list shows active tokens by default
  await expectStatus(baseUrl, second, 401, 'the revoked token')
}

/**
 * An admin lists everyone's tokens: another user's token shows with its owner and may be
 * revoked, never rotated or edited (the server keeps those to the owner).
 */
async function everyoneJourney(t, baseUrl, api, user) {
  const { page } = t
  const name = `e2e-theirs-${Date.now()}`
  const theirs = await api.call('POST', 'api/v1/api-tokens', { token: await api.login(user.email, user.password), body: { name } })
  await page.goto(new URL('api-tokens', baseUrl).href)
  await waitForView(page, 'API tokens')
  await page.getByTestId('token-who-filter').selectOption('*')
  const row = page.locator('tr', { has: page.getByTestId(`token-row-${theirs.id}`) })
  await row.waitFor()
  if (!new URL(page.url()).searchParams.get('who')) throw new E2eError('the owner filter is not kept in the URL')
  await row.getByText(user.name ?? user.email.split('@')[0]).first().waitFor()
  if (await row.getByRole('button', { name: 'Rotate' }).count()) throw new E2eError("another user's token offers Rotate")
  await row.getByRole('button', { name: 'Revoke' }).click()
  await confirmTyped(page, name)
  await row.waitFor({ state: 'detached' })
  await expectStatus(baseUrl, theirs.token, 401, "the other user's token an admin revoked")
}

async function providerJourney(t, baseUrl, api, admin, shots, label) {
  const { page } = t
  await page.goto(new URL('providers', baseUrl).href)
  await waitForView(page, 'provider keys')
  await page.getByTestId('key-new').click()
  await page.getByTestId('key-provider').fill('openai')
  await page.getByTestId('key-secret').fill(`sk-e2e-${Date.now()}-abcdefghijkl`)
  await page.getByTestId('key-description').fill('e2e key')
  const added = page.waitForResponse((r) => r.url().endsWith('/api/v1/providers') && r.request().method() === 'POST')
  await page.getByTestId('key-add-submit').click()
  const key = await (await added).json()
  await page.getByTestId(`key-row-${key.id}`).waitFor()

  const project = `e2e-proj-${Date.now()}`
  await page.getByTestId(`key-projects-${key.id}`).click()
  await page.getByTestId('key-assign-project').fill(project)
  await page.getByTestId('key-assign-submit').click()
  await page.getByTestId(`key-unassign-${project}`).waitFor()
  if (shots) await captureBoth(page, `${label}-journey-provider-projects`)
  await page.keyboard.press('Escape')
  await page.locator('tr', { hasText: project }).waitFor()

  const rt = runtime(api)
  const token = await api.login(admin.email, admin.password)
  const agent = await rt.createAgent(token, { name: `keyed-${Date.now()}`, budgetMicros: 10_000_000, providerKeyId: key.id })
  const ic = await rt.issueIcToken(token, agent.id)
  const before = await handshake(baseUrl, ic, key.id)
  if (before.status !== 200) throw new E2eError(`the handshake with the enabled key answered ${before.status} ${before.code}`)

  await page.getByTestId(`key-toggle-${key.id}`).click()
  await page.getByTestId(`key-status-${key.id}`).filter({ hasText: 'Disabled' }).waitFor()
  const refused = await handshake(baseUrl, ic, key.id)
  if (refused.status !== 403 || refused.code !== 'KEY_DISABLED')
    throw new E2eError(`the handshake with the disabled key answered ${refused.status} ${refused.code}, expected 403 KEY_DISABLED`)

  await page.getByTestId(`key-toggle-${key.id}`).click()
  await page.getByTestId(`key-status-${key.id}`).filter({ hasText: 'Enabled' }).waitFor()
  const again = await handshake(baseUrl, ic, key.id)
  if (again.status !== 200) throw new E2eError(`the handshake after enabling the key answered ${again.status} ${again.code}`)

  if (shots) await captureBoth(page, `${label}-journey-providers-rows`)
  await page.getByTestId(`key-delete-${key.id}`).click()
  await page.getByTestId('key-delete-agents').filter({ hasText: agent.name }).waitFor()
  if (shots) await captureBoth(page, `${label}-journey-provider-delete`)
  await confirmTyped(page, 'openai')
  await page.getByTestId(`key-row-${key.id}`).waitFor({ state: 'detached' })
  const after = await api.call('GET', `api/v1/agents/${agent.id}`, { token })
  if (after.provider_key_id !== null) throw new E2eError(`agent ${agent.id} still names key ${after.provider_key_id} after the delete`)
}

export async function tokensJourney({ browser, baseUrl, api, people, shots, label }) {
  const [admin, user] = people
  const t = await newTrackedContext(browser)
  await t.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin })
  await signIn(t.page, baseUrl, admin)
  await tokenJourney(t, baseUrl, shots, label)
  await everyoneJourney(t, baseUrl, api, user)
  await t.assertClean('API tokens journey')
  await providerJourney(t, baseUrl, api, admin, shots, label)
  await t.assertClean('provider keys journey')
  await t.close()
}
