'use strict'
// index.d.ts is the package's whole API: it is what `napi build` generates, it names exactly
// what index.js exports, and TypeScript accepts it (and refuses wrong calls).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const voicecode = require('..')

const root = path.join(__dirname, '..')
const dts = fs.readFileSync(path.join(root, 'index.d.ts'), 'utf8')

test('the committed index.d.ts is what the last build generated', () => {
  const generated = path.join(root, 'build', 'index.d.ts')
  assert.ok(fs.existsSync(generated), 'build first: npm run build')
  assert.equal(dts, fs.readFileSync(generated, 'utf8'), 'index.d.ts is stale: cp build/index.d.ts index.d.ts')
})

test('npm run build, the build users run, is the optimised one', () => {
  // A debug addon is slower than plain fetch; only the test suite builds one.
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  assert.match(scripts.build, /^napi build .*--release\b/)
  assert.doesNotMatch(scripts['build:debug'], /--release/)
})

test('index.d.ts declares exactly the values index.js exports', () => {
  const declared = [...dts.matchAll(/^export declare (?:class|const|function|namespace) (\w+)/gm)].map((m) => m[1])
  assert.deepEqual(declared.sort(), Object.keys(voicecode).sort())
  for (const ns of ['callbacks', 'testing']) {
    const body = dts.slice(dts.indexOf(`export declare namespace ${ns} {`)).split('\n}\n')[0]
    const members = [...body.matchAll(/^ {2}export (?:class|function) (\w+)/gm)].map((m) => m[1])
    assert.deepEqual(members.sort(), Object.keys(voicecode[ns]).sort(), ns)
  }
})

test('TypeScript accepts index.d.ts and refuses calls that break it', { timeout: 60_000 }, () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const result = spawnSync(
    process.execPath,
    [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', path.join(__dirname, 'typecheck.ts')],
    { encoding: 'utf8' },
  )
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

/** The keys an interface of index.d.ts declares (own keys, not inherited ones). */
function declaredKeys(name) {
  const start = dts.search(new RegExp(`^export interface ${name}\\b`, 'm'))
  assert.ok(start >= 0, `index.d.ts declares ${name}`)
  const body = dts.slice(start, dts.indexOf('\n}', start))
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]).sort()
}

/** The keys the core accepts, from its refusal of an unknown one. */
function coreKeys(attempt) {
  try {
    attempt()
  } catch (e) {
    const listed = e.message.match(/unknown field `zzz`, expected (.*)$/)
    assert.ok(listed, e.message)
    return [...listed[1].matchAll(/`(\w+)`/g)].map((m) => m[1].replace(/_(\w)/g, (_, c) => c.toUpperCase())).sort()
  }
  assert.fail('the core accepted an unknown key')
}

test('the schema types in index.d.ts have exactly the core schema keys', async () => {
  const { Client } = voicecode
  const sim = new voicecode.testing.Simulator()
  try {
    // `vendor` and `product` are read before the product's own keys, and `baseUrl` with them.
    const configKeys = (vendor, name, product) => {
      const keys = coreKeys(() => new Client({ vendor, product, zzz: 1 }))
      assert.deepEqual(
        declaredKeys(name).filter((k) => !['vendor', 'product', 'baseUrl'].includes(k)),
        keys.filter((k) => k !== 'baseUrl'),
        name,
      )
    }
    configKeys('ytx', 'YtxConfig')
    configKeys('huawei', 'HuaweiConfig')
    configKeys('ihuyi', 'IhuyiConfig')
    configKeys('cloud10658', 'Cloud10658Config')
    configKeys('oneaccess', 'OneAccessConfig')
    configKeys('aliyun', 'AliyunConfig')
    configKeys('tencent', 'TencentConfig')
    configKeys('huawei', 'HuaweiSmsConfig', 'sms')
    configKeys('ihuyi', 'IhuyiSmsConfig', 'sms')
    configKeys('aliyun', 'AliyunSmsConfig', 'sms')
    configKeys('tencent', 'TencentSmsConfig', 'sms')
    const device = coreKeys(() => new Client({ ...sim.config('oneaccess'), device: { zzz: 1 } }))
    assert.deepEqual(declaredKeys('Device'), device)

    const client = new Client(sim.config('oneaccess'))
    const rejected = async (promise) => {
      const e = await promise.then(
        () => assert.fail('accepted'),
        (e) => e,
      )
      return () => {
        throw e
      }
    }
    assert.deepEqual(declaredKeys('SendCodeRequest'), coreKeys(await rejected(client.sendCode({ zzz: 1 }))))
    assert.deepEqual(declaredKeys('VerifyCaptchaRequest'), coreKeys(await rejected(client.verifyCaptcha({ zzz: 1 }))))
    assert.deepEqual(declaredKeys('SendSmsCodeRequest'), coreKeys(await rejected(client.sendSmsCode({ zzz: 1 }))))
  } finally {
    sim.close()
  }
})
