'use strict'
// examples/express-signup.js, served on 127.0.0.1 against the simulator and driven with fetch as
// a sign-up page would: start, read the code the phone heard, check.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Client, Verifier } = require('..')
const { createApp } = require('../examples/express-signup')
const { startSimulator, mobile } = require('./support')

const sim = startSimulator()
let base
let server

before(async () => {
  // One start per client IP an hour, so that the test sees the IP reach the verifier as `key`.
  const verifier = new Verifier(new Client(sim.config('huawei')), {
    secret: 'express-signup-example-secret-0123',
    keyHourlyCap: 2,
  })
  server = createApp(verifier).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

/** POSTs JSON; resolves to the status, the body and the Retry-After header. */
async function post(route, body) {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') }
}

test('sign-up: start calls the phone, the code it heard is approved once, limits are 429', async () => {
  const phone = mobile()
  const started = await post('/signup/start', { phone })
  assert.equal(started.status, 202)
  assert.equal(started.body.to, `+86${phone}`)
  assert.equal(started.body.status, 'sent')
  assert.equal(started.body.channel, 'voice')
  assert.ok(Date.parse(started.body.expiresAt) > Date.now())

  const code = sim.lastCode(phone)
  assert.match(code, /^\d{6}$/)
  const wrongCode = code === '000000' ? '111111' : '000000'
  assert.deepEqual(await post('/signup/check', { phone, code: wrongCode }), {
    status: 400,
    body: { status: 'wrong_code', attemptsLeft: 4 },
    retryAfter: null,
  })
  assert.deepEqual((await post('/signup/check', { phone, code })).body, { status: 'approved' })
  assert.deepEqual(await post('/signup/check', { phone, code }), {
    status: 410,
    body: { status: 'not_found' },
    retryAfter: null,
  })

  // The number's cooldown: 429 with Retry-After, and no second call.
  const again = await post('/signup/start', { phone })
  assert.equal(again.status, 429)
  assert.equal(again.body.error, 'rate_limited')
  assert.ok(Number(again.retryAfter) > 0, again.retryAfter)
  assert.equal(sim.journal().filter((j) => j.phone?.endsWith(phone)).length, 1)
})

test('sign-up: a text first, then a call with the same code when the page asks again', async () => {
  const verifier = new Verifier([sim.config('tencent', 'sms'), sim.config('huawei')], {
    secret: 'express-signup-example-secret-0123',
    cooldownSecs: 0,
  })
  const smsServer = createApp(verifier).listen(0, '127.0.0.1')
  await new Promise((resolve) => smsServer.once('listening', resolve))
  const at = `http://127.0.0.1:${smsServer.address().port}`
  const send = async (route, body) => {
    const res = await fetch(`${at}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  try {
    const phone = mobile()
    const texted = await send('/signup/start', { phone })
    assert.equal(texted.body.channel, 'sms')
    const code = sim.lastCode(phone)
    const called = await send('/signup/start', { phone })
    assert.equal(called.body.channel, 'voice')
    assert.equal(called.body.expiresAt, texted.body.expiresAt)
    assert.equal(sim.lastCode(phone), code)
    assert.deepEqual((await send('/signup/check', { phone, code })).body, { status: 'approved' })
    const byVoice = await send('/signup/start', { phone: mobile(), channel: 'voice' })
    assert.equal(byVoice.body.channel, 'voice')
    assert.deepEqual(await send('/signup/start', { phone: mobile(), channel: 'fax' }), {
      status: 400,
      body: { error: 'invalid_input', field: 'channel' },
    })
  } finally {
    await new Promise((resolve) => smsServer.close(resolve))
  }
})

test('sign-up: the client IP is the key the per-IP cap counts', async () => {
  // keyHourlyCap is 2 and the first test used one start from 127.0.0.1.
  assert.equal((await post('/signup/start', { phone: mobile() })).status, 202)
  const capped = await post('/signup/start', { phone: mobile() })
  assert.equal(capped.status, 429)
  assert.ok(Number(capped.retryAfter) > 0)
})

test('sign-up: bad requests are 400 naming the field, and nothing is sent', async () => {
  sim.clearJournal()
  assert.deepEqual((await post('/signup/start', {})).body, { error: 'invalid_input', field: 'phone' })
  assert.deepEqual((await post('/signup/start', { phone: '12' })).body, { error: 'invalid_input', field: 'phone' })
  assert.deepEqual((await post('/signup/check', { phone: mobile(), code: 'abc' })).body, {
    error: 'invalid_input',
    field: 'code',
  })
  assert.deepEqual(await post('/signup/check', 'not json'), {
    status: 400,
    body: { error: 'invalid_json' },
    retryAfter: null,
  })
  assert.deepEqual(sim.journal(), [])
})
