import { onScopeDispose } from 'vue'

/** A debounced fn: called once, `wait` ms after the last call; cancelled with the component. */
export function useDebounced(fn, wait = 300) {
  let timer = null
  const debounced = (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), wait)
  }
  debounced.cancel = () => clearTimeout(timer)
  onScopeDispose(debounced.cancel)
  return debounced
}
