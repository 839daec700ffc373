// Unit tests for sign-out (node --test): the refresh token is revoked, a busy
// server (503) is asked once more, and the local session ends regardless.
import assert from 'node:assert/strict'
import { test } from 'node:test'

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
globalThis.sessionStorage ??= new MemoryStorage()

const { logout, setLogoutRetryDelay } = await import('./auth.js')
const { saveTokens, session } = await import('./session.js')
setLogoutRetryDelay(0)

function answer(status) {
  return status === 204
    ? new Response(null, { status })
    : new Response(JSON.stringify({ error: { code: 'unavailable', message: 'busy', request_id: 'r' } }), { status })
}

async function logoutWith(statuses) {
  saveTokens({ access_token: 'A', refresh_token: 'R', user: { username: 'u', role: 'ngo' } })
  const calls = []
  globalThis.fetch = async (url, init) => {
    calls.push({ url, body: JSON.parse(init.body) })
    return answer(statuses[calls.length - 1] ?? 204)
  }
  await logout()
  return calls
}

test('logout revokes the refresh token and ends the session', async () => {
  const calls = await logoutWith([204])
  assert.deepEqual(calls, [{ url: '/api/v1/auth/logout', body: { refresh_token: 'R' } }])
  assert.equal(session.refreshToken, null)
})

test('logout asks a busy server once more', async () => {
  const calls = await logoutWith([503, 204])
  assert.equal(calls.length, 2)
  assert.equal(session.accessToken, null)
})

test('logout gives up after the second 503 and still ends the session', async () => {
  const calls = await logoutWith([503, 503])
  assert.equal(calls.length, 2)
  assert.equal(session.accessToken, null)
})

test('logout does not retry other failures', async () => {
  const calls = await logoutWith([500])
  assert.equal(calls.length, 1)
  assert.equal(session.refreshToken, null)
})
