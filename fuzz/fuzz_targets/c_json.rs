#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| voicecode_fuzz::c_targets::c_json(data));
