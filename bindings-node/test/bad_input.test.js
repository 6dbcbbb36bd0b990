'use strict'
// The bad-input corpus (tests/corpus/bad_input.json) through the Node API: each case is
// refused as the kind it names, with `field` naming the key in camelCase, and nothing reaches
// the simulator. Then the Node-only cases: undefined, null, wrong types and huge strings.

const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Client, VoiceCodeError } = require('..')
const { startSimulator } = require('./support')

const CORPUS = path.join(__dirname, '..', '..', 'tests', 'corpus', 'bad_input.json')
const CASES = JSON.parse(fs.readFileSync(CORPUS, 'utf8')).cases
const OPS = { send_code: 'sendCode', verify_captcha: 'verifyCaptcha', send_sms_code: 'sendSmsCode' }

const sim = startSimulator()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voicecode-bad-input-'))
after(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** A key as Node callers write it: `device.os_version` → `device.osVersion`. */
const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

const withSim = (value) => JSON.parse(JSON.stringify(value).replaceAll('@SIM@', sim.baseUrl))

function configBytes(c) {
  if (c.text !== undefined) return Buffer.from(c.text.replaceAll('@SIM@', sim.baseUrl))
  if (c.text_base64 !== undefined) return Buffer.from(c.text_base64, 'base64')
  const { prefix = '', text, repeat, suffix = '' } = c.fill
  return Buffer.from(prefix + text.repeat(repeat) + suffix)
}

/** Does what the case says; resolves only if nothing refused it. */
async function attempt(c) {
  if (c.what === 'config') return new Client(withSim(c.config))
  if (c.what === 'config_text') {
    const file = path.join(tmp, `${c.id}.${c.format}`)
    fs.writeFileSync(file, configBytes(c))
    return Client.fromFile(file)
  }
  const client = new Client(sim.config(c.vendor, c.product))
  return client[OPS[c.op]](c.request)
}

/** How the case was refused, and what is wrong, if anything. */
async function check(c) {
  try {
    await attempt(c)
  } catch (e) {
    if (e instanceof VoiceCodeError) {
      const right = e.code === c.kind && e.field === camel(c.field) && e.outcome === 'not_sent'
      return ['typed', right ? null : `expected ${c.kind} on ${camel(c.field)}, got ${e.code} on ${e.field}: ${e}`]
    }
    // Only a request or config that is not an object at all is JavaScript's own TypeError.
    const value = c.what === 'config' ? c.config : c.request
    const notAnObject = value === null || typeof value !== 'object' || Array.isArray(value)
    if (e instanceof TypeError && c.json_only && notAnObject) return ['TypeError', null]
    return ['other', `expected ${c.kind} on ${c.field}, got ${e}`]
  }
  return ['accepted', 'accepted']
}

test('every bad input is refused naming its field, and nothing is sent', async () => {
  for (const name of Object.keys(process.env)) {
    // It would fill a secret a case leaves out.
    if (name.startsWith('VOICECODE_')) delete process.env[name]
  }
  assert.ok(CASES.length >= 200)
  const failures = []
  const refusals = { typed: 0, TypeError: 0, other: 0, accepted: 0 }
  for (const c of CASES) {
    const [how, problem] = await check(c)
    refusals[how] += 1
    if (problem) failures.push(`${c.id}: ${problem}`)
  }
  const journal = sim.journal()
  console.log(
    `bad-input corpus, Node: ${CASES.length} cases, ${refusals.typed} typed errors, ` +
      `${refusals.TypeError} TypeError (not an object), ${failures.length} failed, ` +
      `${journal.length} requests reached the simulator`,
  )
  assert.deepEqual(failures, [])
  assert.deepEqual(journal, [])
  // The journal does see a request that is sent.
  await new Client(sim.config('ihuyi')).sendCode({ to: '13800138000', code: '4821' })
  assert.equal(sim.count('ihuyi', 'send_code'), 1)
  sim.clearJournal()
})

const HUGE = '1'.repeat(10 * 1024 * 1024)
const NODE_ONLY = [
  // [what, method, argument, expected field (a VoiceCodeError) or null (a TypeError)]
  ['no request', 'sendCode', undefined, null],
  ['null request', 'sendCode', null, null],
  ['to undefined', 'sendCode', { to: undefined, code: '4821' }, 'to'],
  ['code undefined', 'sendCode', { to: '13800138000', code: undefined }, 'code'],
  ['to null', 'sendCode', { to: null, code: '4821' }, 'to'],
  ['to a number', 'sendCode', { to: 13800138000, code: '4821' }, 'to'],
  ['code a BigInt', 'sendCode', { to: '13800138000', code: 4821n }, null],
  ['to a function', 'sendCode', { to: () => '13800138000', code: '4821' }, null],
  ['to a symbol', 'sendCode', { to: Symbol('to'), code: '4821' }, null],
  ['playTimes NaN', 'sendCode', { to: '13800138000', code: '4821', playTimes: NaN }, null],
  ['playTimes Infinity', 'sendCode', { to: '13800138000', code: '4821', playTimes: Infinity }, null],
  ['playTimes 1e300', 'sendCode', { to: '13800138000', code: '4821', playTimes: 1e300 }, 'playTimes'],
  ['huge to', 'sendCode', { to: HUGE, code: '4821' }, 'to'],
  ['huge code', 'sendCode', { to: '13800138000', code: HUGE }, 'code'],
  ['lone surrogate', 'sendCode', { to: '\ud800', code: '4821' }, 'to'],
  ['mobile undefined', 'sendSmsCode', { purpose: 'login', captchaToken: 't' }, 'mobile'],
  ['x a string', 'verifyCaptcha', { token: 't', x: '1', y: 1, mobile: '13800138000' }, 'x'],
  ['huge mobile', 'verifyCaptcha', { token: 't', x: 1, y: 1, mobile: HUGE }, 'mobile'],
]

for (const [what, method, argument, field] of NODE_ONLY) {
  test(`${method}: ${what} is refused before sending`, async () => {
    const vendor = method === 'sendCode' ? 'ihuyi' : 'oneaccess'
    const client = new Client(sim.config(vendor))
    let error
    try {
      await client[method](argument)
    } catch (e) {
      error = e
    }
    assert.ok(error, 'expected a refusal')
    if (field === null) {
      assert.ok(error instanceof TypeError || error instanceof VoiceCodeError, `${error}`)
    } else {
      assert.ok(error instanceof VoiceCodeError, `${error}`)
      assert.equal(error.field, field)
      assert.equal(error.outcome, 'not_sent')
    }
    assert.deepEqual(sim.journal(), [])
  })
}

for (const [what, config] of [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'ihuyi'],
  ['an array', ['ihuyi']],
  ['a number', 42],
]) {
  test(`a config that is ${what} is refused`, () => {
    assert.throws(
      () => new Client(config),
      (e) => e instanceof TypeError || (e instanceof VoiceCodeError && e.code === 'invalid_config'),
    )
  })
}
