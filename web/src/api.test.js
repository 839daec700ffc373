// Unit tests for the API client (node --test, no browser): a fake fetch and a
// fake sessionStorage stand in for the browser.
import assert from 'node:assert/strict'
import { beforeEach, test } from 'node:test'

class MemoryStorage {
  #items = new Map()
  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null
  }
  setItem(key, value) {
    this.#items.set(key, String(value))
  }
  removeItem(key) {
    this.#items.delete(key)
  }
}
globalThis.sessionStorage = new MemoryStorage()

const { ApiError, api, onSessionEnd, parseRetryAfter } = await import('./api.js')
const { clearSession, saveTokens, session } = await import('./session.js')

function json(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

const unauthorized = () =>
  json(401, { error: { code: 'unauthorized', message: 'token expired', fields: [], request_id: 'r1' } })

/** Installs a fake fetch answering with handler(request) and records the calls. */
function fakeFetch(handler) {
  const calls = []
  globalThis.fetch = async (url, init) => {
    const call = {
      url,
      method: init.method,
      auth: init.headers.Authorization ?? null,
      body: init.body ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    return handler(call)
  }
  return calls
}

let sessionEnded
beforeEach(() => {
  clearSession()
  saveTokens({ access_token: 'A1', refresh_token: 'R1', user: { username: 'c', role: 'coordinator' } })
  sessionEnded = 0
  onSessionEnd(() => (sessionEnded += 1))
})

test('sends the bearer token and decodes JSON', async () => {
  const calls = fakeFetch(() => json(200, { username: 'c' }))
  assert.deepEqual(await api.get('/me'), { username: 'c' })
  assert.equal(calls[0].url, '/api/v1/me')
  assert.equal(calls[0].auth, 'Bearer A1')
})

test('returns null for 204', async () => {
  fakeFetch(() => new Response(null, { status: 204 }))
  assert.equal(await api.post('/auth/logout', { refresh_token: 'R1' }), null)
})

test('turns the error shape into ApiError', async () => {
  fakeFetch(() =>
    json(
      400,
      {
        error: {
          code: 'invalid',
          message: '请求无效',
          fields: [{ field: 'username', rule: 'required', message: '必填' }],
          request_id: 'req-7',
        },
      },
    ),
  )
  const err = await api.post('/auth/login', {}, { auth: false }).catch((e) => e)
  assert.ok(err instanceof ApiError)
  assert.equal(err.status, 400)
  assert.equal(err.code, 'invalid')
  assert.equal(err.message, '请求无效')
  assert.equal(err.requestId, 'req-7')
  assert.deepEqual(err.fieldMessages(), { username: '必填' })
})

test('reads Retry-After on 429', async () => {
  fakeFetch(() =>
    json(429, { error: { code: 'too_many_requests', message: 'slow down', fields: [], request_id: 'x' } }, {
      'Retry-After': '42',
    }),
  )
  const err = await api.post('/auth/login', { username: 'a', password: 'b' }, { auth: false }).catch((e) => e)
  assert.equal(err.code, 'too_many_requests')
  assert.equal(err.retryAfter, 42)
})

test('a non-JSON error still becomes ApiError', async () => {
  fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
  const err = await api.get('/me').catch((e) => e)
  assert.equal(err.status, 502)
  assert.equal(err.code, 'http_502')
})

test('a network failure becomes ApiError with status 0', async () => {
  globalThis.fetch = async () => {
    throw new TypeError('Failed to fetch')
  }
  const err = await api.get('/me').catch((e) => e)
  assert.equal(err.status, 0)
  assert.equal(err.code, 'network')
})

test('on 401 refreshes once, stores the rotated pair and retries', async () => {
  const calls = fakeFetch((c) => {
    if (c.url === '/api/v1/auth/refresh') {
      return json(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 900, user: { username: 'c' } })
    }
    return c.auth === 'Bearer A2' ? json(200, { ok: true }) : unauthorized()
  })
  assert.deepEqual(await api.get('/me'), { ok: true })
  assert.deepEqual(
    calls.map((c) => `${c.method} ${c.url} ${c.auth}`),
    ['GET /api/v1/me Bearer A1', 'POST /api/v1/auth/refresh null', 'GET /api/v1/me Bearer A2'],
  )
  assert.deepEqual(calls[1].body, { refresh_token: 'R1' })
  assert.equal(session.accessToken, 'A2')
  assert.equal(session.refreshToken, 'R2')
  assert.equal(sessionStorage.getItem('lianzhu.refresh_token'), 'R2')
})

test('concurrent 401s share one refresh', async () => {
  let refreshes = 0
  fakeFetch(async (c) => {
    if (c.url === '/api/v1/auth/refresh') {
      refreshes += 1
      await new Promise((r) => setTimeout(r, 10))
      return json(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 900 })
    }
    return c.auth === 'Bearer A2' ? json(200, { ok: true }) : unauthorized()
  })
  const results = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')])
  assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }])
  assert.equal(refreshes, 1)
})

test('a second 401 after the refresh is not retried again', async () => {
  const calls = fakeFetch((c) =>
    c.url === '/api/v1/auth/refresh'
      ? json(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 900 })
      : unauthorized(),
  )
  const err = await api.get('/me').catch((e) => e)
  assert.equal(err.status, 401)
  assert.equal(calls.length, 3)
})

test('a refused refresh ends the session', async () => {
  fakeFetch(() => unauthorized())
  const err = await api.get('/me').catch((e) => e)
  assert.equal(err.status, 401)
  assert.equal(session.accessToken, null)
  assert.equal(sessionStorage.getItem('lianzhu.access_token'), null)
  assert.equal(sessionEnded, 1)
})

test('a refresh that fails on the server keeps the session', async () => {
  fakeFetch((c) =>
    c.url === '/api/v1/auth/refresh'
      ? json(503, { error: { code: 'unavailable', message: 'try later', fields: [], request_id: 'x' } })
      : unauthorized(),
  )
  const err = await api.get('/me').catch((e) => e)
  assert.equal(err.status, 503)
  assert.equal(session.refreshToken, 'R1')
  assert.equal(sessionEnded, 0)
})

test('requests without auth are not refreshed', async () => {
  const calls = fakeFetch(() => unauthorized())
  const err = await api.post('/auth/login', { username: 'a', password: 'b' }, { auth: false }).catch((e) => e)
  assert.equal(err.code, 'unauthorized')
  assert.equal(calls.length, 1)
  assert.equal(calls[0].auth, null)
  assert.equal(session.accessToken, 'A1')
})

test('parseRetryAfter reads seconds and HTTP dates', () => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  assert.equal(parseRetryAfter('30', now), 30)
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now), 60)
  assert.equal(parseRetryAfter('', now), null)
  assert.equal(parseRetryAfter('soon', now), null)
})

test('query leaves out empty values and repeats arrays', async () => {
  const { query } = await import('./api.js')
  assert.equal(query({}), '')
  assert.equal(query({ state: 'open', item: '', place: undefined, limit: 50, cursor: null }), '?state=open&limit=50')
  assert.equal(query({ q: '洗澡 上门', tags: ['a', '', 'b'] }), '?q=%E6%B4%97%E6%BE%A1+%E4%B8%8A%E9%97%A8&tags=a&tags=b')
})

test('attachmentName reads Content-Disposition', async () => {
  const { attachmentName } = await import('./api.js')
  assert.equal(attachmentName('attachment; filename="needs-20261130-1504.xlsx"'), 'needs-20261130-1504.xlsx')
  assert.equal(attachmentName("attachment; filename*=UTF-8''%E9%9C%80%E6%B1%82.xlsx"), '需求.xlsx')
  assert.equal(attachmentName('attachment; filename=plain.csv'), 'plain.csv')
  assert.equal(attachmentName(null, 'x.xlsx'), 'x.xlsx')
})

test('upload sends multipart without a JSON content type', async () => {
  let seen
  globalThis.fetch = async (url, init) => {
    seen = { url, init }
    return json(202, { id: 'imp1', status: 'running' })
  }
  const form = new FormData()
  form.append('file', new Blob(['a,b']), 'households.csv')
  const rec = await api.upload('/imports?kind=households', form)
  assert.deepEqual(rec, { id: 'imp1', status: 'running' })
  assert.equal(seen.url, '/api/v1/imports?kind=households')
  assert.equal(seen.init.body, form)
  assert.equal(seen.init.headers['Content-Type'], undefined)
  assert.equal(seen.init.headers.Authorization, 'Bearer A1')
})

test('a raw request returns the response for downloads', async () => {
  const { download } = await import('./api.js')
  globalThis.fetch = async () =>
    new Response('xlsx-bytes', {
      status: 200,
      headers: { 'Content-Disposition': 'attachment; filename="needs.xlsx"' },
    })
  const { blob, filename } = await download('/exports/needs.xlsx', 'fallback.xlsx')
  assert.equal(filename, 'needs.xlsx')
  assert.equal(await blob.text(), 'xlsx-bytes')
})
