// Builds each language's messages from the main file and the parts under
// locales/parts/<area>.<locale>.json, so that each area of the app keeps its
// own strings. A part's top-level keys must not collide with another's.

/** Deep-merges source into target (plain objects only) and returns target. */
export function deepMerge(target, source) {
  for (const [k, v] of Object.entries(source)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object') {
      deepMerge(target[k], v)
    } else {
      target[k] = v
    }
  }
  return target
}

/** Merges parts ({ path: messages }) into base for locale, by file name "<area>.<locale>.json". */
export function withParts(base, parts, locale) {
  const merged = structuredClone(base)
  for (const [path, mod] of Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))) {
    if (path.endsWith(`.${locale}.json`)) deepMerge(merged, mod.default ?? mod)
  }
  return merged
}
