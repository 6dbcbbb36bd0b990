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
