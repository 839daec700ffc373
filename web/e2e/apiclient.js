// A signed-in API client for test set-up the UI does not drive (Node's
// fetch against the server under test): apiAs(username) resolves to
// call(method, path, body) → {status, body}.
import assert from 'node:assert/strict'
import { BASE_URL, DEMO_PASSWORD } from './helpers.js'

export async function apiAs(username, password = DEMO_PASSWORD) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  assert.equal(res.status, 200, `sign-in of ${username}`)
  const { access_token: token } = await res.json()
  return async (method, path, body) => {
    const r = await fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : null }
  }
}
