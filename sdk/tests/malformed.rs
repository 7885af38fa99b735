//! Malformed service answers, mocked with `aws-smithy-mocks`: every one must come back as a
//! typed [`Error`], never a panic, and the sign-in must stop at the bad answer (each mocked
//! answer is used exactly once; a request past the last one would panic the mock).
//!
//! Where a case needs a `PASSWORD_VERIFIER` challenge the crate can answer, its parameters are
//! small but valid: `SRP_B` 2, `SALT` ab, `SECRET_BLOCK` AAAA. The last tests check that
//! `list_devices` ends when the service keeps handing out pagination tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use aws_sdk_cognitoidentityprovider::{
    Client,
    error::ErrorMetadata,
    operation::{
        initiate_auth::{InitiateAuthError, InitiateAuthOutput},
        list_devices::ListDevicesOutput,
        respond_to_auth_challenge::RespondToAuthChallengeOutput,
    },
    types::{
        AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceType,
        NewDeviceMetadataType, error::NotAuthorizedException,
    },
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use cognito_srp6a_sdk::{CognitoSrpClient, Error, SignIn, StoredDevice};
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

const USERNAME: &str = "alice";
const PASSWORD: &str = "correct horse battery staple";

/// A cap on mocked `ListDevices` pages: past it the mock ends the listing, so a client that
/// would page for ever fails an assertion instead of hanging the test.
const PAGE_CAP: usize = 150;

fn srp_client(rule_mode: RuleMode, rules: &[&Rule]) -> CognitoSrpClient {
    let client: Client = mock_client!(aws_sdk_cognitoidentityprovider, rule_mode, rules);
    CognitoSrpClient::new(client, "us-east-1_Mocked", "mockedclientid").unwrap()
}

fn map(entries: &[(&str, &str)]) -> HashMap<String, String> {
    entries
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// `PASSWORD_VERIFIER` parameters the crate can answer.
fn password_verifier_parameters() -> HashMap<String, String> {
    map(&[
        ("USER_ID_FOR_SRP", USERNAME),
        ("USERNAME", USERNAME),
        ("SRP_B", "2"),
        ("SALT", "ab"),
        ("SECRET_BLOCK", "AAAA"),
    ])
}

/// `DEVICE_PASSWORD_VERIFIER` parameters the crate can answer.
fn device_password_verifier_parameters() -> HashMap<String, String> {
    map(&[
        ("USERNAME", USERNAME),
        ("SRP_B", "2"),
        ("SALT", "ab"),
        ("SECRET_BLOCK", "AAAA"),
    ])
}

fn device() -> StoredDevice {
    StoredDevice {
        device_group_key: "-Xy12AbCd".into(),
        device_key: "us-east-1_0f1e2d3c-4b5a-4c6d-8e7f-001122334455".into(),
        device_password: "kR+yT5epOn8KOcNlEykBJEAYfvpTe6PFXpTlz1A5m4uxL7blEx7D5w==".into(),
    }
}

fn tokens() -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token("access.token.jwt")
        .id_token("id.token.jwt")
        .refresh_token("refresh-token")
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

/// Tokens with `metadata` as their `NewDeviceMetadata`.
fn tokens_with_new_device(metadata: NewDeviceMetadataType) -> RespondToAuthChallengeOutput {
    let mut result = tokens();
    result.new_device_metadata = Some(metadata);
    RespondToAuthChallengeOutput::builder()
        .authentication_result(result)
        .build()
}

/// An `InitiateAuth` `USER_SRP_AUTH` (with `SRP_A`) answered by `output`.
fn initiate(output: impl Fn() -> InitiateAuthOutput + Send + Sync + 'static) -> Rule {
    mock!(Client::initiate_auth)
        .match_requests(|request| {
            request.auth_flow() == Some(&AuthFlowType::UserSrpAuth)
                && request
                    .auth_parameters()
                    .is_some_and(|parameters| parameters.contains_key("SRP_A"))
        })
        .then_output(output)
}

/// `InitiateAuth` answered with `PASSWORD_VERIFIER` and these parameters.
fn initiate_with(parameters: HashMap<String, String>) -> Rule {
    initiate(move || {
        InitiateAuthOutput::builder()
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session("session-1")
            .set_challenge_parameters(Some(parameters.clone()))
            .build()
    })
}

/// `InitiateAuth` answered with a `PASSWORD_VERIFIER` the crate can answer.
fn initiate_ok() -> Rule {
    initiate_with(password_verifier_parameters())
}

/// A `RespondToAuthChallenge` answering `challenge`, answered by `output`.
fn respond(
    challenge: ChallengeNameType,
    output: impl Fn() -> RespondToAuthChallengeOutput + Send + Sync + 'static,
) -> Rule {
    mock!(Client::respond_to_auth_challenge)
        .match_requests(move |request| request.challenge_name() == Some(&challenge))
        .then_output(output)
}

/// The answer to a step: the next challenge with its parameters.
fn challenge(
    name: ChallengeNameType,
    parameters: HashMap<String, String>,
) -> RespondToAuthChallengeOutput {
    RespondToAuthChallengeOutput::builder()
        .challenge_name(name)
        .session("session-next")
        .set_challenge_parameters(Some(parameters))
        .build()
}

/// Runs one sign-in over `rules` (in order) and checks that each was used exactly once.
async fn sign_in(rules: &[&Rule], device: Option<&StoredDevice>) -> Result<SignIn, Error> {
    let client = srp_client(RuleMode::Sequential, rules);
    let outcome = client
        .sign_in(USERNAME, PASSWORD)
        .set_device(device)
        .send()
        .await;
    for (index, rule) in rules.iter().enumerate() {
        assert_eq!(
            rule.num_calls(),
            1,
            "mocked answer {index} used {} times; outcome {outcome:?}",
            rule.num_calls()
        );
    }
    outcome
}

/// The `Error::MalformedAnswer` of `outcome`, or a panic naming what came instead.
fn malformed(outcome: Result<SignIn, Error>) -> (&'static str, &'static str) {
    match outcome {
        Err(Error::MalformedAnswer { operation, what }) => (operation, what),
        other => panic!("expected Error::MalformedAnswer, got {other:?}"),
    }
}

/// `InitiateAuth` answered by `output`: the sign-in stops there with an
/// `Error::MalformedAnswer` that names `missing`.
async fn initiate_answered_by(
    output: impl Fn() -> InitiateAuthOutput + Send + Sync + 'static,
    missing: &str,
) {
    let rule = initiate(output);
    let (operation, what) = malformed(sign_in(&[&rule], None).await);
    assert_eq!(operation, "InitiateAuth");
    assert!(what.contains(missing), "{what}");
}

/// The `PASSWORD_VERIFIER` answer answered by `output`: the sign-in stops there with an
/// `Error::MalformedAnswer` that names `missing`.
async fn password_verifier_answered_by(
    output: impl Fn() -> RespondToAuthChallengeOutput + Send + Sync + 'static,
    missing: &str,
) {
    let first = initiate_ok();
    let second = respond(ChallengeNameType::PasswordVerifier, output);
    let (operation, what) = malformed(sign_in(&[&first, &second], None).await);
    assert_eq!(operation, "RespondToAuthChallenge");
    assert!(what.contains(missing), "{what}");
}

/// A sign-in with [`device`] over `InitiateAuth` with a `PASSWORD_VERIFIER` the crate can
/// answer, that answer answered with `DEVICE_SRP_AUTH`, then `rest` (in order); each rule
/// used exactly once.
async fn device_sign_in(rest: &[&Rule]) -> Result<SignIn, Error> {
    let first = initiate_ok();
    let second = respond(ChallengeNameType::PasswordVerifier, || {
        challenge(ChallengeNameType::DeviceSrpAuth, HashMap::new())
    });
    let rules = [[&first, &second].as_slice(), rest].concat();
    sign_in(&rules, Some(&device())).await
}

fn srp_error(outcome: Result<SignIn, Error>) -> cognito_srp6a::Error {
    match outcome {
        Err(Error::Srp(error)) => error,
        other => panic!("expected Error::Srp, got {other:?}"),
    }
}

#[tokio::test]
async fn initiate_auth_without_challenge_name() {
    initiate_answered_by(
        || {
            InitiateAuthOutput::builder()
                .session("session-1")
                .set_challenge_parameters(Some(password_verifier_parameters()))
                .build()
        },
        "ChallengeName",
    )
    .await;
}

#[tokio::test]
async fn initiate_auth_with_tokens_instead_of_a_challenge() {
    initiate_answered_by(
        || {
            InitiateAuthOutput::builder()
                .authentication_result(tokens())
                .build()
        },
        "ChallengeName",
    )
    .await;
}

#[tokio::test]
async fn password_verifier_without_challenge_parameters() {
    initiate_answered_by(
        || {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .session("session-1")
                .build()
        },
        "ChallengeParameters",
    )
    .await;
}

#[tokio::test]
async fn password_verifier_without_srp_b() {
    let mut parameters = password_verifier_parameters();
    parameters.remove("SRP_B");
    let rule = initiate_with(parameters);
    assert_eq!(
        srp_error(sign_in(&[&rule], None).await),
        cognito_srp6a::Error::Missing { parameter: "SRP_B" }
    );
}

/// Every malformed or forbidden value of one `PASSWORD_VERIFIER` parameter.
async fn password_verifier_with(name: &str, value: &str) -> cognito_srp6a::Error {
    let mut parameters = password_verifier_parameters();
    parameters.insert(name.to_owned(), value.to_owned());
    let rule = initiate_with(parameters);
    srp_error(sign_in(&[&rule], None).await)
}

#[tokio::test]
async fn srp_b_zero() {
    assert_eq!(
        password_verifier_with("SRP_B", "0").await,
        cognito_srp6a::Error::IllegalValue { parameter: "SRP_B" }
    );
}

#[tokio::test]
async fn srp_b_equal_to_n() {
    assert_eq!(
        password_verifier_with("SRP_B", cognito_srp6a::N_HEX).await,
        cognito_srp6a::Error::IllegalValue { parameter: "SRP_B" }
    );
}

#[tokio::test]
async fn srp_b_a_multiple_of_n() {
    // 16N: N's hex with one more zero; reduced mod N it is 0 as well.
    let sixteen_n = format!("{}0", cognito_srp6a::N_HEX);
    assert_eq!(
        password_verifier_with("SRP_B", &sixteen_n).await,
        cognito_srp6a::Error::IllegalValue { parameter: "SRP_B" }
    );
}

#[tokio::test]
async fn srp_b_not_hex() {
    for value in ["xyz", "0x1234", "12 34", ""] {
        let error = password_verifier_with("SRP_B", value).await;
        assert_eq!(
            error.parameter(),
            Some("SRP_B"),
            "SRP_B {value:?}: {error:?}"
        );
        assert!(
            matches!(error, cognito_srp6a::Error::Malformed { .. }),
            "SRP_B {value:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn salt_not_hex() {
    let error = password_verifier_with("SALT", "not hex").await;
    assert_eq!(error, cognito_srp6a::Error::Malformed { parameter: "SALT" });
}

#[tokio::test]
async fn secret_block_not_base64() {
    for value in ["not base64!", "AAA", "AAB="] {
        let error = password_verifier_with("SECRET_BLOCK", value).await;
        assert_eq!(
            error,
            cognito_srp6a::Error::Malformed {
                parameter: "SECRET_BLOCK"
            },
            "SECRET_BLOCK {value:?}"
        );
    }
}

#[tokio::test]
async fn password_verifier_reply_with_neither_tokens_nor_challenge() {
    password_verifier_answered_by(
        || RespondToAuthChallengeOutput::builder().build(),
        "AuthenticationResult",
    )
    .await;
}

#[tokio::test]
async fn authentication_result_without_access_token() {
    password_verifier_answered_by(
        || {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(
                    AuthenticationResultType::builder()
                        .id_token("id.token.jwt")
                        .refresh_token("refresh-token")
                        .expires_in(3600)
                        .build(),
                )
                .build()
        },
        "AccessToken",
    )
    .await;
}

#[tokio::test]
async fn authentication_result_without_id_token() {
    password_verifier_answered_by(
        || {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(
                    AuthenticationResultType::builder()
                        .access_token("access.token.jwt")
                        .expires_in(3600)
                        .build(),
                )
                .build()
        },
        "IdToken",
    )
    .await;
}

#[tokio::test]
async fn new_device_metadata_without_device_key() {
    password_verifier_answered_by(
        || {
            tokens_with_new_device(
                NewDeviceMetadataType::builder()
                    .device_group_key("-Xy12AbCd")
                    .build(),
            )
        },
        "DeviceKey",
    )
    .await;
}

#[tokio::test]
async fn new_device_metadata_without_device_group_key() {
    password_verifier_answered_by(
        || {
            tokens_with_new_device(
                NewDeviceMetadataType::builder()
                    .device_key("us-east-1_0f1e2d3c")
                    .build(),
            )
        },
        "DeviceGroupKey",
    )
    .await;
}

#[tokio::test]
async fn device_srp_auth_without_a_device() {
    password_verifier_answered_by(
        || challenge(ChallengeNameType::DeviceSrpAuth, HashMap::new()),
        "DEVICE_SRP_AUTH",
    )
    .await;
}

/// `DEVICE_SRP_AUTH` answered by `answer` instead of `DEVICE_PASSWORD_VERIFIER`.
async fn device_srp_auth_answered_by(
    answer: impl Fn() -> RespondToAuthChallengeOutput + Send + Sync + 'static,
) {
    let expected_key = device().device_key.clone();
    let third = mock!(Client::respond_to_auth_challenge)
        .match_requests(move |request| {
            request.challenge_name() == Some(&ChallengeNameType::DeviceSrpAuth)
                && request.challenge_responses().is_some_and(|responses| {
                    responses.get("DEVICE_KEY") == Some(&expected_key)
                        && responses.contains_key("SRP_A")
                })
        })
        .then_output(answer);
    let (operation, what) = malformed(device_sign_in(&[&third]).await);
    assert_eq!(operation, "RespondToAuthChallenge");
    assert!(what.contains("DEVICE_PASSWORD_VERIFIER"), "{what}");
}

#[tokio::test]
async fn device_srp_auth_answered_by_tokens() {
    device_srp_auth_answered_by(|| {
        RespondToAuthChallengeOutput::builder()
            .authentication_result(tokens())
            .build()
    })
    .await;
}

#[tokio::test]
async fn device_srp_auth_answered_by_password_verifier() {
    device_srp_auth_answered_by(|| {
        challenge(
            ChallengeNameType::PasswordVerifier,
            password_verifier_parameters(),
        )
    })
    .await;
}

#[tokio::test]
async fn device_srp_auth_answered_by_nothing() {
    device_srp_auth_answered_by(|| RespondToAuthChallengeOutput::builder().build()).await;
}

#[tokio::test]
async fn device_password_verifier_with_srp_b_zero() {
    let third = respond(ChallengeNameType::DeviceSrpAuth, || {
        let mut parameters = device_password_verifier_parameters();
        parameters.insert("SRP_B".into(), "0".into());
        challenge(ChallengeNameType::DevicePasswordVerifier, parameters)
    });
    assert_eq!(
        srp_error(device_sign_in(&[&third]).await),
        cognito_srp6a::Error::IllegalValue { parameter: "SRP_B" }
    );
}

#[tokio::test]
async fn device_password_verifier_without_parameters() {
    let third = respond(ChallengeNameType::DeviceSrpAuth, || {
        RespondToAuthChallengeOutput::builder()
            .challenge_name(ChallengeNameType::DevicePasswordVerifier)
            .build()
    });
    let error = srp_error(device_sign_in(&[&third]).await);
    assert!(
        matches!(error, cognito_srp6a::Error::Missing { .. }),
        "{error:?}"
    );
}

/// The well-formed device flow over the same mocks, so the cases above fail for the reason
/// they name and not for a broken set-up.
#[tokio::test]
async fn well_formed_device_flow_signs_in() {
    let third = respond(ChallengeNameType::DeviceSrpAuth, || {
        challenge(
            ChallengeNameType::DevicePasswordVerifier,
            device_password_verifier_parameters(),
        )
    });
    let expected_key = device().device_key.clone();
    let fourth = mock!(Client::respond_to_auth_challenge)
        .match_requests(move |request| {
            request.challenge_name() == Some(&ChallengeNameType::DevicePasswordVerifier)
                && request.challenge_responses().is_some_and(|responses| {
                    responses.get("DEVICE_KEY") == Some(&expected_key)
                        && [
                            "USERNAME",
                            "PASSWORD_CLAIM_SECRET_BLOCK",
                            "TIMESTAMP",
                            "PASSWORD_CLAIM_SIGNATURE",
                        ]
                        .iter()
                        .all(|name| responses.contains_key(*name))
                })
        })
        .then_output(|| {
            RespondToAuthChallengeOutput::builder()
                .authentication_result(tokens())
                .build()
        });
    let outcome = device_sign_in(&[&third, &fourth]).await;
    let Ok(SignIn::SignedIn(signed_in)) = outcome else {
        panic!("expected tokens, got {outcome:?}");
    };
    assert_eq!(
        signed_in.challenges,
        [
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ]
    );
    assert_eq!(signed_in.tokens.access_token, "access.token.jwt");
    assert!(signed_in.new_device_metadata.is_none());
}

#[tokio::test]
async fn custom_challenge_is_unsupported() {
    let first = initiate_ok();
    let second = respond(ChallengeNameType::PasswordVerifier, || {
        challenge(
            ChallengeNameType::CustomChallenge,
            map(&[("USERNAME", USERNAME)]),
        )
    });
    match sign_in(&[&first, &second], None).await {
        Err(Error::UnsupportedChallenge(name)) => assert_eq!(name, "CUSTOM_CHALLENGE"),
        other => panic!("expected Error::UnsupportedChallenge, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_challenge_is_unsupported() {
    let first = initiate_ok();
    let second = respond(ChallengeNameType::PasswordVerifier, || {
        challenge(
            ChallengeNameType::from("SOME_FUTURE_CHALLENGE"),
            HashMap::new(),
        )
    });
    match sign_in(&[&first, &second], None).await {
        Err(Error::UnsupportedChallenge(name)) => assert_eq!(name, "SOME_FUTURE_CHALLENGE"),
        other => panic!("expected Error::UnsupportedChallenge, got {other:?}"),
    }
}

/// The service's own error on the wire (HTTP 400, the JSON 1.1 error shape), at the
/// `PASSWORD_VERIFIER` answer.
#[tokio::test]
async fn not_authorized_on_the_wire() {
    let first = initiate_ok();
    let second = mock!(Client::respond_to_auth_challenge)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#
                    .into(),
            ),
        )
        .build();
    let error = sign_in(&[&first, &second], None).await.unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"), "{error:?}");
    assert_eq!(error.message(), Some("Incorrect username or password."));
    assert!(!error.is_device_not_found());
    match &error {
        Error::Service(service) => assert!(
            matches!(
                **service,
                aws_sdk_cognitoidentityprovider::Error::NotAuthorizedException(_)
            ),
            "{service:?}"
        ),
        other => panic!("expected Error::Service, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "NotAuthorizedException: Incorrect username or password."
    );
}

/// The same error as the SDK models it, at `InitiateAuth`.
#[tokio::test]
async fn not_authorized_modeled() {
    let rule = mock!(Client::initiate_auth).then_error(|| {
        InitiateAuthError::NotAuthorizedException(
            NotAuthorizedException::builder()
                .message("Incorrect username or password.")
                .meta(
                    ErrorMetadata::builder()
                        .code("NotAuthorizedException")
                        .message("Incorrect username or password.")
                        .build(),
                )
                .build(),
        )
    });
    let error = sign_in(&[&rule], None).await.unwrap_err();
    assert_eq!(error.code(), Some("NotAuthorizedException"), "{error:?}");
    assert!(
        matches!(
            &error,
            Error::Service(service)
                if matches!(**service, aws_sdk_cognitoidentityprovider::Error::NotAuthorizedException(_))
        ),
        "{error:?}"
    );
}

/// "Device does not exist." at the `PASSWORD_VERIFIER` answer: the sign-in is done again
/// without the device, and says so.
#[tokio::test]
async fn forgotten_device_signs_in_again_without_it() {
    let device = device();
    let with_device_key = device.device_key.clone();
    let first = mock!(Client::initiate_auth)
        .match_requests(move |request| {
            request
                .auth_parameters()
                .is_some_and(|parameters| parameters.get("DEVICE_KEY") == Some(&with_device_key))
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .set_challenge_parameters(Some(password_verifier_parameters()))
                .build()
        });
    let second = mock!(Client::respond_to_auth_challenge)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"ResourceNotFoundException","message":"Device does not exist."}"#
                    .into(),
            ),
        )
        .build();
    let third = mock!(Client::initiate_auth)
        .match_requests(|request| {
            request
                .auth_parameters()
                .is_some_and(|parameters| !parameters.contains_key("DEVICE_KEY"))
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .set_challenge_parameters(Some(password_verifier_parameters()))
                .build()
        });
    let fourth = mock!(Client::respond_to_auth_challenge)
        .match_requests(|request| {
            request
                .challenge_responses()
                .is_some_and(|responses| !responses.contains_key("DEVICE_KEY"))
        })
        .then_output(|| {
            tokens_with_new_device(
                NewDeviceMetadataType::builder()
                    .device_group_key("-Xy12AbCd")
                    .device_key("us-east-1_new")
                    .build(),
            )
        });
    let outcome = sign_in(&[&first, &second, &third, &fourth], Some(&device)).await;
    let Ok(SignIn::SignedIn(signed_in)) = outcome else {
        panic!("expected tokens, got {outcome:?}");
    };
    assert!(signed_in.device_forgotten);
    assert_eq!(
        signed_in
            .new_device_metadata
            .map(|metadata| metadata.device_key),
        Some("us-east-1_new".to_owned())
    );
}

/// `ListDevices` pages answered by `token(call)` (the 1-based call number; `None` ends the
/// listing), with one device per page. Past [`PAGE_CAP`] calls the listing is ended by force.
/// Returns the number of calls and the devices listed, or the error.
async fn list_devices_with(
    token: impl Fn(usize) -> Option<String> + Send + Sync + 'static,
) -> (usize, Result<usize, Error>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let rule = mock!(Client::list_devices)
        .match_requests(|request| request.access_token() == Some("access.token.jwt"))
        .then_compute_output(move |_request| {
            let call = counted.fetch_add(1, Ordering::SeqCst) + 1;
            ListDevicesOutput::builder()
                .devices(
                    DeviceType::builder()
                        .device_key(format!("us-east-1_device-{call}"))
                        .build(),
                )
                .set_pagination_token(if call > PAGE_CAP { None } else { token(call) })
                .build()
        });
    let client = srp_client(RuleMode::MatchAny, &[&rule]);
    let devices = client.list_devices("access.token.jwt").await;
    (
        calls.load(Ordering::SeqCst),
        devices.map(|devices| devices.len()),
    )
}

#[tokio::test]
async fn list_devices_follows_pagination() {
    let (calls, devices) =
        list_devices_with(|call| (call < 3).then(|| format!("token-{call}"))).await;
    assert_eq!((calls, devices.unwrap()), (3, 3));
}

/// A repeated token ends the listing in a typed error, at once.
fn assert_repeated_token(calls: usize, outcome: Result<usize, Error>, limit: usize) {
    assert!(calls <= limit, "ListDevices called {calls} times");
    match outcome {
        Err(Error::MalformedAnswer { operation, what }) => {
            assert_eq!(operation, "ListDevices");
            assert!(what.contains("PaginationToken"), "{what}");
        }
        other => panic!("expected Error::MalformedAnswer, got {other:?}"),
    }
}

#[tokio::test]
async fn list_devices_stops_on_a_repeated_pagination_token() {
    let (calls, outcome) = list_devices_with(|_| Some("same-token".into())).await;
    assert_repeated_token(calls, outcome, 2);
}

#[tokio::test]
async fn list_devices_stops_on_an_empty_pagination_token() {
    let (calls, outcome) = list_devices_with(|_| Some(String::new())).await;
    assert_eq!((calls, outcome.unwrap()), (1, 1));
}

#[tokio::test]
async fn list_devices_stops_when_pagination_tokens_cycle() {
    // token-a, token-b, token-a, ...: never the token just sent, but a loop all the same.
    let (calls, outcome) =
        list_devices_with(|call| Some(if call % 2 == 1 { "token-a" } else { "token-b" }.into()))
            .await;
    assert_repeated_token(calls, outcome, 3);
}

#[tokio::test]
async fn list_devices_stops_after_its_page_limit_when_every_token_is_new() {
    let (calls, outcome) = list_devices_with(|call| Some(format!("token-{call}"))).await;
    assert_eq!(calls, cognito_srp6a_sdk::MAX_DEVICE_PAGES);
    match outcome {
        Err(Error::TooManySteps { operation, limit }) => {
            assert_eq!(
                (operation, limit),
                ("ListDevices", cognito_srp6a_sdk::MAX_DEVICE_PAGES)
            );
        }
        other => panic!("expected Error::TooManySteps, got {other:?}"),
    }
}

#[tokio::test]
async fn a_service_that_asks_for_the_device_proof_again_ends_the_sign_in() {
    let third = respond(ChallengeNameType::DeviceSrpAuth, || {
        challenge(
            ChallengeNameType::DevicePasswordVerifier,
            device_password_verifier_parameters(),
        )
    });
    // The device's proof answered with DEVICE_SRP_AUTH again: a loop.
    let fourth = respond(ChallengeNameType::DevicePasswordVerifier, || {
        challenge(ChallengeNameType::DeviceSrpAuth, HashMap::new())
    });
    let outcome = device_sign_in(&[&third, &fourth]).await;
    assert!(
        matches!(outcome, Err(Error::TooManySteps { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_service_that_keeps_asking_for_a_new_password_ends_the_sign_in() {
    let first = initiate_ok();
    let asks = respond(ChallengeNameType::PasswordVerifier, || {
        challenge(ChallengeNameType::NewPasswordRequired, HashMap::new())
    });
    let again = respond(ChallengeNameType::NewPasswordRequired, || {
        challenge(ChallengeNameType::NewPasswordRequired, HashMap::new())
    });
    let client = srp_client(RuleMode::MatchAny, &[&first, &asks, &again]);
    let mut step = client.sign_in(USERNAME, PASSWORD).send().await.unwrap();
    let mut answers = 0;
    let error = loop {
        let SignIn::NewPasswordRequired(new) = step else {
            panic!("expected NEW_PASSWORD_REQUIRED, got {step:?}");
        };
        answers += 1;
        assert!(
            answers <= cognito_srp6a_sdk::MAX_STEPS,
            "the sign-in never ended"
        );
        match new.answer("another password").await {
            Ok(next) => step = next,
            Err(error) => break error,
        }
    };
    assert!(matches!(error, Error::TooManySteps { .. }), "{error:?}");
    // PASSWORD_VERIFIER and MAX_STEPS - 1 new passwords went out; the next is refused unsent.
    assert_eq!(answers, cognito_srp6a_sdk::MAX_STEPS);
    assert_eq!(again.num_calls(), cognito_srp6a_sdk::MAX_STEPS - 1);
}
