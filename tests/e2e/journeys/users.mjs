// Users and My account, as an admin and the people they manage meet them:
// the admin creates a user and a viewer in the UI (the generated password read from the form) →
// the user signs in and must change the password → the admin suspends them (their open session
// ends: the next navigation lands on sign-in) and reactivates them → the admin resets the
// password → on My account the user, signed in on two devices, changes the password: the
// other device is signed out, this one stays.

import { checkAxe, expectVisible, newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { E2eError } from '../lib/server.mjs'
import { signIn } from '../lib/ui.mjs'

/** Creates an account through the New user dialog; returns the generated password. */
async function createInUi(page, { email, role }, { shots, label }) {
  await page.getByTestId('user-new').click()
  await page.getByTestId('user-email').fill(email)
  await page.getByTestId('user-role').selectOption(role)
  await page.getByTestId('user-password-generate').click()
  const password = await page.getByTestId('user-password').inputValue()
  if (password.length < 12) throw new E2eError(`generated password is ${password.length} characters`)
  if (!(await page.getByTestId('user-force-change').isChecked())) throw new E2eError('"must change at first sign-in" is not the default')
  if (shots) await screenshot(page, `${label}-journey-user-create-1280-light`)
  await page.getByTestId('user-create-submit').click()
  await expectVisible(page, `user-row-${email}`, `the new ${role} in the list`)
  return password
}

/** Opens the Manage dialog of `email` from the list. */
async function manage(page, email) {
  await page.getByTestId(`user-manage-${email}`).click()
  await expectVisible(page, 'user-manage', `manage ${email}`)
}

const status = (page) => page.locator('[data-testid=user-manage] [data-testid=user-status]')

/** Opens a fresh context signed in as `who` (no forced change expected). */
async function signedIn(browser, baseUrl, who) {
  const c = await newTrackedContext(browser)
  await signIn(c.page, baseUrl, who)
  return c
}

export async function usersJourney({ browser, baseUrl, label, shots, people }) {
  const [admin] = people
  const nora = { email: 'nora@example.com', role: 'user' }
  const val = { email: 'val@example.com', role: 'viewer' }

  // 1. The admin creates a user and a viewer.
  const a = await newTrackedContext(browser)
  await signIn(a.page, baseUrl, admin)
  await a.page.goto(new URL('users', baseUrl).href)
  await waitForView(a.page, 'users list')
  nora.password = await createInUi(a.page, nora, { shots, label })
  val.password = await createInUi(a.page, val, { shots: false, label })
  await a.page.getByTestId('user-filter-role').selectOption('viewer')
  await a.page.waitForURL((u) => u.searchParams.get('role') === 'viewer')
  // The URL changes first; the rows follow when the filtered page arrives.
  await a.page.getByTestId(`user-row-${nora.email}`).waitFor({ state: 'detached' })
  await expectVisible(a.page, `user-row-${val.email}`, 'the role filter')
  await checkAxe(a.page, 'users list')
  await a.page.getByTestId('user-filter-role').selectOption('')

  // 2. The user signs in with the handed-over password and must choose their own.
  const u = await newTrackedContext(browser)
  await u.page.goto(new URL('login', baseUrl).href)
  await u.page.getByTestId('login-email').fill(nora.email)
  await u.page.getByTestId('login-password').fill(nora.password)
  await u.page.getByTestId('login-submit').click()
  await expectVisible(u.page, 'password-change-required', 'first sign-in of a UI-created user')
  const chosen = 'nora-own-password-1'
  await u.page.getByTestId('current-password').fill(nora.password)
  await u.page.getByTestId('new-password').fill(chosen)
  await u.page.getByTestId('confirm-password').fill(chosen)
  await u.page.getByTestId('change-password-submit').click()
  await u.page.waitForURL((x) => !x.pathname.endsWith('/change-password'))
  await waitForView(u.page, 'after the forced change')

  // 3. The admin suspends them: their open session ends at once. Then reactivates them.
  await manage(a.page, nora.email)
  if (shots) await screenshot(a.page, `${label}-journey-user-manage-1280-light`)
  await checkAxe(a.page, 'manage dialog')
  await a.page.getByTestId('suspend-reason').fill('left for the day')
  await a.page.getByTestId('user-suspend').click()
  await status(a.page).filter({ hasText: 'Suspended' }).waitFor()
  u.expectConsole(/401/)
  await u.page.goto(new URL('agents', baseUrl).href)
  await u.page.waitForURL((x) => x.pathname.endsWith('/login'))
  await u.assertClean('suspended user navigating')
  await u.close()
  await a.page.getByTestId('user-activate').click()
  await status(a.page).filter({ hasText: 'Active' }).waitFor()

  // 4. The admin resets the password (no forced change this time).
  await a.page.getByTestId('reset-password-generate').click()
  const reset = await a.page.getByTestId('reset-password').inputValue()
  await a.page.getByTestId('reset-force').uncheck()
  await a.page.getByTestId('reset-submit').click()
  await a.page.getByText(`Password set for ${nora.email}.`).waitFor()
  // Yourself: the guarded actions are disabled with the reason.
  await a.page.keyboard.press('Escape')
  await manage(a.page, admin.email)
  if (!(await a.page.getByTestId('user-suspend').isDisabled())) throw new E2eError('an admin can suspend themselves in the UI')
  await a.page.getByText('You cannot suspend your own account.').waitFor()
  await a.page.keyboard.press('Escape')
  await a.assertClean('admin managing users')

  // 5. My account: signed in on two devices, the password change signs the other one out.
  const here = await signedIn(browser, baseUrl, { email: nora.email, password: reset })
  const there = await signedIn(browser, baseUrl, { email: nora.email, password: reset })
  await here.page.goto(new URL('account', baseUrl).href)
  await waitForView(here.page, 'my account')
  await expectVisible(here.page, 'session-current', 'my sessions')
  const others = await here.page.getByTestId('session-other').count()
  if (others !== 1) throw new E2eError(`my account lists ${others} other sessions, want 1`)
  await checkAxe(here.page, 'my account')
  if (shots) await screenshot(here.page, `${label}-journey-account-1280-light`)
  const final = 'nora-final-password-2'
  await here.page.getByTestId('account-current-password').fill(reset)
  await here.page.getByTestId('account-new-password').fill(final)
  await here.page.getByTestId('account-confirm-password').fill(final)
  await here.page.getByTestId('account-change-password').click()
  await here.page.getByText('Your password was changed; your other sessions were signed out.').waitFor()
  await here.page.getByTestId('session-other').waitFor({ state: 'detached' })
  there.expectConsole(/401/)
  await there.page.goto(new URL('account', baseUrl).href)
  await there.page.waitForURL((x) => x.pathname.endsWith('/login'))
  // This device stays signed in, across a reload too (the renewed refresh cookie).
  await here.page.reload()
  await waitForView(here.page, 'my account after the change')
  await expectVisible(here.page, 'session-current', 'this device after the change')
  await here.assertClean('my account')
  await there.assertClean('the other device')
  await Promise.all([here.close(), there.close(), a.close()])
}
