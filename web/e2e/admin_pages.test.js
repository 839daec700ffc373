// Admin pages: accounts (a bad account gets its field errors, a good one is
// created with a generated password), a policy parameter's new dated value
// (a validation error next to the field, then saved), and the place and
// catalogue pages.
import assert from 'node:assert/strict'
import { loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'

const fieldError = (page, testid) =>
  page.locator('.el-dialog .el-form-item', { has: page.getByTestId(testid) }).locator('.el-form-item__error')

uiTest('an admin creates an account and sees field errors for a bad one', { timeout: 120_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, 'admin')
  await openPage(page, '/admin/users', '账号管理')
  await page.getByTestId('user-table').locator('.el-table__body tr').first().waitFor()
  await screenshot(page, 'admin-users')

  // A bad one: a username with spaces and capitals, a coordinator without a place.
  await page.getByTestId('user-new').click()
  await page.getByTestId('user-username').fill('Bad Name!')
  const bad = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/users' && r.request().method() === 'POST')
  await page.getByTestId('user-save').click()
  assert.equal((await bad).status(), 400)
  await fieldError(page, 'user-username').waitFor()
  await page.locator('.el-dialog .el-form-item__error').nth(1).waitFor()
  await screenshot(page, 'admin-user-errors')

  // A good one: a community coordinator, password generated.
  const username = `e2e.coord.${Date.now().toString(36)}`
  await page.getByTestId('user-username').fill(username)
  const cascader = page.locator('.el-dialog .el-cascader')
  await cascader.click()
  await cascader.locator('input').fill('柏树林社区')
  await page.locator('.el-cascader__suggestion-item', { hasText: '柏树林社区' }).first().click()
  const good = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/users' && r.request().method() === 'POST')
  await page.getByTestId('user-save').click()
  const res = await good
  assert.equal(res.status(), 201, await res.text())
  await toast(page, 'success', username)
  await page.getByTestId('user-secret').waitFor()
  await page.getByTestId('user-search').fill(username)
  await page.getByTestId('user-table').getByText(username).waitFor()
})

uiTest('an admin adds a dated policy parameter and sees the validation error first', { timeout: 120_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, 'admin')
  await openPage(page, '/admin/policies', '政策与参数')
  await page.getByTestId('policy-table').locator('.el-table__body tr').first().waitFor()
  await screenshot(page, 'admin-policies')
  await page.getByRole('tab', { name: '参数' }).click()
  await page.getByTestId('param-table').locator('.el-table__body tr').first().waitFor()
  await page.getByTestId('param-table').getByTestId('param-add').locator('visible=true').first().click()

  // A far-off date nobody uses, so that today's evaluations do not change.
  const day = new Date(Date.UTC(2090, 0, 1) + (Date.now() % 3000) * 86_400_000).toISOString().slice(0, 10)
  const from = page.locator('.el-dialog .el-date-editor input')
  await from.fill(day)
  await from.press('Enter')
  await page.getByTestId('param-value').fill('0')
  const bad = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/policy-params')
  await page.getByTestId('param-save').click()
  assert.equal((await bad).status(), 400)
  await fieldError(page, 'param-value').filter({ hasText: '大于0' }).waitFor()
  await screenshot(page, 'admin-param-error')

  await page.getByTestId('param-value').fill('1120')
  const good = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/policy-params')
  await page.getByTestId('param-save').click()
  assert.equal((await good).status(), 201)
  await toast(page, 'success', '已保存参数取值')
  await page.getByTestId('param-table').getByText(`${day} → ¥1,120.00`).waitFor()
})

uiTest('an admin sees a policy engine error next to the policy field', { timeout: 90_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, 'admin')
  await openPage(page, '/admin/policies', '政策与参数')
  await page.getByTestId('policy-table').getByTestId('policy-edit').locator('visible=true').first().click()
  await page.getByTestId('policy-name').fill('')
  const bad = page.waitForResponse((r) => /^\/api\/v1\/policies\//.test(new URL(r.url()).pathname))
  await page.getByTestId('policy-save').click()
  assert.equal((await bad).status(), 400)
  await fieldError(page, 'policy-name').waitFor()
  await screenshot(page, 'admin-policy-error')
  await page.keyboard.press('Escape')

  await openPage(page, '/admin/places', '区划管理')
  await page.getByTestId('place-table').locator('.el-table__body tr').first().waitFor()
  await screenshot(page, 'admin-places')
  await openPage(page, '/admin/catalogue', '服务目录')
  await page.getByTestId('catalogue-table').locator('.el-table__body tr').first().waitFor()
  await screenshot(page, 'admin-catalogue')
})
