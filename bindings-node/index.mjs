// The package's ES module entry point: the same objects as the CommonJS one.
import voicecode from './index.js'

export const { __napiBindingTarget, Client, Router, Verifier, VoiceCodeError, callbacks, testing } = voicecode
