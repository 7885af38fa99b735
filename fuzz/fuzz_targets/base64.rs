#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cognito_srp6a::fuzz::base64(data));
