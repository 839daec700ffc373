// The signed-in volunteer's own record (GET /providers/{provider_id}): its
// verification decides whether they may claim tasks yet.
import { computed } from 'vue'
import { api } from '../../api.js'
import { useAsync } from '../../composables/async.js'
import { session } from '../../session.js'

export function useVolunteerRecord() {
  const record = useAsync(() => {
    const id = session.user?.provider_id
    return id ? api.get(`/providers/${encodeURIComponent(id)}`) : Promise.resolve(null)
  })
  record.run()
  const verified = computed(() => record.data.value?.verification === 'verified')
  const light = computed(() => record.data.value?.traffic_light || '')
  return { record, verified, light }
}
