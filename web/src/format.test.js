// Unit tests for the display and input helpers (node --test).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CursorPager,
  ageOf,
  countBy,
  crossTab,
  currentConsents,
  dayToTime,
  explainScore,
  fenToYuan,
  formatDate,
  formatDateTime,
  formatFen,
  importProgress,
  mapLimit,
  runProgress,
  yuanToFen,
} from './format.js'

test('money: fen to ¥ and back', () => {
  assert.equal(formatFen(123450), '¥1,234.50')
  assert.equal(formatFen(5), '¥0.05')
  assert.equal(formatFen(-1500), '-¥15.00')
  assert.equal(formatFen(null), '')
  assert.equal(yuanToFen('12.5'), 1250)
  assert.equal(yuanToFen('0'), 0)
  assert.equal(yuanToFen(' 7.05 '), 705)
  assert.ok(Number.isNaN(yuanToFen('1.234')))
  assert.ok(Number.isNaN(yuanToFen('abc')))
  assert.equal(fenToYuan(1500), '15')
  assert.equal(fenToYuan(1550), '15.50')
  assert.equal(fenToYuan(undefined), '')
})

test('times are shown in Asia/Shanghai', () => {
  assert.equal(formatDateTime('2026-11-30T16:30:00Z'), '2026-12-01 00:30')
  assert.equal(formatDate('2026-11-30T16:30:00Z'), '2026-12-01')
  assert.equal(formatDateTime(''), '')
  assert.equal(formatDateTime('0001-01-01T00:00:00Z'), '')
  assert.equal(formatDate('not a time'), '')
  assert.equal(dayToTime('2026-12-01'), '2026-12-01T00:00:00+08:00')
  assert.equal(dayToTime(''), undefined)
})

test('countBy and crossTab', () => {
  const needs = [
    { item: 'meal', state: 'open' },
    { item: 'meal', state: 'closed' },
    { item: 'bathing', state: 'open' },
    { item: 'meal', state: 'open' },
  ]
  assert.deepEqual(countBy(needs, (n) => n.item), [
    { key: 'meal', count: 3 },
    { key: 'bathing', count: 1 },
  ])
  const tab = crossTab(needs, (n) => n.item, (n) => n.state, ['open', 'proposed', 'closed'])
  assert.deepEqual(tab, { rows: ['meal', 'bathing'], cols: ['open', 'proposed', 'closed'], counts: [[2, 0, 1], [1, 0, 0]] })
})

test('CursorPager remembers cursors for going back', () => {
  const p = new CursorPager()
  assert.equal(p.cursor, '')
  assert.equal(p.hasNext, false)
  p.received('c1')
  assert.ok(p.hasNext)
  assert.ok(p.forward())
  assert.equal(p.cursor, 'c1')
  assert.equal(p.page, 2)
  p.received('c2')
  assert.ok(p.forward())
  p.received('')
  assert.equal(p.hasNext, false)
  assert.equal(p.forward(), false)
  assert.ok(p.back())
  assert.equal(p.cursor, 'c1')
  assert.ok(p.back())
  assert.equal(p.cursor, '')
  assert.equal(p.back(), false)
  p.reset()
  assert.equal(p.page, 1)
})

test('currentConsents: the latest event per member and recipient decides', () => {
  const events = [
    { member_id: 'm1', recipient: 'ngo_unit', action: 'grant', at: '2025-01-01T00:00:00Z' },
    { member_id: 'm1', recipient: 'ngo_unit', action: 'withdraw', at: '2026-01-01T00:00:00Z' },
    { member_id: 'm1', recipient: 'volunteer', action: 'grant', at: '2024-01-01T00:00:00Z' },
    { member_id: 'm2', recipient: 'ngo_unit', action: 'grant', at: '2026-02-01T00:00:00Z' },
  ]
  const now = currentConsents(events)
  assert.equal(now.m1.ngo_unit.action, 'withdraw')
  assert.equal(now.m1.volunteer.action, 'grant')
  assert.equal(now.m2.ngo_unit.action, 'grant')
  assert.equal(now.m2.employer, undefined)
  assert.deepEqual(currentConsents(undefined), {})
})

test('run and import progress', () => {
  assert.equal(runProgress(null), 0)
  assert.equal(runProgress({ status: 'queued', stage: 'loading', done: 0, total: 0 }), 0)
  assert.equal(runProgress({ status: 'running', stage: 'loading', done: 3, total: 3 }), 25)
  assert.equal(runProgress({ status: 'running', stage: 'evaluating', done: 50, total: 100 }), 37)
  assert.equal(runProgress({ status: 'running', stage: 'saving', done: 10, total: 10 }), 99)
  assert.equal(runProgress({ status: 'done', stage: 'saving', done: 10, total: 10 }), 100)
  assert.equal(importProgress({ status: 'running', done: 5, total: 20 }), 25)
  assert.equal(importProgress({ status: 'running', done: 0, total: 0 }), 0)
  assert.equal(importProgress({ status: 'rejected', done: 3, total: 20 }), 100)
})

test('explainScore keeps the priority class apart and scales the factors', () => {
  const parts = explainScore([
    { name: 'priority', value: 1545608 },
    { name: 'category_fit', value: 1000 },
    { name: 'distance', value: 250 },
    { name: 'continuity', value: 0 },
  ])
  assert.equal(parts.priority.value, 1545608)
  assert.deepEqual(parts.factors.map((f) => [f.name, f.share]), [
    ['category_fit', 1],
    ['distance', 0.25],
    ['continuity', 0],
  ])
  assert.deepEqual(explainScore(undefined), { priority: null, factors: [] })
})

test('ageOf and mapLimit', async () => {
  assert.equal(ageOf(1950, new Date('2026-06-01T00:00:00Z')), 76)
  assert.equal(ageOf(0), null)
  let inFlight = 0
  let most = 0
  const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
    inFlight += 1
    most = Math.max(most, inFlight)
    await new Promise((r) => setTimeout(r, 5))
    inFlight -= 1
    return x * 2
  })
  assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14])
  assert.ok(most <= 3)
})
