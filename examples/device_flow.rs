//! Remember-device, offline: an app's side (this crate's client side) and a user pool's side
//! (this crate's service side, feature `server`) in one process, with no network:
//!
//! ```text
//! cargo run --release --example device_flow
//! ```
//!
//! 1. The first sign-in is the password alone (`USER_SRP_AUTH`, `PASSWORD_VERIFIER`): no device
//!    is remembered yet. The service checks the proof against the salt and verifier it stored at
//!    sign-up, and gives the app a new device key.
//! 2. The app remembers the device: it makes a device password and its verifier
//!    (`DeviceSecretVerifierConfig`), keeps the password, and the service stores the verifier.
//! 3. The next sign-in names the device in the password step; the device is remembered, so the
//!    service goes on to `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`, and checks the proof
//!    made with the device password against the stored verifier.
//! 4. The same device steps with any other device password are refused.
//!
//! Only a remembered device takes the device steps: the service has no verifier for any other,
//! so it has nothing to check a device proof against. Each message is printed with its
//! parameters (long values cut short); the passwords are in none of them.

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, Error, IssuedChallenge, Parameters,
    PasswordVerifierChallenge, RememberedDevice, SrpA, Timestamp, User, UserPoolId, VerifierRecord,
};
use rand::{RngExt, rngs::ThreadRng};
use std::collections::HashMap;

const POOL_ID: &str = "us-east-1_ExAmPlE12";
const USERNAME: &str = "alice@example.com";
/// The internal user name the service hands back: the proofs are made over it.
const USER_ID_FOR_SRP: &str = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";
const PASSWORD: &str = "correct horse battery staple";
/// One per user: the `P` of every device's SRP identity.
const DEVICE_GROUP_KEY: &str = "-J7NR9Yb3";
/// How far the service lets a client's `TIMESTAMP` be from its own clock.
const MAX_CLOCK_SKEW_SECS: u32 = 300;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = rand::rng();
    // Sign-up: the service keeps a salt and the password's verifier, never the password.
    let salt = format!("{:032x}", rng.random::<u128>());
    let user = VerifierRecord::for_user_password(POOL_ID, USER_ID_FOR_SRP, PASSWORD, &salt)?;
    // The service's remembered devices: their verifiers, by device key.
    let mut remembered = HashMap::new();

    println!("1. first sign-in: the password alone");
    password_sign_in(&user, None, &mut rng)?;
    let region = UserPoolId::parse(POOL_ID)?.region();
    let device_key = new_device_key(region, &mut rng);
    println!("   service: a new device {device_key}");

    println!("\n2. the app remembers the device");
    let registration = DeviceRegistration::generate(DEVICE_GROUP_KEY, &device_key, &mut rng);
    let config = &registration.device_secret_verifier_config;
    show(
        "app -> service: DeviceSecretVerifierConfig",
        [
            ("PasswordVerifier", config.password_verifier()),
            ("Salt", config.salt()),
        ],
    );
    let record = VerifierRecord::from_confirm_device(
        DEVICE_GROUP_KEY,
        &device_key,
        config.password_verifier(),
        config.salt(),
    )?;
    remembered.insert(device_key.clone(), record);
    // What the app stores: the keys, and the password (zeroized when `registration` drops).
    let device = RememberedDevice {
        device_group_key: DEVICE_GROUP_KEY,
        device_key: &device_key,
        device_password: registration.device_password.as_bytes(),
    };

    println!("\n3. next sign-in: the password step names the device, then the device's proof");
    let named = password_sign_in(&user, Some(&device_key), &mut rng)?;
    // Only a device it remembered goes on to the device steps: no other has a verifier.
    let record = named
        .and_then(|key| remembered.get(&key))
        .ok_or("the service does not know the device the app named")?;
    device_sign_in(record, device, &mut rng)?;

    println!("\n4. the device steps with another device password");
    let impostor = RememberedDevice {
        device_password: b"not the device password",
        ..device
    };
    match device_sign_in(record, impostor, &mut rng) {
        Err(Error::NotAuthorized) => println!("   service: refused"),
        other => return Err(format!("a wrong device password must be refused: {other:?}").into()),
    }
    println!("\nOK: remembered a device and signed in through it");
    Ok(())
}

/// `USER_SRP_AUTH` and `PASSWORD_VERIFIER`, with `DEVICE_KEY` in both when the app has a
/// remembered device. Returns the `DEVICE_KEY` of the answer the service checked.
fn password_sign_in(
    user: &VerifierRecord,
    device_key: Option<&str>,
    rng: &mut ThreadRng,
) -> Result<Option<String>, Error> {
    let sign_in = User::new(POOL_ID, USERNAME, PASSWORD)?.start_sign_in(rng)?;
    let mut auth = sign_in.user_srp_auth();
    if let Some(key) = device_key {
        auth = auth.with_device_key(key);
    }
    let issued = issue(user, "USER_SRP_AUTH", auth.parameters(), auth.srp_a, rng)?;
    let parameters = issued.parameters().to_map();
    let challenge = PasswordVerifierChallenge::from_parameters(&parameters)?;
    let mut response = sign_in.respond(&challenge, Timestamp::now()?)?;
    if let Some(key) = device_key {
        response = response.with_device_key(key);
    }
    let answer = response.parameters();
    let named = answer.get("DEVICE_KEY").map(String::from);
    check(issued, answer)?;
    Ok(named)
}

/// `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`, against the verifier the service stored
/// for the device.
fn device_sign_in(
    record: &VerifierRecord,
    device: RememberedDevice<'_>,
    rng: &mut ThreadRng,
) -> Result<(), Error> {
    let sign_in = device.start_sign_in(rng)?;
    let auth = sign_in.device_srp_auth(USER_ID_FOR_SRP);
    let issued = issue(
        record,
        "DEVICE_SRP_AUTH",
        auth.parameters(),
        auth.srp_a,
        rng,
    )?;
    let parameters = issued.parameters().to_map();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters)?;
    let response = sign_in.respond(&challenge, Timestamp::now()?)?;
    check(issued, response.parameters())
}

/// The service's challenge to the start of a sign-in (`step`, which carries `SRP_A`), made
/// from the stored record of the user or the device.
fn issue(
    record: &VerifierRecord,
    step: &str,
    start: Parameters<'_>,
    srp_a: &SrpA,
    rng: &mut ThreadRng,
) -> Result<IssuedChallenge, Error> {
    show(&format!("app -> service: {step}"), start.iter());
    let issued = record.issue_challenge(srp_a.as_str(), USER_ID_FOR_SRP, rng)?;
    let name = issued.challenge_name();
    show(
        &format!("service -> app: {name}"),
        issued.parameters().iter(),
    );
    Ok(issued)
}

/// The service's check of an answer; the challenge is consumed by it.
fn check(issued: IssuedChallenge, answer: Parameters<'_>) -> Result<(), Error> {
    let name = issued.challenge_name();
    show(&format!("app -> service: the {name} answer"), answer.iter());
    issued.verify(&answer.to_map(), Timestamp::now()?, MAX_CLOCK_SKEW_SECS)?;
    println!("   service: proof checked");
    Ok(())
}

/// A device key as the service makes them: `<region>_<uuid>`.
fn new_device_key(region: &str, rng: &mut ThreadRng) -> String {
    let n: u128 = rng.random();
    format!(
        "{region}_{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        n >> 96,
        (n >> 80) & 0xffff,
        (n >> 64) & 0xffff,
        (n >> 48) & 0xffff,
        n & 0xffff_ffff_ffff
    )
}

/// One message: its parameters, long values cut to their start and length.
fn show<'v>(direction: &str, parameters: impl IntoIterator<Item = (&'static str, &'v str)>) {
    println!("   {direction}");
    for (name, value) in parameters {
        let shown: String = value.chars().take(48).collect();
        if shown.len() < value.len() {
            println!("     {name}: {shown}… ({} characters)", value.len());
        } else {
            println!("     {name}: {value}");
        }
    }
}
