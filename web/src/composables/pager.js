// Cursor pagination over the API's list answers ({items, next_cursor}).
import { reactive, ref, shallowRef } from 'vue'
import { CursorPager } from '../format.js'

/**
 * @param {(cursor: string) => Promise<{items: object[], next_cursor: string}>} fetchPage
 */
export function useCursorList(fetchPage) {
  const pager = reactive(new CursorPager())
  const items = shallowRef([])
  const loading = ref(false)
  const error = shallowRef(null)
  let generation = 0

  async function load() {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const res = await fetchPage(pager.cursor)
      if (mine !== generation) return
      items.value = res?.items ?? []
      pager.received(res?.next_cursor)
    } catch (err) {
      if (mine === generation) {
        error.value = err
        items.value = []
      }
    } finally {
      if (mine === generation) loading.value = false
    }
  }
  /** Back to the first page (after a filter changed). */
  function reload() {
    pager.reset()
    return load()
  }
  function next() {
    if (pager.forward()) return load()
  }
  function prev() {
    if (pager.back()) return load()
  }
  return { items, loading, error, pager, load, reload, next, prev }
}
