//! The SRP sign-in (`docs/protocol.md`, "Wire flow"): `USER_SRP_AUTH`, or choice-based
//! `USER_AUTH` with `PASSWORD_SRP` preferred; the `PASSWORD_VERIFIER` answer; a remembered
//! device's `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`; with the `Session` threaded
//! through and `SECRET_HASH` on every request when the client has a secret. From an app
//! (`InitiateAuth`) or from a back end with AWS credentials (`AdminInitiateAuth`, `server_side`).
//!
//! A challenge the app must answer (MFA, MFA set-up, a new password, a choice) comes back as a
//! step that offers only the calls valid at that point and carries the flow on. A sign-in takes
//! at most [`MAX_STEPS`] answers: a service that keeps asking ends in
//! [`Error::TooManySteps`].

use crate::{CognitoSrpClient, Error, NewDeviceMetadata, StoredDevice, Tokens};
use aws_sdk_cognitoidentityprovider::{
    operation::{
        admin_initiate_auth::AdminInitiateAuthOutput,
        admin_respond_to_auth_challenge::AdminRespondToAuthChallengeOutput,
        initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput,
    },
    types::{AuthFlowType, AuthenticationResultType, ChallengeNameType},
};
use cognito_srp6a::{DevicePasswordVerifierChallenge, PasswordVerifierChallenge, Timestamp, User};
use std::{collections::HashMap, fmt};
use zeroize::Zeroizing;

/// The most challenge answers one sign-in sends: a choice of factor, the password proof, the
/// device's two steps, a new password, an MFA choice, its set-up and code, with room to spare.
pub const MAX_STEPS: usize = 12;

/// Which flow a sign-in starts with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFlow {
    /// `USER_SRP_AUTH`.
    #[default]
    UserSrp,
    /// `USER_AUTH`, choice-based sign-in, with `PREFERRED_CHALLENGE` `PASSWORD_SRP`.
    UserAuth,
}

/// Where a sign-in stands: signed in, or waiting for the app to answer a challenge.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignIn {
    /// Done: the tokens.
    SignedIn(SignedIn),
    /// `SOFTWARE_TOKEN_MFA`: answer with the authenticator app's code.
    SoftwareTokenMfa(MfaCode),
    /// `SMS_MFA`: answer with the code sent by SMS.
    SmsMfa(MfaCode),
    /// `NEW_PASSWORD_REQUIRED`: the user must choose a password.
    NewPasswordRequired(NewPassword),
    /// `SELECT_MFA_TYPE`: the user picks SMS or an authenticator app.
    SelectMfaType(SelectMfaType),
    /// `MFA_SETUP`: the pool requires a second factor the user does not have yet.
    MfaSetup(MfaSetup),
    /// `SELECT_CHALLENGE` (`USER_AUTH`): the service offers first factors to choose from.
    SelectChallenge(SelectChallenge),
}

/// A finished sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Tokens,
    /// The device key the service issued, when the sign-in went through no remembered device:
    /// pass it to [`CognitoSrpClient::remember_device`]. The refresh token is bound to it.
    pub new_device_metadata: Option<NewDeviceMetadata>,
    /// The device given to `sign_in` no longer exists ("Device does not exist."): the
    /// sign-in was done again without it. Delete the device file.
    pub device_forgotten: bool,
    /// The internal user name (`USER_ID_FOR_SRP`).
    pub username: String,
    /// The challenges answered, in order (`PASSWORD_VERIFIER`, `DEVICE_SRP_AUTH`, …).
    pub challenges: Vec<String>,
    /// The remembered device the sign-in went through.
    bound_device: Option<String>,
}

impl SignedIn {
    /// The device key the tokens are bound to: the remembered device the sign-in went through,
    /// or the one it was issued. A refresh names it.
    pub fn device_key(&self) -> Option<&str> {
        self.new_device_metadata
            .as_ref()
            .map(|metadata| metadata.device_key.as_str())
            .or(self.bound_device.as_deref())
    }
}

/// A sign-in to start: [`CognitoSrpClient::sign_in`], options, then [`SignInRequest::send`].
#[must_use = "a sign-in does nothing until `send().await`"]
pub struct SignInRequest<'a> {
    client: &'a CognitoSrpClient,
    username: &'a str,
    password: &'a str,
    device: Option<&'a StoredDevice>,
    flow: AuthFlow,
    server_side: bool,
}

impl fmt::Debug for SignInRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInRequest")
            .field("username", &self.username)
            .field("device", &self.device)
            .field("flow", &self.flow)
            .field("server_side", &self.server_side)
            .finish_non_exhaustive()
    }
}

impl<'a> SignInRequest<'a> {
    /// Signs in through this remembered device (`DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`).
    pub fn device(mut self, device: &'a StoredDevice) -> Self {
        self.device = Some(device);
        self
    }

    /// The same, optional.
    pub fn set_device(mut self, device: Option<&'a StoredDevice>) -> Self {
        self.device = device;
        self
    }

    /// `USER_SRP_AUTH` (the default) or `USER_AUTH` with `PASSWORD_SRP` preferred.
    pub fn auth_flow(mut self, flow: AuthFlow) -> Self {
        self.flow = flow;
        self
    }

    /// From a back end: `AdminInitiateAuth` and `AdminRespondToAuthChallenge`, signed with the
    /// SDK client's AWS credentials (the app client must allow the flow).
    pub fn server_side(mut self) -> Self {
        self.server_side = true;
        self
    }

    /// Signs in. When the service answers "Device does not exist." for the device, signs in
    /// again without it and says so in [`SignedIn::device_forgotten`].
    pub async fn send(self) -> Result<SignIn, Error> {
        match self.once(self.device).await {
            Err(error) if self.device.is_some() && error.is_device_not_found() => {
                let mut retried = self.once(None).await?;
                retried.set_device_forgotten();
                Ok(retried)
            }
            other => other,
        }
    }

    async fn once(&self, device: Option<&StoredDevice>) -> Result<SignIn, Error> {
        let mut flow = Flow {
            client: self.client.clone(),
            username: self.username.to_string(),
            password: Zeroizing::new(self.password.to_string()),
            device: device.cloned(),
            session: None,
            device_forgotten: false,
            challenges: Vec::new(),
            server_side: self.server_side,
        };
        let user = User::new(&self.client.user_pool_id, self.username, self.password)?;
        // ThreadRng is not Send: drawn from and dropped before any await.
        let pending = {
            let mut rng = rand::rng();
            user.start_sign_in(&mut rng)?
        };
        let mut auth = pending.user_srp_auth();
        if let Some(device) = device {
            auth = auth.with_device_key(&device.device_key);
        }
        if let Some(client) = self.client.app_client() {
            auth = auth.with_secret_hash(&client);
        }
        let mut parameters = auth.parameters().to_map();
        let auth_flow = match self.flow {
            AuthFlow::UserSrp => AuthFlowType::UserSrpAuth,
            AuthFlow::UserAuth => {
                parameters.insert("PREFERRED_CHALLENGE".into(), "PASSWORD_SRP".into());
                AuthFlowType::UserAuth
            }
        };
        let reply = flow.initiate(auth_flow, parameters).await?;
        match reply.challenge {
            Some(ChallengeNameType::PasswordVerifier) => {
                flow.password_verifier(pending, reply).await
            }
            Some(ChallengeNameType::SelectChallenge) => {
                flow.session = reply.session;
                Ok(SignIn::SelectChallenge(SelectChallenge {
                    available: reply.available_challenges,
                    flow,
                }))
            }
            _ => Err(Error::malformed(
                flow.initiate_operation(),
                "ChallengeName PASSWORD_VERIFIER",
            )),
        }
    }
}

/// A sign-in in progress: what the next answer needs.
pub(crate) struct Flow {
    client: CognitoSrpClient,
    username: String,
    /// Kept only for `SELECT_CHALLENGE`, whose `PASSWORD_SRP` answer starts a new proof.
    password: Zeroizing<String>,
    device: Option<StoredDevice>,
    session: Option<String>,
    device_forgotten: bool,
    challenges: Vec<String>,
    server_side: bool,
}

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session is a bearer credential for the rest of the sign-in, the password a
        // secret: neither is printed.
        f.debug_struct("Flow")
            .field("username", &self.username)
            .field("device", &self.device)
            .field("challenges", &self.challenges)
            .field("server_side", &self.server_side)
            .finish_non_exhaustive()
    }
}

/// An answer of the service to one step.
struct Reply {
    challenge: Option<ChallengeNameType>,
    session: Option<String>,
    parameters: HashMap<String, String>,
    result: Option<AuthenticationResultType>,
    available_challenges: Vec<String>,
}

/// The four sign-in outputs (`InitiateAuth`, `RespondToAuthChallenge` and their `Admin*`
/// forms) have the same members but no trait in common: one place reads them.
macro_rules! reply_from {
    ($($output:ty => |$reply:ident| $available:expr;)*) => {$(
        impl From<$output> for Reply {
            fn from($reply: $output) -> Self {
                Self {
                    challenge: $reply.challenge_name().cloned(),
                    session: $reply.session().map(str::to_string),
                    parameters: $reply.challenge_parameters().cloned().unwrap_or_default(),
                    result: $reply.authentication_result().cloned(),
                    available_challenges: $available,
                }
            }
        }
    )*};
}

/// Sends a flow's call in its app form (`$app`), or server side in its admin form (`$admin`,
/// which also names the pool), with the members both forms take. The two forms' builders have
/// no trait in common: one place sets what they share.
macro_rules! either_form {
    ($flow:expr, $app:ident / $admin:ident, $($member:ident($value:expr)),* $(,)?) => {{
        let client = &$flow.client;
        if $flow.server_side {
            let request = client.client.$admin().user_pool_id(&client.user_pool_id);
            request$(.$member($value))*.send().await.map(Reply::from).map_err(Error::from)
        } else {
            let request = client.client.$app();
            request$(.$member($value))*.send().await.map(Reply::from).map_err(Error::from)
        }
    }};
}

/// `AvailableChallenges` of a `USER_AUTH` start, as names.
fn names(challenges: &[ChallengeNameType]) -> Vec<String> {
    challenges.iter().map(|c| c.as_str().to_string()).collect()
}

reply_from! {
    InitiateAuthOutput => |reply| names(reply.available_challenges());
    AdminInitiateAuthOutput => |reply| names(reply.available_challenges());
    RespondToAuthChallengeOutput => |reply| Vec::new();
    AdminRespondToAuthChallengeOutput => |reply| Vec::new();
}

/// An MFA code step (`SOFTWARE_TOKEN_MFA` or `SMS_MFA`).
#[derive(Debug)]
pub struct MfaCode {
    flow: Flow,
    challenge: ChallengeNameType,
    parameters: HashMap<String, String>,
}

impl MfaCode {
    /// `SOFTWARE_TOKEN_MFA` or `SMS_MFA`.
    pub fn challenge_name(&self) -> &str {
        self.challenge.as_str()
    }

    /// The challenge's parameters (`CODE_DELIVERY_DESTINATION`, …), as the service sent them.
    pub fn parameters(&self) -> &HashMap<String, String> {
        &self.parameters
    }

    /// Answers with the code; the sign-in goes on.
    pub async fn answer(self, code: &str) -> Result<SignIn, Error> {
        let entry = match self.challenge {
            ChallengeNameType::SmsMfa => "SMS_MFA_CODE",
            _ => "SOFTWARE_TOKEN_MFA_CODE",
        };
        self.flow.answer(self.challenge, &[(entry, code)]).await
    }
}

/// A `NEW_PASSWORD_REQUIRED` step.
#[derive(Debug)]
pub struct NewPassword {
    flow: Flow,
}

impl NewPassword {
    /// Sets the user's new password; the sign-in goes on.
    pub async fn answer(self, new_password: &str) -> Result<SignIn, Error> {
        self.flow
            .answer(
                ChallengeNameType::NewPasswordRequired,
                &[("NEW_PASSWORD", new_password)],
            )
            .await
    }
}

/// A `SELECT_MFA_TYPE` step.
#[derive(Debug)]
pub struct SelectMfaType {
    flow: Flow,
}

/// The second factors a user can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaType {
    /// `SMS_MFA`.
    Sms,
    /// `SOFTWARE_TOKEN_MFA`.
    SoftwareToken,
}

impl SelectMfaType {
    /// Picks the factor; the service then asks for its code.
    pub async fn choose(self, mfa: MfaType) -> Result<SignIn, Error> {
        let answer = match mfa {
            MfaType::Sms => "SMS_MFA",
            MfaType::SoftwareToken => "SOFTWARE_TOKEN_MFA",
        };
        self.flow
            .answer(ChallengeNameType::SelectMfaType, &[("ANSWER", answer)])
            .await
    }
}

/// A `SELECT_CHALLENGE` step of a `USER_AUTH` sign-in.
#[derive(Debug)]
pub struct SelectChallenge {
    flow: Flow,
    available: Vec<String>,
}

impl SelectChallenge {
    /// `AvailableChallenges`, as the service listed them (`PASSWORD_SRP`, `PASSWORD`, …).
    pub fn available(&self) -> &[String] {
        &self.available
    }

    /// Chooses `PASSWORD_SRP`: the password is proved, never sent; the sign-in goes on.
    pub async fn password_srp(mut self) -> Result<SignIn, Error> {
        let pool_id = self.flow.client.user_pool_id.clone();
        let username = self.flow.username.clone();
        let password = self.flow.password.clone();
        let user = User::new(&pool_id, &username, &password)?;
        let pending = {
            let mut rng = rand::rng();
            user.start_sign_in(&mut rng)?
        };
        let mut responses = pending.user_srp_auth().parameters().to_map();
        responses.insert("ANSWER".into(), "PASSWORD_SRP".into());
        if let Some(client) = self.flow.client.app_client() {
            responses.insert(
                "SECRET_HASH".into(),
                client.secret_hash(&self.flow.username).as_str().to_string(),
            );
        }
        let session = self.flow.session.take();
        self.flow.challenges.push("SELECT_CHALLENGE".into());
        let reply = self
            .flow
            .respond(ChallengeNameType::SelectChallenge, session, responses)
            .await?;
        if reply.challenge != Some(ChallengeNameType::PasswordVerifier) {
            return Err(Error::malformed(
                self.flow.respond_operation(),
                "ChallengeName PASSWORD_VERIFIER",
            ));
        }
        self.flow.password_verifier(pending, reply).await
    }
}

/// An `MFA_SETUP` step: the user adds an authenticator app.
#[derive(Debug)]
pub struct MfaSetup {
    flow: Flow,
}

/// A TOTP secret to show the user once (as text or a QR code): zeroized on drop, never in
/// `Debug`.
pub struct TotpSecret(Zeroizing<String>);

impl TotpSecret {
    /// The base32 secret, for the user's authenticator app.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// An `MFA_SETUP` step once the secret is made: waits for a code of it.
#[derive(Debug)]
pub struct VerifyTotp {
    flow: Flow,
}

impl MfaSetup {
    /// `AssociateSoftwareToken` with the sign-in's session: the secret to show the user, and
    /// the step that verifies a code of it.
    pub async fn associate(mut self) -> Result<(TotpSecret, VerifyTotp), Error> {
        let operation = "AssociateSoftwareToken";
        self.flow.count_step()?;
        let answer = self
            .flow
            .client
            .client
            .associate_software_token()
            .set_session(self.flow.session.take())
            .send()
            .await?;
        let secret = answer
            .secret_code()
            .ok_or_else(|| Error::malformed(operation, "SecretCode"))?;
        self.flow.session = answer.session().map(str::to_string);
        Ok((
            TotpSecret(Zeroizing::new(secret.to_string())),
            VerifyTotp { flow: self.flow },
        ))
    }
}

impl VerifyTotp {
    /// `VerifySoftwareToken` with a code from the app, then the `MFA_SETUP` answer; the
    /// sign-in goes on.
    pub async fn verify(mut self, code: &str) -> Result<SignIn, Error> {
        self.flow.count_step()?;
        let answer = self
            .flow
            .client
            .client
            .verify_software_token()
            .set_session(self.flow.session.take())
            .user_code(code)
            .send()
            .await?;
        self.flow.session = answer.session().map(str::to_string);
        self.flow.answer(ChallengeNameType::MfaSetup, &[]).await
    }
}

impl CognitoSrpClient {
    /// A sign-in of `username` with `password`: `USER_SRP_AUTH` unless
    /// [`SignInRequest::auth_flow`] says otherwise, through a remembered device when given
    /// [`SignInRequest::device`]. Send it with [`SignInRequest::send`].
    pub fn sign_in<'a>(&'a self, username: &'a str, password: &'a str) -> SignInRequest<'a> {
        SignInRequest {
            client: self,
            username,
            password,
            device: None,
            flow: AuthFlow::UserSrp,
            server_side: false,
        }
    }
}

impl SignIn {
    fn set_device_forgotten(&mut self) {
        match self {
            Self::SignedIn(signed_in) => signed_in.device_forgotten = true,
            Self::SoftwareTokenMfa(MfaCode { flow, .. })
            | Self::SmsMfa(MfaCode { flow, .. })
            | Self::NewPasswordRequired(NewPassword { flow })
            | Self::SelectMfaType(SelectMfaType { flow })
            | Self::MfaSetup(MfaSetup { flow })
            | Self::SelectChallenge(SelectChallenge { flow, .. }) => flow.device_forgotten = true,
        }
    }
}

impl Flow {
    fn initiate_operation(&self) -> &'static str {
        if self.server_side {
            "AdminInitiateAuth"
        } else {
            "InitiateAuth"
        }
    }

    fn respond_operation(&self) -> &'static str {
        if self.server_side {
            "AdminRespondToAuthChallenge"
        } else {
            "RespondToAuthChallenge"
        }
    }

    /// One more answer, or [`Error::TooManySteps`] past [`MAX_STEPS`].
    fn count_step(&mut self) -> Result<(), Error> {
        if self.challenges.len() >= MAX_STEPS {
            return Err(Error::TooManySteps {
                operation: self.respond_operation(),
                limit: MAX_STEPS,
            });
        }
        Ok(())
    }

    /// `InitiateAuth` (or `AdminInitiateAuth`).
    async fn initiate(
        &self,
        flow: AuthFlowType,
        parameters: HashMap<String, String>,
    ) -> Result<Reply, Error> {
        either_form!(
            self,
            initiate_auth / admin_initiate_auth,
            client_id(&self.client.client_id),
            auth_flow(flow),
            set_auth_parameters(Some(parameters)),
        )
    }

    /// One `RespondToAuthChallenge` (or `AdminRespondToAuthChallenge`).
    async fn respond(
        &self,
        challenge: ChallengeNameType,
        session: Option<String>,
        responses: HashMap<String, String>,
    ) -> Result<Reply, Error> {
        let sent_device = responses.contains_key("DEVICE_KEY");
        let outcome = either_form!(
            self,
            respond_to_auth_challenge / admin_respond_to_auth_challenge,
            client_id(&self.client.client_id),
            challenge_name(challenge),
            set_session(session),
            set_challenge_responses(Some(responses)),
        );
        // Past InitiateAuth the app client is known to exist: a ResourceNotFoundException to
        // an answer that named a device is the device's (the service's "Device does not
        // exist.").
        outcome.map_err(|error| {
            if sent_device && error.code() == Some("ResourceNotFoundException") {
                error.into_device_not_found()
            } else {
                error
            }
        })
    }

    /// The `PASSWORD_VERIFIER` answer to `reply`'s challenge with the pending proof, then on.
    async fn password_verifier(
        mut self,
        pending: cognito_srp6a::UserSignIn<'_>,
        reply: Reply,
    ) -> Result<SignIn, Error> {
        let operation = self.initiate_operation();
        if reply.parameters.is_empty() {
            return Err(Error::malformed(operation, "ChallengeParameters"));
        }
        self.count_step()?;
        let challenge = PasswordVerifierChallenge::from_parameters(&reply.parameters)?;
        let internal = challenge.user_id_for_srp().to_string();
        let responses = {
            let mut response = pending.respond(&challenge, Timestamp::now()?)?;
            if let Some(device) = &self.device {
                response = response.with_device_key(&device.device_key);
            }
            let app = self.client.app_client();
            if let Some(app) = &app {
                response = response.with_secret_hash(app);
            }
            response.parameters().to_map()
        };
        self.username = internal;
        self.challenges.push("PASSWORD_VERIFIER".into());
        let reply = self
            .respond(
                ChallengeNameType::PasswordVerifier,
                reply.session,
                responses,
            )
            .await?;
        self.proceed(reply).await
    }

    /// Answers an app-facing challenge with `entries`, `USERNAME`, and `DEVICE_KEY` and
    /// `SECRET_HASH` where they belong, then goes on.
    async fn answer(
        mut self,
        challenge: ChallengeNameType,
        entries: &[(&str, &str)],
    ) -> Result<SignIn, Error> {
        self.count_step()?;
        let mut responses: HashMap<String, String> = entries
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        responses.insert("USERNAME".into(), self.username.clone());
        if let Some(device) = &self.device {
            responses.insert("DEVICE_KEY".into(), device.device_key.clone());
        }
        if let Some(client) = self.client.app_client() {
            responses.insert(
                "SECRET_HASH".into(),
                client.secret_hash(&self.username).as_str().to_string(),
            );
        }
        self.challenges.push(challenge.as_str().to_string());
        let session = self.session.take();
        let reply = self.respond(challenge, session, responses).await?;
        self.proceed(reply).await
    }

    /// Goes on from a reply: the device challenges are answered here; others go to the app.
    async fn proceed(mut self, mut reply: Reply) -> Result<SignIn, Error> {
        loop {
            self.session = reply.session.take();
            let Some(challenge) = reply.challenge.take() else {
                return self.finish(reply.result.as_ref());
            };
            let step = match challenge {
                ChallengeNameType::DeviceSrpAuth => {
                    reply = self.device_steps().await?;
                    continue;
                }
                ChallengeNameType::SoftwareTokenMfa => SignIn::SoftwareTokenMfa(MfaCode {
                    flow: self,
                    challenge,
                    parameters: std::mem::take(&mut reply.parameters),
                }),
                ChallengeNameType::SmsMfa => SignIn::SmsMfa(MfaCode {
                    flow: self,
                    challenge,
                    parameters: std::mem::take(&mut reply.parameters),
                }),
                ChallengeNameType::NewPasswordRequired => {
                    SignIn::NewPasswordRequired(NewPassword { flow: self })
                }
                ChallengeNameType::SelectMfaType => {
                    SignIn::SelectMfaType(SelectMfaType { flow: self })
                }
                ChallengeNameType::MfaSetup => SignIn::MfaSetup(MfaSetup { flow: self }),
                other => return Err(Error::UnsupportedChallenge(other.as_str().to_string())),
            };
            return Ok(step);
        }
    }

    /// `DEVICE_SRP_AUTH` with a new ephemeral, then the `DEVICE_PASSWORD_VERIFIER` proof.
    async fn device_steps(&mut self) -> Result<Reply, Error> {
        let operation = self.respond_operation();
        // A service asking for the device's proof again and again ends here.
        if self.challenges.iter().any(|c| c == "DEVICE_SRP_AUTH") {
            return Err(Error::TooManySteps {
                operation,
                limit: MAX_STEPS,
            });
        }
        self.count_step()?;
        let device = self
            .device
            .as_ref()
            .ok_or_else(|| Error::malformed(operation, "DEVICE_SRP_AUTH without a device"))?;
        let pending = {
            let mut rng = rand::rng();
            device.remembered().start_sign_in(&mut rng)?
        };
        let client = self.client.app_client();
        let mut auth = pending.device_srp_auth(&self.username);
        if let Some(client) = &client {
            auth = auth.with_secret_hash(client);
        }
        let reply = self
            .respond(
                ChallengeNameType::DeviceSrpAuth,
                self.session.clone(),
                auth.parameters().to_map(),
            )
            .await?;
        if reply.challenge != Some(ChallengeNameType::DevicePasswordVerifier) {
            return Err(Error::malformed(
                operation,
                "ChallengeName DEVICE_PASSWORD_VERIFIER",
            ));
        }
        let challenge = DevicePasswordVerifierChallenge::from_parameters(&reply.parameters)?;
        let mut response = pending.respond(&challenge, Timestamp::now()?)?;
        if let Some(client) = &client {
            response = response.with_secret_hash(client);
        }
        let responses = response.parameters().to_map();
        let next = self
            .respond(
                ChallengeNameType::DevicePasswordVerifier,
                reply.session,
                responses,
            )
            .await?;
        self.challenges.push("DEVICE_SRP_AUTH".into());
        self.challenges.push("DEVICE_PASSWORD_VERIFIER".into());
        Ok(next)
    }

    fn finish(self, result: Option<&AuthenticationResultType>) -> Result<SignIn, Error> {
        let operation = self.respond_operation();
        let result = result.ok_or_else(|| Error::malformed(operation, "AuthenticationResult"))?;
        let tokens = Tokens::from_result(operation, result)?;
        let new_device_metadata = match result.new_device_metadata() {
            None => None,
            Some(metadata) => Some(NewDeviceMetadata {
                device_group_key: metadata
                    .device_group_key()
                    .ok_or_else(|| Error::malformed(operation, "NewDeviceMetadata.DeviceGroupKey"))?
                    .to_string(),
                device_key: metadata
                    .device_key()
                    .ok_or_else(|| Error::malformed(operation, "NewDeviceMetadata.DeviceKey"))?
                    .to_string(),
            }),
        };
        Ok(SignIn::SignedIn(SignedIn {
            tokens,
            new_device_metadata,
            device_forgotten: self.device_forgotten,
            bound_device: self.device.as_ref().map(|d| d.device_key.clone()),
            username: self.username.clone(),
            challenges: self.challenges.clone(),
        }))
    }
}
