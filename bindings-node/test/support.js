'use strict'
// Shared test set-up: one simulator per test file, closed when the file is done.

const { after } = require('node:test')
const { testing } = require('..')

/** A simulator for this test file. */
function startSimulator(options) {
  const sim = new testing.Simulator(options)
  after(() => sim.close())
  return sim
}

/** Distinct valid mainland mobile numbers, so that per-number limits never interfere. */
let next = 0
function mobile() {
  next += 1
  return `1380013${String(next).padStart(4, '0')}`
}

module.exports = { startSimulator, mobile }
