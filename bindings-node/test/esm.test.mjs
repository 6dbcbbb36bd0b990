// The ES module entry point exports the very objects of the CommonJS one.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import * as esm from 'voicecode'
import { Client, VoiceCodeError, testing } from 'voicecode'

const cjs = createRequire(import.meta.url)('voicecode')

test('import and require give the same exports', () => {
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort())
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name)
})

test('an ES module caller gets receipts and VoiceCodeErrors', async () => {
  const sim = new testing.Simulator()
  try {
    const client = new Client(sim.config('ytx'))
    const receipt = await client.sendCode({ to: '13800138000', code: '4821' })
    assert.equal(receipt.vendor, 'ytx')
    await assert.rejects(client.sendCode({ to: '12', code: '4821' }), (e) => e instanceof VoiceCodeError)
  } finally {
    sim.close()
  }
})
