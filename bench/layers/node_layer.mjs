// The Node binding under bench/run.sh: one client per vendor from the simulator's configs,
// each part appending JSON lines to the results file.
//
//   node node_layer.mjs loopback|hop|memory|overhead|promises RESULTS SECONDS CONFIG_DIR [EXTRA]
import { randomFill } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const { Client } = createRequire(import.meta.url)(process.env.VOICECODE_NODE ?? 'voicecode')
const request = { to: '+8613800138000', code: '4821' }
const [, , part, results, seconds, configDir, extra = ''] = process.argv
const duration = Number(seconds) * 1000
const client = (vendor) => Client.fromFile(join(configDir, `${vendor}.json`))

function record(entry) {
  console.log(JSON.stringify(entry))
  appendFileSync(results, JSON.stringify(entry) + '\n')
}

function rssKib() {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Number(line.split(/\s+/)[1])
}

async function rate(work) {
  for (let i = 0; i < 20; i++) await work()
  const started = performance.now()
  let calls = 0
  while (performance.now() - started < duration) {
    await work()
    calls++
  }
  return calls / ((performance.now() - started) / 1000)
}

if (part === 'loopback') {
  for (const vendor of ['huawei', 'ihuyi']) {
    const c = client(vendor)
    record({ part: 'loopback', vendor, layer: 'node', per_s: await rate(() => c.sendCode(request)) })
  }
} else if (part === 'hop') {
  // Node-API reaches other threads only through the thread pool or threads of an addon's own,
  // answering through the event loop: a round trip through Node's own pool that does nothing
  // (one random byte) is what any asynchronous native call pays here before its work.
  const byte = Buffer.alloc(1)
  const hop = () => new Promise((resolve, reject) => randomFill(byte, (e) => (e ? reject(e) : resolve())))
  record({ part: 'hop', layer: 'node', us: 1e6 / (await rate(hop)) })
} else if (part === 'overhead') {
  const c = client('huawei')
  const invalid = { to: 'not a phone', code: '4821' }
  const once = () => {
    try {
      c.sendCodeSync(invalid)
    } catch (e) {
      if (e.code === 'invalid_input') return
      throw e
    }
    throw new Error('accepted an invalid phone')
  }
  // Five rounds of about a fifth of the time each; the best round is the figure.
  const best = (call) => {
    let fastest = Infinity
    for (let round = 0; round < 5; round++) {
      let n = 0
      const started = process.hrtime.bigint()
      while (Number(process.hrtime.bigint() - started) < duration * 2e5) {
        for (let i = 0; i < 100; i++) call()
        n += 100
      }
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / n)
    }
    return fastest
  }
  record({ part: 'overhead', layer: 'node', ns: best(once) })
  // The floor under any failing call: V8 building, throwing and catching one Error.
  const plainError = () => {
    try {
      throw new Error('to: not a phone number')
    } catch (e) {
      if (!e.message) throw e
    }
  }
  record({ part: 'overhead', layer: 'node-error-floor', ns: best(plainError) })
} else if (part === 'promises') {
  const c = client('huawei')
  for (const n of extra.split(',').map(Number)) {
    const started = performance.now()
    const deadline = started + duration
    let done = 0
    let failed = 0
    const caller = async () => {
      while (performance.now() < deadline) {
        let ok = true
        try {
          await c.sendCode(request)
        } catch {
          ok = false
        }
        if (performance.now() > deadline) break // only sends completed inside the window count
        if (ok) done++
        else failed++
      }
    }
    await Promise.all(Array.from({ length: n }, caller))
    const elapsed = (deadline - started) / 1000
    record({ part: 'concurrency', layer: 'node-promises', in_flight: n, per_s: done / elapsed, errors: failed })
  }
} else if (part === 'memory') {
  const c = client('huawei')
  const sends = Number(extra)
  const samples = []
  for (let i = 1; i <= sends; i++) {
    await c.sendCode(request)
    if (i % Math.max(Math.floor(sends / 10), 1) === 0) samples.push([i, rssKib()])
  }
  record({ part: 'memory', layer: 'node', samples })
} else {
  throw new Error(`unknown part ${part}`)
}
