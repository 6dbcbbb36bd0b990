'use strict'
// Every vendor through the real addon and the real simulator: sends, balances, OneAccess.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Client, VoiceCodeError } = require('..')
const { startSimulator, mobile } = require('./support')

const sim = startSimulator()

for (const vendor of ['ytx', 'huawei', 'ihuyi', 'cloud10658', 'aliyun', 'tencent']) {
  test(`${vendor}: sendCode resolves to the vendor's receipt and reaches the vendor once`, async () => {
    const client = new Client(sim.config(vendor))
    assert.equal(client.vendor, vendor)
    const before = sim.count(vendor, 'send_code')
    const receipt = await client.sendCode({ to: mobile(), code: '4821' })
    assert.equal(receipt.vendor, vendor)
    assert.equal(typeof receipt.messageId, 'string')
    assert.ok(receipt.messageId.length > 0)
    assert.equal(typeof receipt.vendorCode, 'string')
    assert.equal(sim.count(vendor, 'send_code'), before + 1)
  })

  test(`${vendor}: sendCodeSync returns the receipt without a promise`, () => {
    const client = new Client(sim.config(vendor))
    const receipt = client.sendCodeSync({ to: mobile(), code: '4821' })
    assert.equal(receipt.vendor, vendor)
    assert.ok(receipt.messageId.length > 0)
  })
}

for (const vendor of ['huawei', 'ihuyi', 'aliyun', 'tencent']) {
  test(`${vendor} SMS: the same client sends the code as a text message`, async () => {
    const config = sim.config(vendor, 'sms')
    assert.equal(config.product, 'sms')
    const client = new Client(config)
    assert.equal(client.vendor, vendor)
    assert.equal(client.product, 'sms')
    const to = mobile()
    const before = sim.count(vendor, 'send_sms_code')
    const receipt = await client.sendCode({ to, code: '482156' })
    assert.equal(receipt.vendor, vendor)
    assert.ok(receipt.messageId.length > 0)
    assert.equal(sim.count(vendor, 'send_sms_code'), before + 1)
    assert.equal(sim.lastCode(to), '482156')
    // The number's own limit refuses a second text at once (Huawei documents no such code).
    if (vendor === 'huawei') return
    await assert.rejects(client.sendCode({ to, code: '482156' }), (e) => {
      assert.ok(e instanceof VoiceCodeError)
      assert.equal(e.code, 'rate_limited')
      assert.equal(e.outcome, 'refused')
      return true
    })
  })
}

test('sms: a product the vendor lacks is named, in a config and in the simulator', () => {
  assert.throws(
    () => new Client({ vendor: 'ytx', product: 'sms', accountSid: 's', authToken: 't', appId: 'a' }),
    (e) => e instanceof VoiceCodeError && e.code === 'invalid_config' && e.field === 'product',
  )
  assert.throws(
    () => sim.config('ytx', 'sms'),
    (e) => e instanceof VoiceCodeError && e.code === 'invalid_input' && e.field === 'product',
  )
  assert.equal(new Client(sim.config('aliyun')).product, 'voice')
})

test('huawei: camelCase request keys reach the vendor (playTimes, userData, returnIdlePort)', async () => {
  const client = new Client(sim.config('huawei'))
  const receipt = await client.sendCode({
    to: '+8613800138000',
    code: '4821',
    playTimes: 2,
    userData: 'order-17',
    returnIdlePort: true,
  })
  assert.equal(typeof receipt.idlePorts, 'number')
})

test('aliyun: userData travels as OutId, and balance() is refused before sending', async () => {
  const client = new Client(sim.config('aliyun'))
  const receipt = await client.sendCode({ to: mobile(), code: '4821', playTimes: 2, userData: 'order-42' })
  assert.equal(receipt.vendorCode, 'OK')
  const before = sim.journal().length
  await assert.rejects(client.balance(), (e) => {
    assert.ok(e instanceof VoiceCodeError)
    assert.equal(e.code, 'invalid_config')
    assert.equal(e.outcome, 'not_sent')
    return true
  })
  assert.equal(sim.journal().length, before)
})

test('cloud10658: the receipt reports the units left, in camelCase', async () => {
  const client = new Client(sim.config('cloud10658'))
  const receipt = await client.sendCode({ to: mobile(), code: '4821' })
  assert.equal(receipt.remaining, sim.balance('cloud10658'))
})

for (const [vendor, unit] of [
  ['ytx', 'yuan'],
  ['ihuyi', 'units'],
  ['cloud10658', 'units'],
]) {
  test(`${vendor}: balance() resolves to the account's amount as a decimal string`, async () => {
    sim.setBalance(vendor, 42)
    const balance = await new Client(sim.config(vendor)).balance()
    assert.equal(balance.vendor, vendor)
    assert.equal(balance.unit, unit)
    assert.equal(typeof balance.amount, 'string')
    assert.equal(Number(balance.amount), 42)
    // Whole numbers past 2^32 are read as whole numbers, not floats.
    sim.setBalance(vendor, 5_000_000_000)
    assert.equal(sim.balance(vendor), 5_000_000_000)
  })
}

for (const vendor of ['huawei', 'oneaccess']) {
  test(`${vendor}: balance() rejects without sending, as the vendor has no balance API`, async () => {
    const before = sim.journal().length
    await assert.rejects(new Client(sim.config(vendor)).balance(), (e) => {
      assert.ok(e instanceof VoiceCodeError)
      assert.equal(e.outcome, 'not_sent')
      return true
    })
    assert.equal(sim.journal().length, before)
  })
}

test('oneaccess: captcha, verifyCaptcha and sendSmsCode complete the SMS flow', async () => {
  const client = new Client(sim.config('oneaccess'))
  const captcha = await client.captcha()
  assert.ok(captcha.token)
  assert.ok(captcha.originalImageBase64 && captcha.jigsawImageBase64)
  const to = mobile()
  const captchaToken = await client.verifyCaptcha({ token: captcha.token, x: 237, y: 5, mobile: to })
  assert.equal(typeof captchaToken, 'string')
  assert.equal(await client.sendSmsCode({ mobile: to, purpose: 'login', captchaToken }), undefined)
  assert.equal(sim.count('oneaccess', 'send_sms_code'), 1)
})

test('oneaccess: a misplaced slider is refused by the vendor', async () => {
  const client = new Client(sim.config('oneaccess'))
  const captcha = await client.captcha()
  await assert.rejects(client.verifyCaptcha({ token: captcha.token, x: 10, y: 90, mobile: mobile() }), {
    name: 'VoiceCodeError',
    outcome: 'refused',
    vendor: 'oneaccess',
  })
})

test('Client.fromFile reads the core schema from TOML, or JSON by extension', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voicecode-node-'))
  try {
    const config = sim.config('ihuyi')
    const toml = path.join(dir, 'ihuyi.toml')
    fs.writeFileSync(
      toml,
      `vendor = "ihuyi"\naccount = "${config.account}"\napi_key = "${config.apiKey}"\nbase_url = "${config.baseUrl}"\n`,
    )
    const json = path.join(dir, 'ihuyi.json')
    fs.writeFileSync(
      json,
      JSON.stringify({ vendor: 'ihuyi', account: config.account, api_key: config.apiKey, base_url: config.baseUrl }),
    )
    for (const file of [toml, json]) {
      const receipt = await Client.fromFile(file).sendCode({ to: mobile(), code: '4821' })
      assert.equal(receipt.vendor, 'ihuyi')
    }
    assert.throws(() => Client.fromFile(path.join(dir, 'missing.toml')), {
      name: 'VoiceCodeError',
      code: 'invalid_config',
      outcome: 'not_sent',
      message: /missing\.toml/,
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('snake_case config keys are accepted too, but not both spellings of one key', () => {
  const config = sim.config('ihuyi')
  assert.equal(new Client({ vendor: 'ihuyi', account: config.account, api_key: config.apiKey }).vendor, 'ihuyi')
  assert.throws(() => new Client({ ...config, api_key: config.apiKey }), {
    name: 'TypeError',
    message: /api_key/,
  })
})

test('a worker thread gets its own receipts and VoiceCodeErrors', async () => {
  const { Worker } = require('node:worker_threads')
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     const { Client, VoiceCodeError } = require(workerData.pkg)
     const client = new Client(workerData.config)
     client.sendCode({ to: workerData.to, code: '4821' }).then(async (receipt) => {
       const error = await client.sendCode({ to: '1', code: '4821' }).catch((e) => e)
       parentPort.postMessage({ vendor: receipt.vendor, typed: error instanceof VoiceCodeError, code: error.code })
     })`,
    { eval: true, workerData: { pkg: path.join(__dirname, '..'), config: sim.config('ytx'), to: mobile() } },
  )
  const [message] = await require('node:events').once(worker, 'message')
  await worker.terminate()
  assert.deepEqual(message, { vendor: 'ytx', typed: true, code: 'invalid_input' })
})

test('lastCode: the code the last accepted send to a number would have spoken', async () => {
  const to = mobile()
  assert.equal(sim.lastCode(to), null)
  await new Client(sim.config('aliyun')).sendCode({ to: `+86${to}`, code: '6093' })
  assert.equal(sim.lastCode(to), '6093')
  assert.equal(sim.lastCode(`+86${to}`), '6093')
  sim.setBalance('ytx', 0)
  await assert.rejects(new Client(sim.config('ytx')).sendCode({ to, code: '1111' }))
  assert.equal(sim.lastCode(to), '6093')
  sim.setBalance('ytx', 100)
})
