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

/**
 * Signs out: revokes the refresh token on the server, then forgets the session
 * locally even if the server could not be reached.
 */
export async function logout() {
  const refreshToken = session.refreshToken
  try {
    if (refreshToken) // No refresh on 401 here: it would rotate the very token being revoked.
      await api.post('/auth/logout', { refresh_token: refreshToken }, { refresh: false })
  } catch {
    // The local session ends regardless; an unrevoked refresh token expires on its own.
  } finally {
    clearSession()
  }
}
