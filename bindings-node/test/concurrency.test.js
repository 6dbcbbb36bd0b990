'use strict'
// The event loop is never blocked: network waits run on napi's tokio runtime, not on the
// JavaScript thread and not on libuv's worker pool (4 threads: 256 calls × 100 ms would take
// 6.4 s there).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Client } = require('..')
const { startSimulator } = require('./support')

const CALLS = 256
const LATENCY_MS = 100
const BUDGET_MS = 500
const TICK_MS = 10

const sim = startSimulator({ balances: { ihuyi: 10_000 } })

test(`${CALLS} concurrent sendCode calls with ${LATENCY_MS} ms vendor latency finish in under ${BUDGET_MS} ms while a timer keeps firing`, async (t) => {
  const client = new Client(sim.config('ihuyi'))
  // Start the runtime and the simulator's accept loop before measuring.
  await client.sendCode({ to: '13900000000', code: '4821' })
  sim.inject('ihuyi', { fault: 'latency', ms: LATENCY_MS })
  sim.clearJournal()

  const ticks = []
  const start = performance.now()
  const timer = setInterval(() => ticks.push(performance.now()), TICK_MS)
  const receipts = await Promise.all(
    Array.from({ length: CALLS }, (_, i) => client.sendCode({ to: `139${String(i).padStart(8, '0')}`, code: '4821' })),
  )
  const elapsed = performance.now() - start
  clearInterval(timer)
  sim.clearFaults()

  const gaps = ticks.map((at, i) => at - (i === 0 ? start : ticks[i - 1]))
  const worstGap = Math.max(...gaps)
  t.diagnostic(
    `${CALLS} calls took ${elapsed.toFixed(0)} ms; ${ticks.length} ticks, worst gap ${worstGap.toFixed(1)} ms`,
  )

  assert.equal(new Set(receipts.map((r) => r.messageId)).size, CALLS)
  assert.equal(sim.count('ihuyi', 'send_code'), CALLS)
  assert.ok(elapsed >= LATENCY_MS, `the injected latency applies (${elapsed} ms)`)
  assert.ok(elapsed < BUDGET_MS, `${CALLS} calls took ${elapsed.toFixed(0)} ms`)
  // On time: the timer fired throughout, and no gap between ticks is as long as one vendor
  // answer takes, so the JavaScript thread never waited for one. (Measured on 2 cores: worst gap
  // 11–16 ms when idle, up to 55 ms with both cores busy with other work.)
  assert.ok(ticks.length >= Math.floor(elapsed / TICK_MS) / 2, `${ticks.length} ticks in ${elapsed} ms`)
  assert.ok(worstGap < LATENCY_MS, `the timer was held up for ${worstGap.toFixed(1)} ms`)
})

const STRESS_CALLS = 1024

test(`${STRESS_CALLS} concurrent sendCode Promises on one client: every one accepted, exactly one request each`, async () => {
  const client = new Client(sim.config('ihuyi'))
  sim.clearJournal()
  const results = await Promise.allSettled(
    Array.from({ length: STRESS_CALLS }, (_, i) =>
      client.sendCode({ to: `137${String(i).padStart(8, '0')}`, code: '4821' }),
    ),
  )
  const rejected = results.filter((r) => r.status === 'rejected')
  assert.deepEqual(
    rejected.slice(0, 3).map((r) => r.reason.message),
    [],
    `${rejected.length} of ${STRESS_CALLS} rejected`,
  )
  assert.equal(new Set(results.map((r) => r.value.messageId)).size, STRESS_CALLS)
  assert.equal(sim.count('ihuyi', 'send_code'), STRESS_CALLS, 'none lost, none sent twice')
})
