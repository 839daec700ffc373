// The Vue side of the one error helper (../errors.js): messages bound to the
// current language, a toast for failed actions, and field errors for forms.
import { ElMessage } from 'element-plus'
import { reactive } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorText, placeFieldErrors } from '../errors.js'

/** Returns describe(err) → {title, detail} in the current language. */
export function useErrorText() {
  const { t, locale } = useI18n()
  return (err) => errorText(err, t, locale.value)
}

/** Returns notify(err): a toast for an action that failed (with the request id to quote). */
export function useNotifyError() {
  const { t } = useI18n()
  const describe = useErrorText()
  return (err) => {
    const { title, detail } = describe(err)
    const id = err?.requestId ? ` (${t('errors.requestId', { id: err.requestId })})` : ''
    ElMessage({ type: 'error', message: `${title}${detail ? `：${detail}` : ''}${id}`, duration: 6000, showClose: true })
  }
}

/**
 * Field errors for a form: `errors[field]` feeds ElFormItem's :error.
 * apply(err) places an "invalid" answer's field errors and returns the
 * messages it could not place (to show above the form); any other error is
 * returned as null so that the caller shows it whole.
 * @param {string[]} known the form's field names as the API names them ("capacity", "audience.tiers")
 * @param {Record<string, string>} [aliases] other server names for these fields
 */
export function useFieldErrors(known, aliases = {}) {
  const { locale } = useI18n()
  const errors = reactive(Object.fromEntries(known.map((f) => [f, ''])))
  function clear() {
    for (const f of known) errors[f] = ''
  }
  function apply(err) {
    clear()
    if (!err || err.name !== 'ApiError' || err.code !== 'invalid' || !err.fields?.length) return null
    const { byField, unplaced } = placeFieldErrors(err.fields, known, locale.value, aliases)
    Object.assign(errors, byField)
    return unplaced
  }
  return { errors, apply, clear }
}
