//! The core does its work without the heap, under a global allocator that counts: a whole
//! device sign-in through the public API (the `ConfirmDevice` verifier, `DEVICE_SRP_AUTH`, the
//! `DEVICE_PASSWORD_VERIFIER` answer) allocates nothing, and neither does the service's check
//! of the answer (S and the signature). The service's record and issued challenge are state it
//! keeps between two requests and own their strings (names, `SECRET_BLOCK`, the hex of B):
//! a fixed number of small allocations, the same for every sign-in, none in the math.

#![allow(clippy::unwrap_used, reason = "a test: a refusal is a failure")]

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
};

use cognito_srp6a::{
    DevicePasswordVerifierChallenge, DeviceRegistration, RememberedDevice, Timestamp,
    VerifierRecord,
};
use rand::{SeedableRng, rngs::StdRng};

/// The system allocator, counting every allocation and reallocation made by this thread (the
/// test harness's own threads allocate when they like).
struct Counting;

thread_local! {
    // Const-initialized and without a destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: a thread being torn down has no counter, and its allocations are not ours.
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every call is forwarded to `System` unchanged; the counter has no effect on memory.
#[allow(unsafe_code, reason = "a global allocator is an unsafe trait")]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` made on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

const DEVICE_GROUP_KEY: &str = "-J7NR9Yb3";
const DEVICE_KEY: &str = "us-east-1_a1b2c3d4-5e6f-4a0b-8c9d-0e1f2a3b4c5d";
const USERNAME: &str = "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b";

#[test]
fn a_device_sign_in_and_its_check_allocate_nothing() {
    let mut rng = StdRng::seed_from_u64(7);
    let now = Timestamp::from_unix_seconds(1_767_225_600).unwrap();
    // The counter is known to work: a Vec is one allocation.
    assert_eq!(allocations(|| std::hint::black_box(vec![0u8; 64])).1, 1);

    let (registration, count) =
        allocations(|| DeviceRegistration::generate(DEVICE_GROUP_KEY, DEVICE_KEY, &mut rng));
    assert_eq!(count, 0, "DeviceRegistration::generate");
    let remembered = RememberedDevice {
        device_group_key: DEVICE_GROUP_KEY,
        device_key: DEVICE_KEY,
        device_password: registration.device_password.as_bytes(),
    };
    let (pending, count) = allocations(|| remembered.start_sign_in(&mut rng).unwrap());
    assert_eq!(count, 0, "RememberedDevice::start_sign_in");

    let config = &registration.device_secret_verifier_config;
    let issue = |rng: &mut StdRng| {
        allocations(|| {
            VerifierRecord::from_confirm_device(
                DEVICE_GROUP_KEY,
                DEVICE_KEY,
                config.password_verifier(),
                config.salt(),
            )
            .unwrap()
            .issue_challenge(pending.srp_a().as_str(), USERNAME, rng)
            .unwrap()
        })
    };
    // State kept between two requests: the same few allocations every time, none in the math.
    let (_, first) = issue(&mut rng);
    let (issued, second) = issue(&mut rng);
    assert_eq!(
        first, second,
        "the record and challenge allocate the same every time"
    );
    assert!(
        second <= 12,
        "VerifierRecord::from_confirm_device, issue_challenge: {second} allocations"
    );

    // The challenge as the service sends it, built outside the count (a map of Strings).
    let parameters = issued.parameters().to_map();
    let challenge = DevicePasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let (response, count) = allocations(|| pending.respond(&challenge, now).unwrap());
    assert_eq!(count, 0, "DeviceSignIn::respond");

    // The answer as the service receives it, built outside the count.
    let answer: Vec<(&str, &str)> = response.parameters().iter().collect();
    let (verdict, count) =
        allocations(|| issued.verify(answer.iter().map(|&(k, v)| (k, v)), now, 300));
    assert_eq!(count, 0, "IssuedChallenge::verify");
    verdict.unwrap();
}
