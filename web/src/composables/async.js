// Loading state for one API call: data, error and loading, with run() to
// (re)load. A newer run wins: an older answer arriving late is dropped.
import { ref, shallowRef } from 'vue'

export function useAsync(loader, { initial = null } = {}) {
  const data = shallowRef(initial)
  const error = shallowRef(null)
  const loading = ref(false)
  let generation = 0
  async function run(...args) {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const value = await loader(...args)
      if (mine === generation) data.value = value
      return value
    } catch (err) {
      if (mine === generation) error.value = err
      return undefined
    } finally {
      if (mine === generation) loading.value = false
    }
  }
  return { data, error, loading, run }
}
