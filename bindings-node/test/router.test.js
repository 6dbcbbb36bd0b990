'use strict'
// Failover across vendors: on to the next channel only when no call can have been placed.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { Client, Router, VoiceCodeError } = require('..')
const { startSimulator, mobile } = require('./support')

const sim = startSimulator()
beforeEach(() => {
  sim.clearFaults()
  sim.clearJournal()
  sim.setBalance('ihuyi', 100)
})

test('a refusal for account reasons fails over to the next channel', async () => {
  sim.setBalance('ihuyi', 0)
  const router = new Router([sim.config('ihuyi'), sim.config('ytx')])
  const receipt = await router.sendCode({ to: mobile(), code: '4821' })
  assert.equal(receipt.vendor, 'ytx')
  assert.equal(sim.count('ihuyi', 'send_code'), 1)
  assert.equal(sim.count('ytx', 'send_code'), 1)
})

test('an unknown outcome stops the router: the first call may be ringing', async () => {
  sim.inject('ihuyi', { fault: 'hang' })
  const router = new Router([{ ...sim.config('ihuyi'), timeoutMs: 300 }, sim.config('ytx')])
  await assert.rejects(router.sendCode({ to: mobile(), code: '4821' }), (e) => {
    assert.ok(e instanceof VoiceCodeError)
    assert.equal(e.code, 'timeout')
    assert.equal(e.outcome, 'unknown')
    assert.equal(e.attempts.length, 1)
    assert.equal(e.attempts[0].vendor, 'ihuyi')
    return true
  })
  assert.equal(sim.count('ytx', 'send_code'), 0)
})

test('when every channel fails, attempts lists each one in camelCase', async () => {
  sim.inject('ihuyi', { fault: 'vendor_code', code: '4051' })
  sim.inject('ytx', { fault: 'vendor_code', code: '-204' })
  const router = new Router([sim.config('ihuyi'), sim.config('ytx')])
  await assert.rejects(router.sendCode({ to: mobile(), code: '4821' }), (e) => {
    assert.equal(e.code, 'insufficient_balance')
    assert.equal(e.outcome, 'refused')
    assert.deepEqual(
      e.attempts.map((a) => [a.vendor, a.kind, a.outcome, a.vendorCode, a.skipped]),
      [
        ['ihuyi', 'insufficient_balance', 'refused', '4051', false],
        ['ytx', 'insufficient_balance', 'refused', '-204', false],
      ],
    )
    assert.match(e.message, /no channel accepted the call/)
    return true
  })
})

test('a channel that cannot carry the request is skipped without sending', async () => {
  // ihuyi has no play count; ytx plays the code 1 to 3 times.
  const router = new Router([sim.config('ihuyi'), sim.config('ytx')])
  const receipt = await router.sendCode({ to: mobile(), code: '4821', playTimes: 2 })
  assert.equal(receipt.vendor, 'ytx')
  assert.equal(sim.count('ihuyi', 'send_code'), 0)
})

test('Client instances can be routed, sharing their connection pools', () => {
  const router = new Router([new Client(sim.config('cloud10658')), sim.config('huawei')])
  const receipt = router.sendCodeSync({ to: mobile(), code: '4821' })
  assert.equal(receipt.vendor, 'cloud10658')
})

test('bad channel lists are refused when the router is built', () => {
  assert.throws(() => new Router(sim.config('ytx')), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  assert.throws(() => new Router([]), { name: 'VoiceCodeError', code: 'invalid_config', field: 'channels' })
  assert.throws(() => new Router([sim.config('ytx'), { vendor: 'ytx' }]), {
    name: 'VoiceCodeError',
    code: 'invalid_config',
    field: 'accountSid',
  })
  assert.throws(() => new Router([sim.config('ytx'), 'ihuyi.toml']), { name: 'TypeError' })
})

test('invalid input stops the router before anything is sent', async () => {
  const router = new Router([sim.config('ihuyi'), sim.config('ytx')])
  await assert.rejects(router.sendCode({ to: '12', code: '4821' }), { code: 'invalid_input', outcome: 'not_sent' })
  await assert.rejects(router.sendCode('13800138000'), { name: 'TypeError' })
  assert.deepEqual(sim.journal(), [])
})

test('a huawei refusal fails over to aliyun, and an unknown huawei outcome never reaches it', async () => {
  const router = new Router([sim.config('huawei'), sim.config('aliyun')])
  sim.inject('huawei', { fault: 'vendor_code', code: '1010009' })
  const receipt = await router.sendCode({ to: mobile(), code: '4821' })
  assert.equal(receipt.vendor, 'aliyun')
  assert.equal(sim.count('aliyun', 'send_code'), 1)

  sim.inject('huawei', { fault: 'http_5xx_html' })
  await assert.rejects(router.sendCode({ to: mobile(), code: '4821' }), (e) => {
    assert.equal(e.code, 'protocol')
    assert.equal(e.outcome, 'unknown')
    return true
  })
  assert.equal(sim.count('aliyun', 'send_code'), 1)
})
