//! A `#![no_std]`, allocator-free user of the crate's core: registers a device and answers a
//! device challenge with caller-provided randomness, writing the signature into a buffer.
//! Linking this staticlib with its own `#[panic_handler]` proves neither std nor alloc came in.

#![no_std]

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig, RememberedDevice, Timestamp,
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

/// Fills `out` (44 bytes) with the `PASSWORD_CLAIM_SIGNATURE` for a fixed challenge; returns
/// 0 on success, 1 on a typed error.
#[unsafe(no_mangle)]
pub extern "C" fn cognito_srp6a_no_std_check(a: &[u8; 32], out: &mut [u8; 44]) -> i32 {
    let config = DeviceSecretVerifierConfig::from_parts("-Xy12AbCd", "us-west-2_0f1e", "pw", &[7; 16]);
    if config.salt().is_empty() {
        return 1;
    }
    let device = RememberedDevice { device_group_key: "-Xy12AbCd", device_key: "us-west-2_0f1e", device_password: b"pw" };
    let mut run = || -> Result<(), cognito_srp6a::Error> {
        let sign_in = device.start_sign_in_with_test_exponent(a)?;
        let challenge = DevicePasswordVerifierChallenge::new("alice", "5c5df301f1b7", "3e389bd7", "YQ==")?;
        let response = sign_in.respond(&challenge, Timestamp::from_unix_seconds(1_793_499_720)?)?;
        out.copy_from_slice(response.password_claim_signature.as_str().as_bytes());
        Ok(())
    };
    match run() {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
