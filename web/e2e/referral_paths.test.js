// The coordinator's other referral paths: a need dispatched by hand to a
// policy and followed through the office's acceptance to the official
// result; an offering referral that may not be closed as unreachable before
// three recorded contact attempts, then is (the need is open again); a
// referral cancelled with the note it requires; and volunteer tasks made by
// dispatching to the volunteer pool, worked by a volunteer (API) and
// confirmed by the coordinator by a follow-up call (task list) and by the
// resident's signature (the need's page). Every fixture is made fresh
// through the API, so the file passes on a fresh server and when repeated.
import assert from 'node:assert/strict'
import { apiResponse, chooseOption, loginAs, openPage, screenshot, toast, uiTest as baseTest } from './helpers.js'
import { apiAs } from './apiclient.js'

const COORDINATOR = 'coordinator' // the district: every community below is theirs
// A community of the demo district whose households the fixtures use (its
// own, so other files' fixtures do not interfere).
const COMMUNITY = '610103004002'
const YEAR = new Date().getFullYear()

/**
 * uiTest with 30 s for each wait: a write can take several seconds while
 * other suites use the server (it sends every write over one connection);
 * the test as a whole still has uiTest's 60 s.
 */
function uiTest(title, options, fn) {
  baseTest(title, options, async (page, context, t) => {
    page.setDefaultTimeout(30_000)
    await fn(page, context, t)
  })
}

let coordinatorApi
async function coord() {
  coordinatorApi ??= await apiAs(COORDINATOR)
  return coordinatorApi
}

/** A household of COMMUNITY that is not do-not-contact, with an adult member: {household, member}. */
async function householdWithAdult(c) {
  const res = await c('GET', `/households?place=${COMMUNITY}&limit=50`)
  assert.equal(res.status, 200, JSON.stringify(res.body))
  for (const h of res.body.items) {
    if (h.do_not_contact) continue
    const member = h.members.find((m) => YEAR - m.birth_year >= 18)
    if (member) return { household: h, member }
  }
  throw new Error(`no household in ${COMMUNITY} that may be contacted and has an adult`)
}

/** Records the member's consent to share with a kind of recipient (ngo_unit, volunteer) unless it is in force. */
async function grantConsent(c, household, member, recipient) {
  const last = (household.consents ?? [])
    .filter((e) => e.member_id === member.id && e.recipient === recipient)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .at(-1)
  if (last?.action === 'grant') return
  const res = await c('POST', `/households/${household.id}/consents`, { member_id: member.id, recipient, action: 'grant', method: 'written' })
  assert.equal(res.status, 201, JSON.stringify(res.body))
}

/** Files a fresh open need of item for the member. */
async function fileNeed(c, household, member, item, words) {
  const res = await c('POST', '/needs', {
    household_id: household.id,
    member_id: member.id,
    item,
    own_words: `E2E ${words}`,
    neutral_note: '需要上门服务',
    urgency: 'normal',
    channel: 'home_visit',
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal(res.body.state, 'open')
  return res.body
}

/** An active, valid offering of a verified provider that is not red (any capacity: these referrals are never accepted). */
let offeringCache
async function usableOffering(c) {
  if (offeringCache) return offeringCache
  const hits = (await c('GET', '/search?kind=offering&status=active&limit=30')).body.hits ?? []
  const now = Date.now()
  for (const hit of hits) {
    const o = (await c('GET', `/offerings/${hit.id}`)).body
    if (!o || o.status !== 'active' || Date.parse(o.valid_from) > now || (o.valid_to && Date.parse(o.valid_to) <= now)) continue
    const p = (await c('GET', `/providers/${o.provider_id}`)).body
    if (p?.verification !== 'verified' || p.traffic_light === 'red') continue
    offeringCache = o
    return o
  }
  throw new Error('no active offering of a verified provider that is not red')
}

/** A fresh offering referral awaiting its provider, for a consenting member: {referral, need, household, member}. */
async function offeringReferral(c, words) {
  const offering = await usableOffering(c)
  const { household, member } = await householdWithAdult(c)
  await grantConsent(c, household, member, 'ngo_unit')
  const need = await fileNeed(c, household, member, offering.item, words)
  const made = await c('POST', '/referrals', { need_id: need.id, target: 'offering', offering_id: offering.id, units: 1, note: 'E2E' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const referral = made.body.referral ?? made.body
  assert.equal(referral.state, 'awaiting_provider')
  assert.equal((await c('GET', `/needs/${need.id}`)).body.state, 'matched', 'a referral awaiting its provider holds the need')
  return { referral, need, household, member }
}

/** A verified volunteer account that is not red (verifying one when none is): {username, volunteer: call}. */
async function verifiedVolunteer(c) {
  let pending = null
  for (let n = 40; n <= 60; n++) {
    const username = `volunteer${n}`
    const v = await apiAs(username)
    const me = (await v('GET', '/me')).body
    const p = (await c('GET', `/providers/${me.provider_id}`)).body
    if (p?.traffic_light === 'red') continue
    if (p?.verification === 'verified') return { username, volunteer: v }
    if (p?.verification === 'pending' && !pending) pending = { username, volunteer: v, id: me.provider_id }
  }
  assert.ok(pending, 'no verified or pending volunteer among volunteer40…volunteer60')
  const res = await c('POST', `/volunteers/${pending.id}/verify`, {})
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return pending
}

/** The referral's state label on its page (waits for it). */
async function stateShown(page, label) {
  await page.getByTestId('referral-state').getByText(label, { exact: true }).waitFor()
}

/**
 * Confirms a done task from its row by a method (its label): submitted
 * without the method's required field (note or signature) it is a 400 with
 * the error next to that field and the task still done; filled with value
 * it is confirmed.
 */
async function confirmTask(page, c, row, taskId, methodLabel, field, value) {
  await row.getByTestId('confirm-task').click()
  const confirmForm = page.locator('[data-testid="task-confirm-form"]:visible')
  await confirmForm.waitFor()
  await confirmForm.getByTestId('task-confirm-method').getByText(methodLabel, { exact: true }).click()
  let answered = apiResponse(page, `/tasks/${taskId}/confirm`, 'POST')
  await page.locator('[data-testid="task-confirm-submit"]:visible').click()
  assert.equal((await answered).status(), 400)
  await confirmForm.getByTestId(`task-confirm-field-${field}`).locator('.el-form-item__error').waitFor()
  assert.equal((await c('GET', `/tasks/${taskId}`)).body.status, 'done')
  await confirmForm.getByTestId(`task-confirm-${field}`).fill(value)
  answered = apiResponse(page, `/tasks/${taskId}/confirm`, 'POST')
  await page.locator('[data-testid="task-confirm-submit"]:visible').click()
  assert.equal((await answered).status(), 200)
  await toast(page, 'success', '已确认完成')
}

uiTest(
  'a need dispatched to a policy: application assisted, accepted by the office, the official result recorded',
  { allowHttpErrors: [400] },
  async (page) => {
    const c = await coord()
    const fixtures = async () => {
      const { household, member } = await householdWithAdult(c)
      const need = await fileNeed(c, household, member, 'application_help', '想申请临时救助')
      // A household has one live referral per policy: leave out those a failed run left live.
      const live = new Set()
      for (const state of ['application_assisted', 'accepted_by_office']) {
        const res = await c('GET', `/referrals?household=${household.id}&target=policy&state=${state}&limit=200`)
        assert.equal(res.status, 200, JSON.stringify(res.body))
        for (const r of res.body.items) live.add(r.policy_id)
      }
      const policies = (await c('GET', '/policies')).body.items
      const names = policies.map((p) => p.name_zh)
      const policy = policies.find((p) => !live.has(p.id) && names.filter((n) => n.includes(p.name_zh)).length === 1)
      assert.ok(policy, 'no policy without a live referral whose name no other contains')
      return { household, need, policy }
    }
    const [{ household, need, policy }] = await Promise.all([fixtures(), loginAs(page, COORDINATOR)])
    await openPage(page, `/needs/${need.id}`, '需求详情')
    await page.getByTestId('dispatch').click()
    const form = page.getByTestId('dispatch-form')
    await form.waitFor()
    await form.getByTestId('dispatch-target').getByText('政策', { exact: true }).click()
    const select = page.getByTestId('dispatch-policy')
    await select.waitFor()
    await select.click()
    await page.keyboard.type(policy.name_zh)
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').getByText(policy.name_zh, { exact: true }).click()
    await page.getByTestId('dispatch-note').fill('协助填写申请表和核对授权书')
    await screenshot(page, 'coordinator-dispatch-policy')
    const made = apiResponse(page, '/referrals', 'POST')
    await page.getByTestId('dispatch-submit').click()
    const res = await made
    assert.equal(res.status(), 201, await res.text())
    const body = await res.json()
    const referralId = (body.referral ?? body).id
    await page.waitForURL((url) => url.pathname === `/referrals/${referralId}`)
    await stateShown(page, '已协助申请')
    await page.getByTestId('referral-detail').getByText(policy.name_zh).waitFor()
    let stored = (await c('GET', `/referrals/${referralId}`)).body
    assert.equal(stored.target, 'policy')
    assert.equal(stored.policy_id, policy.id)
    assert.equal(stored.state, 'application_assisted')
    assert.equal(stored.household_id, household.id)
    assert.equal(stored.history[0].note, '协助填写申请表和核对授权书')

    // The office accepted the application.
    await page.getByTestId('office-accepted').click()
    await toast(page, 'success', '已保存')
    await stateShown(page, '经办机构已受理')
    await page.getByTestId('office-accepted').waitFor({ state: 'detached' })
    stored = (await c('GET', `/referrals/${referralId}`)).body
    assert.equal(stored.state, 'accepted_by_office')

    // The official result: required, then approved.
    await page.getByTestId('record-result').click()
    const dialog = page.getByTestId('dialog-result')
    await dialog.waitFor()
    const refused = apiResponse(page, `/referrals/${referralId}/result`, 'POST')
    await page.getByTestId('action-submit').click()
    assert.equal((await refused).status(), 400)
    await dialog.getByTestId('field-result').locator('.el-form-item__error').waitFor()
    await chooseOption(page, page.getByTestId('result-value'), '批准', { exact: true })
    await page.getByTestId('result-note').fill('街道审核通过，区民政局审核确认')
    await page.getByTestId('action-submit').click()
    await toast(page, 'success', '已保存')
    await dialog.waitFor({ state: 'detached' })
    await stateShown(page, '已记录结果')
    await page.getByTestId('referral-result').getByText('批准', { exact: true }).waitFor()
    await page.getByTestId('record-result').waitFor({ state: 'detached' })
    await page.getByTestId('referral-history').getByText('批准 · 街道审核通过，区民政局审核确认', { exact: true }).waitFor()
    await screenshot(page, 'coordinator-policy-result')
    stored = (await c('GET', `/referrals/${referralId}`)).body
    assert.equal(stored.state, 'result_recorded')
    assert.equal(stored.result, 'approved')
    assert.deepEqual(
      stored.history.map((h) => h.to),
      ['application_assisted', 'accepted_by_office', 'result_recorded'],
    )
    assert.equal(stored.history.at(-1).note, '街道审核通过，区民政局审核确认')
  },
)

uiTest(
  'closing as unreachable needs three recorded attempts; closed, the need is open again',
  { allowHttpErrors: [400] },
  async (page) => {
    const c = await coord()
    const [{ referral, need }] = await Promise.all([offeringReferral(c, '联系不上'), loginAs(page, COORDINATOR)])
    await openPage(page, `/referrals/${referral.id}`, '转介详情')
    await stateShown(page, '待服务方接收')

    // Unreachable before three attempts: refused next to the outcome.
    await page.getByTestId('close').click()
    const dialog = page.getByTestId('dialog-close')
    await dialog.waitFor()
    await chooseOption(page, page.getByTestId('close-outcome'), '三次联系未果', { exact: true })
    const refused = apiResponse(page, `/referrals/${referral.id}/close`, 'POST')
    await page.getByTestId('action-submit').click()
    assert.equal((await refused).status(), 400)
    await dialog.getByTestId('field-outcome').locator('.el-form-item__error', { hasText: '3次联系尝试' }).waitFor()
    await screenshot(page, 'coordinator-close-unreachable-refused')
    assert.equal((await c('GET', `/referrals/${referral.id}`)).body.state, 'awaiting_provider')
    await page.locator('.el-dialog').filter({ has: dialog }).getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Three failed attempts, counted on the page.
    for (let n = 1; n <= 3; n++) {
      const answered = apiResponse(page, `/referrals/${referral.id}/attempts`, 'POST')
      await page.getByTestId('attempt').click()
      assert.equal((await answered).status(), 200)
      await page.getByTestId('referral-attempts').getByText(`${n} 次`, { exact: true }).waitFor()
    }

    await page.getByTestId('close').click()
    await dialog.waitFor()
    await chooseOption(page, page.getByTestId('close-outcome'), '三次联系未果', { exact: true })
    await page.getByTestId('close-note').fill('三次电话均无人接听')
    await page.getByTestId('action-submit').click()
    await toast(page, 'success', '已保存')
    await stateShown(page, '已结案')
    await page.getByTestId('referral-outcome').getByText('三次联系未果').waitFor()
    await page.getByTestId('close').waitFor({ state: 'detached' })
    await page.getByTestId('referral-history').getByText('三次联系未果 · 三次电话均无人接听', { exact: true }).waitFor()
    await screenshot(page, 'coordinator-referral-closed')

    const stored = (await c('GET', `/referrals/${referral.id}`)).body
    assert.equal(stored.state, 'closed')
    assert.equal(stored.outcome, 'unreachable_after_3_attempts')
    assert.equal(stored.contact_attempts.length, 3)
    assert.equal(stored.history.at(-1).note, '三次电话均无人接听')
    assert.equal((await c('GET', `/needs/${need.id}`)).body.state, 'open', 'nothing else holds the need: it is open again')
  },
)

uiTest('a referral cancelled with the note it requires', { allowHttpErrors: [400] }, async (page) => {
  const c = await coord()
  const [{ referral, need }] = await Promise.all([offeringReferral(c, '撤销转介'), loginAs(page, COORDINATOR)])
  await openPage(page, `/referrals/${referral.id}`, '转介详情')
  await stateShown(page, '待服务方接收')
  await page.getByTestId('cancel').click()
  const dialog = page.getByTestId('dialog-cancel')
  await dialog.waitFor()
  const refused = apiResponse(page, `/referrals/${referral.id}/cancel`, 'POST')
  await page.getByTestId('action-submit').click()
  assert.equal((await refused).status(), 400)
  await dialog.getByTestId('field-note').locator('.el-form-item__error').waitFor()
  await screenshot(page, 'coordinator-cancel-note-required')
  assert.equal((await c('GET', `/referrals/${referral.id}`)).body.state, 'awaiting_provider')

  await page.getByTestId('cancel-note').fill('居民已由家属接去同住')
  await page.getByTestId('action-submit').click()
  await toast(page, 'success', '已保存')
  await stateShown(page, '已撤销')
  await page.getByTestId('cancel').waitFor({ state: 'detached' })
  await page.getByTestId('referral-history').getByText('居民已由家属接去同住').waitFor()

  const stored = (await c('GET', `/referrals/${referral.id}`)).body
  assert.equal(stored.state, 'cancelled')
  assert.equal(stored.history.at(-1).to, 'cancelled')
  assert.equal(stored.history.at(-1).note, '居民已由家属接去同住')
  assert.equal((await c('GET', `/needs/${need.id}`)).body.state, 'open', 'nothing else holds the need: it is open again')
})

/**
 * A consenting member's fresh need of item dispatched to the volunteer pool
 * through the API, and a verified volunteer: {need, referral, household, volunteer}.
 */
async function volunteerPoolFixture(c, item, words, dispatch = true) {
  const { household, member } = await householdWithAdult(c)
  await grantConsent(c, household, member, 'volunteer')
  const need = await fileNeed(c, household, member, item, words)
  const { volunteer } = await verifiedVolunteer(c)
  if (!dispatch) return { need, household, volunteer }
  const made = await c('POST', '/referrals', { need_id: need.id, target: 'volunteer_pool', note: 'E2E' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const referral = made.body.referral ?? made.body
  assert.equal(referral.state, 'task_posted')
  assert.ok(referral.task_id, 'the referral names its task')
  return { need, household, volunteer, referral }
}

/** The volunteer claims the open task, checks in and checks out: done, waiting for the coordinator. */
async function workTask(c, volunteer, taskId) {
  assert.equal((await c('GET', `/tasks/${taskId}`)).body.status, 'open')
  for (const move of ['claim', 'check-in', 'check-out']) {
    const moved = await volunteer('POST', `/tasks/${taskId}/${move}`, {})
    assert.equal(moved.status, 200, `${move}: ${JSON.stringify(moved.body)}`)
  }
  assert.equal((await c('GET', `/tasks/${taskId}`)).body.status, 'done')
}

uiTest(
  'a need dispatched to the volunteer pool becomes a task, confirmed by the coordinator\'s follow-up call',
  { allowHttpErrors: [400] },
  async (page) => {
    const c = await coord()
    const [{ need, household, volunteer }] = await Promise.all([
      volunteerPoolFixture(c, 'caring_visit', '想有人来看看', false),
      loginAs(page, COORDINATOR),
    ])

    // Dispatched to the volunteer pool on the need's page.
    await openPage(page, `/needs/${need.id}`, '需求详情')
    await page.getByTestId('dispatch').click()
    const form = page.getByTestId('dispatch-form')
    await form.waitFor()
    await form.getByTestId('dispatch-target').getByText('志愿者队伍', { exact: true }).click()
    await form.getByText('将生成一项志愿任务').waitFor()
    const made = apiResponse(page, '/referrals', 'POST')
    await page.getByTestId('dispatch-submit').click()
    const res = await made
    assert.equal(res.status(), 201, await res.text())
    const body = await res.json()
    const referralId = (body.referral ?? body).id
    await page.waitForURL((url) => url.pathname === `/referrals/${referralId}`)
    await stateShown(page, '已发布志愿任务')
    const referral = (await c('GET', `/referrals/${referralId}`)).body
    assert.equal(referral.target, 'volunteer_pool')
    assert.equal(referral.state, 'task_posted')
    assert.ok(referral.task_id, 'the referral names its task')
    const taskId = referral.task_id

    await workTask(c, volunteer, taskId)
    assert.equal((await c('GET', `/referrals/${referralId}`)).body.state, 'in_service', 'the check-in put the referral in service')

    // Confirmed by a follow-up call in the place's task list: the call's note is required.
    // The community's tasks, filtered to those waiting for confirmation.
    const community = household.place.slice(0, 12)
    await openPage(page, `/volunteer-tasks?place=${community}`, '志愿任务')
    await chooseOption(page, page.getByTestId('task-status'), '待确认', { exact: true })
    await page.waitForURL((url) => url.searchParams.get('status') === 'done' && url.searchParams.get('place') === community)
    const row = page.locator(`tr.task-row-${taskId}`)
    await row.getByText('待确认', { exact: true }).waitFor()
    await confirmTask(page, c, row, taskId, '回访确认', 'note', '电话回访：志愿者已上门探访，老人满意')
    await row.waitFor({ state: 'detached' }) // no longer waiting for confirmation
    await screenshot(page, 'coordinator-task-confirmed-by-call')

    const task = (await c('GET', `/tasks/${taskId}`)).body
    assert.equal(task.status, 'confirmed')
    assert.equal(task.proof.method, 'callback')
    assert.equal(task.proof.note, '电话回访：志愿者已上门探访，老人满意')
    assert.equal(task.proof.recorded_by, COORDINATOR)
    const stored = (await c('GET', `/referrals/${referralId}`)).body
    assert.equal(stored.state, 'completed')
    assert.equal(stored.proof?.method, 'callback')
    assert.equal((await c('GET', `/needs/${need.id}`)).body.state, 'resolved')
  },
)

uiTest('a volunteer-pool task confirmed by the resident\'s signature on the need\'s page', { allowHttpErrors: [400] }, async (page) => {
  const c = await coord()
  const [{ need, volunteer, referral }] = await Promise.all([
    volunteerPoolFixture(c, 'companionship', '想有人聊聊天'),
    loginAs(page, COORDINATOR),
  ])
  const taskId = referral.task_id
  await workTask(c, volunteer, taskId)

  // The need's page lists its task; the signature's reference is required.
  await openPage(page, `/needs/${need.id}`, '需求详情')
  const row = page.getByTestId('need-tasks').locator(`tr.task-row-${taskId}`)
  await row.getByText('待确认', { exact: true }).waitFor()
  await confirmTask(page, c, row, taskId, '居民签字', 'signature', '签字单 E2E-17')
  await row.getByText('已完成', { exact: true }).waitFor()
  await row.getByTestId('confirm-task').waitFor({ state: 'detached' })
  await page.getByTestId('need-detail').getByText('已解决', { exact: true }).waitFor()
  await screenshot(page, 'coordinator-task-confirmed-by-signature')

  const task = (await c('GET', `/tasks/${taskId}`)).body
  assert.equal(task.status, 'confirmed')
  assert.equal(task.proof.method, 'signature')
  assert.equal(task.proof.signature_ref, '签字单 E2E-17')
  const stored = (await c('GET', `/referrals/${referral.id}`)).body
  assert.equal(stored.state, 'completed')
  assert.equal(stored.proof?.method, 'signature')
  assert.equal((await c('GET', `/needs/${need.id}`)).body.state, 'resolved')
})
