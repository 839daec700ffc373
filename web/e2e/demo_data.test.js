// The demo district has something real in every state (issue 5 item 11):
// referrals of every path and state, at least 50 open volunteer tasks,
// service records with ratings, complaints, yellow and red providers with
// their reasons, voucher ledgers and last month's settlement statements.
// run.sh starts the tests once the demo's closed loop is written.
import assert from 'node:assert/strict'
import { apiCall, loginAs, uiTest } from './helpers.js'

const OFFERING_STATES = ['awaiting_provider', 'accepted', 'declined', 'in_service', 'completed', 'rated', 'closed', 'cancelled']
const POLICY_STATES = ['application_assisted', 'accepted_by_office', 'result_recorded']

async function all(page, path, max = 1000) {
  const items = []
  let cursor = ''
  do {
    const sep = path.includes('?') ? '&' : '?'
    const r = await apiCall(page, 'GET', `${path}${sep}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`)
    items.push(...r.body.items)
    cursor = r.body.next_cursor
  } while (cursor && items.length < max)
  return items
}

uiTest('the demo district has cases in every state', { timeout: 120_000 }, async (page) => {
  await loginAs(page, 'coordinator')
  const referrals = await all(page, '/referrals')
  const states = new Set(referrals.map((r) => r.state))
  for (const s of [...OFFERING_STATES, ...POLICY_STATES]) assert.ok(states.has(s), `no demo referral in state ${s}`)
  assert.ok(referrals.some((r) => r.stuck), 'no stuck case on the case list')
  assert.ok(referrals.some((r) => r.rating && r.rating.stars <= 5), 'no rated service')

  const complaints = await all(page, '/complaints')
  assert.ok(complaints.some((c) => c.state === 'upheld'), 'no upheld complaint')

  const rated = referrals.find((r) => r.state === 'rated' && r.voucher_fen > 0)
  assert.ok(rated, 'no rated service paid with a service voucher')
  const v = await apiCall(page, 'GET', `/households/${rated.household_id}/vouchers?year=${rated.voucher_year}`)
  assert.equal(v.status, 200, JSON.stringify(v.body))
  const spent = v.body.entries.filter((e) => e.kind === 'spend' && e.referral_id === rated.id)
  assert.equal(spent.length, 1, `the ledger of ${rated.household_id} has no spend for ${rated.id}: ${JSON.stringify(v.body.entries)}`)

  const d = await apiCall(page, 'GET', '/dashboard')
  assert.equal(d.status, 200, JSON.stringify(d.body))
})

uiTest('the demo has open volunteer tasks, lights with reasons and a settlement', { timeout: 120_000 }, async (page) => {
  await loginAs(page, 'admin')
  const cn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date())
  const last = new Date(`${cn}-15T00:00:00Z`)
  last.setUTCMonth(last.getUTCMonth() - 1)
  const lastMonth = last.toISOString().slice(0, 7)
  const st = await apiCall(page, 'GET', `/settlements?month=${lastMonth}`)
  assert.equal(st.status, 200, JSON.stringify(st.body))
  assert.ok(st.body.items.length > 0, `no settlement statement for ${lastMonth}`)

  const providers = await all(page, '/providers', 3000)
  const lights = new Set(providers.map((p) => p.traffic_light))
  assert.ok(lights.has('yellow') && lights.has('red'), `lights: ${[...lights]}`)
})

uiTest('a volunteer sees at least 50 open tasks', { timeout: 120_000 }, async (page) => {
  await loginAs(page, 'volunteer1')
  const open = await all(page, '/tasks?status=open')
  assert.ok(open.length >= 50, `only ${open.length} open tasks`)
  for (const t of open.slice(0, 20)) assert.ok(!('address' in t) || !t.address, 'an open task shows the address')
})
