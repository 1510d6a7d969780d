// The admin's audit log and System page: a user created over the API shows up in the audit
// log with an expandable diff, a filter narrows the list (and lands in the URL), the CSV
// export downloads; System shows real sizes; the backup downloads, `ironpanel restore`
// puts it into a fresh data dir, and the restored database holds the user just created.

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { expectVisible, newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

const run = promisify(execFile)

async function downloadOf(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()])
  const failure = await download.failure()
  if (failure) throw new E2eError(`download ${download.suggestedFilename()} failed: ${failure}`)
  return download
}

export async function systemJourney({ browser, baseUrl, api, people, shots }) {
  const [admin] = people
  const token = await api.login(admin.email, admin.password)
  const email = `audited-${Date.now()}@example.test`
  const created = await api.createUser(token, { email, role: 'viewer', password: `pw-${Date.now()}-long-enough` })

  const t = await newTrackedContext(browser)
  const { page } = t
  await signIn(page, baseUrl, admin)

  // 1. The audit log shows the creation; expanding it shows the fields it set.
  await page.goto(new URL('audit', baseUrl).href)
  await waitForView(page, 'audit log')
  const row = page.locator(`[data-testid=audit-row][data-action="user.create"]`, { hasText: created.id }).first()
  await row.waitFor().catch(() => {
    throw new E2eError(`the audit log does not show user.create for ${created.id}`)
  })
  await row.getByTestId('audit-expand').click()
  const diff = row.getByTestId('audit-diff')
  await diff.waitFor()
  if (!(await diff.innerText()).includes(email)) throw new E2eError('the expanded diff does not show the new user’s email')
  if (shots) await screenshot(page, 'journey-audit-expanded')

  // 2. A filter narrows the list and lives in the URL.
  await page.getByTestId('filter-action').fill('user.create')
  await page.getByTestId('filter-action').press('Tab')
  await page.waitForURL((u) => u.searchParams.get('action') === 'user.create')
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=audit-row]')]
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'user.create')
  }).catch(() => {
    throw new E2eError('filtering by action=user.create left other rows in the list')
  })

  // 3. CSV export of the filtered rows.
  const csv = await downloadOf(page, () => page.getByTestId('audit-export').click())
  if (csv.suggestedFilename() !== 'audit.csv') throw new E2eError(`CSV saved as ${csv.suggestedFilename()}`)
  const text = await readFile(await csv.path(), 'utf8')
  if (!text.startsWith('at,id,actor_type') || !text.includes(created.id) || /auth\.login/.test(text))
    throw new E2eError(`the CSV export is not the filtered log: ${text.slice(0, 200)}`)
  await t.assertClean('audit log journey')

  // 4. System shows real sizes.
  await page.goto(new URL('system', baseUrl).href)
  await waitForView(page, 'system')
  await expectVisible(page, 'system-db-size', 'system storage card')
  const size = (await page.getByTestId('system-db-size').innerText()).trim()
  if (!/^\d+(\.\d)? (KiB|MiB|GiB)$/.test(size)) throw new E2eError(`database size shown as "${size}"`)
  const free = (await page.getByTestId('system-free').innerText()).trim()
  if (!/^\d+(\.\d)? (MiB|GiB|TiB)$/.test(free)) throw new E2eError(`free space shown as "${free}"`)

  // 5. The backup downloads and restores into a fresh data dir with the user in it.
  const backup = await downloadOf(page, () => page.getByTestId('backup-download').click())
  if (!/^ironpanel-backup-.+\.db$/.test(backup.suggestedFilename())) throw new E2eError(`backup saved as ${backup.suggestedFilename()}`)
  const work = await mkdtemp(path.join(tmpdir(), 'ironpanel-e2e-restore-'))
  try {
    const file = path.join(work, backup.suggestedFilename())
    await backup.saveAs(file)
    const dataDir = path.join(work, 'data')
    const bin = path.resolve(process.env.IRONPANEL_BIN)
    await run(bin, ['restore', '--data', dataDir, '--from', file]).catch((e) => {
      throw new E2eError(`ironpanel restore of the downloaded backup failed: ${e.stderr || e.message}`)
    })
    const { stdout } = await run('sqlite3', [path.join(dataDir, 'iron.db'), `SELECT COUNT(*) FROM users WHERE email = '${email}'`])
    if (stdout.trim() !== '1') throw new E2eError(`the restored database does not hold ${email} (count ${stdout.trim()})`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  await t.assertClean('system journey')
  await t.close()
}
