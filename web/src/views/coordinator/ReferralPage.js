// What both referral pages share (the coordinator's ReferralView and the
// provider's ReferralWorkView): the referral in the address, loaded and
// reloaded; plain moves without a form (POST /referrals/{id}/<move>); and
// the one form dialog an action opens (ReferralActionDialog props).
import { ElMessage } from 'element-plus'
import { computed, ref, shallowRef, watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute } from 'vue-router'
import { api } from '../../api.js'
import { useAsync } from '../../composables/async.js'
import { useNotifyError } from '../../composables/errors.js'
import { ENUMS } from '../../enums.js'

export function useReferralPage() {
  const { t } = useI18n()
  const route = useRoute()
  const notify = useNotifyError()
  const referral = useAsync((id) => api.get(`/referrals/${encodeURIComponent(id)}`))
  watch(() => route.params.id, (id) => id && referral.run(id), { immediate: true })
  const base = computed(() => `/referrals/${encodeURIComponent(route.params.id)}`)
  const reload = () => referral.run(route.params.id)

  function done() {
    ElMessage({ type: 'success', message: t('referrals.saved') })
    reload()
  }

  // A move without a form; busy names the one in flight.
  const busy = ref('')
  async function move(kind, path) {
    busy.value = kind
    try {
      await api.post(`${base.value}/${path}`, {})
      done()
    } catch (err) {
      notify(err)
    } finally {
      busy.value = ''
    }
  }

  // The action whose form is open: its kind (the dialog's key) and props.
  const dialogOpen = ref(false)
  const action = shallowRef(null)
  const actionKind = ref('')
  function openAction(kind, props) {
    actionKind.value = kind
    action.value = props
    dialogOpen.value = true
  }

  return {
    route, referral, r: computed(() => referral.data.value), base, reload, done, busy, move, notify,
    dialogOpen, action, actionKind, openAction,
  }
}

/** The provider's decline form for a referral path (ReferralActionDialog props). */
export function declineAction(t, path) {
  return {
    title: t('referrals.decline'),
    path: `${path}/decline`,
    intro: t('referrals.declineIntro'),
    fields: [
      {
        name: 'reason',
        label: t('referrals.declineReason'),
        type: 'select',
        required: true,
        testid: 'decline-reason',
        options: ENUMS.declineReason.map((v) => ({ value: v, label: t(`enums.declineReason.${v}`) })),
      },
      { name: 'note', label: t('referrals.note'), type: 'textarea', testid: 'decline-note' },
    ],
    danger: true,
    testid: 'dialog-decline',
  }
}
