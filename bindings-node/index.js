'use strict'
// The package's CommonJS entry point: the native addon (build/binding.js, written by
// `napi build`) and the VoiceCodeError class every core error is thrown as.

const native = require('./build/binding.js')

/** Every error of a voicecode operation; its fields are the core's error, in camelCase. */
class VoiceCodeError extends Error {
  constructor(detail) {
    const { kind, message, ...fields } = detail
    super(message)
    this.code = kind
    // outcome, vendor, field, vendorCode, vendorMessage, httpStatus, retryable, retryAfter, attempts
    Object.assign(this, fields)
  }
}
Object.defineProperty(VoiceCodeError.prototype, 'name', { value: 'VoiceCodeError' })

native.__registerErrorClass(VoiceCodeError)

module.exports = {
  __napiBindingTarget: native.__napiBindingTarget,
  Client: native.Client,
  Router: native.Router,
  Verifier: native.Verifier,
  VoiceCodeError,
  callbacks: native.callbacks,
  testing: native.testing,
}
