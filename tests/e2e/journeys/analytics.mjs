// Overview and Analytics against real spend: a simulated runtime reports requests; the Overview
// shows them and follows a new report live (no reload); Analytics lists the agent, provider and
// model; each exported CSV holds exactly the rows its table shows; filters survive a reload.

import { readFile } from 'node:fs/promises'
import { newTrackedContext, waitForView } from '../lib/browser.mjs'
import { runtime } from '../lib/runtime.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** µ$ as the dashboard shows them: `$1,234.56`, half-up to the cent (format/money.ts). */
function money(micros) {
  const m = BigInt(micros)
  if (m > 0n && m < 10_000n) return '<$0.01'
  const cents = (m + 5_000n) / 10_000n
  return `$${(cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(cents % 100n).toString().padStart(2, '0')}`
}
const count = (v) => new Intl.NumberFormat('en-US').format(Number(v))
/** "0.250000" (the CSV's six-decimal dollars) → µ$. */
const dollarsToMicros = (s) => {
  const [whole, frac = ''] = s.split('.')
  return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6))
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF). */
function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field), rows.push(row), (row = []), (field = '')
    } else field += c
  }
  if (field || row.length) row.push(field), rows.push(row)
  return rows
}

/** Waits until the locator's whole text is `want`; the error names what it showed instead. */
async function expectText(locator, want, what) {
  try {
    await locator.filter({ hasText: new RegExp(`^\\s*${want.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&')}\\s*$`) }).waitFor()
  } catch {
    const got = await locator.innerText({ timeout: 200 }).catch(() => '(nothing)')
    throw new E2eError(`${what}: expected "${want}", the page shows "${got.trim()}"`)
  }
}

/** The cells of a breakdown table as the page shows them. */
async function tableCells(page, name) {
  return page.getByTestId(`breakdown-${name}`).getByTestId('table-row').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.innerText.trim())),
  )
}

/** Exports a table, parses the CSV and checks its rows (through `toCells`) equal the table's. */
async function expectCsvMatchesTable(page, name, toCells) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${name}`).click()])
  const [header, ...rows] = parseCsv(await readFile(await download.path(), 'utf8'))
  const fromCsv = rows.map((r) => toCells(Object.fromEntries(header.map((h, i) => [h, r[i]]))))
  const shown = await tableCells(page, name)
  if (JSON.stringify(fromCsv) !== JSON.stringify(shown))
    throw new E2eError(`CSV export of "${name}" (${download.suggestedFilename()}) differs from the table:\n  csv:   ${JSON.stringify(fromCsv)}\n  table: ${JSON.stringify(shown)}`)
  if (!shown.length) throw new E2eError(`the "${name}" table is empty, nothing to compare`)
}

export async function analyticsJourney({ browser, baseUrl, api, people }) {
  const [admin] = people
  const token = await api.login(admin.email, admin.password)
  const rt = runtime(api)
  const stamp = Date.now()
  const agent = await rt.createAgent(token, { name: `analytics-${stamp}`, budgetMicros: 50_000_000 })
  const ic = await rt.issueIcToken(token, agent.id)
  const model = `e2e-model-${stamp}`
  const report = (costMicros) => rt.completedRequest(ic, { costMicros, provider: 'anthropic', model, inputTokens: 1200, outputTokens: 300 })
  await report(250_000)
  const spentToday = async () => (await api.call('GET', 'api/v1/analytics/overview', { token })).today.spending_microdollars

  // Overview: the spend is there, and a new report while the page is open updates it live.
  const t = await newTrackedContext(browser)
  const { page } = t
  await signIn(page, baseUrl, admin)
  await waitForView(page, 'overview')
  const today = page.getByTestId('spend-today').getByTestId('figure-value')
  await expectText(today, money(await spentToday()), 'Overview "Spend today"')
  await page.getByTestId('top-agents').getByRole('link', { name: agent.name }).waitFor()
  await page.locator('[data-testid=live-indicator][data-status=live]').waitFor()
  await page.evaluate(() => (globalThis.__e2eSamePage = true))
  await report(1_000_000)
  await expectText(today, money(await spentToday()), 'Overview "Spend today" after a live report')
  await page.getByTestId('live-feed').getByTestId('feed-item').first().waitFor()
  if (!(await page.evaluate(() => globalThis.__e2eSamePage === true))) throw new E2eError('the Overview reloaded instead of updating live')
  await t.assertClean('overview')

  // Analytics: the agent, provider and model rows; each CSV equals its table.
  await page.goto(new URL('analytics?period=today', baseUrl).href)
  await waitForView(page, 'analytics')
  await page.getByTestId('breakdown-agents').getByRole('link', { name: agent.name }).waitFor()
  await page.getByTestId('breakdown-providers').getByTestId('table-row').filter({ hasText: 'anthropic' }).waitFor()
  await page.getByTestId('breakdown-models').getByTestId('table-row').filter({ hasText: model }).waitFor()
  await expectCsvMatchesTable(page, 'models', (r) => [r.model, r.provider, count(r.request_count), money(dollarsToMicros(r.spending_usd)), count(r.input_tokens), count(r.output_tokens)])
  await expectCsvMatchesTable(page, 'providers', (r) => [r.provider, money(dollarsToMicros(r.spending_usd)), count(r.request_count), money(dollarsToMicros(r.avg_cost_per_request_usd)), count(r.agent_count)])
  await expectCsvMatchesTable(page, 'tokens', (r) => [r.agent_name, count(r.input_tokens), count(r.output_tokens), count(r.total_tokens)])

  // Filters go to the URL and survive a reload: one agent, a custom range of today.
  const day = new Date().toISOString().slice(0, 10)
  await page.getByTestId('filter-agent').selectOption(String(agent.id))
  await page.getByTestId('filter-period').selectOption('custom')
  await page.getByTestId('filter-from').fill(day)
  await page.waitForURL((u) => u.searchParams.get('agent') === String(agent.id) && u.searchParams.get('from') === day && u.searchParams.get('period') === 'custom')
  await page.reload()
  await waitForView(page, 'analytics after reload')
  const kept = { agent: await page.getByTestId('filter-agent').inputValue(), period: await page.getByTestId('filter-period').inputValue(), from: await page.getByTestId('filter-from').inputValue() }
  if (kept.agent !== String(agent.id) || kept.period !== 'custom' || kept.from !== day)
    throw new E2eError(`the Analytics filters did not survive a reload: ${JSON.stringify(kept)}`)
  await expectText(page.getByTestId('breakdown-agents').getByTestId('table-row').locator('td').first(), agent.name, 'the agent filter after reload')
  await page.getByTestId('event-log').getByTestId('table-row').first().waitFor()
  await expectCsvMatchesTable(page, 'agents', (r) => [r.agent_name, money(dollarsToMicros(r.spending_usd)), count(r.request_count), `${Number(r.percent_used).toFixed(1)} %`])
  await t.assertClean('analytics')
  await t.close()
}
