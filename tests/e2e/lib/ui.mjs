// UI steps several journeys share.

import { E2eError } from './server.mjs'
import { expectVisible, waitForView } from './browser.mjs'

/** Signs in through the login form and waits for the view that follows. */
export async function signIn(page, baseUrl, { email, password }, { landing = '' } = {}) {
  await page.goto(new URL(`login${landing ? `?redirect=${encodeURIComponent(landing)}` : ''}`, baseUrl).href)
  await expectVisible(page, 'login-email', 'sign-in form')
  await page.getByTestId('login-email').fill(email)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !u.pathname.endsWith('/login'))
  await waitForView(page, `after signing in as ${email}`)
}

/** Signs out through the user menu and waits for the sign-in form. */
export async function signOut(page) {
  await page.getByTestId('user-menu').click()
  await page.getByTestId('sign-out').click()
  await page.waitForURL((u) => u.pathname.endsWith('/login'))
  await expectVisible(page, 'login-email', 'after signing out')
}

/** The routes of the running app, read from its own router (the table in router.ts). */
export async function appRoutes(page) {
  const routes = await page.evaluate(() => {
    const app = document.querySelector('#app')?.__vue_app__
    const router = app?.config.globalProperties.$router
    return router ? router.getRoutes().map((r) => ({ name: String(r.name), path: r.path, meta: JSON.parse(JSON.stringify(r.meta)) })) : null
  })
  if (!routes) throw new E2eError('cannot read the router from the page (#app has no Vue app)')
  return routes
}

/** The h1 of the current view, trimmed. */
export async function heading(page) {
  return ((await page.locator('h1').first().textContent()) ?? '').trim()
}
