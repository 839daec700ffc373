// Shared set-up for the browser tests: Debian's Chromium driven by
// playwright-core (it never downloads a browser), one context per test, and a
// failure on any console error or uncaught page error.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

/** The server under test, e.g. http://127.0.0.1:8080 (run.sh starts one and sets it). */
export const BASE_URL = (process.env.LIANZHU_E2E_URL || '').replace(/\/+$/, '')
if (!BASE_URL) {
  throw new Error('LIANZHU_E2E_URL is not set: run web/e2e/run.sh, or point it at a running server')
}

export const DEMO_PASSWORD = process.env.LIANZHU_E2E_PASSWORD || 'lianzhu-demo'
export const DESKTOP = { width: 1366, height: 768 }
export const PHONE = { width: 390, height: 844 }

const CHROMIUM_PATH = process.env.LIANZHU_CHROMIUM || '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox', // the tests run as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url))

let browser
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
  await mkdir(SCREENSHOT_DIR, { recursive: true })
})
after(async () => {
  await browser?.close()
})

/** Saves a full-page screenshot as web/screenshots/<name>.png. */
export async function screenshot(page, name) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true })
}

function fileName(title) {
  return title.replace(/[^\w\u4e00-\u9fff-]+/g, '-').replace(/^-|-$/g, '')
}

/**
 * Defines a test that gets a fresh browser context (empty sessionStorage and
 * localStorage) and fails on any console error or page error.
 * allowHttpErrors lists statuses the test provokes on purpose: Chromium logs
 * "Failed to load resource: … status of 401" for them, which is not a UI bug.
 */
/**
 * Writes that may answer 503 for a moment on a busy machine: the server sends
 * every write over one database connection, and one that waits more than 5 s
 * for it answers 503 (README: "the server recovers by itself"). The tests retry
 * them (loginAs, and the tests that start a matching round) and ignore the
 * browser's log line for that one answer; any other 503 still fails a test.
 */
const TRANSIENT_503 = ['/api/v1/auth/login', '/api/v1/auth/logout'] // logout: the UI asks once more

export function uiTest(title, { viewport = DESKTOP, allowHttpErrors = [], timeout = 60_000, transient503 = [] } = {}, fn) {
  test(title, { timeout }, async (t) => {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport, locale: 'zh-CN' })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const errors = []
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return
      const status = /status of (\d{3})/.exec(msg.text())
      if (status && allowHttpErrors.includes(Number(status[1]))) return
      if (status && status[1] === '503') {
        const path = new URL(msg.location().url || 'http://x/').pathname
        if ([...TRANSIENT_503, ...transient503].includes(path)) return
      }
      errors.push(`console error: ${msg.text()} (${msg.location().url})`)
    })
    page.on('pageerror', (err) => errors.push(`page error: ${err.stack || err.message}`))
    try {
      await fn(page, context, t)
      assert.deepEqual(errors, [], 'the browser reported errors')
    } catch (err) {
      await screenshot(page, `FAILED-${fileName(title)}`).catch(() => {})
      if (errors.length && !err.message.includes('the browser reported errors')) {
        err.message += `\nbrowser errors:\n${errors.join('\n')}`
      }
      throw err
    } finally {
      await context.close()
    }
  })
}

/** The path of the page's URL (without origin and query). */
export function pathOf(page) {
  return new URL(page.url()).pathname
}

/** Fills the login form and submits it. */
export async function submitLogin(page, username, password) {
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.getByTestId('submit').click()
}

/** Signs in through the UI and waits for the home page (retrying a sign-in that answered 503). */
export async function loginAs(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login')
  for (let attempt = 1; ; attempt++) {
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login')
    await submitLogin(page, username, password)
    const status = (await answered).status()
    if (status !== 503 || attempt === 3) break
    await page.waitForTimeout(2000)
  }
  await page.waitForURL((url) => url.pathname === '/')
  await page.getByTestId('me-username').filter({ hasText: username }).waitFor()
}

/** The token pair the UI keeps in sessionStorage. */
export async function storedTokens(page) {
  return page.evaluate(() => ({
    access: sessionStorage.getItem('lianzhu.access_token'),
    refresh: sessionStorage.getItem('lianzhu.refresh_token'),
  }))
}

/**
 * Calls the API from the page with the signed-in user's token (for checks
 * and set-up the UI does not show). Resolves to {status, body}.
 */
export async function apiCall(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${sessionStorage.getItem('lianzhu.access_token')}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      let json = null
      try {
        json = text ? JSON.parse(text) : null
      } catch {
        json = text
      }
      return { status: res.status, body: json }
    },
    { method, path, body },
  )
}

/**
 * Opens an Element Plus select and picks the option whose text contains text
 * (is exactly text with { exact: true }; the first one when text is omitted).
 */
export async function chooseOption(page, select, text, { exact = false } = {}) {
  await select.click()
  const dropdown = page.locator('.el-select-dropdown:visible, .el-select__popper:visible').last()
  const items = dropdown.locator('.el-select-dropdown__item')
  const option = !text
    ? dropdown.locator('.el-select-dropdown__item:not(.is-disabled)').first()
    : exact
      ? items.filter({ has: page.getByText(text, { exact: true }) }).first()
      : items.filter({ hasText: text }).first()
  await option.waitFor()
  const label = (await option.textContent()).trim()
  // The choice counts once the select shows a value: a click that lands
  // while the dropdown is still opening (a loaded CI machine) can be lost,
  // and the form would then send the field empty. A lost click is repeated
  // (reopening the dropdown if it closed).
  for (let attempt = 1; ; attempt++) {
    await option.click()
    try {
      await Promise.any([
        select.filter({ hasText: label }).waitFor({ timeout: 5_000 }),
        // an option rendered with more than its label: some value is shown
        select.locator('.el-select__placeholder:not(.is-transparent)').first().waitFor({ timeout: 5_000 }),
      ])
      return label
    } catch (err) {
      if (attempt === 3) throw new Error(`the select shows no value after choosing "${label}"`, { cause: err })
      if (!(await option.isVisible())) await select.click()
      await option.waitFor()
    }
  }
}

/** Resolves to the page's next answer to a request to path (under /api/v1) with method. */
export function apiResponse(page, path, method = 'GET') {
  return page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1${path}` && r.request().method() === method)
}

/** Waits for an Element Plus message (toast) of a type with the text. */
export async function toast(page, type, text) {
  await page.locator(`.el-message--${type}`, { hasText: text }).first().waitFor()
}

/** Goes to a page through the address bar and waits for the page title (h1). */
export async function openPage(page, path, heading) {
  await page.goto(path)
  await page.getByRole('heading', { level: 1, name: heading }).first().waitFor()
}
