// The API's enumerations (domain/*.go), in display order, with the tag colour
// each value gets. Labels live in the locales under enums.<group>.<value>.
export const ENUMS = {
  needState: ['open', 'proposed', 'matched', 'in_service', 'resolved', 'closed'],
  urgency: ['critical', 'high', 'normal', 'low'],
  channel: ['sentinel', 'home_visit', 'grid_worker', 'hotline', 'livestream', 'warning', 'self_report'],
  closeReason: ['no_longer_needed', 'unreachable', 'duplicate', 'no_supply'],
  assistance: ['tekun', 'dibao', 'dibao_edge', 'rigid_expense', 'orphan', 'temporary'],
  supportMode: ['centralised', 'dispersed'],
  relation: ['self', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'in_law', 'other'],
  gender: ['male', 'female'],
  disability: ['visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple'],
  workAbility: ['full', 'partial', 'none'],
  employment: ['employed', 'flexible', 'unemployed', 'retired', 'student', 'not_working'],
  source: ['self_reported', 'home_visit', 'economic_check', 'household_file', 'official_decision'],
  recipient: ['ngo_unit', 'volunteer', 'employer'],
  consentAction: ['grant', 'withdraw'],
  consentMethod: ['written', 'verbal', 'online'],
  providerKind: ['ngo', 'unit', 'enterprise', 'volunteer'],
  verification: ['pending', 'verified', 'suspended'],
  light: ['green', 'yellow', 'red'],
  offeringStatus: ['active', 'paused', 'closed'],
  period: ['day', 'week', 'month', 'year', 'once'],
  jobStatus: ['open', 'filled', 'closed'],
  physical: ['sedentary', 'light', 'medium', 'heavy'],
  policyStatus: ['eligible', 'near', 'unknown', 'ineligible'],
  runStatus: ['queued', 'running', 'done', 'failed'],
  runStage: ['loading', 'evaluating', 'matching', 'saving'],
  importStatus: ['running', 'done', 'rejected', 'failed'],
  proposalKind: ['service', 'policy'],
  proposalState: ['proposed', 'accepted', 'rejected', 'superseded'],
  target: ['offering', 'job', 'volunteer_pool', 'policy'],
  searchKind: ['offering', 'job', 'need'],
  unmatched: [
    'do_not_contact',
    'no_supply',
    'outside_service_area',
    'audience_mismatch',
    'eligibility_limits',
    'provider_red',
    'no_capacity_left',
    'voucher_exhausted',
    'no_consent',
    'capacity_taken_by_higher_priority',
    'capacity_taken_by_same_priority',
  ],
}

// Element Plus tag types: primary, success, info, warning, danger.
const TAG_TYPES = {
  needState: { open: 'warning', proposed: 'primary', matched: 'primary', in_service: 'primary', resolved: 'success', closed: 'info' },
  urgency: { critical: 'danger', high: 'warning', normal: 'primary', low: 'info' },
  verification: { pending: 'warning', verified: 'success', suspended: 'danger' },
  light: { green: 'success', yellow: 'warning', red: 'danger' },
  offeringStatus: { active: 'success', paused: 'warning', closed: 'info' },
  jobStatus: { open: 'success', filled: 'primary', closed: 'info' },
  policyStatus: { eligible: 'success', near: 'warning', unknown: 'primary', ineligible: 'info' },
  runStatus: { queued: 'info', running: 'primary', done: 'success', failed: 'danger' },
  importStatus: { running: 'primary', done: 'success', rejected: 'warning', failed: 'danger' },
  proposalState: { proposed: 'primary', accepted: 'success', rejected: 'info', superseded: 'info' },
  consentAction: { grant: 'success', withdraw: 'info' },
  assistance: { tekun: 'danger', dibao: 'warning', dibao_edge: 'primary', rigid_expense: 'primary', orphan: 'danger', temporary: 'info' },
}

/** The tag type for a value ("info" when it has none). */
export function tagType(group, value) {
  return TAG_TYPES[group]?.[value] ?? 'info'
}
