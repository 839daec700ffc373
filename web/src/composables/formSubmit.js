// One form's submission: field errors next to the fields (useFieldErrors),
// the error that belongs to no field above the form (failure, or the
// server's unplaced field messages) and a busy flag. submit(fn) clears all
// of them, runs fn and sorts what it throws.
import { ref, shallowRef } from 'vue'
import { useFieldErrors } from './errors.js'

export function useFormSubmit(known, aliases = {}) {
  const fields = useFieldErrors(known, aliases)
  const failure = shallowRef(null)
  const unplaced = ref([])
  const busy = ref(false)
  function reset() {
    fields.clear()
    failure.value = null
    unplaced.value = []
  }
  /** Runs fn; resolves to its value, or undefined when it threw (the error is then shown). */
  async function submit(fn) {
    reset()
    busy.value = true
    try {
      return await fn()
    } catch (err) {
      const rest = fields.apply(err)
      if (rest === null) failure.value = err
      else unplaced.value = rest
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { errors: fields.errors, failure, unplaced, busy, reset, submit }
}
