// Compiled (never run) by api.test.js with `tsc --strict`: index.d.ts must accept these calls and,
// where marked, refuse them.

import { Client, Router, Verifier, VoiceCodeError, callbacks, testing } from '..'
import type {
  CallEvent,
  ChannelConfig,
  Check,
  CheckStatus,
  Product,
  PushAck,
  Receipt,
  Verification,
  VerifierConfig,
} from '..'

export async function typed(): Promise<void> {
  const sim = new testing.Simulator({ balances: { ihuyi: 5 } })
  const config: ChannelConfig = sim.config('huawei')
  const client = new Client({ vendor: 'ihuyi', account: 'VM1', apiKey: 'k', timeoutMs: 5000 })
  const receipt: Receipt = await client.sendCode({ to: '13800138000', code: '4821', playTimes: 2 })
  const messageId: string = receipt.messageId
  const sync: Receipt = new Router([config, client]).sendCodeSync({ to: '13800138000', code: '4821' })
  const amount: string = (await Client.fromFile('ytx.toml').balance()).amount
  const token: string = await client.verifyCaptcha({ token: 't', x: 1, y: 2, mobile: '13800138000' })
  await client.sendSmsCode({ mobile: '13800138000', purpose: 'login', captchaToken: token })
  const events: CallEvent[] = callbacks.parse('huawei', { 'x-aksk': 'v' }, new Uint8Array([123, 125]))
  callbacks.verifyHuawei([['x-aksk', 'v']], { appSecret: 's', url: 'https://example.com/status' })
  const first: boolean = new callbacks.Deduplicator().firstTime(events[0])
  const ack: PushAck | null = callbacks.pushAck('aliyun')
  void ack?.contentType
  sim.inject('ihuyi', { fault: 'vendor_code', code: '405', times: 2 })
  try {
    await client.sendCode({ to: '13800138000', code: '4821' })
  } catch (e) {
    if (e instanceof VoiceCodeError && e.outcome !== 'unknown') {
      const retry: boolean = e.retryable
      const vendorCode: string | null = e.vendorCode
      void [retry, vendorCode]
    }
  }
  const sms: ChannelConfig = {
    vendor: 'tencent',
    product: 'sms',
    secretId: 'AKID',
    secretKey: 'k',
    smsSdkAppId: '1400006666',
    signName: '腾讯云',
    templateId: '449739',
    extraTemplateParams: ['5'],
  }
  const product: Product = new Client(sms).product
  const smsConfig: ChannelConfig = sim.config('aliyun', 'sms')
  void [product, smsConfig]
  const spoken: string | null = sim.lastCode('13800138000')
  void [messageId, sync, amount, first, spoken]

  const settings: VerifierConfig = {
    secret: 'a-random-secret-0123456789',
    store: 'sqlite:codes.db',
    quietHours: '22:00-08:00',
  }
  const verifier = new Verifier(new Router([config]), settings)
  new Verifier(client, { secret: 's', keyHourlyCap: 5 })
  new Verifier([config, client], { secret: 's', codeLength: 6, ttlSecs: 300 })
  const started: Verification = await verifier.start('13800138000', { key: '203.0.113.7', playTimes: 2 })
  await verifier.start('13800138000')
  const expiresAt: string = started.expiresAt
  const receiptId: string | undefined = started.receipt?.messageId
  const unknownSend: VoiceCodeError | undefined = started.status === 'may_have_been_sent' ? started.error : undefined
  const check: Check = await verifier.check('13800138000', '482193')
  const status: CheckStatus = check.status
  const left: number | undefined = check.attemptsLeft
  const approved: boolean = check.approved
  await verifier.cancel('13800138000')
  void [expiresAt, receiptId, unknownSend, status, left, approved]

  // @ts-expect-error: `to` is a string
  await client.sendCode({ to: 13800138000, code: '4821' })
  // @ts-expect-error: misspelt key
  await client.sendCode({ to: '13800138000', code: '4821', playTime: 2 })
  // @ts-expect-error: huawei has no `account`
  new Client({ vendor: 'huawei', account: 'x' })
  // @ts-expect-error: an SMS config has no voice keys
  new Client({ vendor: 'aliyun', product: 'sms', accessKeyId: 'a', accessKeySecret: 's', ttsCode: 'TTS_1' })
  // @ts-expect-error: not a product
  sim.config('aliyun', 'fax')
  // @ts-expect-error: not a vendor
  callbacks.parse('twilio', {}, '')
  // @ts-expect-error: a fault needs its code
  sim.inject('ihuyi', { fault: 'vendor_code' })
  // @ts-expect-error: a verifier needs its secret
  new Verifier(client, { store: 'memory' })
  // @ts-expect-error: misspelt config key
  new Verifier(client, { secret: 's', ttlSeconds: 60 })
  // @ts-expect-error: one config is not a list of channels
  new Verifier(config, { secret: 's' })
  // @ts-expect-error: `to` is the start's own argument
  await verifier.start('13800138000', { to: '13800138000' })
  // @ts-expect-error: the code is a string
  await verifier.check('13800138000', 482193)
  // @ts-expect-error: not a check status
  const bogus: CheckStatus = 'ok'
  void bogus
}
