// The same voice-code sends written the way integrators write them in Node today: the built-in
// `fetch` (undici's global agent, which keeps connections alive) and `node:crypto` signing, as
// in the vendors' demos. Huawei callVerify: X-AKSK with
// PasswordDigest = Base64(HMAC-SHA256(appSecret, Nonce + Created)); ihuyi Submit: the dynamic
// password md5(account + APIKEY + mobile + content + time). The simulator checks both.
//
//   node fetch_baseline.mjs SIM_URL RESULTS SECONDS CONFIG_DIR
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const CALLEE = '+8613800138000'
const CODE = '4821'

async function sendHuawei(cfg) {
  const nonce = randomBytes(16).toString('hex')
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const digest = createHmac('sha256', cfg.app_secret)
    .update(nonce + created)
    .digest('base64')
  const response = await fetch(`${cfg.base_url}/rest/httpsessions/callVerify/v1.0`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json;charset=UTF-8',
      Authorization: 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
      'X-AKSK': `UsernameToken Username="${cfg.app_key}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`,
    },
    body: JSON.stringify({
      displayNbr: cfg.display_number,
      calleeNbr: CALLEE,
      languageType: 2,
      preTone: cfg.pre_tone,
      verifyCode: CODE,
    }),
  })
  const answer = await response.json()
  if (answer.resultcode !== '0') throw new Error(`huawei refused the baseline: ${JSON.stringify(answer)}`)
}

async function sendIhuyi(cfg) {
  const mobile = CALLEE.slice(3)
  const time = String(Math.floor(Date.now() / 1000))
  const password = createHash('md5')
    .update(cfg.account + cfg.api_key + mobile + CODE + time)
    .digest('hex')
  const form = new URLSearchParams({ account: cfg.account, password, mobile, content: CODE, time, format: 'json' })
  const response = await fetch(`${cfg.base_url}/webservice/voice.php?method=Submit`, { method: 'POST', body: form })
  const answer = await response.json()
  if (answer.code !== 2) throw new Error(`ihuyi refused the baseline: ${JSON.stringify(answer)}`)
}

async function rate(seconds, work) {
  for (let i = 0; i < 20; i++) await work()
  const started = performance.now()
  let calls = 0
  while (performance.now() - started < seconds * 1000) {
    await work()
    calls++
  }
  return calls / ((performance.now() - started) / 1000)
}

const [, , , results, seconds, configDir] = process.argv
for (const [vendor, send] of [
  ['huawei', sendHuawei],
  ['ihuyi', sendIhuyi],
]) {
  const cfg = JSON.parse(readFileSync(join(configDir, `${vendor}.json`), 'utf8'))
  const entry = { part: 'loopback', vendor, layer: 'node-fetch', per_s: await rate(Number(seconds), () => send(cfg)) }
  console.log(JSON.stringify(entry))
  appendFileSync(results, JSON.stringify(entry) + '\n')
}
