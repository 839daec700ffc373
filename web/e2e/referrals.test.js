// Referral journeys: a coordinator dispatches a need by hand to an NGO's
// offering (after recording the resident's consent) and issues the
// resident's code; the NGO accepts it in its inbox, starts, records a
// service and completes with the code; the coordinator records the rating
// and sees it in the household file. Also: a decline without a reason
// shows the field error; the case list, settlements and light render.
import assert from 'node:assert/strict'
import { chooseOption, loginAs, openPage, screenshot, toast, uiTest } from './helpers.js'
import { apiAs } from './apiclient.js'

/**
 * An NGO account (ngo1…) with a verified, not red provider and an active
 * offering with capacity left, and a fresh open need of the offering's item
 * in a household of the district coordinator's place that is not marked
 * do-not-contact.
 */
async function setUp(coordinator) {
  for (let n = 1; n <= 6; n++) {
    const username = `ngo${n}`
    const ngo = await apiAs(username)
    const me = (await ngo('GET', '/me')).body
    const provider = (await ngo('GET', `/providers/${me.provider_id}`)).body
    if (provider.verification !== 'verified' || provider.traffic_light === 'red') continue
    const offerings = (await ngo('GET', '/offerings?mine=true&limit=200')).body.items
    const now = Date.now()
    let offering = null
    for (const o of offerings) {
      const usable =
        o.status === 'active' && Date.parse(o.valid_from) <= now && (!o.valid_to || Date.parse(o.valid_to) > now) &&
        o.left >= 2 && !o.audience?.min_age && !o.audience?.max_age && !o.audience?.disability_only && !o.audience?.places?.length
      if (usable) {
        offering = o
        break
      }
    }
    if (!offering) continue
    const households = (await coordinator('GET', '/households?limit=50')).body.items
    for (const summary of households) {
      const h = (await coordinator('GET', `/households/${summary.id}`)).body
      if (h.do_not_contact) continue
      const member = h.members.find((m) => new Date().getFullYear() - m.birth_year >= 18)
      if (!member) continue
      const filed = await coordinator('POST', '/needs', {
        household_id: h.id,
        member_id: member.id,
        item: offering.item,
        own_words: 'E2E 转介测试',
        neutral_note: '需要上门服务',
        urgency: 'high',
        channel: 'home_visit',
      })
      assert.equal(filed.status, 201, JSON.stringify(filed.body))
      return { username, ngo, provider, offering, household: h, member, need: filed.body }
    }
  }
  throw new Error('no NGO with an active offering with capacity left in the demo district')
}

/** Grants the member's consent to NGOs and units through the household file. */
async function grantConsent(page, householdId, memberName) {
  await page.goto(`/households/${householdId}?tab=consent`)
  await page.getByTestId('record-consent').click()
  const dialog = page.getByTestId('dialog-consent')
  await dialog.waitFor()
  await chooseOption(page, page.getByTestId('consent-member'), memberName)
  await chooseOption(page, page.getByTestId('consent-recipient'), '社会组织')
  await page.getByTestId('action-submit').click()
  await dialog.waitFor({ state: 'detached' })
  // The NGO/unit column (the second) of the member's row shows the grant.
  await page.getByTestId('consent-table').locator('tr.el-table__row', { hasText: memberName }).first()
    .locator('td').nth(1).getByText('同意').waitFor()
}

uiTest(
  'a coordinator dispatches to an NGO, the NGO serves and completes with the code, the rating reaches the household file',
  { timeout: 1_200_000 },
  async (page, context) => {
    page.setDefaultTimeout(180_000)
    const coordinator = await apiAs('coordinator')
    const s = await setUp(coordinator)

    await loginAs(page, 'coordinator')
    await page.getByTestId('attention-card').filter({ hasText: '卡住的转介' }).waitFor()
    await grantConsent(page, s.household.id, s.member.name)
    await screenshot(page, 'coordinator-household-consents')

    // Dispatch by hand from the need's page, choosing the offering by search.
    await openPage(page, `/needs/${s.need.id}`, '需求详情')
    await page.getByTestId('need-proposals').waitFor()
    await page.getByTestId('dispatch').click()
    await page.getByTestId('dispatch-form').waitFor()
    const offeringSelect = page.getByTestId('dispatch-offering')
    await offeringSelect.click()
    await page.keyboard.type(s.offering.title.slice(0, 8))
    await page.locator(`.el-select-dropdown__item[data-offering="${s.offering.id}"]`).click()
    await screenshot(page, 'coordinator-dispatch')
    const made = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/referrals' && r.request().method() === 'POST')
    await page.getByTestId('dispatch-submit').click()
    const res = await made
    assert.equal(res.status(), 201, await res.text())
    const created = await res.json()
    const referralId = (created.referral ?? created).id
    await page.waitForURL((url) => url.pathname === `/referrals/${referralId}`)
    await page.getByTestId('referral-detail').getByText('待服务方接收').waitFor()

    // The NGO accepts it in its inbox (a second tab has its own session).
    const ngoPage = await context.newPage()
    ngoPage.setDefaultTimeout(180_000)
    const ngoErrors = []
    ngoPage.on('console', (m) => m.type() === 'error' && ngoErrors.push(m.text()))
    await loginAs(ngoPage, s.username)
    await ngoPage.getByTestId('attention-card').filter({ hasText: '待接收的转介' }).waitFor()
    await openPage(ngoPage, '/inbox', '转介收件箱')
    const row = ngoPage.locator(`tr.referral-row-${referralId}`)
    await row.waitFor()
    await screenshot(ngoPage, 'ngo-inbox')
    await row.getByTestId('inbox-accept').click()
    await toast(ngoPage, 'success', '已接受转介')

    // The coordinator issues the resident's code.
    await page.reload()
    await page.getByTestId('referral-detail').getByText('已接收').first().waitFor()
    await page.getByTestId('issue-code').click()
    await page.locator('.el-message-box').getByRole('button', { name: '生成核验码' }).click()
    const code = (await page.getByTestId('resident-code').textContent()).trim()
    assert.match(code, /^\d{6}$/)
    await screenshot(page, 'coordinator-referral-code')

    // The NGO starts, records a service and completes with the code.
    await ngoPage.goto(`/inbox/${referralId}`)
    await ngoPage.getByTestId('referral-detail').waitFor()
    await ngoPage.getByTestId('start').click()
    await ngoPage.getByTestId('record-service').waitFor()
    await ngoPage.getByTestId('record-service').click()
    await ngoPage.getByTestId('dialog-service').waitFor()
    await ngoPage.getByTestId('service-what').fill('上门服务一次，老人满意')
    await ngoPage.getByTestId('service-worker').fill('王社工')
    await ngoPage.getByTestId('action-submit').click()
    await ngoPage.getByTestId('service-records').getByText('上门服务一次').waitFor()
    await ngoPage.getByTestId('complete').click()
    await ngoPage.getByTestId('dialog-complete').waitFor()
    await ngoPage.getByTestId('proof-code').fill(code)
    await ngoPage.getByTestId('action-submit').click()
    await ngoPage.getByTestId('referral-detail').getByText('已完成').first().waitFor()
    await screenshot(ngoPage, 'ngo-referral-completed')
    await ngoPage.close()
    assert.deepEqual(ngoErrors, [], 'the NGO tab reported console errors')

    // The coordinator records the resident's rating and sees it in the household file.
    await page.reload()
    await page.getByTestId('rate').click()
    await page.getByTestId('dialog-rate').waitFor()
    await page.getByTestId('rate-score').locator('.el-rate__item').nth(3).click()
    await page.getByTestId('rate-comment').fill('很满意')
    await page.getByTestId('action-submit').click()
    await page.getByTestId('referral-rating').getByText('★★★★☆').waitFor()
    await screenshot(page, 'coordinator-referral-rated')
    await page.goto(`/households/${s.household.id}?tab=referrals`)
    await page.getByTestId(`rating-${referralId}`).getByText('★★★★☆').waitFor()
    await screenshot(page, 'coordinator-household-referrals')
  },
)

uiTest('an NGO declining without a reason sees the field error', { timeout: 900_000, allowHttpErrors: [400] }, async (page) => {
  page.setDefaultTimeout(180_000)
  const coordinator = await apiAs('coordinator')
  const s = await setUp(coordinator)
  await coordinator('POST', `/households/${s.household.id}/consents`, {
    member_id: s.member.id,
    recipient: 'ngo_unit',
    action: 'grant',
    method: 'written',
  })
  const made = await coordinator('POST', '/referrals', { need_id: s.need.id, target: 'offering', offering_id: s.offering.id, units: 1, note: 'E2E' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const referralId = (made.body.referral ?? made.body).id

  await loginAs(page, s.username)
  await openPage(page, '/inbox', '转介收件箱')
  const row = page.locator(`tr.referral-row-${referralId}`)
  await row.getByTestId('inbox-decline').click()
  const dialog = page.getByTestId('dialog-decline')
  await dialog.waitFor()
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/referrals/${referralId}/decline`)
  await page.getByTestId('action-submit').click()
  assert.equal((await answered).status(), 400)
  await page.getByTestId('field-reason').locator('.el-form-item__error').waitFor()
  await screenshot(page, 'ngo-decline-field-error')
  await chooseOption(page, page.getByTestId('decline-reason'), '名额已满')
  await page.getByTestId('action-submit').click()
  await toast(page, 'success', '已婉拒转介')
})

uiTest('the case list, a provider\'s settlements and light render', { timeout: 900_000, allowHttpErrors: [409] }, async (page) => {
  page.setDefaultTimeout(180_000)
  await loginAs(page, 'coordinator')
  await openPage(page, '/referrals', '转介个案')
  await page.getByTestId('case-table').locator('.el-table__body tr.el-table__row').first().waitFor()
  await page.getByTestId('case-stuck').click()
  await page.waitForURL((url) => url.searchParams.get('stuck') === 'true')
  await page.getByTestId('case-table').waitFor()
  await screenshot(page, 'coordinator-cases')

  await page.evaluate(() => sessionStorage.clear())
  await loginAs(page, 'ngo1')
  await openPage(page, '/settlements', '结算单')
  await page.locator('[data-testid="settlement-totals"], [data-testid="api-error"]').first().waitFor()
  await screenshot(page, 'ngo-settlements')
  await openPage(page, '/light', '信用灯')
  await page.getByTestId('light-card').waitFor()
  await screenshot(page, 'ngo-light')
})
