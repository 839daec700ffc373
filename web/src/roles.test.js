import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canOpen } from './roles.js'

test('canOpen: no roles means everyone signed in; otherwise only those roles', () => {
  assert.equal(canOpen(undefined, 'volunteer'), true)
  assert.equal(canOpen([], 'ngo'), true)
  assert.equal(canOpen(['admin'], 'admin'), true)
  assert.equal(canOpen(['admin'], 'coordinator'), false)
  assert.equal(canOpen(['ngo', 'unit', 'enterprise'], 'enterprise'), true)
  assert.equal(canOpen(['coordinator'], undefined), false)
})
