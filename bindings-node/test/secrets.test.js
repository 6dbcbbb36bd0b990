'use strict'
// The secrets test (tests/secrets/scenario.json), in a child process started with
// VOICECODE_LOG=trace so that the core's log records (and the HTTP stack's) go to its stderr:
// every operation of every vendor, each under every fault, with a wrong secret and with a config
// error, then the verifier. The child prints everything a program could show of each result
// and error; no secret may appear in its stdout or stderr.

const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')

const scenario = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'secrets', 'scenario.json'), 'utf8'),
)

/** The child: runs the scenario and prints what it saw; the secrets go to fd 3 only. */
function child() {
  const util = require('node:util')
  const { Client, Router, Verifier, testing } = require('..')
  const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  const show = (value) => {
    const own = value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value
    console.log(util.inspect(value, { showHidden: true, depth: 8 }), JSON.stringify(own))
  }
  const attempt = async (call) => {
    try {
      show(await call())
    } catch (e) {
      show(e)
    }
  }
  const operate = async (client, vendor) => {
    const calls = {
      send_code: () => client.sendCode({ to: '13800138000', code: '4821' }),
      balance: () => client.balance(),
      captcha: () => client.captcha(),
      verify_captcha: () => client.verifyCaptcha({ token: 't', x: 237, y: 5, mobile: '13800138000' }),
      send_sms_code: () => client.sendSmsCode({ mobile: '13800138000', purpose: 'login', captchaToken: 't' }),
    }
    for (const operation of scenario.operations[vendor]) await attempt(calls[operation])
  }
  ;(async () => {
    const sim = new testing.Simulator()
    const secrets = [scenario.wrong_secret, scenario.verifier_secret]
    for (const [vendor, keys] of Object.entries(scenario.secret_keys)) {
      const config = { ...sim.config(vendor), timeoutMs: scenario.timeout_ms }
      for (const key of keys) secrets.push(config[camel(key)])
      const client = new Client(config)
      show(client)
      await operate(client, vendor)
      for (const fault of scenario.faults) {
        sim.inject(vendor, { fault, times: scenario.operations[vendor].length })
        await operate(client, vendor)
        sim.clearFaults()
      }
      for (const key of keys) {
        await operate(new Client({ ...config, [camel(key)]: scenario.wrong_secret }), vendor)
        await attempt(() => new Client({ ...config, bogus: 1 }))
        await attempt(() => new Client({ ...config, [camel(key)]: 12345 }))
      }
    }
    const router = new Router([sim.config('huawei'), sim.config('ytx')])
    sim.inject('huawei', { fault: 'http_500' })
    await attempt(() => router.sendCode({ to: '13800138000', code: '4821' }))
    const verifier = new Verifier(router, { secret: scenario.verifier_secret })
    show(verifier)
    await attempt(() => verifier.start('+8613800138000'))
    await attempt(() => verifier.start('+8613800138000'))
    await attempt(() => verifier.check('+8613800138000', '000000'))
    await attempt(() => new Verifier(router, { secret: scenario.verifier_secret, ttl: 1 }))
    sim.close()
    fs.writeSync(3, JSON.stringify(secrets))
  })()
}

if (process.env.VOICECODE_SECRETS_CHILD === '1') {
  child()
} else {
  test('no secret in errors, results, inspection, logs or output, with VOICECODE_LOG=trace', () => {
    const run = spawnSync(process.execPath, [__filename], {
      env: { ...process.env, VOICECODE_SECRETS_CHILD: '1', VOICECODE_LOG: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
    assert.equal(run.status, 0, run.stderr.slice(-4000))
    const secrets = JSON.parse(run.output[3])
    assert.equal(new Set(secrets).size, 8, 'six vendors’ secrets, the wrong one and the verifier’s')
    assert.match(run.stderr, /\[DEBUG voicecode::client\] \w+ send_code: POST /, 'the core logged requests')
    assert.match(run.stderr, /\[WARN voicecode::client\]/, 'the core logged failures')
    assert.match(run.stderr, /\[TRACE /, 'trace records are on')
    assert.match(run.stdout, /auth_failed/, 'the wrong secret was refused')
    for (const secret of secrets) {
      assert.ok(!run.stdout.includes(secret), `a secret leaked into stdout`)
      assert.ok(!run.stderr.includes(secret), `a secret leaked into stderr (the logs)`)
    }
  })
}
