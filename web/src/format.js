// Pure helpers for showing and entering values: money in fen, times in
// Asia/Shanghai, counts for charts, cursor pages, consent state, run progress.
// No Vue, no browser: unit-tested with node --test.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000 // Asia/Shanghai has no daylight saving

/** ¥1,234.50 from integer fen; "" for a missing value. */
export function formatFen(fen) {
  if (fen === null || fen === undefined || Number.isNaN(Number(fen))) return ''
  const n = Number(fen)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(Math.round(n))
  const yuan = Math.floor(abs / 100)
  const cents = String(abs % 100).padStart(2, '0')
  return `${sign}¥${yuan.toLocaleString('en-US')}.${cents}`
}

/** Yuan as typed (e.g. "12.5") to integer fen; NaN when it is not a number with at most 2 decimals. */
export function yuanToFen(value) {
  if (value === null || value === undefined) return NaN
  const s = String(value).trim()
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return NaN
  const [whole, frac = ''] = s.replace('-', '').split('.')
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'))
  return s.startsWith('-') ? -fen : fen
}

/** Integer fen to a yuan string for inputs ("12.50" → "12.5" is not done: inputs keep 2 decimals only when needed). */
export function fenToYuan(fen) {
  if (fen === null || fen === undefined || fen === '') return ''
  const n = Number(fen)
  return n % 100 === 0 ? String(n / 100) : (n / 100).toFixed(2)
}

function shanghai(iso) {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso)
  if (Number.isNaN(ms)) return null
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString()
}

/** "2026-11-30 15:04" in Asia/Shanghai from an RFC 3339 time; "" when absent or zero. */
export function formatDateTime(iso) {
  if (!iso || String(iso).startsWith('0001-')) return ''
  const s = shanghai(iso)
  return s ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : ''
}

/** "2026-11-30" in Asia/Shanghai. */
export function formatDate(iso) {
  if (!iso || String(iso).startsWith('0001-')) return ''
  const s = shanghai(iso)
  return s ? s.slice(0, 10) : ''
}

/** A date picked as "YYYY-MM-DD" (a day in Shanghai) to the RFC 3339 time of its start. */
export function dayToTime(day) {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined
  return `${day}T00:00:00+08:00`
}

/** Counts items by key: [{key, count}] sorted by count, descending (ties by key). */
export function countBy(items, keyOf) {
  const counts = new Map()
  for (const item of items) {
    const key = keyOf(item)
    counts.set(key, (counts.get(key) || 0) + 1)
  }
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)))
}

/**
 * Cross-tabulates items: rows × columns → counts.
 * @returns {{rows: string[], cols: string[], counts: number[][]}} rows ordered by their total (descending), cols as given (or first seen)
 */
export function crossTab(items, rowOf, colOf, colOrder = []) {
  const rowTotals = new Map()
  const cols = [...colOrder]
  const cells = new Map()
  for (const item of items) {
    const r = rowOf(item)
    const c = colOf(item)
    if (!cols.includes(c)) cols.push(c)
    rowTotals.set(r, (rowTotals.get(r) || 0) + 1)
    const key = `${r}\u0000${c}`
    cells.set(key, (cells.get(key) || 0) + 1)
  }
  const rows = [...rowTotals].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).map(([r]) => r)
  const counts = rows.map((r) => cols.map((c) => cells.get(`${r}\u0000${c}`) || 0))
  return { rows, cols, counts }
}

/**
 * A cursor pager for the API's pages ({items, next_cursor}): remembers the
 * cursor of every page visited, so "previous" works without offsets.
 */
export class CursorPager {
  constructor() {
    this.cursors = ['']
    this.index = 0
    this.next = ''
  }
  /** The cursor to fetch the current page with. */
  get cursor() {
    return this.cursors[this.index]
  }
  get page() {
    return this.index + 1
  }
  get hasPrev() {
    return this.index > 0
  }
  get hasNext() {
    return Boolean(this.next)
  }
  /** Records the answer of the current page. */
  received(nextCursor) {
    this.next = nextCursor || ''
  }
  /** Moves to the next page; returns false when there is none. */
  forward() {
    if (!this.next) return false
    this.cursors = this.cursors.slice(0, this.index + 1)
    this.cursors.push(this.next)
    this.index += 1
    this.next = ''
    return true
  }
  back() {
    if (this.index === 0) return false
    this.index -= 1
    this.next = ''
    return true
  }
  reset() {
    this.cursors = ['']
    this.index = 0
    this.next = ''
  }
}

/**
 * The consent in force per member and recipient kind: the latest event
 * decides (as domain.ConsentGiven does). Returns {memberId: {recipient: event}}.
 */
export function currentConsents(events) {
  const out = {}
  for (const e of events || []) {
    const byRecipient = (out[e.member_id] ||= {})
    const prev = byRecipient[e.recipient]
    if (!prev || Date.parse(e.at) >= Date.parse(prev.at)) byRecipient[e.recipient] = e
  }
  return out
}

/** The stages of a matching run, in order (store/runs.go). */
export const RUN_STAGES = ['loading', 'evaluating', 'matching', 'saving']

/** A matching run's overall progress in percent (0–100), each stage a quarter. */
export function runProgress(run) {
  if (!run) return 0
  if (run.status === 'done') return 100
  if (run.status === 'queued') return 0
  const i = Math.max(0, RUN_STAGES.indexOf(run.stage))
  const part = run.total > 0 ? Math.min(1, run.done / run.total) : 0
  return Math.min(99, Math.floor(((i + part) / RUN_STAGES.length) * 100))
}

/** An import's progress in percent: done of total rows (0 while the total is unknown). */
export function importProgress(rec) {
  if (!rec) return 0
  if (rec.status && rec.status !== 'running') return 100
  return rec.total > 0 ? Math.min(99, Math.floor((rec.done / rec.total) * 100)) : 0
}

/**
 * Splits a proposal's score explanation: the priority class (a large
 * lexicographic weight that only orders needs) apart from the factors that
 * compare candidates, each with its share of the largest one for a bar.
 */
export function explainScore(explanation) {
  const list = Array.isArray(explanation) ? explanation : []
  const priority = list.find((f) => f.name === 'priority') || null
  const factors = list.filter((f) => f.name !== 'priority')
  const max = Math.max(0, ...factors.map((f) => Math.abs(f.value)))
  return {
    priority,
    factors: factors.map((f) => ({ ...f, share: max > 0 ? Math.abs(f.value) / max : 0 })),
  }
}

/** Age reached this year from a birth year (households keep only the year). */
export function ageOf(birthYear, now = new Date()) {
  return birthYear ? now.getUTCFullYear() - birthYear : null
}

/** Runs fn over items with at most `limit` calls in flight; resolves to the results in order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
