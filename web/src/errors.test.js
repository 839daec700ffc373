// Unit tests for the one error helper (node --test).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { errorText, fieldCandidates, localizeServerMessage, placeFieldErrors } from './errors.js'

const t = (key, params = {}) => `${key}${Object.keys(params).length ? JSON.stringify(params) : ''}`
const apiError = (init) => ({ name: 'ApiError', fields: [], requestId: '', ...init })

test('bilingual server messages are split by language', () => {
  assert.equal(localizeServerMessage('请先登录 / sign in first', 'zh-CN'), '请先登录')
  assert.equal(localizeServerMessage('请先登录 / sign in first', 'en'), 'sign in first')
  assert.equal(localizeServerMessage('服务容量须在1–100000之间', 'en'), '服务容量须在1–100000之间')
  // A slash between two Chinese parts is not a language split.
  assert.equal(localizeServerMessage('甲 / 乙', 'en'), '甲 / 乙')
  assert.equal(localizeServerMessage(undefined, 'en'), '')
})

test('errorText names the kind of failure and keeps the server words', () => {
  assert.deepEqual(errorText(apiError({ status: 0, code: 'network', message: 'Failed to fetch' }), t, 'zh-CN'), {
    title: 'errors.network',
    detail: '',
  })
  assert.deepEqual(errorText(apiError({ status: 500, code: 'internal', message: 'internal error' }), t, 'zh-CN'), {
    title: 'errors.server',
    detail: '',
  })
  assert.deepEqual(
    errorText(apiError({ status: 409, code: 'conflict', message: '需求已关闭 / already closed' }), t, 'en'),
    { title: 'errors.conflict', detail: 'already closed' },
  )
  assert.deepEqual(
    errorText(apiError({ status: 503, code: 'unavailable', message: 'meilisearch down' }), t, 'en'),
    { title: 'errors.unavailable', detail: 'meilisearch down' },
  )
  assert.equal(errorText(apiError({ status: 418, code: 'http_418', message: '' }), t, 'en').title, 'errors.generic{"status":418}')
})

test('errorText lists field messages of an invalid answer', () => {
  const err = apiError({
    status: 400,
    code: 'invalid',
    message: '输入有误 / invalid input',
    fields: [
      { field: 'capacity', rule: 'range', message: '服务容量须在1–100000之间' },
      { field: 'title', rule: 'required', message: '标题不能为空' },
    ],
  })
  assert.deepEqual(errorText(err, t, 'zh-CN'), { title: 'errors.invalid', detail: '服务容量须在1–100000之间；标题不能为空' })
})

test('errorText of a plain Error is "unexpected"', () => {
  assert.deepEqual(errorText(new TypeError('x is undefined'), t, 'en'), { title: 'errors.unexpected', detail: 'x is undefined' })
  assert.deepEqual(errorText(null, t, 'en'), { title: '', detail: '' })
})

test('fieldCandidates goes from precise to general', () => {
  assert.deepEqual(fieldCandidates('capacity'), ['capacity'])
  assert.deepEqual(fieldCandidates('area.places[0]'), ['area.places[0]', 'area.places', 'area'])
  assert.deepEqual(fieldCandidates('members[2].disability.value.grade'), [
    'members[2].disability.value.grade',
    'members.disability.value.grade',
    'members[2].disability.value',
    'members.disability.value',
    'members[2].disability',
    'members.disability',
    'members[2]',
    'members',
  ])
})

test('placeFieldErrors puts each message on the nearest form field', () => {
  const fields = [
    { field: 'capacity', rule: 'range', message: '服务容量须在1–100000之间' },
    { field: 'capacity', rule: 'other', message: 'second message is dropped' },
    { field: 'area.places[1]', rule: 'exists', message: '区划不存在 / no such place' },
    { field: 'audience.tiers', rule: 'required', message: '服务对象须选择' },
    { field: 'left', rule: 'range', message: '剩余容量须在0到服务容量之间' },
  ]
  const known = ['capacity', 'area.places', 'audience.tiers']
  const { byField, unplaced } = placeFieldErrors(fields, known, 'en')
  assert.deepEqual(byField, {
    capacity: '服务容量须在1–100000之间',
    'area.places': 'no such place',
    'audience.tiers': '服务对象须选择',
  })
  assert.deepEqual(unplaced, ['left: 剩余容量须在0到服务容量之间'])
})

test('placeFieldErrors follows aliases', () => {
  const { byField } = placeFieldErrors([{ field: 'area.center', message: '服务范围须指定区划' }], ['area.places'], 'zh-CN', {
    'area.center': 'area.places',
  })
  assert.deepEqual(byField, { 'area.places': '服务范围须指定区划' })
})
