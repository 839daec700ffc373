// Policy finds the person: a department's signal (a new disability card for
// someone living alone) raises a red warning; the community coordinator opens
// it, sees why, assigns the visit to themselves and records it with a need;
// the household's timeline shows the visit. Also the warning list filters and
// the unmatched-signal list.
import assert from 'node:assert/strict'
import { apiCall, loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'

const COMMUNITY = '610103002001'
const COORDINATOR = `coordinator.${COMMUNITY}`

/** A made-up ID number (area 6199 belongs to no place) with a valid check character. */
function idNumber(seed) {
  const body = `61990119800101${String(seed % 1000).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((a, d, i) => a + Number(d) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** Calls the API as another demo account (its own token, not the page's session). */
async function apiAs(page, username, method, path, body) {
  return page.evaluate(
    async ({ username, method, path, body }) => {
      const login = await fetch('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: 'lianzhu-demo' }),
      })
      const { access_token: token } = await login.json()
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: res.status, body: await res.json().catch(() => null) }
    },
    { username, method, path, body },
  )
}

/** Raises a red warning for a household of the community living alone; returns {warning, household}. */
async function raiseRedWarning(page) {
  let cursor = ''
  let household = null
  for (let n = 0; n < 10 && !household; n++) {
    const res = await apiCall(page, 'GET', `/households?place=${COMMUNITY}&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    household = res.body.items.find((h) => h.living_alone?.value === true && !h.do_not_contact && h.members?.length === 1)
    cursor = res.body.next_cursor
    if (!cursor) break
  }
  assert.ok(household, `no household living alone in ${COMMUNITY}`)
  const member = household.members[0]
  const id = await apiCall(page, 'POST', `/households/${household.id}/members/${member.id}/id-number`)
  assert.equal(id.status, 200)
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const ingest = await apiAs(page, 'coordinator', 'POST', '/signals', {
    signals: [
      {
        kind: 'new_disability',
        disability: { type: 'physical', grade: 2 },
        date: yesterday,
        source_department: 'disabled_federation',
        id_number: id.body.id_number,
        name: member.name,
        external_ref: `e2e-${Date.now()}`,
      },
    ],
  })
  assert.equal(ingest.status, 200, JSON.stringify(ingest.body))
  const list = await apiCall(page, 'GET', `/warnings?severity=red&state=new&limit=200`)
  const warning = list.body.items.find((w) => w.household_id === household.id)
  assert.ok(warning, `no red warning for ${household.id}: ${JSON.stringify(ingest.body)}`)
  return { warning, household }
}

uiTest('a coordinator opens a red warning, assigns the visit and verifies it with a need', { timeout: 180_000 }, async (page) => {
  await loginAs(page, COORDINATOR)
  const { warning, household } = await raiseRedWarning(page)

  await openPage(page, '/warnings?severity=red&state=new', '预警')
  await page.locator(`a[href="/warnings/${warning.id}"]`).click()
  await page.getByRole('heading', { level: 1, name: '预警详情' }).waitFor()
  await page.getByTestId('warning-reasons').locator('li').first().waitFor()
  await screenshot(page, 'warning-detail')

  // Assign the visit: the community's coordinator (here: oneself) is proposed.
  await page.getByTestId('assign-warning').click()
  await page.getByTestId('assignee-select').locator('.el-select__selected-item', { hasText: COORDINATOR }).waitFor()
  await page.getByTestId('assign-submit').click()
  await toast(page, 'success', COORDINATOR)
  await page.getByTestId('warning-assignee').filter({ hasText: COORDINATOR }).waitFor()

  // Record the visit with the first likely need.
  await page.getByTestId('verify-warning').click()
  const need = page.getByTestId('visit-need').first()
  await need.getByTestId('visit-own-words').fill('腿脚不便，想有人定期来看看')
  await need.getByTestId('visit-neutral-note').fill('独居老人，希望定期探访')
  await page.getByTestId('visit-note').fill('已入户，老人新办残疾证，生活基本能自理')
  await screenshot(page, 'warning-verify')
  const verified = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/warnings/${warning.id}/verify`)
  await page.getByTestId('verify-submit').click()
  const res = await verified
  assert.equal(res.status(), 200, await res.text())
  await toast(page, 'success', '已登记入户核实')
  await page.getByTestId('warning-state-tag').filter({ hasText: '已核实' }).waitFor()
  await page.getByTestId('recorded-need').first().waitFor()

  // The household's timeline shows the warning and the visit.
  await page.goto(`/households/${household.id}?tab=timeline`)
  await page.getByTestId('household-timeline').getByText('入户核实').first().waitFor()
  await screenshot(page, 'household-timeline')
})

uiTest('the district sees warnings by severity and the unmatched signals', { timeout: 90_000 }, async (page) => {
  await loginAs(page, 'coordinator')
  const ingest = await apiCall(page, 'POST', '/signals', {
    signals: [{ kind: 'job_loss', date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), source_department: 'human_resources', id_number: idNumber(Date.now()), name: '查无此人', external_ref: `e2e-u-${Date.now()}` }],
  })
  assert.equal(ingest.status, 200, JSON.stringify(ingest.body))
  await openPage(page, '/warnings', '预警')
  await page.getByTestId('warning-table').waitFor()
  await screenshot(page, 'warnings-list')
  await openPage(page, '/signals', '数据信号')
  await page.getByTestId('signal-table').getByText('查无此人').first().waitFor()
  await screenshot(page, 'signals-unmatched')
})
