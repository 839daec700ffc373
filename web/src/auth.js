// Sign-in, sign-out and "who am I" on top of the API client.
import { api } from './api.js'
import { clearSession, saveTokens, saveUser, session } from './session.js'

/** Signs in; throws ApiError (401 unauthorized, 429 too_many_requests, 400 invalid). */
export async function login(username, password) {
  const res = await api.post('/auth/login', { username, password }, { auth: false })
  saveTokens(res)
  return res.user
}

/** Loads the signed-in user from the server and stores it. */
export async function fetchMe() {
  const user = await api.get('/me')
  saveUser(user)
  return user
}

/** How long logout waits before asking a busy server (503) again. */
let retryDelayMs = 1500

/** For tests: no wait before the retry. */
export function setLogoutRetryDelay(ms) {
  retryDelayMs = ms
}

/**
 * Signs out: revokes the refresh token on the server, then forgets the session
 * locally even if the server could not be reached.
 */
export async function logout() {
  const refreshToken = session.refreshToken
  const revoke = () => api.post('/auth/logout', { refresh_token: refreshToken }, { refresh: false })
  try {
    // No refresh on 401 here: it would rotate the very token being revoked.
    if (refreshToken) {
      // Revoking is idempotent: a server that was busy for a moment (503) is asked once more.
      await revoke().catch(async (err) => {
        if (err?.status !== 503) throw err
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs))
        return revoke()
      })
    }
  } catch {
    // The local session ends regardless; an unrevoked refresh token expires on its own.
  } finally {
    clearSession()
  }
}
