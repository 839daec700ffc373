// The signed-in session: the token pair and the user, kept in sessionStorage
// (per tab, gone when the tab closes) and mirrored in a reactive object so
// components update when it changes.
import { reactive, readonly } from 'vue'

const KEYS = {
  access: 'lianzhu.access_token',
  refresh: 'lianzhu.refresh_token',
  user: 'lianzhu.user',
}

function readUser() {
  try {
    return JSON.parse(sessionStorage.getItem(KEYS.user) || 'null')
  } catch {
    return null
  }
}

const state = reactive({
  accessToken: sessionStorage.getItem(KEYS.access),
  refreshToken: sessionStorage.getItem(KEYS.refresh),
  user: readUser(),
})

/** The current session, read-only; change it through the functions below. */
export const session = readonly(state)

/** True when an access token is stored (it may still be expired: the API client refreshes it). */
export function isSignedIn() {
  return Boolean(state.accessToken)
}

/**
 * Stores a login or refresh response: {access_token, refresh_token, user?}.
 * Refresh tokens rotate, so the new pair always replaces the old one.
 */
export function saveTokens({ access_token, refresh_token, user }) {
  state.accessToken = access_token
  state.refreshToken = refresh_token
  sessionStorage.setItem(KEYS.access, access_token)
  sessionStorage.setItem(KEYS.refresh, refresh_token)
  if (user) saveUser(user)
}

/** Stores the signed-in user: {id, username, role, place, provider_id}. */
export function saveUser(user) {
  state.user = user
  sessionStorage.setItem(KEYS.user, JSON.stringify(user))
}

/** Forgets the session (logout, or a refresh token the server no longer accepts). */
export function clearSession() {
  state.accessToken = null
  state.refreshToken = null
  state.user = null
  for (const key of Object.values(KEYS)) sessionStorage.removeItem(key)
}
