// Install-test sample (TypeScript, checked with tsc --strict against the package's index.d.ts).
import { Client, VoiceCodeError, type Receipt } from 'voicecode'

declare const process: { argv: string[]; exitCode?: number }

const client: Client = Client.fromFile(process.argv[2])
const receipt: Receipt = await client.sendCode({ to: '+8613800138000', code: '4821' })
const id: string = receipt.messageId
console.log(`typescript: call ${id} accepted by ${receipt.vendor}`)
try {
  await client.sendCode({ to: '+8613800138000', code: '12' })
  throw new Error('a two-digit ihuyi code was accepted')
} catch (err: unknown) {
  if (!(err instanceof VoiceCodeError) || err.code !== 'invalid_input') throw err
  console.log(`typescript: refused before sending: ${err.code}`)
}
