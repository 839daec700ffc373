// The API client: a fetch wrapper for /api/v1 that authenticates with the
// stored access token, refreshes it once on 401, and turns the server's one
// error shape into ApiError.
//
// Error shape: {"error":{"code","message","fields":[{"field","rule","message"}],"request_id"}}
import { clearSession, saveTokens, session } from './session.js'

const BASE = '/api/v1'

/** An error answered by the server (or a failure to reach it). */
export class ApiError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status HTTP status; 0 when the server could not be reached
   * @param {string} init.code machine-readable code, e.g. "unauthorized", "invalid", "too_many_requests"
   * @param {string} init.message human-readable message in the requested language
   * @param {{field: string, rule: string, message: string}[]} [init.fields] field errors
   * @param {string} [init.requestId] the server's request id, to quote in bug reports
   * @param {number|null} [init.retryAfter] seconds to wait, from the Retry-After header
   */
  constructor({ status, code, message, fields = [], requestId = '', retryAfter = null }) {
    super(message || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.requestId = requestId
    this.retryAfter = retryAfter
  }

  /** Field errors as {field: message} (the first message per field). */
  fieldMessages() {
    const out = {}
    for (const f of this.fields) if (!(f.field in out)) out[f.field] = f.message
    return out
  }
}

let language = 'zh-CN'
let onSessionExpired = () => {}

/** Sets the Accept-Language sent with every request, so server messages match the UI. */
export function setApiLanguage(lang) {
  language = lang
}

/** Registers what to do when the session cannot be refreshed (the router sends the user to /login). */
export function onSessionEnd(handler) {
  onSessionExpired = handler
}

/** Parses Retry-After (delay-seconds or an HTTP date) into whole seconds, or null. */
export function parseRetryAfter(value, now = Date.now()) {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const date = Date.parse(value)
  if (Number.isNaN(date)) return null
  return Math.max(0, Math.ceil((date - now) / 1000))
}

async function toApiError(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): fall back to the status.
  }
  const e = body && body.error ? body.error : {}
  return new ApiError({
    status: response.status,
    code: e.code || `http_${response.status}`,
    message: e.message || response.statusText,
    fields: Array.isArray(e.fields) ? e.fields : [],
    requestId: e.request_id || response.headers.get('X-Request-Id') || '',
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
  })
}

async function send(method, path, body, token, form) {
  const headers = { Accept: 'application/json', 'Accept-Language': language }
  let payload
  if (form !== undefined) {
    payload = form // multipart: the browser sets Content-Type with the boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  if (token) headers.Authorization = `Bearer ${token}`
  try {
    return await fetch(BASE + path, { method, headers, body: payload })
  } catch (err) {
    throw new ApiError({ status: 0, code: 'network', message: String(err && err.message) })
  }
}

// One refresh at a time: concurrent 401s share it, so a rotated refresh token
// is never presented twice.
let refreshing = null

/**
 * Exchanges the stored refresh token for a new pair (refresh tokens rotate: the
 * new pair replaces the old). Resolves to true on success and false when the
 * server rejects the refresh token; rejects with ApiError when the server cannot
 * be reached or fails (the session is then kept, to try again later).
 */
export function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      const refreshToken = session.refreshToken
      if (!refreshToken) return false
      const res = await send('POST', '/auth/refresh', { refresh_token: refreshToken })
      if (res.ok) {
        saveTokens(await res.json())
        return true
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 429) return false
      throw await toApiError(res)
    })().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

/**
 * Sends a request to /api/v1 and returns the decoded JSON (null for 204).
 * @param {string} method
 * @param {string} path relative to /api/v1, e.g. "/me"
 * @param {object} [options]
 * @param {unknown} [options.body] JSON body
 * @param {FormData} [options.form] multipart body (uploads); replaces body
 * @param {boolean} [options.auth=true] send the access token
 * @param {boolean} [options.refresh=true] on 401, refresh the tokens once and retry
 * @param {boolean} [options.raw=false] return the Response itself (downloads)
 * @throws {ApiError}
 */
export async function request(method, path, { body, form, auth = true, refresh = true, raw = false } = {}) {
  const sentToken = auth ? session.accessToken : null
  let res = await send(method, path, body, sentToken, form)
  if (res.status === 401 && sentToken && refresh) {
    // Another request may have refreshed while this one was in flight.
    const renewed =
      (session.accessToken && session.accessToken !== sentToken) || (await refreshTokens())
    if (renewed) {
      res = await send(method, path, body, session.accessToken, form)
    } else {
      clearSession()
      onSessionExpired()
    }
  }
  if (!res.ok) throw await toApiError(res)
  if (raw) return res
  if (res.status === 204) return null
  const text = await res.text()
  return text ? JSON.parse(text) : null
}

/**
 * Builds a query string from an object, leaving out empty values
 * (undefined, null, "" and empty arrays); arrays repeat the key.
 * Returns "" or "?a=1&b=2".
 */
export function query(params = {}) {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) {
      for (const v of value) if (v !== undefined && v !== null && v !== '') search.append(key, String(v))
    } else {
      search.append(key, String(value))
    }
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** The file name in a Content-Disposition header (RFC 6266 filename* first), or fallback. */
export function attachmentName(header, fallback = 'download') {
  if (!header) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header)
  const name = plain && (plain[1] ?? plain[2])
  return name ? name.trim() : fallback
}

/**
 * Downloads a file from /api/v1 with the access token (a plain link cannot
 * send it) and returns {blob, filename}.
 */
export async function download(path, fallbackName) {
  const res = await request('GET', path, { raw: true })
  const filename = attachmentName(res.headers.get('Content-Disposition'), fallbackName)
  return { blob: await res.blob(), filename }
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
  /** Uploads a multipart form (e.g. an import file in field "file"). */
  upload: (path, form, options) => request('POST', path, { ...options, form }),
}
