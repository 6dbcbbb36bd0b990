// Compiled (never run) by api.test.js with `tsc --strict`: index.d.ts must accept these calls and,
// where marked, refuse them.

import { Client, Router, VoiceCodeError, callbacks, testing } from '..'
import type { CallEvent, ChannelConfig, Receipt } from '..'

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
  const spoken: string | null = sim.lastCode('13800138000')
  void [messageId, sync, amount, first, spoken]

  // @ts-expect-error: `to` is a string
  await client.sendCode({ to: 13800138000, code: '4821' })
  // @ts-expect-error: misspelt key
  await client.sendCode({ to: '13800138000', code: '4821', playTime: 2 })
  // @ts-expect-error: huawei has no `account`
  new Client({ vendor: 'huawei', account: 'x' })
  // @ts-expect-error: not a vendor
  callbacks.parse('twilio', {}, '')
  // @ts-expect-error: a fault needs its code
  sim.inject('ihuyi', { fault: 'vendor_code' })
}
