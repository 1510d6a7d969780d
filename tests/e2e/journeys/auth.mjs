// First run and sign-in, as a new operator and a new user meet them:
// setup token → first admin (signed in) → sign out → wrong password → sign in →
// a user whose password an admin reset opens a deep link → signs in → must change the password →
// lands on the deep link → is refused an admin page → signs out; repeated failures from one
// address are answered with the time to retry.
// Returns the people the smoke test signs in as.

import { checkAxe, expectVisible, newTrackedContext, screenshot, waitForView } from '../lib/browser.mjs'
import { E2eError } from '../lib/server.mjs'
import { heading, signIn, signOut } from '../lib/ui.mjs'

const PASSWORD = 'correct-horse-battery-1'

export async function authJourney({ browser, server, baseUrl, api, label, shots }) {
  const admin = { role: 'admin', email: 'admin@example.com', password: PASSWORD, name: 'Ada Admin' }
  const user = { role: 'user', email: 'uma@example.com', password: `${PASSWORD}-u`, name: 'Uma User' }
  const viewer = { role: 'viewer', email: 'vic@example.com', password: `${PASSWORD}-v`, name: 'Vic Viewer' }

  // 1. A fresh install sends the first visitor to setup.
  const a = await newTrackedContext(browser)
  const { page } = a
  const res = await page.goto(baseUrl)
  const csp = res?.headers()['content-security-policy'] ?? ''
  if (!/script-src 'self'/.test(csp)) throw new E2eError(`no strict Content-Security-Policy on ${baseUrl} (got ${JSON.stringify(csp)}); the CSP checks would prove nothing`)
  if (!/^text\/html\b/i.test(res?.headers()['content-type'] ?? '')) throw new E2eError(`${baseUrl} is not served as HTML`)
  await page.waitForURL((u) => u.pathname.endsWith('/setup'))
  // The server rewrote <base href> to the mount point; every asset and API URL follows it.
  const docBase = await page.evaluate(() => document.baseURI)
  if (docBase !== baseUrl) throw new E2eError(`document.baseURI is ${docBase}, want ${baseUrl} (<base href> rewrite)`)
  await expectVisible(page, 'setup-token', 'first visit')
  await checkAxe(page, 'setup form')
  if (shots) await screenshot(page, `${label}-journey-setup-form-1280-light`)
  if (!server.setupToken) throw new E2eError('the server logged no setup_token on its first start')

  // 2. Setup with a wrong token says so under the field; the right one creates and signs in the admin.
  await page.getByTestId('setup-token').fill('setup_wrong')
  await page.getByTestId('setup-name').fill(admin.name)
  await page.getByTestId('setup-email').fill(admin.email)
  await page.getByTestId('setup-password').fill(admin.password)
  await page.getByTestId('setup-confirm').fill(admin.password)
  a.expectConsole(/403/)
  await page.getByTestId('setup-submit').click()
  await expectVisible(page, 'field-error', 'setup with a wrong token')
  await page.getByTestId('setup-token').fill(server.setupToken)
  await page.getByTestId('setup-submit').click()
  await page.waitForURL((u) => !u.pathname.endsWith('/setup'))
  await waitForView(page, 'after setup')
  if ((await heading(page)) !== 'Overview') throw new E2eError(`after setup: h1 is ${JSON.stringify(await heading(page))}, want "Overview"`)
  await page.locator('[data-testid=live-indicator][data-status=live]').waitFor()

  // 3. Sign out, then a wrong password is refused in words, then the right one works.
  await signOut(page)
  await page.getByTestId('login-email').fill(admin.email)
  await page.getByTestId('login-password').fill('not-the-password')
  a.expectConsole(/401/)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').filter({ hasText: 'Wrong email or password' }).waitFor()
  await checkAxe(page, 'login form with an error')
  if (shots) await screenshot(page, `${label}-journey-login-error-1280-light`)
  await signIn(page, baseUrl, admin)
  await a.assertClean('admin sign-in journey')

  // 4. A user whose password an admin set (over the API) must choose their own first.
  const adminToken = await api.login(admin.email, admin.password)
  const created = await api.createUser(adminToken, user)
  await api.resetPassword(adminToken, created.id, `${user.password}-initial`)
  await api.createUser(adminToken, viewer)
  const u = await newTrackedContext(browser, { viewport: { width: 390, height: 844 } })
  await u.page.goto(new URL('analytics?period=7d', baseUrl).href)
  await u.page.waitForURL((x) => x.pathname.endsWith('/login'))
  await u.page.getByTestId('login-email').fill(user.email)
  await u.page.getByTestId('login-password').fill(`${user.password}-initial`)
  await u.page.getByTestId('login-submit').click()
  await expectVisible(u.page, 'password-change-required', 'first sign-in of an API-created user')
  await checkAxe(u.page, 'forced password change')
  if (shots) await screenshot(u.page, `${label}-journey-forced-password-change-390-light`)
  await u.page.getByTestId('current-password').fill(`${user.password}-initial`)
  await u.page.getByTestId('new-password').fill(user.password)
  await u.page.getByTestId('confirm-password').fill(user.password)
  await u.page.getByTestId('change-password-submit').click()
  await u.page.waitForURL((x) => x.pathname.endsWith('/analytics') && x.searchParams.get('period') === '7d')
  await waitForView(u.page, 'deep link after the password change')

  // 5. An admin page is refused by the guard, in words; then the user signs out from the phone layout.
  await u.page.goto(new URL('users', baseUrl).href)
  await expectVisible(u.page, 'forbidden', 'a user opening /users')
  await u.page.getByTestId('menu-button').click()
  await u.page.getByTestId('nav-overview').waitFor()
  if (shots) await screenshot(u.page, `${label}-journey-phone-menu-390-light`)
  await u.page.getByTestId('nav-overview').click()
  await waitForView(u.page, 'overview from the phone menu')
  await signOut(u.page)
  await u.assertClean('user password-change journey')
  await u.close()

  // 6. Repeated failures from this address: the form says when to retry and waits until then.
  const target = 'nobody@example.com'
  for (let i = 0; i < 5; i++) await api.call('POST', 'api/v1/auth/login', { body: { email: target, password: 'wrong-password' }, expect: [401] })
  await signOut(page)
  await page.getByTestId('login-email').fill(target)
  await page.getByTestId('login-password').fill('wrong-password')
  a.expectConsole(/429/)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').filter({ hasText: /Too many failed sign-ins\. Try again in \d+ (s|min)/ }).waitFor()
  if (!(await page.getByTestId('login-submit').isDisabled())) throw new E2eError('the sign-in button stays enabled during the rate-limit wait')
  if (shots) await screenshot(page, `${label}-journey-rate-limited-1280-light`)
  await a.assertClean('rate-limited sign-in')
  await a.close()
  return [admin, user, viewer]
}
