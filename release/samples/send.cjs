// Install-test sample (CommonJS): sends a code with the installed npm package.
const { Client, VoiceCodeError } = require('voicecode')
const { readFileSync } = require('node:fs')
const { version } = require('voicecode/package.json')

async function main() {
  const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
  const client = new Client(snakeToCamel(config))
  const receipt = await client.sendCode({ to: '+8613800138000', code: '4821' })
  console.log(`cjs ${version}: call ${receipt.messageId} accepted by ${receipt.vendor}`)
  await client.sendCode({ to: '+8613800138000', code: '12' }).then(
    () => { throw new Error('a two-digit ihuyi code was accepted') },
    (err) => {
      if (!(err instanceof VoiceCodeError) || err.code !== 'invalid_input') throw err
      console.log(`cjs: refused before sending: ${err.code}`)
    },
  )
}

function snakeToCamel(object) {
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [k.replace(/_(.)/g, (_, c) => c.toUpperCase()), v]),
  )
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
