// The closed loop from a matching round's proposal: the demo's round left
// proposals standing; a coordinator accepts one on the need's page, which
// makes a referral; the provider accepts it in its inbox.
import assert from 'node:assert/strict'
import { loginAs, openPage, screenshot, uiTest } from './helpers.js'
import { apiAs } from './apiclient.js'

/** Whether the member consented to NGOs and units (the last event decides). */
function consents(household, memberId) {
  const events = (household.consents || []).filter((e) => e.member_id === memberId && e.recipient === 'ngo_unit')
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  return events.length > 0 && events[events.length - 1].action === 'grant'
}

/** A standing proposal whose need has only offering proposals, whose resident consented, and the provider's account. */
async function findProposal(coordinator, admin) {
  const all = (await coordinator('GET', '/proposals?state=proposed&kind=service&limit=200')).body.items
  const byNeed = new Map()
  for (const p of all) byNeed.set(p.need_id, [...(byNeed.get(p.need_id) || []), p])
  const accounts = (await admin('GET', '/users')).body.items
  for (const [needId, list] of byNeed) {
    if (!list.every((p) => p.target === 'offering')) continue
    const p = list[0]
    const account = accounts.find((u) => u.provider_id === p.provider_id && !u.disabled)
    if (!account) continue
    const h = (await coordinator('GET', `/households/${p.household_id}`)).body
    if (h.do_not_contact || !consents(h, p.member_id)) continue
    return { needId, proposals: list, account: account.username }
  }
  return null
}

uiTest('a coordinator accepts a proposal and the provider accepts the referral', { timeout: 600_000 }, async (page) => {
  const found = await findProposal(await apiAs('coordinator'), await apiAs('admin'))
  assert.ok(found, 'the demo round left no acceptable offering proposal')

  await loginAs(page, 'coordinator')
  await openPage(page, `/needs/${found.needId}`)
  const table = page.getByTestId('need-proposals')
  await table.getByTestId('accept-proposal').first().click()
  await page.getByTestId('confirm-accept').filter({ visible: true }).click()
  await page.waitForURL(/\/referrals\/[^/]+$/, { timeout: 180_000 })
  const referralId = page.url().split('/').pop()
  await page.getByTestId('referral-actions').waitFor({ timeout: 180_000 })
  await screenshot(page, 'journey-referral-from-proposal')

  const provider = await apiAs(found.account)
  const r = await provider('GET', `/referrals/${referralId}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.state, 'awaiting_provider')

  await page.evaluate(() => sessionStorage.clear())
  await loginAs(page, found.account)
  await openPage(page, '/inbox')
  const row = page.getByTestId('inbox-table').locator('tr', { hasText: r.body.resident })
  await row.getByTestId('inbox-accept').first().click()
  await assert.doesNotReject(async () => {
    for (let i = 0; i < 90; i++) {
      const now = await provider('GET', `/referrals/${referralId}`)
      if (now.body.state === 'accepted') return
      await new Promise((res) => setTimeout(res, 2000))
    }
    throw new Error('the referral was not accepted')
  })
  await page.reload()
  await page.getByTestId('inbox-table').locator('tr', { hasText: r.body.resident }).first().waitFor()
  await screenshot(page, 'journey-provider-accepted')
})
