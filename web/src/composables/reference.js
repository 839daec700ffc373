// Reference data every page shares: the service catalogue and the place tree.
// Each is fetched once per page load (both change rarely) and shared.
import { computed, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { api } from '../api.js'
import { session } from '../session.js'

const TIERS = ['basic', 'relief', 'development', 'quality']

function cached(path) {
  const value = shallowRef([])
  const error = shallowRef(null)
  let promise = null
  function load() {
    if (!promise) {
      error.value = null
      promise = api
        .get(path)
        .then((res) => {
          value.value = res.items ?? []
          return value.value
        })
        .catch((err) => {
          promise = null // try again next time
          error.value = err
          return []
        })
    }
    return promise
  }
  return { value, error, load }
}

const catalogue = cached('/catalogue')
const places = cached('/places')

/** The service catalogue: items, names in the UI language, options grouped by tier. */
export function useCatalogue() {
  const { locale, t } = useI18n()
  catalogue.load()
  const byCode = computed(() => new Map(catalogue.value.value.map((it) => [it.code, it])))
  function itemName(code) {
    const it = byCode.value.get(code)
    if (!it) return code || ''
    return locale.value === 'en' ? it.name_en || it.name_zh : it.name_zh
  }
  const groups = computed(() =>
    TIERS.map((tier) => ({
      tier,
      label: t(`tiers.${tier}`),
      items: catalogue.value.value.filter((it) => it.tier === tier),
    })).filter((g) => g.items.length),
  )
  return { items: catalogue.value, error: catalogue.error, byCode, itemName, groups, ready: catalogue.load }
}

/** The place tree: names, paths, and cascader options within a scope. */
export function usePlaces() {
  places.load()
  const byCode = computed(() => new Map(places.value.value.map((p) => [p.code, p])))
  function placeName(code) {
    return byCode.value.get(code)?.name || code || ''
  }
  /** "柏树林街道 / 柏树林社区" from the street down (the district is the same for everyone). */
  function placePath(code) {
    const names = []
    let p = byCode.value.get(code)
    while (p && p.level !== 'district') {
      names.unshift(p.name)
      p = byCode.value.get(p.parent)
    }
    return names.length ? names.join(' / ') : code || ''
  }
  /**
   * Cascader options for the places within `within` (default: the user's place, or
   * the whole tree), down to `depth` ("street", "community" or "compound").
   */
  function options(within = session.user?.place || '', depth = 'community') {
    const levels = ['district', 'street', 'community', 'compound']
    const maxLevel = levels.indexOf(depth)
    const list = places.value.value
    const children = new Map()
    for (const p of list) {
      if (!children.has(p.parent || '')) children.set(p.parent || '', [])
      children.get(p.parent || '').push(p)
    }
    function build(p) {
      const node = { value: p.code, label: p.name }
      const kids = (children.get(p.code) || []).filter((c) => levels.indexOf(c.level) <= maxLevel)
      if (kids.length) node.children = kids.map(build)
      return node
    }
    const root = within ? byCode.value.get(within) : list.find((p) => p.level === 'district')
    return root ? [build(root)] : []
  }
  return { items: places.value, error: places.error, byCode, placeName, placePath, options, ready: places.load }
}
