#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| voicecode_fuzz::targets::config_value(data));
