// Install-test sample (ES module): sends a code with the installed npm package.
import { Client, VoiceCodeError } from 'voicecode'

const client = Client.fromFile(process.argv[2])
const receipt = await client.sendCode({ to: '+8613800138000', code: '4821' })
console.log(`esm: call ${receipt.messageId} accepted by ${receipt.vendor}`)
try {
  await client.sendCode({ to: '+8613800138000', code: '12' })
  throw new Error('a two-digit ihuyi code was accepted')
} catch (err) {
  if (!(err instanceof VoiceCodeError) || err.code !== 'invalid_input') throw err
  console.log(`esm: refused before sending: ${err.code}`)
}
