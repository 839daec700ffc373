// Saving a file the API sends (templates, exports): fetched with the access
// token, then handed to the browser as a download.
import { ref } from 'vue'
import { download } from '../api.js'
import { useNotifyError } from './errors.js'

export function useDownload() {
  const busy = ref('')
  const notify = useNotifyError()
  async function save(path, fallbackName) {
    busy.value = path
    try {
      const { blob, filename } = await download(path, fallbackName)
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = filename
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      return filename
    } catch (err) {
      notify(err)
      return null
    } finally {
      busy.value = ''
    }
  }
  return { busy, save }
}
