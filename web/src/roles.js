// Which roles may open which pages. The router guard and the navigation
// menu both read a route's meta.roles through canOpen.
export const ROLES = ['admin', 'coordinator', 'ngo', 'enterprise', 'unit', 'volunteer']

/** Provider accounts that publish offerings. */
export const PUBLISHERS = ['ngo', 'unit', 'enterprise']

/** True when a user of `role` may open a route whose meta.roles is `roles` (none: everyone signed in). */
export function canOpen(roles, role) {
  return !roles || roles.length === 0 || (Boolean(role) && roles.includes(role))
}
