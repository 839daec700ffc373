// Polls a resource until it is finished, and stops when the component goes.
import { onScopeDispose, ref } from 'vue'

/**
 * @param {() => Promise<object>} fetchOnce reads the resource
 * @param {(value: object) => boolean} finished true when polling may stop
 * @param {object} [options]
 * @param {number} [options.interval=1000] milliseconds between reads
 * @param {(value: object) => void} [options.onValue] called with every read
 * @param {(err: Error) => void} [options.onError] called when a read fails (polling stops)
 */
export function usePoll(fetchOnce, finished, { interval = 1000, onValue = () => {}, onError = () => {} } = {}) {
  const polling = ref(false)
  let timer = null
  let stopped = true

  async function tick() {
    timer = null
    if (stopped) return
    try {
      const value = await fetchOnce()
      if (stopped) return
      onValue(value)
      if (finished(value)) {
        stop()
        return
      }
    } catch (err) {
      stop()
      onError(err)
      return
    }
    timer = setTimeout(tick, interval)
  }
  function start() {
    stop()
    stopped = false
    polling.value = true
    tick()
  }
  function stop() {
    stopped = true
    polling.value = false
    if (timer) clearTimeout(timer)
    timer = null
  }
  onScopeDispose(stop)
  return { polling, start, stop }
}
