'use strict'
// Call-status pushes from the simulator to a real http.createServer receiver, parsed and
// authenticated by the core through `callbacks`.

const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { Client, VoiceCodeError, callbacks } = require('..')
const { startSimulator, mobile } = require('./support')

/** An HTTP receiver on 127.0.0.1 that keeps every push it gets. */
async function startReceiver() {
  const pushes = []
  const waiting = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      pushes.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(200).end()
      for (const w of waiting.splice(0)) w()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  after(() => server.close())
  const base = `http://127.0.0.1:${server.address().port}`
  return {
    url: (path) => `${base}${path}`,
    pushes,
    /** Resolves once `enough(pushes)` holds (5 s at most). */
    async until(enough) {
      const deadline = Date.now() + 5000
      while (!enough(pushes)) {
        assert.ok(Date.now() < deadline, `pushes so far: ${pushes.map((p) => p.body).join(' | ')}`)
        await new Promise((resolve) => {
          waiting.push(resolve)
          setTimeout(resolve, 100)
        })
      }
    },
  }
}

const receiver = startReceiver()
const sim = receiver.then((r) =>
  startSimulator({
    cloud10658ReceiptUrl: r.url('/cloud10658'),
    aliyunReportUrl: r.url('/aliyun/report'),
    tencentCallbackUrl: r.url('/tencent'),
  }),
)

/** Every event parsed from the pushes to `path`. */
const events = (r, path, vendor = 'huawei') =>
  r.pushes.filter((p) => p.path === path).flatMap((p) => callbacks.parse(vendor, p.headers, p.body))

test('huawei status pushes verify and parse into the call events, in order', async () => {
  const [r, s] = [await receiver, await sim]
  const config = s.config('huawei')
  const statusUrl = r.url('/huawei/status')
  const receipt = await new Client(config).sendCode({ to: mobile(), code: '4821', userData: 'order-17', statusUrl })
  await r.until(() => events(r, '/huawei/status').some((e) => e.event === 'hangup'))
  for (const push of r.pushes.filter((p) => p.path === '/huawei/status')) {
    callbacks.verifyHuawei(push.headers, { appSecret: config.appSecret, url: statusUrl })
  }
  const got = events(r, '/huawei/status').filter((e) => e.messageId === receipt.messageId)
  assert.deepEqual(
    got.map((e) => e.event),
    ['dialing', 'ringing', 'answered', 'hangup'],
  )
  const hangup = got.at(-1)
  assert.equal(hangup.vendor, 'huawei')
  assert.equal(hangup.stateCode, 16)
  assert.equal(hangup.userData, 'order-17')
  assert.match(hangup.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.equal(hangup.raw.eventType, 'disconnect')
  assert.equal(hangup.raw.statusInfo.sessionId, receipt.messageId)
})

test('a busy line ends with state code 17, and the fee push reports the call record', async () => {
  const [r, s] = [await receiver, await sim]
  s.setCallOutcome('busy')
  try {
    const receipt = await new Client(s.config('huawei')).sendCode({
      to: mobile(),
      code: '4821',
      statusUrl: r.url('/huawei/busy'),
      feeUrl: r.url('/huawei/fee'),
    })
    await r.until(() => events(r, '/huawei/fee').some((e) => e.messageId === receipt.messageId))
    const status = events(r, '/huawei/busy').filter((e) => e.messageId === receipt.messageId)
    assert.deepEqual(
      status.map((e) => [e.event, e.stateCode]),
      [
        ['dialing', null],
        ['hangup', 17],
      ],
    )
    const [fee] = events(r, '/huawei/fee').filter((e) => e.messageId === receipt.messageId)
    assert.equal(fee.event, 'fee')
    assert.equal(fee.talkSeconds, null)
  } finally {
    s.setCallOutcome('answered')
  }
})

test('verifyHuawei refuses replayed, misaddressed and forged pushes with auth_failed', async () => {
  const [r, s] = [await receiver, await sim]
  const config = s.config('huawei')
  const statusUrl = r.url('/huawei/replay')
  await new Client(config).sendCode({ to: mobile(), code: '4821', statusUrl })
  await r.until((p) => p.some((x) => x.path === '/huawei/replay'))
  const { headers } = r.pushes.find((p) => p.path === '/huawei/replay')
  const options = { appSecret: config.appSecret, url: statusUrl }
  const authFailed = (e) => e instanceof VoiceCodeError && e.code === 'auth_failed' && e.vendor === 'huawei'

  callbacks.verifyHuawei(headers, options)
  assert.throws(() => callbacks.verifyHuawei(headers, options), authFailed, 'a replay is refused')
  assert.throws(() => callbacks.verifyHuawei(headers, { ...options, url: r.url('/elsewhere') }), authFailed)
  assert.throws(() => callbacks.verifyHuawei(headers, { ...options, appSecret: 'not-the-secret' }), authFailed)
  assert.throws(() => callbacks.verifyHuawei({ 'content-type': 'application/json' }, options), authFailed)

  // A verifier of one's own, with [name, value] pairs: it has its own nonce memory.
  const verifier = new callbacks.HuaweiPushVerifier({ ...options, windowSeconds: 600 })
  verifier.verify(Object.entries(headers).filter(([, v]) => typeof v === 'string'))
  assert.throws(() => verifier.verify(headers), authFailed)
})

test('cloud10658 receipts parse into delivered events', async () => {
  const [r, s] = [await receiver, await sim]
  const receipt = await new Client(s.config('cloud10658')).sendCode({ to: mobile(), code: '4821' })
  await r.until((p) => p.some((x) => x.path === '/cloud10658' && x.body.includes(receipt.messageId)))
  const [event] = events(r, '/cloud10658', 'cloud10658').filter((e) => e.messageId === receipt.messageId)
  assert.equal(event.event, 'delivered')
  assert.equal(event.vendor, 'cloud10658')
  assert.equal(typeof event.talkSeconds, 'number')
  assert.equal(event.raw.taskid, receipt.messageId)
})

test('tencent callbacks parse into delivered events with the raw callback kept', async () => {
  const [r, s] = [await receiver, await sim]
  const receipt = await new Client(s.config('tencent')).sendCode({ to: mobile(), code: '4821' })
  await r.until((p) => p.some((x) => x.path === '/tencent' && x.body.includes(receipt.messageId)))
  const [event] = events(r, '/tencent', 'tencent').filter((e) => e.messageId === receipt.messageId)
  assert.equal(event.event, 'delivered')
  assert.equal(event.vendor, 'tencent')
  assert.equal(event.stateCode, 0)
  assert.equal(event.raw.voicecode_callback.callid, receipt.messageId)
})

test("huawei SMS status reports arrive at the send's statusUrl and parse into delivery events", async () => {
  const [r, s] = [await receiver, await sim]
  const statusUrl = r.url('/huawei/report')
  const client = new Client({ ...s.config('huawei', 'sms'), statusUrl })
  const receipt = await client.sendCode({ to: mobile(), code: '482156', userData: 'signup-7' })
  await r.until((p) => p.some((x) => x.path === '/huawei/report' && x.body.includes(receipt.messageId)))
  const [event] = events(r, '/huawei/report').filter((e) => e.messageId === receipt.messageId)
  assert.equal(event.event, 'delivered')
  assert.equal(event.userData, 'signup-7')
  assert.equal(event.stateDesc, 'DELIVRD')
  // The simulator's application has 推送AKSK鉴权 on: the report is signed.
  const push = r.pushes.find((x) => x.path === '/huawei/report' && x.body.includes(receipt.messageId))
  const { appKey, appSecret } = s.config('huawei', 'sms')
  const options = { appKey, appSecret, url: statusUrl }
  callbacks.verifyHuaweiReport(push.headers, push.body, options)
  assert.throws(() => callbacks.verifyHuaweiReport(push.headers, `${push.body}&status=DELIVRD`, options), {
    code: 'auth_failed',
  })
  assert.throws(() => callbacks.verifyHuaweiReport({}, push.body, options), { code: 'auth_failed' })
  assert.throws(() => callbacks.verifyHuaweiReport(push.headers, push.body, { ...options, url: 'nope' }), {
    code: 'invalid_input',
    field: 'url',
  })
})

test('ihuyi SMS reports parse into delivered and failed events', () => {
  const delivered = 'code=2&msg=DELIVRD&mobilephone=13800138000&smsid=147456255412&report_time=2017-08-02+14%3A31%3A51'
  const [event] = callbacks.parse('ihuyi', { 'content-type': 'application/x-www-form-urlencoded' }, delivered)
  assert.equal(event.event, 'delivered')
  assert.equal(event.messageId, '147456255412')
  assert.equal(event.at, '2017-08-02T06:31:51Z')
  const [failed] = callbacks.parse('ihuyi', {}, delivered.replace('code=2', 'code=0'))
  assert.equal(failed.event, 'failed')
  assert.equal(failed.stateCode, 0)
})

test('pushAck gives each pushing vendor its acknowledgement and the others null', () => {
  const json = 'application/json; charset=utf-8'
  assert.deepEqual(callbacks.pushAck('aliyun'), { body: '{"code":0,"msg":"接收成功"}', contentType: json })
  assert.deepEqual(callbacks.pushAck('tencent'), { body: '{"result":0,"errmsg":"OK"}', contentType: json })
  assert.deepEqual(callbacks.pushAck('huawei'), { body: '', contentType: 'text/plain; charset=utf-8' })
  assert.equal(callbacks.pushAck('cloud10658').body, '')
  assert.deepEqual(callbacks.pushAck('ihuyi'), { body: 'success', contentType: 'text/plain; charset=utf-8' })
  for (const vendor of ['ytx', 'oneaccess']) assert.equal(callbacks.pushAck(vendor), null, vendor)
  assert.throws(() => callbacks.pushAck('twilio'), { code: 'invalid_input', field: 'vendor' })
})

test('the Deduplicator lets each event through once', () => {
  const body = JSON.stringify({
    eventType: 'disconnect',
    statusInfo: { sessionId: 's-1', timestamp: '2026-01-02 03:04:05', stateCode: 16 },
  })
  const [event] = callbacks.parse('huawei', [['content-type', 'application/json']], body)
  // req.headers gives a repeated header as a list.
  assert.deepEqual(callbacks.parse('huawei', { 'set-cookie': ['a=1', 'b=2'] }, body), [event])
  const seen = new callbacks.Deduplicator(10)
  assert.equal(seen.firstTime(event), true)
  assert.equal(seen.firstTime({ ...event }), false)
  assert.equal(seen.firstTime({ ...event, event: 'answered' }), true)
  assert.throws(() => seen.firstTime('s-1'), { name: 'TypeError' })
  assert.throws(() => new callbacks.Deduplicator(-1), { name: 'TypeError' })
})

test('unreadable pushes and wrong arguments are refused with a named reason', () => {
  assert.throws(() => callbacks.parse('huawei', {}, 'not json'), {
    name: 'VoiceCodeError',
    code: 'invalid_input',
    field: 'body',
  })
  assert.throws(() => callbacks.parse('twilio', {}, '{}'), {
    name: 'VoiceCodeError',
    code: 'invalid_input',
    field: 'vendor',
  })
  assert.throws(() => callbacks.parse('huawei', {}, 42), { name: 'TypeError', message: /body/ })
  assert.throws(() => callbacks.parse('huawei', 'content-type: json', '{}'), { name: 'TypeError', message: /headers/ })
  for (const headers of [
    { 'content-length': 2 },
    [['content-type', 'application/json', 'extra']],
    [['x-n', 1]],
    undefined,
  ]) {
    assert.throws(() => callbacks.parse('huawei', headers, '{}'), { name: 'TypeError', message: /headers/ })
  }
  assert.throws(() => callbacks.parse(undefined, {}, '{}'), { name: 'TypeError', message: /vendor/ })
  assert.throws(() => callbacks.verifyHuawei({}, { appSecret: 's' }), { code: 'invalid_input', field: 'url' })
})

test('SMS delivery reports parse on the same call as the voice pushes', () => {
  const aliyun = JSON.stringify([
    {
      phone_number: '13800138000',
      report_time: '2017-01-01 00:00:05',
      success: false,
      err_code: 'MK:0001',
      err_msg: '',
      biz_id: '900619746936498441^0',
    },
  ])
  const [failed] = callbacks.parse('aliyun', {}, Buffer.from(aliyun))
  assert.equal(failed.event, 'failed')
  assert.equal(failed.messageId, '900619746936498441^0')
  assert.equal(failed.stateDesc, 'MK:0001')
  const tencent = JSON.stringify([
    {
      user_receive_time: '2015-10-17 08:03:04',
      nationcode: '86',
      mobile: '13800138000',
      report_status: 'SUCCESS',
      errmsg: 'DELIVRD',
      description: '用户短信送达成功',
      sid: '2433:1',
    },
  ])
  const [delivered] = callbacks.parse('tencent', {}, Buffer.from(tencent))
  assert.equal(delivered.event, 'delivered')
  assert.equal(delivered.messageId, '2433:1')
  assert.equal(delivered.phone, '+8613800138000')
  assert.equal(delivered.at, '2015-10-17T00:03:04Z')
})

test('aliyun VoiceReport pushes parse into a delivered event with the raw record kept', async () => {
  const [r, s] = [await receiver, await sim]
  const to = mobile()
  const receipt = await new Client(s.config('aliyun')).sendCode({ to, code: '4821', userData: 'order-42' })
  await r.until(() => events(r, '/aliyun/report', 'aliyun').some((e) => e.messageId === receipt.messageId))
  const [event] = events(r, '/aliyun/report', 'aliyun').filter((e) => e.messageId === receipt.messageId)
  assert.equal(event.vendor, 'aliyun')
  assert.equal(event.event, 'delivered')
  assert.equal(event.phone, to)
  assert.equal(event.userData, 'order-42')
  assert.equal(event.stateCode, 200000)
  assert.equal(event.raw.status_code, '200000')
})
