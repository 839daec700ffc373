// Admin journeys: verifying a pending provider, and the search index page.
import assert from 'node:assert/strict'
import { apiCall, loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'

uiTest('an admin verifies a provider', { timeout: 120_000 }, async (page) => {
  await loginAs(page, 'admin')
  await page.getByTestId('attention-card').first().waitFor()
  await screenshot(page, 'admin-home')
  await openPage(page, '/admin/providers?verification=pending', '服务主体审核')
  const row = page.getByTestId('provider-table').locator('.el-table__body tr.el-table__row').first()
  await row.waitFor()
  await screenshot(page, 'admin-providers')
  const name = (await row.locator('td').first().textContent()).trim()
  assert.ok(name)

  const saved = page.waitForResponse((r) => /^\/api\/v1\/providers\/[^/]+$/.test(new URL(r.url()).pathname) && r.request().method() === 'PUT')
  // The fixed actions column is drawn twice by the table; click the visible one.
  await page.getByTestId('provider-table').locator('.el-table__body tr', { hasText: name }).getByTestId('provider-verify').locator('visible=true').first().click()
  await page.locator('.el-message-box').getByRole('button', { name: '通过审核' }).click()
  const res = await saved
  assert.equal(res.status(), 200)
  const provider = await res.json()
  assert.equal(provider.verification, 'verified')
  await toast(page, 'success', name)

  const check = await apiCall(page, 'GET', `/providers/${provider.id}`)
  assert.equal(check.body.verification, 'verified')
})

uiTest('an admin checks the search index against the database', { timeout: 150_000 }, async (page) => {
  await loginAs(page, 'admin')
  await openPage(page, '/admin/index', '搜索索引')
  // The check reads every record: it runs only when asked.
  await page.getByTestId('drift-table').getByText('尚未检查').waitFor()
  await page.getByTestId('check-index').click()
  await page.getByTestId('drift-table').locator('.el-table__body tr.el-table__row').first().waitFor({ timeout: 120_000 })
  assert.equal(await page.getByTestId('drift-table').locator('.el-table__body tr.el-table__row').count(), 3)
  await screenshot(page, 'admin-index')
})
