'use strict'
// The README's examples, extracted and run as they are written.

const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { Client } = require('..')
const { startSimulator, mobile } = require('./support')

const root = path.join(__dirname, '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')

/** Writes the README block marked `<!-- example: name -->` inside the package, so that
 * `require('voicecode')` resolves to this package as it would for a user. */
function example(name) {
  const match = readme.match(new RegExp(`<!-- example: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``))
  assert.ok(match, `README.md has no example named ${name}`)
  const file = path.join(root, 'build', `readme-${name}.js`)
  fs.writeFileSync(file, match[1])
  return file
}

/** Runs a script; resolves with its stdout once `done(stdout)` holds or it exits. */
function run(file, env, done = () => false) {
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env } })
  after(() => child.kill())
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  return {
    child,
    output: new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; stdout: ${stdout} stderr: ${stderr}`)), 10_000)
      child.stdout.on('data', (d) => {
        stdout += d
        if (done(stdout)) {
          clearTimeout(timer)
          resolve(stdout)
        }
      })
      child.on('exit', (code) => {
        clearTimeout(timer)
        if (code === 0) resolve(stdout)
        else if (!done(stdout)) reject(new Error(`exit ${code}; stderr: ${stderr}`))
      })
    }),
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

async function listening(port) {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true))
      socket.on('error', () => resolve(false))
    })
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.fail(`nothing listens on ${port}`)
}

test('README quick start: sends a code through the simulator and exits', async () => {
  const { output } = run(example('quickstart'))
  assert.match(await output, /^call \S+ accepted by huawei\n$/)
})

test('README verify: the code the phone heard is approved', async () => {
  const { output } = run(example('verify'), { VOICECODE_VERIFIER_SECRET: 'readme-example-secret-0123456789' })
  assert.equal(await output, 'approved\n')
})

test('README receiver: logs the events of a call once each and refuses forged pushes', async () => {
  const sim = startSimulator()
  const config = sim.config('huawei')
  const port = await freePort()
  const statusUrl = `http://127.0.0.1:${port}/voicecode/huawei`
  let messageId
  const { output } = run(
    example('receiver'),
    { STATUS_URL: statusUrl, HUAWEI_APP_SECRET: config.appSecret, PORT: String(port) },
    (stdout) => messageId !== undefined && stdout.includes(`${messageId} hangup 16`),
  )
  await listening(port)

  const forged = await fetch(statusUrl, {
    method: 'POST',
    headers: {
      'x-aksk': 'UsernameToken Username="k",PasswordDigest="AAAA",Nonce="abc",Created="2026-01-01T00:00:00Z"',
    },
    body: '{"eventType":"disconnect","statusInfo":{"sessionId":"forged"}}',
  })
  assert.equal(forged.status, 401)

  messageId = (await new Client(config).sendCode({ to: mobile(), code: '4821', statusUrl })).messageId
  const lines = (await output).trim().split('\n')
  assert.deepEqual(lines, [
    `${messageId} dialing `,
    `${messageId} ringing `,
    `${messageId} answered `,
    `${messageId} hangup 16`,
  ])
})

test('the top-level README example (ESM, Client.fromFile) sends through a TOML config', async () => {
  const top = fs.readFileSync(path.join(root, '..', 'README.md'), 'utf8')
  const match = top.match(/<!-- example: top-level -->\n```js\n([\s\S]*?)```/)
  assert.ok(match, 'the top-level README has no example named top-level')
  const script = path.join(root, 'build', 'readme-top-level.mjs')
  fs.writeFileSync(script, match[1])

  // The example reads ihuyi.toml from its working directory, in the command line's snake_case.
  const sim = startSimulator()
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'voicecode-readme-'))
  const toml = Object.entries(sim.config('ihuyi'))
    .map(([key, value]) => `${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} = ${JSON.stringify(value)}`)
    .join('\n')
  fs.writeFileSync(path.join(dir, 'ihuyi.toml'), `${toml}\n`)

  const child = spawn(process.execPath, [script], { cwd: dir })
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  const code = await new Promise((resolve) => child.on('exit', resolve))
  assert.equal(code, 0)
  assert.match(stdout, /^call \S+ accepted by ihuyi\n$/)
  assert.equal(sim.count('ihuyi', 'send_code'), 1)
})
