'use strict'
// Every error kind with its outcome, as a VoiceCodeError with the core's fields; wrong argument
// types as TypeErrors; and in every not_sent case, nothing reaches the vendor.

const { test, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { Client, VoiceCodeError } = require('..')
const { startSimulator, mobile } = require('./support')

const sim = startSimulator()
beforeEach(() => {
  sim.clearFaults()
  sim.clearJournal()
})

/** The error `promise` rejects with, checked to be a VoiceCodeError. */
async function failure(promise) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof VoiceCodeError, `expected a VoiceCodeError, got ${e}`)
    assert.ok(e instanceof Error)
    return e
  }
  assert.fail('expected the call to fail')
}

const send = (vendor, extra = {}) =>
  new Client({ ...sim.config(vendor), ...extra }).sendCode({ to: mobile(), code: '4821' })

/** An ihuyi refusal with this vendor code (ihuyi's table: docs/protocols/ihuyi.md#result-codes). */
async function ihuyiRefusal(code) {
  sim.inject('ihuyi', { fault: 'vendor_code', code })
  return failure(send('ihuyi'))
}

test('invalid_input / not_sent: a malformed number is refused before anything is sent', async () => {
  const e = await failure(new Client(sim.config('ihuyi')).sendCode({ to: '12', code: '4821' }))
  assert.equal(e.code, 'invalid_input')
  assert.equal(e.outcome, 'not_sent')
  assert.equal(e.field, 'to')
  assert.equal(e.retryable, false)
  assert.deepEqual(sim.journal(), [])
})

test('invalid_input names request keys in camelCase and refuses unknown ones', async () => {
  const client = new Client(sim.config('ytx'))
  let e = await failure(client.sendCode({ to: mobile(), code: '4821', playTimes: 7 }))
  assert.equal(e.field, 'playTimes')
  e = await failure(client.sendCode({ to: mobile(), code: '4821', playTime: 2 }))
  assert.equal(e.code, 'invalid_input')
  assert.equal(e.field, 'playTime')
  e = await failure(client.sendCode({ to: mobile() }))
  assert.equal(e.field, 'code')
  assert.deepEqual(sim.journal(), [])
})

test('invalid_config / not_sent: a config error names the key, in camelCase', () => {
  assert.throws(
    () => new Client({ vendor: 'huawei', appKey: 'k' }),
    (e) => {
      assert.ok(e instanceof VoiceCodeError)
      assert.equal(e.code, 'invalid_config')
      assert.equal(e.outcome, 'not_sent')
      assert.equal(e.field, 'appSecret')
      return true
    },
  )
  assert.throws(() => new Client({ ...sim.config('ihuyi'), apiKye: 'x' }), { code: 'invalid_config', field: 'apiKye' })
  assert.throws(() => new Client({ vendor: 'twilio' }), { code: 'invalid_config', field: 'vendor' })
})

for (const [kind, code] of [
  ['auth_failed', '405'],
  ['forbidden', '4050'],
  ['recipient_blocked', '4030'],
  ['content_rejected', '407'],
  ['vendor_error', '0'],
]) {
  test(`${kind} / refused: ihuyi code ${code} carries the vendor's code and message`, async () => {
    const e = await ihuyiRefusal(code)
    assert.equal(e.code, kind)
    assert.equal(e.outcome, 'refused')
    assert.equal(e.vendor, 'ihuyi')
    assert.equal(e.vendorCode, code)
    assert.equal(typeof e.vendorMessage, 'string')
    assert.equal(e.httpStatus, 200)
    assert.equal(e.retryable, kind === 'vendor_error')
    assert.deepEqual(e.attempts, [])
    assert.equal(sim.count('ihuyi', 'send_code'), 1)
  })
}

test('rate_limited / refused: cloud10658 takes one call per number a minute', async () => {
  const client = new Client(sim.config('cloud10658'))
  const to = mobile()
  await client.sendCode({ to, code: '4821' })
  const e = await failure(client.sendCode({ to, code: '4821' }))
  assert.equal(e.code, 'rate_limited')
  assert.equal(e.outcome, 'refused')
  assert.equal(e.retryable, true)
})

test('insufficient_balance / refused: an empty ihuyi account', async () => {
  sim.setBalance('ihuyi', 0)
  try {
    const e = await failure(send('ihuyi'))
    assert.equal(e.code, 'insufficient_balance')
    assert.equal(e.outcome, 'refused')
    assert.equal(e.vendorCode, '4051')
  } finally {
    sim.setBalance('ihuyi', 100)
  }
})

test('timeout / unknown: no answer within timeoutMs; the message warns against resending', async () => {
  sim.inject('ihuyi', { fault: 'hang' })
  const e = await failure(send('ihuyi', { timeoutMs: 300 }))
  assert.equal(e.code, 'timeout')
  assert.equal(e.outcome, 'unknown')
  assert.equal(e.retryable, false)
  assert.match(e.message, /ring the phone twice/)
  assert.equal(sim.count('ihuyi', 'send_code'), 1)
})

test('network / unknown: the connection breaks after the request was sent', async () => {
  sim.inject('ihuyi', { fault: 'reset_before_answer' })
  const e = await failure(send('ihuyi'))
  assert.equal(e.code, 'network')
  assert.equal(e.outcome, 'unknown')
})

test('network / not_sent: nothing listens at the vendor address', async () => {
  const port = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
  const e = await failure(send('ihuyi', { baseUrl: `http://127.0.0.1:${port}` }))
  assert.equal(e.code, 'network')
  assert.equal(e.outcome, 'not_sent')
  assert.equal(e.retryable, true)
})

test('protocol / unknown: an answer that is not UTF-8', async () => {
  sim.inject('ihuyi', { fault: 'non_utf8_body' })
  const e = await failure(send('ihuyi'))
  assert.equal(e.code, 'protocol')
  assert.equal(e.outcome, 'unknown')
  assert.equal(e.httpStatus, 200)
})

test('sendCodeSync throws the same VoiceCodeError', () => {
  sim.inject('ihuyi', { fault: 'vendor_code', code: '405' })
  assert.throws(() => new Client(sim.config('ihuyi')).sendCodeSync({ to: mobile(), code: '4821' }), {
    name: 'VoiceCodeError',
    code: 'auth_failed',
    outcome: 'refused',
    vendorCode: '405',
  })
})

test('wrong argument types are TypeErrors (promises reject), and nothing is sent', async () => {
  const client = new Client(sim.config('huawei'))
  const typeError = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }
  for (const bad of [undefined, null, 42, 'to=138', ['13800138000', '4821']]) {
    const pending = client.sendCode(bad)
    assert.ok(pending instanceof Promise, 'sendCode never throws synchronously')
    await assert.rejects(pending, typeError)
    assert.throws(() => client.sendCodeSync(bad), typeError)
  }
  await assert.rejects(client.sendCode({ to: mobile(), code: '4821', userData: () => 1 }), {
    ...typeError,
    message: /request\.userData is a function/,
  })
  const cyclic = { to: mobile(), code: '4821' }
  cyclic.self = cyclic
  await assert.rejects(client.sendCode(cyclic), { ...typeError, message: /cyclic/ })
  await assert.rejects(client.sendCode({ to: mobile(), code: '4821', playTimes: 10n }), typeError)
  await assert.rejects(client.sendCode({ to: mobile(), code: '4821', userData: { n: 1n } }), {
    ...typeError,
    message: /request\.userData\.n is a bigint/,
  })
  assert.throws(() => new Client('huawei.toml'), typeError)
  assert.throws(() => Client.fromFile(42), typeError)
  assert.deepEqual(sim.journal(), [])
})

test('fields of the wrong type are invalid_input naming the request, and nothing is sent', async () => {
  const client = new Client(sim.config('huawei'))
  for (const request of [
    { to: 13800138000, code: '4821' },
    { to: mobile(), code: 4821 },
    { to: mobile(), code: '4821', playTimes: '2' },
    { to: mobile(), code: '4821', playTimes: 1.5 },
    { to: mobile(), code: '4821', playTimes: -1 },
    { to: mobile(), code: '4821', returnIdlePort: 'yes' },
  ]) {
    const e = await failure(client.sendCode(request))
    assert.equal(e.code, 'invalid_input')
    assert.equal(e.outcome, 'not_sent')
  }
  assert.deepEqual(sim.journal(), [])
})

test('undefined optional keys are left out, as JSON would', async () => {
  const receipt = await new Client(sim.config('huawei')).sendCode({
    to: mobile(),
    code: '4821',
    playTimes: undefined,
    userData: undefined,
  })
  assert.equal(receipt.vendor, 'huawei')
})

test('a VoiceCodeError has a stack, a name and the core message', async () => {
  const e = await failure(new Client(sim.config('ihuyi')).sendCode({ to: '12', code: '4821' }))
  assert.equal(e.name, 'VoiceCodeError')
  assert.match(String(e), /^VoiceCodeError: invalid to/)
  assert.ok(e.stack.includes('VoiceCodeError'))
})

test('a request key of the wrong type is invalid_input naming that key, in camelCase', async () => {
  const client = new Client(sim.config('huawei'))
  for (const [request, field] of [
    [{ to: 13800138000, code: '4821' }, 'to'],
    [{ to: mobile(), code: '4821', playTimes: '2' }, 'playTimes'],
    [{ to: mobile(), code: '4821', returnIdlePort: 'yes' }, 'returnIdlePort'],
  ]) {
    const e = await failure(client.sendCode(request))
    assert.equal(e.field, field)
  }
  const oneaccess = new Client(sim.config('oneaccess'))
  const e = await failure(oneaccess.sendSmsCode({ mobile: mobile(), purpose: 'sms', captchaToken: 't' }))
  assert.equal(e.code, 'invalid_input')
  assert.equal(e.field, 'purpose')
  assert.deepEqual(sim.journal(), [])
})

test('secrets stay out of inspection and error messages', () => {
  const config = { ...sim.config('ihuyi'), apiKey: 'S3CRET-api-key', timeoutMs: -5 }
  assert.throws(
    () => new Client(config),
    (e) =>
      e.code === 'invalid_config' &&
      e.field === 'timeoutMs' &&
      !JSON.stringify({ ...e, m: e.message }).includes('S3CRET'),
  )
  const client = new Client({ ...config, timeoutMs: 1000 })
  assert.ok(!require('node:util').inspect(client, { showHidden: true, depth: 5 }).includes('S3CRET'))
})
