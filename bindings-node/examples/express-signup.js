'use strict'
// Sign-up by phone code with Express: `POST /signup/start` texts the phone a code, and, when the
// page asks again ("收不到短信？获取语音验证码"), calls it with the same code; `POST /signup/check`
// checks what the user typed. The limits (cooldown, per-number and per-IP caps, quiet hours) are
// the verifier's; this app only maps its answers to HTTP.
//
//   node examples/express-signup.js                # against the simulator, on port 3000
//   VOICECODE_CONFIG=aliyun-sms.toml,huawei.toml VOICECODE_VERIFIER_SECRET=… \
//     VOICECODE_STORE=sqlite:codes.db PORT=8080 node examples/express-signup.js   # real accounts
//
//   curl -i localhost:3000/signup/start -H 'content-type: application/json' -d '{"phone":"13800138000"}'
//   curl -i localhost:3000/signup/check -H 'content-type: application/json' -d '{"phone":"13800138000","code":"482193"}'

const crypto = require('node:crypto')
const express = require('express')
const { Client, Verifier, VoiceCodeError, testing } = require('voicecode')

/** The HTTP status of each check answer other than `approved`. */
const CHECK_STATUS = {
  wrong_code: 400,
  // Nothing pending (already approved, never started): the form must start again.
  not_found: 410,
  expired: 410,
  canceled: 410,
  too_many_attempts: 429,
}

/** The request's keys, as the verifier's arguments name them. */
const FIELDS = { to: 'phone', code: 'code', channel: 'channel' }

/** A verifier error as an HTTP answer: limits are 429 with `Retry-After`, bad input 400. */
function refuse(res, err) {
  if (!(err instanceof VoiceCodeError)) throw err
  if (err.code === 'rate_limited' || err.code === 'quiet_hours') {
    return res.status(429).set('Retry-After', String(err.retryAfter)).json({ error: err.code })
  }
  if (err.code === 'invalid_input') {
    return res.status(400).json({ error: err.code, field: FIELDS[err.field] ?? err.field })
  }
  // The store or every vendor failed; the message is for the logs, not for the user.
  console.error(`voicecode: ${err.message}`)
  return res.status(err.code === 'store_unavailable' ? 503 : 502).json({ error: err.code })
}

/** The first of `fields` of the JSON body that is not a string, if any. */
const notAString = (body, fields) => fields.find((field) => typeof body?.[field] !== 'string')

/**
 * The sign-up routes over `verifier`. Behind a proxy, set `app.set('trust proxy', …)` so that
 * `req.ip`, the key the per-IP caps count, is the client's address.
 */
function createApp(verifier) {
  const app = express()
  app.use(express.json())

  app.post('/signup/start', async (req, res) => {
    const missing = notAString(req.body, ['phone'])
    if (missing) return res.status(400).json({ error: 'invalid_input', field: missing })
    // Started again within the code's lifetime, the same code goes by the next channel (a call
    // after the SMS); the page may also ask for a channel (`voice`).
    const { phone, channel } = req.body
    try {
      const started = await verifier.start(phone, { key: req.ip, channel })
      // `may_have_been_sent` is accepted too: the phone may ring and the code stays valid.
      const { to, expiresAt, status } = started
      res.status(202).json({ to, channel: started.channel, expiresAt, status })
    } catch (err) {
      refuse(res, err)
    }
  })

  app.post('/signup/check', async (req, res) => {
    const missing = notAString(req.body, ['phone', 'code'])
    if (missing) return res.status(400).json({ error: 'invalid_input', field: missing })
    const { phone, code } = req.body
    try {
      const check = await verifier.check(phone, code)
      if (check.approved) {
        // Create the account here.
        return res.status(200).json({ status: check.status })
      }
      res.status(CHECK_STATUS[check.status] ?? 400).json({ status: check.status, attemptsLeft: check.attemptsLeft })
    } catch (err) {
      refuse(res, err)
    }
  })

  // A body that is not JSON: answer in JSON too, without the parser's stack.
  app.use((err, req, res, next) => {
    if (err.type !== 'entity.parse.failed') return next(err)
    res.status(400).json({ error: 'invalid_json' })
  })

  return app
}

module.exports = { createApp }

if (require.main === module) {
  const store = process.env.VOICECODE_STORE ?? 'memory'
  const limits = { store, keyHourlyCap: 20 }
  let verifier
  if (process.env.VOICECODE_CONFIG) {
    // SMS and voice configs: one channel each, a text first and a call on a resend.
    const channels = process.env.VOICECODE_CONFIG.split(',').map((file) => Client.fromFile(file))
    verifier = new Verifier(channels, { secret: process.env.VOICECODE_VERIFIER_SECRET, ...limits })
  } else {
    // A demo on the simulator: a random secret (codes die with the process), and the code each
    // "phone" got printed here.
    const sim = new testing.Simulator()
    const secret = crypto.randomBytes(32).toString('hex')
    const channels = [sim.config('tencent', 'sms'), sim.config('huawei')]
    const real = new Verifier(channels, { secret, ...limits })
    verifier = {
      async start(to, options) {
        const started = await real.start(to, options)
        console.log(`${started.to} got ${sim.lastCode(to)} by ${started.channel}`)
        return started
      },
      check: (to, code) => real.check(to, code),
    }
  }
  const port = Number(process.env.PORT ?? 3000)
  createApp(verifier).listen(port, () => console.log(`listening on http://localhost:${port}`))
}
