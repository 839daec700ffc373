import { onScopeDispose, ref } from 'vue'

/** Phone width: below this the side menu becomes a drawer. Keep in step with styles/main.css. */
export const PHONE_QUERY = '(max-width: 767px)'

/** A ref that is true while the viewport has phone width. */
export function useIsPhone() {
  const media = window.matchMedia(PHONE_QUERY)
  const isPhone = ref(media.matches)
  const update = (event) => {
    isPhone.value = event.matches
  }
  media.addEventListener('change', update)
  onScopeDispose(() => media.removeEventListener('change', update))
  return isPhone
}
