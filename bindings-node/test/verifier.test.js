'use strict'
// Verifier: the core's verification lifecycle through the Node API, against the simulator. The
// simulator remembers the code each number was called with (`sim.lastCode`), so the tests
// type what the phone heard. The rules themselves are the core's (core/tests/verify.rs); these
// tests hold the binding to them: shapes, errors, concurrency, stores, secrets.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { spawn, spawnSync } = require('node:child_process')
const { Client, Router, Verifier, VoiceCodeError } = require('..')
const { startSimulator, mobile } = require('./support')

const SECRET = 'verifier-test-secret-do-not-log-0123'
const sim = startSimulator()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voicecode-verifier-'))
after(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** A verifier over the simulated Huawei account (2–8 digit codes), with `config` on top. */
function verifier(config = {}) {
  return new Verifier(new Client(sim.config('huawei')), { secret: SECRET, ...config })
}

/** A code of the same length that is not `code`. */
const wrong = (code) => String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0')

const sends = () => sim.count('huawei', 'send_code')

/** The error a promise rejects with (fails if it resolves). */
async function rejection(promise) {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${util.inspect(value)}`),
    (e) => e,
  )
}

/** The error a call throws (fails if it returns). */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

describe('lifecycle', () => {
  test('start calls the number; the code it heard is approved once, then not_found', async () => {
    const v = verifier()
    const to = mobile()
    const before = Date.now()
    const started = await v.start(to)
    assert.equal(started.to, `+86${to}`)
    assert.equal(started.status, 'sent')
    assert.equal(started.receipt.vendor, 'huawei')
    assert.equal(typeof started.receipt.messageId, 'string')
    assert.equal(started.error, undefined)
    assert.equal(started.maxAttempts, 5)
    assert.equal(started.unverifiedStarts, 1)
    // RFC 3339, UTC, the default ttlSecs (600) from now.
    assert.match(started.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    const ttl = Date.parse(started.expiresAt) - before
    assert.ok(ttl > 599_000 && ttl < 601_000 + (Date.now() - before), `${ttl} ms`)

    const code = sim.lastCode(to)
    assert.match(code, /^\d{6}$/)
    assert.deepEqual(await v.check(to, code), { status: 'approved', approved: true, channel: 'voice' })
    assert.deepEqual(await v.check(`+86${to}`, code), { status: 'not_found', approved: false })
  })

  test('a wrong code is wrong_code with attemptsLeft, and the right one still passes', async () => {
    const v = verifier()
    const to = mobile()
    await v.start(to)
    const code = sim.lastCode(to)
    assert.deepEqual(await v.check(to, wrong(code)), { status: 'wrong_code', approved: false, attemptsLeft: 4 })
    assert.deepEqual(await v.check(to, wrong(code)), { status: 'wrong_code', approved: false, attemptsLeft: 3 })
    assert.deepEqual(await v.check(to, code), { status: 'approved', approved: true, channel: 'voice' })
  })

  test('after maxAttempts wrong codes even the right one is too_many_attempts', async () => {
    const v = verifier({ maxAttempts: 2 })
    const to = mobile()
    assert.equal((await v.start(to)).maxAttempts, 2)
    const code = sim.lastCode(to)
    assert.equal((await v.check(to, wrong(code))).attemptsLeft, 1)
    assert.equal((await v.check(to, wrong(code))).attemptsLeft, 0)
    assert.deepEqual(await v.check(to, code), { status: 'too_many_attempts', approved: false })
  })

  test('cancel: later checks are canceled, and the start still counts for the cooldown', async () => {
    const v = verifier()
    const to = mobile()
    await v.start(to)
    const code = sim.lastCode(to)
    assert.equal(await v.cancel(to), undefined)
    assert.deepEqual(await v.check(to, code), { status: 'canceled', approved: false })
    assert.equal((await rejection(v.start(to))).code, 'rate_limited')
  })

  test('clear forgets the number: its code, and its cooldown', async () => {
    const v = verifier()
    const to = mobile()
    await v.start(to)
    const code = sim.lastCode(to)
    assert.equal(await v.clear(to), undefined)
    assert.deepEqual(await v.check(to, code), { status: 'not_found', approved: false })
    await v.start(to)
    assert.equal((await v.check(to, sim.lastCode(to))).approved, true)
    assert.equal((await rejection(v.clear(''))).code, 'invalid_input')
  })

  test('a code past ttlSecs is expired', async () => {
    const v = verifier({ ttlSecs: 1 })
    const to = mobile()
    await v.start(to)
    const code = sim.lastCode(to)
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    assert.deepEqual(await v.check(to, code), { status: 'expired', approved: false })
  })

  test('never started is not_found', async () => {
    assert.deepEqual(await verifier().check(mobile(), '123456'), { status: 'not_found', approved: false })
  })

  test('options: a code of our own and the send options reach the vendor', async () => {
    const v = verifier({ codeLength: 4 })
    const to = mobile()
    sim.clearJournal()
    const started = await v.start(to, { code: '4821', playTimes: 2, userData: 'signup-7' })
    assert.equal(started.status, 'sent')
    assert.equal(sim.lastCode(to), '4821')
    assert.equal(sends(), 1)
    assert.deepEqual(await v.check(to, '4821'), { status: 'approved', approved: true, channel: 'voice' })
  })

  test('channels: a Router, a Client, configs and Clients mixed are all accepted', async () => {
    const client = new Client(sim.config('ihuyi'))
    for (const channels of [new Router([sim.config('ihuyi')]), client, [sim.config('huawei'), client]]) {
      const v = new Verifier(channels, { secret: SECRET })
      const to = mobile()
      assert.equal((await v.start(to)).status, 'sent')
      assert.equal((await v.check(to, sim.lastCode(to))).approved, true)
    }
  })

  test('a send the vendor may have received resolves may_have_been_sent, with a VoiceCodeError', async () => {
    const v = verifier()
    const to = mobile()
    sim.inject('huawei', { fault: 'reset_before_answer' })
    const started = await v.start(to, { code: '482193' })
    assert.equal(started.status, 'may_have_been_sent')
    assert.equal(started.receipt, undefined)
    assert.ok(started.error instanceof VoiceCodeError, util.inspect(started.error))
    assert.equal(started.error.outcome, 'unknown')
    assert.equal(started.error.code, 'network')
    assert.equal(started.error.vendor, 'huawei')
    // The code stays valid: the phone may ring.
    assert.deepEqual(await v.check(to, '482193'), { status: 'approved', approved: true, channel: 'voice' })
  })

  test('a send the vendor refused rejects with its error and gives the reservation back', async () => {
    const v = new Verifier([sim.config('ihuyi')], { secret: SECRET })
    const to = mobile()
    sim.inject('ihuyi', { fault: 'vendor_code', code: '405' })
    const e = await rejection(v.start(to))
    assert.ok(e instanceof VoiceCodeError, `${e}`)
    assert.equal(e.code, 'auth_failed')
    assert.equal(e.outcome, 'refused')
    assert.equal(e.vendorCode, '405')
    assert.equal(sim.lastCode(to), null)
    // Nothing was placed, so the number is not in its cooldown.
    assert.equal((await v.start(to)).status, 'sent')
  })
})

/** Starts a verification, then checks the right code `n` times at once. */
async function parallelChecks(v, n = 100) {
  const to = mobile()
  await v.start(to)
  const code = sim.lastCode(to)
  const checks = await Promise.all(Array.from({ length: n }, () => v.check(to, code)))
  const statuses = checks.map((c) => c.status)
  assert.equal(statuses.filter((s) => s === 'approved').length, 1, statuses.join(' '))
  assert.deepEqual(new Set(statuses), new Set(['approved', 'not_found']))
}

describe('concurrency', () => {
  test('100 concurrent checks of the right code: exactly one approved (memory)', async () => {
    await parallelChecks(verifier())
  })

  test('100 concurrent checks of the right code: exactly one approved (SQLite file)', async () => {
    await parallelChecks(verifier({ store: `sqlite:${path.join(tmp, 'checks.db')}` }))
  })

  test('50 concurrent starts for one number: one call, 49 rate_limited with retryAfter', async () => {
    const v = verifier()
    const to = mobile()
    sim.clearJournal()
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => v.start(to)))
    const sent = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason)
    assert.equal(sent.length, 1)
    assert.equal(sent[0].value.status, 'sent')
    assert.equal(refused.length, 49)
    for (const e of refused) {
      assert.ok(e instanceof VoiceCodeError, `${e}`)
      assert.equal(e.code, 'rate_limited')
      assert.equal(e.outcome, 'not_sent')
      assert.ok(Number.isInteger(e.retryAfter) && e.retryAfter > 0, `retryAfter ${e.retryAfter}`)
    }
    assert.equal(sim.journal().filter((j) => j.operation === 'send_code').length, 1)
    assert.equal(sim.journal()[0].phone.endsWith(to), true)
  })

  test('the event loop stays free while starts wait on the vendor', async (t) => {
    const CALLS = 64
    const LATENCY_MS = 200
    // On libuv's 4 worker threads 64 calls × 200 ms would take 3.2 s.
    const BUDGET_MS = 1_500
    const TICK_MS = 10
    const v = verifier()
    await v.start(mobile()) // warm up the runtime and the connection pool
    sim.inject('huawei', { fault: 'latency', ms: LATENCY_MS })
    t.after(() => sim.clearFaults())

    const ticks = []
    const start = performance.now()
    const timer = setInterval(() => ticks.push(performance.now()), TICK_MS)
    const started = await Promise.all(Array.from({ length: CALLS }, () => v.start(mobile())))
    const elapsed = performance.now() - start
    clearInterval(timer)

    const gaps = ticks.map((at, i) => at - (i === 0 ? start : ticks[i - 1]))
    const worstGap = Math.max(...gaps)
    t.diagnostic(
      `${CALLS} starts took ${elapsed.toFixed(0)} ms; ${ticks.length} ticks, worst gap ${worstGap.toFixed(1)} ms`,
    )
    assert.ok(started.every((s) => s.status === 'sent'))
    assert.ok(elapsed >= LATENCY_MS, `the injected latency applies (${elapsed} ms)`)
    assert.ok(elapsed < BUDGET_MS, `${CALLS} starts took ${elapsed.toFixed(0)} ms`)
    assert.ok(ticks.length >= Math.floor(elapsed / TICK_MS) / 2, `${ticks.length} ticks in ${elapsed} ms`)
    assert.ok(worstGap < LATENCY_MS, `the timer was held up for ${worstGap.toFixed(1)} ms`)
  })
})

describe('bad input is refused naming the field, and nothing is sent', () => {
  const TO = '13800138000'
  // [what, call, kind: a VoiceCodeError code or 'TypeError', the field named]
  const CASES = [
    ['check: empty code', (v) => v.check(TO, ''), 'invalid_input', 'code'],
    ['check: letters', (v) => v.check(TO, '12ab56'), 'invalid_input', 'code'],
    ['check: too long', (v) => v.check(TO, '123456789'), 'invalid_input', 'code'],
    ['check: a number', (v) => v.check(TO, 482193), 'TypeError', 'code'],
    ['check: undefined code', (v) => v.check(TO), 'TypeError', 'code'],
    ['check: null code', (v) => v.check(TO, null), 'TypeError', 'code'],
    ['check: undefined to', (v) => v.check(undefined, '482193'), 'TypeError', 'to'],
    ['check: bad number', (v) => v.check('12345', '482193'), 'invalid_input', 'to'],
    ['start: empty code', (v) => v.start(TO, { code: '' }), 'invalid_input', 'code'],
    ['start: letters', (v) => v.start(TO, { code: 'abcdef' }), 'invalid_input', 'code'],
    ['start: code a number', (v) => v.start(TO, { code: 482193 }), 'invalid_input', 'code'],
    ['start: key a number', (v) => v.start(TO, { key: 7 }), 'invalid_input', 'key'],
    ['start: playTimes a string', (v) => v.start(TO, { playTimes: 'two' }), 'invalid_input', 'playTimes'],
    ['start: playTimes out of range', (v) => v.start(TO, { playTimes: 10 }), 'invalid_input', 'playTimes'],
    ['start: unknown option', (v) => v.start(TO, { playTime: 2 }), 'invalid_input', 'playTime'],
    ['start: to as an option', (v) => v.start(TO, { to: TO }), 'invalid_input', 'to'],
    ['start: options a string', (v) => v.start(TO, 'fast'), 'TypeError', 'options'],
    ['start: undefined to', (v) => v.start(), 'TypeError', 'to'],
    ['start: null to', (v) => v.start(null), 'TypeError', 'to'],
    ['start: to a number', (v) => v.start(13800138000), 'TypeError', 'to'],
    ['start: to a landline', (v) => v.start('010'), 'invalid_input', 'to'],
    ['cancel: undefined to', (v) => v.cancel(), 'TypeError', 'to'],
    ['cancel: to an object', (v) => v.cancel({ to: TO }), 'TypeError', 'to'],
  ]

  const v = verifier()
  for (const [what, call, kind, field] of CASES) {
    test(what, async () => {
      sim.clearJournal()
      const e = await rejection(call(v))
      if (kind === 'TypeError') {
        assert.ok(e instanceof TypeError, `${e}`)
        assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
        assert.ok(e.message.startsWith(`${field} `), e.message)
      } else {
        assert.ok(e instanceof VoiceCodeError, `${e}`)
        assert.equal(e.code, kind)
        assert.equal(e.field, field, e.message)
        assert.equal(e.outcome, 'not_sent')
      }
      assert.deepEqual(sim.journal(), [])
    })
  }

  const CONFIGS = [
    ['a too-short secret', () => [[sim.config('huawei')], { secret: 'fifteen-bytes!!' }], 'invalid_config', 'secret'],
    ['no secret', () => [[sim.config('huawei')], {}], 'invalid_config', 'secret'],
    ['a secret that is a number', () => [[sim.config('huawei')], { secret: 1234 }], 'invalid_config', 'secret'],
    [
      'an unknown key',
      () => [[sim.config('huawei')], { secret: SECRET, ttlSeconds: 60 }],
      'invalid_config',
      'ttlSeconds',
    ],
    [
      'a wrong-typed key',
      () => [[sim.config('huawei')], { secret: SECRET, codeLength: '6' }],
      'invalid_config',
      'codeLength',
    ],
    [
      'a negative count',
      () => [[sim.config('huawei')], { secret: SECRET, maxAttempts: -1 }],
      'invalid_config',
      'maxAttempts',
    ],
    [
      'zero attempts',
      () => [[sim.config('huawei')], { secret: SECRET, maxAttempts: 0 }],
      'invalid_config',
      'maxAttempts',
    ],
    [
      'a malformed store URL',
      () => [[sim.config('huawei')], { secret: SECRET, store: 'redis:/nohost' }],
      'invalid_config',
      'store',
    ],
    [
      'an unknown store',
      () => [[sim.config('huawei')], { secret: SECRET, store: 'postgres://x' }],
      'invalid_config',
      'store',
    ],
    [
      'an empty sqlite path',
      () => [[sim.config('huawei')], { secret: SECRET, store: 'sqlite:' }],
      'invalid_config',
      'store',
    ],
    [
      'bad quiet hours',
      () => [[sim.config('huawei')], { secret: SECRET, quietHours: '22-8' }],
      'invalid_config',
      'quietHours',
    ],
    [
      'a code length ihuyi cannot speak',
      () => [[sim.config('ihuyi')], { secret: SECRET, codeLength: 8 }],
      'invalid_config',
      'codeLength',
    ],
    ['no channels', () => [[], { secret: SECRET }], 'invalid_config', 'channels'],
    ['a bad channel config', () => [[{ vendor: 'ihuyi' }], { secret: SECRET }], 'invalid_config', 'account'],
    ['undefined channels', () => [undefined, { secret: SECRET }], 'TypeError', 'channels'],
    ['null channels', () => [null, { secret: SECRET }], 'TypeError', 'channels'],
    ['channels a string', () => ['huawei', { secret: SECRET }], 'TypeError', 'channels'],
    ['undefined config', () => [[sim.config('huawei')], undefined], 'TypeError', 'config'],
    ['null config', () => [[sim.config('huawei')], null], 'TypeError', 'config'],
    ['config an array', () => [[sim.config('huawei')], [SECRET]], 'TypeError', 'config'],
  ]
  for (const [what, args, kind, field] of CONFIGS) {
    test(`new Verifier: ${what}`, () => {
      const [channels, config] = args()
      const e = thrown(() => new Verifier(channels, config))
      if (kind === 'TypeError') {
        assert.ok(e instanceof TypeError, `${e}`)
        assert.ok(e.message.startsWith(`${field} `), e.message)
      } else {
        assert.ok(e instanceof VoiceCodeError, `${e}`)
        assert.equal(e.code, kind)
        assert.equal(e.field, field, e.message)
      }
    })
  }

  test('no SQLite file is created for a config that is refused before the store opens', () => {
    const file = path.join(tmp, 'refused.db')
    const e = thrown(() => new Verifier([], { secret: SECRET, store: `sqlite:${file}` }))
    assert.equal(e.field, 'channels')
    assert.equal(fs.existsSync(file), false)
  })

  test('a Redis server that is down is store_unavailable on use, and nothing is sent', async () => {
    const port = await freePort()
    const v = verifier({ store: `redis://127.0.0.1:${port}/0` })
    sim.clearJournal()
    const e = await rejection(v.start(mobile()))
    assert.ok(e instanceof VoiceCodeError, `${e}`)
    assert.equal(e.code, 'store_unavailable')
    assert.equal(e.outcome, 'not_sent')
    assert.equal((await rejection(v.check(mobile(), '123456'))).code, 'store_unavailable')
    assert.deepEqual(sim.journal(), [])
  })
})

describe('secrets and codes are never shown', () => {
  test('in error messages', async () => {
    const code = '48219307'
    const messages = []
    const v = verifier({ codeLength: 8 })
    const to = mobile()
    await v.start(to, { code })
    messages.push((await rejection(v.start(to, { code }))).message) // rate_limited
    messages.push((await rejection(v.start(mobile(), { code: `${code}9` }))).message) // too long
    messages.push((await rejection(v.check(to, `${code}9`))).message)
    messages.push((await rejection(verifier({ codeLength: 6 }).start(mobile(), { code: `x${code}` }))).message)
    for (const config of [
      { secret: SECRET, codeLength: 'six' },
      { secret: SECRET, zzz: SECRET },
      { secret: SECRET, store: `redis://:${SECRET}@[bad/0` },
      { secret: SECRET.slice(0, 15) },
    ]) {
      messages.push(thrown(() => new Verifier([sim.config('huawei')], config)).message)
    }
    for (const message of messages) {
      assert.ok(!message.includes(code), message)
      assert.ok(!message.includes(SECRET.slice(0, 15)), message)
    }
  })

  test('in util.inspect of a Verification, of a Verifier and of a may_have_been_sent error', async () => {
    const v = verifier()
    const to = mobile()
    const sent = await v.start(to)
    const code = sim.lastCode(to)
    sim.inject('huawei', { fault: 'reset_before_answer' })
    const maybe = await v.start(mobile(), { code: '730541' })
    for (const shown of [
      util.inspect(sent, { depth: null }),
      util.inspect(maybe, { depth: null, showHidden: true }),
      JSON.stringify(sent),
      JSON.stringify(maybe),
      util.inspect(v, { depth: null, showHidden: true }),
    ]) {
      for (const secret of [code, '730541', SECRET]) assert.ok(!shown.includes(secret), shown)
    }
  })
})

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const hasRedis = !spawnSync('redis-server', ['--version']).error

describe('Redis store', { skip: !hasRedis && !process.env.CI && 'redis-server is not installed' }, () => {
  let store
  let server

  before(async () => {
    assert.ok(hasRedis, 'redis-server is not installed (apt-get install -y redis-server)')
    const port = await freePort()
    const dir = fs.mkdtempSync(path.join(tmp, 'redis-'))
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    for (let i = 0; i < 100; i++) {
      const up = await new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true))
        socket.on('error', () => resolve(false))
      })
      if (up) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    store = `redis://127.0.0.1:${port}/0`
  })

  after(() => {
    if (server) process.kill(server.pid)
  })

  test('100 concurrent checks of the right code: exactly one approved', async () => {
    await parallelChecks(verifier({ store }))
  })

  test('two Verifiers sharing the store share the codes, the limits and cancels', async () => {
    const a = verifier({ store })
    const b = new Verifier(new Router([sim.config('huawei')]), { secret: SECRET, store })
    const to = mobile()
    sim.clearJournal()
    await a.start(to)
    // The cooldown is the store's: the other process may not call the number again.
    const e = await rejection(b.start(to))
    assert.equal(e.code, 'rate_limited')
    assert.ok(e.retryAfter > 0)
    assert.equal(sends(), 1)
    const code = sim.lastCode(to)
    assert.deepEqual(await b.check(to, wrong(code)), { status: 'wrong_code', approved: false, attemptsLeft: 4 })
    assert.deepEqual(await a.check(to, code), { status: 'approved', approved: true, channel: 'voice' })
    assert.deepEqual(await b.check(to, code), { status: 'not_found', approved: false })

    const other = mobile()
    await b.start(other)
    await a.cancel(other)
    assert.deepEqual(await b.check(other, sim.lastCode(other)), { status: 'canceled', approved: false })
  })

  test('a Verifier with another secret cannot approve the codes of the first', async () => {
    const a = verifier({ store })
    const b = new Verifier([sim.config('huawei')], { secret: `${SECRET}-rotated`, store })
    const to = mobile()
    await a.start(to)
    assert.equal((await b.check(to, sim.lastCode(to))).status, 'wrong_code')
  })
})

test('index.d.ts declares exactly the keys the core reads for VerifierConfig and StartOptions', async () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const declared = (name) => {
    const start = dts.search(new RegExp(`^export interface ${name}\\b`, 'm'))
    assert.ok(start >= 0, `index.d.ts declares ${name}`)
    const body = dts.slice(start, dts.indexOf('\n}', start))
    return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]).sort()
  }
  const listed = (e) => {
    const keys = e.message.match(/unknown field `zzz`, expected (.*)$/)
    assert.ok(keys, e.message)
    return [...keys[1].matchAll(/`(\w+)`/g)].map((m) => m[1].replace(/_(\w)/g, (_, c) => c.toUpperCase()))
  }
  const configKeys = listed(thrown(() => new Verifier([sim.config('huawei')], { secret: SECRET, zzz: 1 })))
  assert.deepEqual(declared('VerifierConfig'), configKeys.sort())
  // The send's keys, less `to` (the start's own argument), and the verifier's `code`, `key` and
  // `channel`.
  const sendKeys = listed(await rejection(verifier().start(mobile(), { zzz: 1 })))
  assert.deepEqual(
    declared('StartOptions'),
    [...new Set([...sendKeys.filter((k) => k !== 'to'), 'code', 'key', 'channel'])].sort(),
  )
})

describe('one verification across SMS and voice', () => {
  const smsThenVoice = (config = {}) =>
    new Verifier([sim.config('tencent', 'sms'), sim.config('huawei')], { secret: SECRET, cooldownSecs: 0, ...config })

  test('the code goes by SMS, a resend by voice with the same code, and the check names the channel', async () => {
    const v = smsThenVoice()
    const to = mobile()
    const first = await v.start(to)
    assert.equal(first.channel, 'sms')
    const code = sim.lastCode(to)
    const resent = await v.start(to)
    assert.equal(resent.channel, 'voice')
    assert.equal(resent.expiresAt, first.expiresAt)
    assert.equal(sim.lastCode(to), code)
    assert.deepEqual(await v.check(to, code), { status: 'approved', approved: true, channel: 'voice' })
  })

  test('a start may name its channel; a workflow comes from the settings', async () => {
    const v = smsThenVoice({ workflow: ['voice', 'sms'] })
    const to = mobile()
    assert.equal((await v.start(to)).channel, 'voice')
    assert.equal((await v.start(to, { channel: 'voice' })).channel, 'voice')
    const e = await rejection(v.start(to, { channel: 'fax' }))
    assert.ok(e instanceof VoiceCodeError)
    assert.equal(e.field, 'channel')
  })

  test('routers, one per channel, are taken as they are', async () => {
    const v = new Verifier([new Router([sim.config('tencent', 'sms')]), new Router([sim.config('huawei')])], {
      secret: SECRET,
    })
    const to = mobile()
    assert.equal((await v.start(to)).channel, 'sms')
    assert.throws(
      () => new Verifier([new Router([sim.config('huawei')]), sim.config('tencent', 'sms')], { secret: SECRET }),
      (e) => e instanceof TypeError && /not both/.test(e.message),
    )
    assert.throws(
      () => new Verifier(new Client(sim.config('huawei')), { secret: SECRET, workflow: ['sms'] }),
      (e) => e instanceof VoiceCodeError && e.code === 'invalid_config' && e.field === 'workflow',
    )
  })
})
