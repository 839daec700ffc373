// The two languages hold the same keys, every enumeration value has a label,
// and every literal t('key') in the source exists (node --test).
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ENUMS } from './enums.js'
import { withParts } from './locales/merge.js'

const src = fileURLToPath(new URL('.', import.meta.url))
const read = (path) => JSON.parse(readFileSync(join(src, path), 'utf8'))
const parts = Object.fromEntries(readdirSync(join(src, 'locales/parts')).filter((f) => f.endsWith('.json')).map((f) => [f, read(`locales/parts/${f}`)]))
const zh = withParts(read('locales/zh-CN.json'), parts, 'zh-CN')
const en = withParts(read('locales/en.json'), parts, 'en')

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}
const has = (obj, key) => key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj) !== undefined

test('zh-CN and en have the same keys', () => {
  const a = new Set(keys(zh))
  const b = new Set(keys(en))
  assert.deepEqual([...a].filter((k) => !b.has(k)), [], 'keys only in zh-CN')
  assert.deepEqual([...b].filter((k) => !a.has(k)), [], 'keys only in en')
})

test('every enumeration value has a label in both languages', () => {
  const missing = []
  for (const [group, values] of Object.entries(ENUMS)) {
    for (const v of values) {
      for (const [name, messages] of [['zh-CN', zh], ['en', en]]) {
        if (!has(messages, `enums.${group}.${v}`)) missing.push(`${name}: enums.${group}.${v}`)
      }
    }
  }
  assert.deepEqual(missing, [])
})

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(vue|js)$/.test(name) && !name.endsWith('.test.js') ? [path] : []
  })
}

test('every literal translation key used in the source exists', () => {
  const missing = []
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\b(?:t|te)\('([a-zA-Z][\w.]*)'/g)) {
      if (!has(zh, m[1])) missing.push(`${file.slice(src.length)}: ${m[1]}`)
    }
    for (const m of text.matchAll(/(?:titleKey|labelKey):\s*'([\w.]+)'/g)) {
      if (!has(zh, m[1])) missing.push(`${file.slice(src.length)}: ${m[1]}`)
    }
  }
  assert.deepEqual(missing, [])
})
