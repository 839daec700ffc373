// Coordinator journeys on the demo district: filing a need from a resident's
// words with a catalogue suggestion, a matching round with its proposals and
// their explanations, the household file, imports with row errors, and every
// main page rendering without console errors (with screenshots).
import assert from 'node:assert/strict'
import { apiCall, chooseOption, loginAs, openPage, pathOf, screenshot, uiTest } from './helpers.js'

// A community coordinator: the community is small, so lists and runs are quick.
const COORDINATOR = 'coordinator.610103002001'
const COMMUNITY = '610103002001'

uiTest('a coordinator files a need from a resident\'s words using a suggestion', { timeout: 120_000 }, async (page) => {
  await loginAs(page, COORDINATOR)
  await page.getByTestId('nav-menu').getByText('登记需求').click()
  await page.getByRole('heading', { level: 1, name: '登记需求' }).waitFor()

  const words = '老人腿脚不便，洗澡的时候容易滑倒，想有人上门帮忙洗澡'
  await page.getByTestId('own-words').fill(words)
  const bathing = page.getByTestId('suggestion').filter({ hasText: '助浴' })
  await bathing.waitFor({ timeout: 20_000 })
  await bathing.click()
  assert.equal(await bathing.getAttribute('aria-pressed'), 'true', 'the suggestion is picked')
  await page.getByTestId('item-select').filter({ hasText: '助浴' }).waitFor()

  // The household list of the coordinator's community is loaded already.
  const household = await chooseOption(page, page.getByTestId('household-select'))
  assert.match(household, /\d{4}\*{10}\d{3}[\dX]/, 'households are listed with masked ID numbers')
  await chooseOption(page, page.getByTestId('member-select'))
  const note = page.getByTestId('neutral-note')
  assert.match(await note.inputValue(), /助浴/, 'a neutral note is proposed from the member and the item')
  await screenshot(page, 'coordinator-need-new')

  const created = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/needs' && r.request().method() === 'POST')
  await page.getByTestId('submit-need').click()
  const res = await created
  assert.equal(res.status(), 201)
  const need = await res.json()
  await page.waitForURL((u) => u.pathname === `/needs/${need.id}`)
  await page.getByTestId('need-own-words').filter({ hasText: words }).waitFor()
  await page.getByTestId('need-detail').getByText('助浴').first().waitFor()
  await screenshot(page, 'coordinator-need')
  assert.equal(need.item, 'bathing')
  assert.equal(need.state, 'open')
})

uiTest('a coordinator runs matching and sees proposals with explanations', { timeout: 300_000, transient503: ['/api/v1/matching/runs'] }, async (page, _context, t) => {
  await loginAs(page, COORDINATOR)
  const probe = await apiCall(page, 'GET', '/matching/runs?limit=1')
  if (probe.status === 404) {
    t.skip('the matching endpoints are not wired yet: GET /api/v1/matching/runs answered 404')
    return
  }
  assert.equal(probe.status, 200)

  await page.getByTestId('nav-menu').getByText('匹配').click()
  await page.getByRole('heading', { level: 1, name: '匹配' }).waitFor()
  let res
  for (let attempt = 1; attempt <= 3; attempt++) {
    const started = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/matching/runs' && r.request().method() === 'POST')
    await page.getByTestId('start-run').click()
    res = await started
    if (res.status() !== 503) break
    await page.getByTestId('api-error').waitFor() // the page says the service is busy
    await page.waitForTimeout(2000)
  }
  assert.equal(res.status(), 202)
  const run = await res.json()
  assert.equal(run.place, COMMUNITY)
  await page.getByTestId('run-progress').locator('.el-progress').waitFor()
  await page.waitForURL((u) => u.searchParams.get('run') === run.id)

  await page.getByTestId('run-summary').waitFor({ timeout: 240_000 })
  const rows = page.getByTestId('proposal-table').locator('.el-table__body tr.el-table__row')
  await rows.first().waitFor({ timeout: 30_000 })
  assert.ok((await rows.count()) > 0, 'the round proposed help')
  await rows.first().locator('.el-table__expand-icon').click()
  const explanation = page.getByTestId('score-explanation').first()
  await explanation.waitFor()
  await explanation.getByText('服务项目匹配').waitFor()
  assert.ok((await explanation.locator('.score-factor').count()) >= 3, 'the score is explained factor by factor')
  await screenshot(page, 'coordinator-matching')

  // Policy leads are worded as leads.
  await page.locator('.el-radio-button', { hasText: '政策线索' }).click()
  await page.getByText('政策线索（疑似符合）不是资格认定').first().waitFor()
})

uiTest('the household file masks ID numbers, reveals one on request and shows the evaluation', { timeout: 120_000 }, async (page) => {
  await loginAs(page, COORDINATOR)
  await openPage(page, '/households', '一户一档')
  const first = page.getByTestId('household-table').locator('.el-table__body tr.el-table__row').first()
  await first.waitFor()
  await screenshot(page, 'coordinator-households')
  await first.click()
  await page.waitForURL((u) => /^\/households\/[^/]+$/.test(u.pathname))
  const id = pathOf(page).split('/').pop()

  const masked = page.getByTestId('member-table').locator('[data-testid^="id-"]').first()
  await masked.waitFor()
  assert.match((await masked.textContent()).trim(), /^\d{4}\*{10}\d{3}[\dX]$/)
  const revealed = page.waitForResponse((r) => /\/id-number$/.test(new URL(r.url()).pathname))
  await page.getByTestId('reveal-id').first().click()
  await page.locator('.el-message-box').getByRole('button', { name: '显示完整号码' }).click()
  assert.equal((await revealed).status(), 200)
  await page.waitForFunction(
    (el) => /^\d{17}[\dX]$/.test(el.textContent.trim()),
    await masked.elementHandle(),
  )
  await screenshot(page, 'coordinator-household')

  await page.getByRole('tab', { name: '家庭情况' }).click()
  await page.getByTestId('fact-table').getByText('家庭月收入').waitFor()
  await page.getByRole('tab', { name: '信息共享授权' }).click()
  await page.getByTestId('consent-table').waitFor()
  await page.getByRole('tab', { name: '政策评估' }).click()
  await page.getByTestId('lead-note').locator('.el-alert__title', { hasText: '“疑似符合”只是线索' }).waitFor()
  await page.getByTestId('evaluation-table').locator('.el-table__body, .el-table__empty-text').first().waitFor()
  await screenshot(page, 'coordinator-evaluation')
  await page.getByRole('tab', { name: '需求' }).click()
  await page.getByTestId('household-needs').waitFor()

  // The reveal is on the audit trail of the place.
  await openPage(page, '/audit', '审计日志')
  await page.getByTestId('audit-table').getByText('查看完整身份证号').first().waitFor()
  await page.getByTestId('audit-table').getByText(id).first().waitFor()
  await screenshot(page, 'coordinator-audit')
})

uiTest('an import with bad rows shows each row error with row, column and reason', { timeout: 120_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, COORDINATOR)
  // The CSV template's example row, with an ID number whose check digit is wrong.
  const template = await page.evaluate(async () => {
    const res = await fetch('/api/v1/imports/templates/households.csv', {
      headers: { Authorization: `Bearer ${sessionStorage.getItem('lianzhu.access_token')}` },
    })
    return res.text()
  })
  const [header, example] = template.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.ok(example, 'the template has an example row')
  const bad = example.replace(/619901\d{11}[\dX]/, (id) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0'))
  assert.notEqual(bad, example)

  await openPage(page, '/data', '导入导出')
  await page.getByTestId('import-file').setInputFiles({
    name: 'households-bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`\uFEFF${header}\n${bad}\n`, 'utf8'),
  })
  await page.getByTestId('start-import').click()
  const errors = page.getByTestId('import-errors')
  await errors.waitFor({ timeout: 60_000 })
  await errors.locator('.el-table__body tr.el-table__row').first().waitFor()
  const text = await errors.textContent()
  assert.match(text, /身份证/, 'the reason names the ID number')
  await page.getByTestId('import-result').getByText('有错误未导入').waitFor()
  await screenshot(page, 'coordinator-import-errors')
})

uiTest('the coordinator\'s pages render: dashboard, needs, near households, supply search, home', { timeout: 180_000 }, async (page) => {
  await loginAs(page, COORDINATOR)
  await page.getByTestId('attention-card').first().waitFor()
  await screenshot(page, 'coordinator-home')

  await openPage(page, '/dashboard', '数据看板')
  await page.getByTestId('chart-by-item').locator('canvas').waitFor({ timeout: 60_000 })
  await page.getByTestId('chart-by-status').locator('canvas').waitFor({ timeout: 60_000 })
  await page.getByTestId('slot-heatmap').getByText('GET /api/v1/dashboard').waitFor()
  await screenshot(page, 'coordinator-dashboard')

  await openPage(page, '/needs', '需求清单')
  await page.getByTestId('need-table').locator('.el-table__body tr.el-table__row').first().waitFor()
  await chooseOption(page, page.getByTestId('filter-state'), '待处理')
  await page.waitForURL((u) => u.searchParams.get('state') === 'open')
  await page.getByTestId('need-table').locator('.el-table__body tr.el-table__row').first().waitFor()
  await screenshot(page, 'coordinator-needs')
  await page.getByTestId('need-search').fill('洗澡')
  await page.getByTestId('need-search').press('Enter')
  await page.getByTestId('search-total').waitFor()
  await page.waitForURL((u) => u.searchParams.get('q') === '洗澡')

  await openPage(page, '/near', '临界家庭')
  await page.getByTestId('near-table').locator('.el-table__body tr.el-table__row, .el-table__empty-text').first().waitFor({ timeout: 120_000 })
  await page.getByTestId('near-total').waitFor()
  await screenshot(page, 'coordinator-near')

  await openPage(page, '/supply', '供给检索')
  await page.getByTestId('supply-table').locator('.el-table__body tr.el-table__row').first().waitFor()

  // English labels too.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { level: 1, name: 'Supply search' }).waitFor()
  await openPage(page, '/dashboard', 'Dashboard')
  await page.getByTestId('chart-by-item').locator('canvas').waitFor({ timeout: 60_000 })
  await screenshot(page, 'coordinator-dashboard-en')
  await page.getByRole('button', { name: '简体中文' }).click()
})

uiTest('a coordinator exports the need list as .xlsx', { timeout: 120_000 }, async (page) => {
  await loginAs(page, COORDINATOR)
  await openPage(page, '/data', '导入导出')
  const download = page.waitForEvent('download')
  await page.getByTestId('export-needs').click()
  const file = await download
  assert.match(file.suggestedFilename(), /^needs-.*\.xlsx$/)
})
