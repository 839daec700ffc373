// Enterprise journey: an enterprise opens one of its job openings, sees the
// proposed candidates (consented only: skills and availability, never why
// they are candidates) and moves an application to interview.
import assert from 'node:assert/strict'
import { loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'
import { apiAs } from './apiclient.js'

/** An open job of enterprise1 and a fresh application to it by a consenting adult. */
async function setUp() {
  const enterprise = await apiAs('enterprise1')
  const jobs = (await enterprise('GET', '/jobs?mine=true&limit=200')).body.items
  const job = jobs.find((j) => j.status === 'open')
  assert.ok(job, 'enterprise1 has an open job')
  const coordinator = await apiAs('coordinator')
  const households = (await coordinator('GET', '/households?limit=50')).body.items
  for (const summary of households.slice(5)) {
    const h = (await coordinator('GET', `/households/${summary.id}`)).body
    const member = !h.do_not_contact && h.members.find((m) => {
      const age = new Date().getFullYear() - m.birth_year
      return age >= 18 && age < 60
    })
    if (!member) continue
    const consent = await coordinator('POST', `/households/${h.id}/consents`, {
      member_id: member.id, recipient: 'employer', action: 'grant', method: 'written',
    })
    assert.equal(consent.status, 201, JSON.stringify(consent.body))
    const applied = await coordinator('POST', '/applications', { job_id: job.id, household_id: h.id, member_id: member.id })
    if (applied.status === 409) continue // already applied to this job in an earlier run
    assert.equal(applied.status, 201, JSON.stringify(applied.body))
    return { job, application: applied.body, member }
  }
  throw new Error('no adult to apply with')
}

uiTest('an enterprise sees candidates without reasons and moves an application to interview', { timeout: 900_000 }, async (page) => {
  page.setDefaultTimeout(180_000)
  const s = await setUp()
  await loginAs(page, 'enterprise1')
  await openPage(page, '/jobs', '我的岗位')
  await page.getByTestId('job-table').locator('tr', { hasText: s.job.title }).first().getByTestId('job-people').click()
  await page.waitForURL((url) => url.pathname === `/jobs/${s.job.id}/people`)
  const candidates = page.getByTestId('candidate-table')
  await candidates.waitFor()
  await page.locator('.el-loading-mask').first().waitFor({ state: 'hidden' }).catch(() => {})
  const headers = await candidates.locator('.el-table__header').textContent()
  assert.ok(headers.includes('技能') && headers.includes('可工作时间'))
  for (const word of ['得分', '原因', '收入', '低保', '评分']) {
    assert.ok(!(await candidates.textContent()).includes(word), `candidates show no "${word}"`)
  }
  await screenshot(page, 'enterprise-candidates')

  await page.getByRole('tab', { name: '求职申请' }).click()
  const table = page.getByTestId('application-table')
  const row = table.locator('tr.el-table__row').filter({ has: page.getByTestId('application-interview') }).first()
  await row.waitFor()
  const before = await table.locator('tr.el-table__row', { hasText: '面试中' }).count()
  await row.getByTestId('application-interview').click()
  await page.getByTestId('dialog-interview').waitFor()
  await page.getByTestId('action-submit').click()
  await toast(page, 'success', '已更新申请状态')
  await table.locator('tr.el-table__row', { hasText: '面试中' }).nth(before).waitFor()
  await screenshot(page, 'enterprise-applications')
})
