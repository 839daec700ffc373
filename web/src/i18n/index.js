// Translations: Simplified Chinese first (the default), English second.
// The chosen language is remembered per browser in localStorage.
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import elementEn from 'element-plus/es/locale/lang/en'
import elementZhCn from 'element-plus/es/locale/lang/zh-cn'
import { setApiLanguage } from '../api.js'
import en from '../locales/en.json'
import zhCN from '../locales/zh-CN.json'
import { withParts } from '../locales/merge.js'

// Each area's strings live in locales/parts/<area>.<locale>.json.
const parts = import.meta.glob('../locales/parts/*.json', { eager: true })

/** The languages offered, each named in itself. */
export const LANGUAGES = [
  { code: 'zh-CN', name: '简体中文' },
  { code: 'en', name: 'English' },
]

const DEFAULT_LOCALE = 'zh-CN'
const STORAGE_KEY = 'lianzhu.locale'
const ELEMENT_LOCALES = { 'zh-CN': elementZhCn, en: elementEn }

function isSupported(code) {
  return LANGUAGES.some((l) => l.code === code)
}

function savedLocale() {
  try {
    const code = localStorage.getItem(STORAGE_KEY)
    return isSupported(code) ? code : DEFAULT_LOCALE
  } catch {
    return DEFAULT_LOCALE
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': withParts(zhCN, parts, 'zh-CN'), en: withParts(en, parts, 'en') },
})

/** Element Plus's own strings (pagination, date pickers, …) in the current language. */
export const elementLocale = computed(() => ELEMENT_LOCALES[i18n.global.locale.value])

function apply(code) {
  document.documentElement.lang = code
  setApiLanguage(code)
}

/** Switches the UI language and remembers the choice. */
export function setLocale(code) {
  if (!isSupported(code)) return
  i18n.global.locale.value = code
  try {
    localStorage.setItem(STORAGE_KEY, code)
  } catch {
    // Storage may be disabled; the choice then lasts until reload.
  }
  apply(code)
}

apply(i18n.global.locale.value)
