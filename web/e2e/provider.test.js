// Provider journeys: an NGO publishes an offering (a bad capacity first, shown
// next to the field), pauses it, searches the supply and reads open needs in
// their neutral form; an enterprise sees its job openings.
import assert from 'node:assert/strict'
import { chooseOption, loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'
import { apiAs } from './apiclient.js'

/** The first demo NGO account whose organisation is verified (a suspended one publishes nothing). */
async function verifiedNGO() {
  for (let n = 1; n <= 20; n++) {
    const ngo = await apiAs(`ngo${n}`)
    const me = (await ngo('GET', '/me')).body
    const p = await ngo('GET', `/providers/${me.provider_id}`)
    if (p.status === 200 && p.body.verification === 'verified') return `ngo${n}`
  }
  throw new Error('no verified NGO among ngo1…ngo20')
}

uiTest('an NGO creates an offering and sees a field error for a bad capacity', { timeout: 120_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, await verifiedNGO())
  await page.getByTestId('attention-card').first().waitFor()
  await screenshot(page, 'ngo-home')
  await page.getByTestId('nav-menu').getByText('我的服务').click()
  await page.getByRole('heading', { level: 1, name: '我的服务' }).waitFor()
  await page.getByTestId('offering-table').waitFor()
  await screenshot(page, 'ngo-offerings')

  await page.getByTestId('new-offering').click()
  const form = page.getByTestId('offering-form')
  await form.waitFor()
  const title = `E2E 社区长者午餐 ${Date.now()}`
  await chooseOption(page, page.getByTestId('offering-item'), '助餐')
  await page.getByTestId('offering-title').fill(title)
  await page.getByTestId('offering-capacity').fill('0')
  // The provider's own service area is proposed; make sure there is one.
  const area = form.locator('.el-form-item', { hasText: '服务范围' })
  if ((await area.locator('.el-tag').count()) === 0) {
    await area.locator('.el-cascader').click()
    await page.locator('.el-cascader-panel:visible .el-cascader-node').first().locator('.el-radio, .el-checkbox').first().click()
    await page.keyboard.press('Escape')
  }

  const rejected = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/offerings' && r.request().method() === 'POST')
  await page.getByTestId('save-offering').click()
  assert.equal((await rejected).status(), 400)
  const capacityItem = form.locator('.el-form-item.is-error', { has: page.getByTestId('offering-capacity') })
  await capacityItem.locator('.el-form-item__error', { hasText: '服务容量' }).waitFor()
  await screenshot(page, 'ngo-offering-field-error')

  await page.getByTestId('offering-capacity').fill('20')
  const created = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/offerings' && r.request().method() === 'POST')
  await page.getByTestId('save-offering').click()
  const res = await created
  assert.equal(res.status(), 201)
  const offering = await res.json()
  assert.equal(offering.capacity, 20)
  assert.equal(offering.left, 20)
  await toast(page, 'success', title)
  const row = page.getByTestId('offering-table').locator('tr', { hasText: title })
  await row.waitFor()

  // Pause it, then resume it.
  await row.getByTestId('toggle-offering').click()
  await toast(page, 'success', '已暂停')
  await page.getByTestId('offering-table').locator('tr', { hasText: title }).getByText('暂停', { exact: true }).waitFor()
  await page.getByTestId('offering-table').locator('tr', { hasText: title }).getByTestId('toggle-offering').click()
  await toast(page, 'success', '已恢复')
})

uiTest('an NGO searches the supply and reads open needs without personal details', { timeout: 120_000 }, async (page) => {
  await loginAs(page, 'ngo1')
  await openPage(page, '/supply', '供给检索')
  await page.getByTestId('supply-table').locator('.el-table__body tr.el-table__row').first().waitFor()
  await page.getByTestId('supply-q').fill('助浴')
  await page.getByTestId('supply-q').press('Enter')
  await page.getByTestId('supply-table').locator('.el-table__body tr.el-table__row').first().click()
  await page.locator('.el-drawer').getByText('服务方').waitFor()
  await screenshot(page, 'ngo-supply-search')
  await page.keyboard.press('Escape')

  await openPage(page, '/open-needs', '待办需求')
  const table = page.getByTestId('open-need-table')
  await table.locator('.el-table__body tr.el-table__row').first().waitFor({ timeout: 60_000 })
  const headers = await table.locator('.el-table__header').textContent()
  assert.ok(headers.includes('中性描述'))
  assert.ok(!headers.includes('居民原话'), 'providers never see the resident\'s words')
  await screenshot(page, 'ngo-open-needs')
})

uiTest('an enterprise sees its job openings', { timeout: 90_000 }, async (page) => {
  await loginAs(page, 'enterprise1')
  await page.getByTestId('nav-menu').getByText('我的岗位').click()
  await page.getByRole('heading', { level: 1, name: '我的岗位' }).waitFor()
  await page.getByTestId('job-table').locator('.el-table__body tr.el-table__row, .el-table__empty-text').first().waitFor()
  await page.getByTestId('new-job').click()
  await page.getByTestId('job-form').waitFor()
  await screenshot(page, 'enterprise-jobs')
})
