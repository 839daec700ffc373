// Sign-in, the route guard, the home page, language switching and sign-out,
// against a real server (LIANZHU_E2E_URL) with the demo accounts.
import assert from 'node:assert/strict'
import {
  PHONE,
  loginAs,
  pathOf,
  screenshot,
  storedTokens,
  submitLogin,
  uiTest,
} from './helpers.js'

uiTest('visiting / without signing in redirects to /login', {}, async (page) => {
  await page.goto('/')
  await page.waitForURL((url) => url.pathname === '/login')
  await page.getByRole('heading', { name: '登录' }).waitFor()
  await screenshot(page, 'login-zh')

  await page.goto('/households/42?tab=log')
  await page.waitForURL((url) => url.pathname === '/login')
  assert.equal(new URL(page.url()).searchParams.get('redirect'), '/households/42?tab=log')
})

uiTest('demo coordinator signs in and sees the home page as 协调员', {}, async (page) => {
  await loginAs(page, 'coordinator')
  await page.getByTestId('me-role').filter({ hasText: '协调员' }).waitFor()
  assert.equal(await page.getByTestId('user-menu').textContent().then((s) => s.includes('coordinator')), true)
  const tokens = await storedTokens(page)
  assert.ok(tokens.access && tokens.refresh, 'tokens are kept in sessionStorage')
  const inLocalStorage = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('token')))
  assert.deepEqual(inLocalStorage, [], 'no token in localStorage')
  await screenshot(page, 'home-zh')
})

uiTest('a wrong password shows the error and stays on /login', { allowHttpErrors: [401] }, async (page) => {
  await page.goto('/login')
  await submitLogin(page, 'coordinator', 'not-the-password')
  await page.getByTestId('login-error').filter({ hasText: '用户名或密码错误' }).waitFor()
  assert.equal(pathOf(page), '/login')
  assert.equal((await storedTokens(page)).access, null)
  await screenshot(page, 'login-wrong-password')
})

uiTest('an empty username shows a field error', { allowHttpErrors: [400] }, async (page) => {
  await page.goto('/login')
  await page.locator('input[name="password"]').fill('lianzhu-demo')
  await page.getByTestId('submit').click()
  const item = page.locator('.el-form-item.is-error', { has: page.locator('input[name="username"]') })
  await item.waitFor()
  const message = (await item.locator('.el-form-item__error').textContent()).trim()
  assert.ok(message.length > 0, 'the field error has a message')
  assert.equal(pathOf(page), '/login')
  await screenshot(page, 'login-field-error')
})

uiTest('field errors from the server appear next to their field', { allowHttpErrors: [400] }, async (page) => {
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        error: {
          code: 'invalid',
          message: '请求参数有误',
          fields: [{ field: 'username', rule: 'max_len', message: '用户名不能超过 64 个字符' }],
          request_id: 'test-request',
        },
      }),
    }),
  )
  await page.goto('/login')
  await submitLogin(page, 'x'.repeat(80), 'whatever')
  const item = page.locator('.el-form-item', { has: page.locator('input[name="username"]') })
  await item.locator('.el-form-item__error', { hasText: '用户名不能超过 64 个字符' }).waitFor()
})

uiTest('429 shows how long to wait (Retry-After)', { allowHttpErrors: [429] }, async (page) => {
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Retry-After': '30' },
      contentType: 'application/json',
      body: JSON.stringify({
        error: { code: 'too_many_requests', message: 'too many requests', fields: [], request_id: 'r' },
      }),
    }),
  )
  await page.goto('/login')
  await submitLogin(page, 'coordinator', 'lianzhu-demo')
  const notice = page.getByTestId('login-error')
  await notice.filter({ hasText: /登录尝试过于频繁，请 (30|29|28) 秒后再试/ }).waitFor()
  assert.equal(await page.getByTestId('submit').isDisabled(), true, 'the button waits too')
  await screenshot(page, 'login-too-many-attempts')
})

uiTest('switching to English changes the labels, and the choice is kept', {}, async (page) => {
  await page.goto('/login')
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByLabel('Username').waitFor()
  await page.getByLabel('Password', { exact: true }).waitFor()
  assert.equal((await page.getByTestId('submit').textContent()).trim(), 'Sign in')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  await screenshot(page, 'login-en')

  await page.reload()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await loginAs(page, 'coordinator')
  await page.getByTestId('me-role').filter({ hasText: 'Coordinator' }).waitFor()
  await screenshot(page, 'home-en')

  await page.getByRole('button', { name: '简体中文' }).click()
  await page.getByTestId('me-role').filter({ hasText: '协调员' }).waitFor()
})

uiTest('signing out returns to /login and ends the session', { allowHttpErrors: [400, 401, 403] }, async (page) => {
  await loginAs(page, 'coordinator')
  const { refresh } = await storedTokens(page)
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await page.waitForURL((url) => url.pathname === '/login')
  assert.deepEqual(await storedTokens(page), { access: null, refresh: null })

  await page.goto('/')
  await page.waitForURL((url) => url.pathname === '/login')

  // The server revoked the refresh token.
  const status = await page.evaluate(async (token) => {
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    })
    return res.status
  }, refresh)
  assert.ok(status >= 400 && status < 500 && status !== 429, `refresh after logout answered ${status}`)
})

uiTest('an unusable access token is refreshed once and the pair rotates', { allowHttpErrors: [401] }, async (page) => {
  await loginAs(page, 'admin')
  const before = await storedTokens(page)
  await page.evaluate(() => sessionStorage.setItem('lianzhu.access_token', 'not-a-valid-token'))
  // Only the calls the reloaded page makes count: a /me the home page sent
  // before the reload may still answer 200 after it started.
  const afterReload = new Set()
  let reloading = false
  page.on('request', (req) => {
    if (reloading && new URL(req.url()).pathname === '/api/v1/me') afterReload.add(req)
  })
  const meCalls = []
  page.on('response', (res) => {
    if (afterReload.has(res.request())) meCalls.push(res.status())
  })
  const answered = page.waitForResponse((res) => afterReload.has(res.request()) && res.status() === 200)
  reloading = true
  await page.reload()
  await answered
  await page.getByTestId('me-role').filter({ hasText: '管理员' }).waitFor()
  assert.deepEqual(meCalls, [401, 200], 'one 401, one refresh, one retry')
  const after = await storedTokens(page)
  assert.ok(after.access && after.access !== 'not-a-valid-token', 'a new access token is stored')
  assert.ok(after.refresh && after.refresh !== before.refresh, 'the refresh token rotated')
  assert.equal(pathOf(page), '/')
})

uiTest('the login and home pages work at phone width', { viewport: PHONE }, async (page) => {
  await page.goto('/login')
  await screenshot(page, 'login-phone')
  await loginAs(page, 'coordinator')
  await page.getByTestId('me-role').filter({ hasText: '协调员' }).waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
  assert.equal(overflow, false, 'no horizontal scrolling')
  await screenshot(page, 'home-phone')
})
