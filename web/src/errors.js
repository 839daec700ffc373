// The one place that turns an API error into words for people: a message for
// the page (errorText) and messages next to form fields (placeFieldErrors).
// Pure functions: the Vue side is composables/errors.js.
//
// The server's error shape: {"error":{"code","message","fields":[{"field","rule","message"}],"request_id"}}

/**
 * Server messages are often bilingual, "中文 / English": pick the half that
 * matches the UI language. A message without " / " is returned as it is.
 */
export function localizeServerMessage(message, locale) {
  if (typeof message !== 'string') return ''
  const at = message.lastIndexOf(' / ')
  if (at < 0) return message
  const zh = message.slice(0, at).trim()
  const en = message.slice(at + 3).trim()
  // Only split where the right side reads as English (no CJK characters).
  if (!zh || !en || /[\u3400-\u9fff]/.test(en)) return message
  return locale === 'en' ? en : zh
}

/** Translation keys for the error codes the API answers (README, "Every failure has one shape"). */
const CODE_KEYS = {
  network: 'errors.network',
  unauthorized: 'errors.unauthorized',
  forbidden: 'errors.forbidden',
  not_found: 'errors.notFound',
  conflict: 'errors.conflict',
  too_large: 'errors.tooLarge',
  unsupported_media: 'errors.unsupported',
  too_many_requests: 'errors.tooMany',
  unavailable: 'errors.unavailable',
  internal: 'errors.server',
  invalid: 'errors.invalid',
}

/**
 * What to tell a person about a failed request.
 * @param {{status?: number, code?: string, message?: string, fields?: object[]}} err an ApiError (or any Error)
 * @param {(key: string, params?: object) => string} t the translation function
 * @param {string} locale the UI language
 * @returns {{title: string, detail: string}} title: what happened in general; detail: the server's own words (may be "")
 */
export function errorText(err, t, locale) {
  if (!err) return { title: '', detail: '' }
  if (err.name !== 'ApiError') return { title: t('errors.unexpected'), detail: String(err.message || err) }
  const code = err.status === 0 ? 'network' : err.status >= 500 && err.code !== 'unavailable' ? 'internal' : err.code
  const key = CODE_KEYS[code] || 'errors.generic'
  const title = key === 'errors.generic' ? t(key, { status: err.status }) : t(key)
  // Internal errors carry nothing useful; network errors carry the browser's text.
  if (code === 'internal' || code === 'network') return { title, detail: '' }
  let detail = localizeServerMessage(err.message, locale)
  if (code === 'invalid' && Array.isArray(err.fields) && err.fields.length) {
    detail = err.fields.map((f) => localizeServerMessage(f.message, locale)).join('；')
  }
  return { title, detail: detail === title ? '' : detail }
}

/** "members[2].id_number" → ["members[2].id_number", "members.id_number", "members"] … candidates, most precise first. */
export function fieldCandidates(field) {
  const out = []
  const add = (f) => {
    if (f && !out.includes(f)) out.push(f)
  }
  add(field)
  add(field.replace(/\[\d+\]/g, ''))
  let f = field
  while (f.includes('.')) {
    f = f.slice(0, f.lastIndexOf('.'))
    add(f)
    add(f.replace(/\[\d+\]/g, ''))
  }
  add(field.replace(/\[\d+\].*$/, ''))
  return out
}

/**
 * Places field errors on the form fields that exist.
 * @param {{field: string, message: string}[]} fields the server's field errors
 * @param {string[]} known the form's field names (dotted, e.g. "audience.tiers")
 * @param {string} locale
 * @param {Record<string, string>} [aliases] server field → form field, for names that differ
 * @returns {{byField: Record<string, string>, unplaced: string[]}} the first message per form field, and messages with no field to show them
 */
export function placeFieldErrors(fields, known, locale, aliases = {}) {
  const byField = {}
  const unplaced = []
  for (const f of fields || []) {
    const message = localizeServerMessage(f.message, locale)
    const candidates = fieldCandidates(String(f.field || ''))
    let target = null
    for (const c of candidates) {
      if (aliases[c] && known.includes(aliases[c])) {
        target = aliases[c]
        break
      }
      if (known.includes(c)) {
        target = c
        break
      }
    }
    if (target) {
      if (!(target in byField)) byField[target] = message
    } else {
      unplaced.push(f.field ? `${f.field}: ${message}` : message)
    }
  }
  return { byField, unplaced }
}
