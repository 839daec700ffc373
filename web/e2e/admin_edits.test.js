// Edits no other file drives: a community coordinator dismisses a fresh
// warning (the note "other" needs is asked for next to its field, nothing
// changes until it is given) and finds a dismissal on the household's
// timeline with its reason in words;
// the district coordinator matches an unmatched signal to a member of a
// household file; an admin renames and moves a compound of their own and
// edits a catalogue item's name and unit price (field errors for bad input,
// the edit kept after a reload, the item restored afterwards).
import assert from 'node:assert/strict'
import { apiCall, apiResponse, chooseOption, loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'
import { apiAs } from './apiclient.js'

/** A community with its own coordinator account, away from the one warnings.test.js uses. */
const COMMUNITY = '610103005001'
const COMMUNITY_COORDINATOR = `coordinator.${COMMUNITY}`
/** A compound this file adds once and then edits (the demo has 001–00x under the community). */
const COMPOUND = `${COMMUNITY}900`
const COMPOUND_BASE = { name: 'E2E测试院落', lat: 34.2412, lng: 108.9723 }

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const stamp = () => `${Date.now()}`.slice(-6)

/** The error shown next to the form field holding the control with this test id. */
const fieldError = (page, testid) =>
  page.locator('.el-dialog .el-form-item', { has: page.getByTestId(testid) }).locator('.el-form-item__error')

/**
 * A made-up ID number nobody has: area 619998 belongs to no place and is not
 * the demo's (619901); a random birth day and sequence, a valid check character.
 */
function unknownIdNumber() {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 40 * 365) * 86_400_000)
  const body = `619998${day.toISOString().slice(0, 10).replaceAll('-', '')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((a, d, i) => a + Number(d) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** Every household of a place (cursor pages). */
async function households(api, place) {
  const out = []
  let cursor = ''
  do {
    const res = await api('GET', `/households?place=${place}&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    out.push(...res.body.items)
    cursor = res.body.next_cursor
  } while (cursor)
  return out
}

/**
 * Raises a fresh warning in COMMUNITY: a new-disability signal (the
 * certificate the member has on file already, so the file's facts stay as
 * they are) for a member with a grade 1–2 disability, which the rule
 * "新增重度残疾" (or "独居人员新增残疾") answers with a warning. Returns
 * {warning, household}.
 */
async function raiseWarning(district, community) {
  let household = null
  let member = null
  for (const h of await households(community, COMMUNITY)) {
    if (h.do_not_contact) continue
    member = h.members.find((m) => m.disability?.value?.grade <= 2)
    if (member) {
      household = h
      break
    }
  }
  assert.ok(household, `no household in ${COMMUNITY} with a member disabled at grade 1–2`)
  const id = await community('POST', `/households/${household.id}/members/${member.id}/id-number`)
  assert.equal(id.status, 200, JSON.stringify(id.body))
  const ingest = await district('POST', '/signals', {
    signals: [
      {
        kind: 'new_disability',
        disability: { type: member.disability.value.type, grade: member.disability.value.grade },
        date: yesterday(),
        source_department: 'disabled_federation',
        id_number: id.body.id_number,
        name: member.name,
        external_ref: `e2e-dismiss-${Date.now()}`,
      },
    ],
  })
  assert.equal(ingest.status, 200, JSON.stringify(ingest.body))
  const item = ingest.body.items[0]
  assert.equal(item.state, 'matched', JSON.stringify(ingest.body))
  assert.equal(item.household_id, household.id)
  assert.ok(ingest.body.warnings >= 1, `the signal raised no warning: ${JSON.stringify(ingest.body)}`)
  const list = await community('GET', `/warnings?place=${household.place}&state=new&limit=200`)
  assert.equal(list.status, 200, JSON.stringify(list.body))
  const warning = list.body.items.find((w) => w.signal_ids?.includes(item.id))
  assert.ok(warning, `no new warning from signal ${item.id}`)
  return { warning, household }
}

uiTest('a coordinator dismisses a warning: the note "other" needs is asked for next to its field', { timeout: 120_000, allowHttpErrors: [400] }, async (page) => {
  await loginAs(page, COMMUNITY_COORDINATOR)
  // The community coordinator's calls go with the page's session (one sign-in less).
  const community = (method, path, body) => apiCall(page, method, path, body)
  const { warning } = await raiseWarning(await apiAs('coordinator'), community)
  const isNew = async () =>
    (await community('GET', `/warnings?place=${warning.place}&state=new&limit=200`)).body.items.some((w) => w.id === warning.id)

  // The API wants a reason: none at all is refused, naming the field.
  const bare = await community('POST', `/warnings/${warning.id}/dismiss`, {})
  assert.equal(bare.status, 400, JSON.stringify(bare.body))
  assert.ok(JSON.stringify(bare.body).includes('"reason"'), `no field error for reason: ${JSON.stringify(bare.body)}`)

  // The list (new ones by default), narrowed to the warning's severity.
  await openPage(page, '/warnings', '预警')
  await chooseOption(page, page.getByTestId('warning-severity'), { red: '红色', orange: '橙色', yellow: '黄色' }[warning.severity])
  await page.waitForURL((url) => url.searchParams.get('severity') === warning.severity)
  await page.locator(`a[href="/warnings/${warning.id}"]`).click()
  await page.getByRole('heading', { level: 1, name: '预警详情' }).waitFor()
  await page.getByTestId('warning-state-tag').filter({ hasText: '待派单' }).waitFor()

  // No reason chosen: the dialog does not let the dismissal go.
  await page.getByTestId('dismiss-warning').click()
  const submit = page.getByTestId('dismiss-submit')
  await submit.waitFor()
  assert.ok(await submit.isDisabled(), 'a dismissal without a reason can be sent')

  // "Other" without a note: the server's error next to the note, the warning untouched.
  await chooseOption(page, page.getByTestId('dismiss-reason'), '其他')
  const refused = apiResponse(page, `/warnings/${warning.id}/dismiss`, 'POST')
  await submit.click()
  assert.equal((await refused).status(), 400)
  await fieldError(page, 'dismiss-note').filter({ hasText: '须说明' }).waitFor()
  assert.ok(await isNew(), 'a refused dismissal changed the warning')

  // With the note it is dismissed.
  const note = `电话核实：家属已在照护，无需入户 ${stamp()}`
  await page.getByTestId('dismiss-note').fill(note)
  const dismissed = apiResponse(page, `/warnings/${warning.id}/dismiss`, 'POST')
  await submit.click()
  const res = await dismissed
  assert.equal(res.status(), 200, await res.text())
  await toast(page, 'success', '预警已关闭')
  await page.getByTestId('warning-state-tag').filter({ hasText: '已关闭' }).waitFor()
  await page.getByTestId('warning-dismissal').filter({ hasText: '其他' }).filter({ hasText: note }).waitFor()
  assert.equal(await page.getByTestId('dismiss-warning').count(), 0, 'a dismissed warning can be dismissed again')
  assert.equal(await page.getByTestId('assign-warning').count(), 0, 'a dismissed warning can be assigned')
  await screenshot(page, 'warning-dismissed')
  assert.equal(await isNew(), false, 'the dismissed warning is still new')

  const stored = await community('GET', `/warnings/${warning.id}`)
  assert.equal(stored.status, 200)
  assert.equal(stored.body.state, 'dismissed')
  assert.equal(stored.body.dismiss_reason, 'other')
  assert.equal(stored.body.dismiss_note, note)
  assert.ok(stored.body.closed_at, 'no closing time')
  assert.deepEqual(stored.body.next_states, [])
})

uiTest('the household timeline shows a dismissed warning with its reason in words', { timeout: 120_000 }, async (page) => {
  await loginAs(page, COMMUNITY_COORDINATOR)
  const community = (method, path, body) => apiCall(page, method, path, body)
  const { warning, household } = await raiseWarning(await apiAs('coordinator'), community)
  const note = `与上周预警重复 ${stamp()}`
  const dismissed = await community('POST', `/warnings/${warning.id}/dismiss`, { reason: 'duplicate', note })
  assert.equal(dismissed.status, 200, JSON.stringify(dismissed.body))

  await page.goto(`/households/${household.id}?tab=timeline`)
  const entry = page.getByTestId('household-timeline').locator('.el-timeline-item', { hasText: note })
  await entry.waitFor()
  await entry.getByText('预警关闭', { exact: true }).waitFor()
  await screenshot(page, 'warning-dismissed-timeline')
  // The title is Chinese for people: the reason by its name, not its code.
  const title = (await entry.locator('strong').textContent()).trim()
  assert.equal(title, '预警关闭：重复预警', `the timeline names the reason as "${title}"`)
})

uiTest('the district coordinator matches an unmatched signal to a member of a household file', { timeout: 120_000, allowHttpErrors: [404] }, async (page) => {
  const district = await apiAs('coordinator')
  // A household (of one community: the district's whole list is slow to
  // read) with a member whose serious illness is on file already: matching
  // the diagnosis to them changes no fact.
  let household = null
  let member = null
  for (const h of await households(district, COMMUNITY)) {
    member = !h.do_not_contact && h.members.find((m) => m.serious_illness?.value === true)
    if (member) {
      household = h
      break
    }
  }
  assert.ok(household, `no household in ${COMMUNITY} with a serious illness on file`)

  const name = `未匹配测试${stamp()}`
  const ingest = await district('POST', '/signals', {
    signals: [{ kind: 'serious_illness', date: yesterday(), source_department: 'health', id_number: unknownIdNumber(), name, external_ref: `e2e-resolve-${Date.now()}` }],
  })
  assert.equal(ingest.status, 200, JSON.stringify(ingest.body))
  const signalId = ingest.body.items[0].id
  assert.equal(ingest.body.items[0].state, 'unmatched', JSON.stringify(ingest.body))

  await loginAs(page, 'coordinator')
  await openPage(page, '/signals', '数据信号')
  await chooseOption(page, page.getByTestId('signal-kind'), '重特大疾病')
  const row = page.getByTestId('signal-table').locator('.el-table__body tr', { hasText: name })
  await row.waitFor()
  await row.getByTestId('resolve-signal').click()
  const dialog = page.locator('.el-dialog', { hasText: name })
  await dialog.waitFor()

  // A household number that does not exist: the lookup says so, nothing to choose.
  await page.getByTestId('resolve-household-id').fill('hh-999999999')
  const missing = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/households/hh-999999999')
  await page.getByTestId('resolve-find').click()
  assert.equal((await missing).status(), 404)
  await dialog.getByTestId('api-error').waitFor()
  assert.equal(await page.getByTestId('resolve-member').count(), 0)
  assert.ok(await page.getByTestId('resolve-submit').isDisabled(), 'a signal can be matched without a member')

  // The right number: its members, one chosen, the signal matched.
  await page.getByTestId('resolve-household-id').fill(household.id)
  await page.getByTestId('resolve-find').click()
  await chooseOption(page, page.getByTestId('resolve-member'), member.name)
  const resolved = apiResponse(page, `/signals/${signalId}/resolve`, 'POST')
  await page.getByTestId('resolve-submit').click()
  const res = await resolved
  assert.equal(res.status(), 200, await res.text())
  const answer = await res.json()
  assert.equal(answer.signal.household_id, household.id)
  assert.equal(answer.signal.member_id, member.id)
  assert.equal(answer.id_number_differs, true, 'a made-up number matches the member on file')
  await toast(page, 'success', '信号已匹配')
  const result = dialog.getByTestId('resolve-result')
  await result.filter({ hasText: `新增预警 ${answer.report.warnings} 条` }).waitFor()
  await result.filter({ hasText: '身份证号与信号不一致' }).waitFor()
  assert.ok(await page.getByTestId('resolve-submit').isDisabled(), 'a matched signal can be sent again')
  await screenshot(page, 'signal-resolved')
  await dialog.getByRole('button', { name: '取消' }).click()
  // It leaves the unmatched list.
  await row.waitFor({ state: 'detached' })

  const stored = await district('GET', `/signals/${signalId}`)
  assert.equal(stored.status, 200)
  assert.equal(stored.body.state, 'matched')
  assert.equal(stored.body.household_id, household.id)
  assert.equal(stored.body.member_id, member.id)
  assert.equal(stored.body.resolved_by, 'coordinator')
  assert.ok(stored.body.resolved_at, 'no resolution time')
  assert.equal(stored.body.name, name)
  const ofHousehold = await district('GET', `/signals?household_id=${household.id}&matched=true&limit=200`)
  assert.ok(ofHousehold.body.items.some((s) => s.id === signalId), 'the household does not list the signal')
})

uiTest('an admin renames and moves a compound, with field errors for a bad edit', { timeout: 90_000, allowHttpErrors: [400] }, async (page) => {
  const admin = await apiAs('admin')
  const place = async () => (await admin('GET', '/places')).body.items.find((p) => p.code === COMPOUND)
  if (!(await place())) {
    const made = await admin('POST', '/places', { code: COMPOUND, ...COMPOUND_BASE, sentinel: false })
    assert.equal(made.status, 201, JSON.stringify(made.body))
  }
  const restore = async () => {
    const back = await admin('PUT', `/places/${COMPOUND}`, { code: COMPOUND, ...COMPOUND_BASE, sentinel: false })
    assert.equal(back.status, 200, JSON.stringify(back.body))
  }
  await restore() // a run stopped half-way left it renamed
  const name = `E2E测试院落${stamp()}`
  try {
    await loginAs(page, 'admin')
    await openPage(page, '/admin/places', '区划管理')
    const findRow = async () => {
      await page.getByTestId('place-search').fill(COMPOUND)
      const row = page.getByTestId('place-table').locator('.el-table__body tr', { hasText: COMPOUND })
      await row.waitFor()
      return row
    }
    let row = await findRow()
    await row.getByTestId('place-edit').click()
    const nameInput = page.getByTestId('place-name')
    await nameInput.waitFor()
    assert.equal(await nameInput.inputValue(), COMPOUND_BASE.name)
    assert.ok(await page.getByTestId('place-code').isDisabled(), 'the code of a place can be edited')

    // No name and a latitude beyond 90°: both refused next to their fields, nothing stored.
    await nameInput.fill('')
    const lat = page.getByTestId('place-lat').locator('input')
    await lat.fill('95')
    await lat.blur()
    const refused = apiResponse(page, `/places/${COMPOUND}`, 'PUT')
    await page.getByTestId('place-save').click()
    assert.equal((await refused).status(), 400)
    await fieldError(page, 'place-name').filter({ hasText: '名称须为1–40个字' }).waitFor()
    await fieldError(page, 'place-lat').filter({ hasText: '纬度须在 -90 到 90 之间' }).waitFor()
    const unchanged = await place()
    assert.equal(unchanged.name, COMPOUND_BASE.name)
    assert.equal(unchanged.lat, COMPOUND_BASE.lat)

    // A new name and centre: saved, shown, and still there after a reload.
    await nameInput.fill(name)
    await lat.fill('34.2456')
    await lat.blur()
    const saved = apiResponse(page, `/places/${COMPOUND}`, 'PUT')
    await page.getByTestId('place-save').click()
    const res = await saved
    assert.equal(res.status(), 200, await res.text())
    await toast(page, 'success', `已保存 ${name}`)
    await row.filter({ hasText: name }).getByTestId('place-centre').filter({ hasText: `34.2456, ${COMPOUND_BASE.lng.toFixed(4)}` }).waitFor()
    await page.reload()
    await page.getByRole('heading', { level: 1, name: '区划管理' }).waitFor()
    row = await findRow()
    await row.filter({ hasText: name }).getByTestId('place-centre').filter({ hasText: '34.2456' }).waitFor()
    await screenshot(page, 'admin-place-edited')

    const stored = await place()
    assert.equal(stored.name, name)
    assert.equal(stored.lat, 34.2456)
    assert.equal(stored.lng, COMPOUND_BASE.lng)
    assert.equal(stored.level, 'compound')
    assert.equal(stored.parent, COMMUNITY)
  } finally {
    await restore()
  }
})

uiTest('an admin edits a catalogue item\'s name and unit price, with field errors for a bad price', { timeout: 90_000, allowHttpErrors: [400] }, async (page) => {
  const admin = await apiAs('admin')
  // The running catalogue is the item as it should stay (stored edits apply at the next start).
  const running = (await admin('GET', '/catalogue')).body.items.find((i) => i.tier === 'development')
  assert.ok(running, 'no development item in the catalogue')
  const code = running.code
  const stored = async () => (await admin('GET', '/catalogue/stored')).body.items.find((i) => i.code === code)
  const restore = async () => {
    const now = await stored()
    if (now.applied) return
    const back = await admin('PUT', `/catalogue/${code}`, {
      name_zh: running.name_zh,
      name_en: running.name_en,
      unit_price_fen: running.unit_price_fen,
      unit: running.unit,
      synonyms: running.synonyms,
      version: now.version,
    })
    assert.equal(back.status, 200, JSON.stringify(back.body))
  }
  await restore() // a run stopped half-way left it edited
  const newName = `${running.name_zh}E2E`
  const newFen = running.unit_price_fen + 150
  const yuan = (fen) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2))
  const money = (fen) => `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`
  try {
    await loginAs(page, 'admin')
    await openPage(page, '/admin/catalogue', '服务目录')
    const row = page.getByTestId('catalogue-table').locator('.el-table__body tr', { has: page.locator('span.mono', { hasText: new RegExp(`^${code}$`) }) })
    await row.getByTestId('catalogue-applied').filter({ hasText: '已生效' }).waitFor()
    await row.getByTestId('catalogue-edit').click()
    const price = page.getByTestId('catalogue-price-input')
    await price.waitFor()
    assert.equal(await price.inputValue(), yuan(running.unit_price_fen))

    // Not an amount: the form says so by itself, nothing is sent.
    let puts = 0
    page.on('request', (r) => r.method() === 'PUT' && new URL(r.url()).pathname === `/api/v1/catalogue/${code}` && puts++)
    await price.fill('十五元')
    await page.getByTestId('catalogue-save').click()
    await fieldError(page, 'catalogue-price-input').filter({ hasText: '请输入金额' }).waitFor()
    assert.equal(puts, 0, 'a price that is not an amount was sent')

    // A negative price: the server's error next to the price, nothing stored.
    await price.fill('-5')
    const refused = apiResponse(page, `/catalogue/${code}`, 'PUT')
    await page.getByTestId('catalogue-save').click()
    assert.equal((await refused).status(), 400)
    await fieldError(page, 'catalogue-price-input').filter({ hasText: '单价不能为负数' }).waitFor()
    assert.equal((await stored()).unit_price_fen, running.unit_price_fen, 'a refused price was stored')

    // A new name and price: stored for the next start, shown, kept after a reload.
    await page.getByTestId('catalogue-name-zh').fill(newName)
    await price.fill(yuan(newFen))
    const saved = apiResponse(page, `/catalogue/${code}`, 'PUT')
    await page.getByTestId('catalogue-save').click()
    const res = await saved
    assert.equal(res.status(), 200, await res.text())
    await toast(page, 'success', '已保存，下次启动后生效')
    await row.filter({ hasText: newName }).getByTestId('catalogue-price').filter({ hasText: `${money(newFen)}/${running.unit}` }).waitFor()
    await row.getByTestId('catalogue-applied').filter({ hasText: '下次启动生效' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { level: 1, name: '服务目录' }).waitFor()
    await row.filter({ hasText: newName }).getByTestId('catalogue-price').filter({ hasText: money(newFen) }).waitFor()
    await screenshot(page, 'admin-catalogue-edited')

    const after = await stored()
    assert.equal(after.name_zh, newName)
    assert.equal(after.unit_price_fen, newFen)
    assert.equal(after.applied, false)
    assert.equal(after.updated_by, 'admin')
    assert.deepEqual(after.synonyms, running.synonyms, 'the synonyms changed on their own')
    const live = (await admin('GET', '/catalogue')).body.items.find((i) => i.code === code)
    assert.equal(live.unit_price_fen, running.unit_price_fen, 'the running catalogue changed before a restart')
  } finally {
    await restore()
  }
  assert.equal((await stored()).applied, true, 'the item is not back as the running catalogue has it')
})
