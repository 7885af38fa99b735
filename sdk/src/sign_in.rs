//! The `USER_SRP_AUTH` sign-in (SPEC "Wire flow"): `InitiateAuth`, the `PASSWORD_VERIFIER`
//! answer, a remembered device's `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`, with the
//! `Session` threaded through and `SECRET_HASH` on every request when the client has a secret.
//! A challenge the app must answer (MFA, a new password) comes back as a step that offers only
//! the call valid at that point and carries the flow on.

use crate::{CognitoSrpClient, Error, NewDeviceMetadata, StoredDevice, Tokens};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use cognito_srp6a::{DevicePasswordVerifierChallenge, PasswordVerifierChallenge, Timestamp, User};
use std::{collections::HashMap, fmt};

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
}

/// A finished sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Tokens,
    /// The device key the service issued, when the sign-in went through no remembered device:
    /// pass it to [`CognitoSrpClient::remember_device`].
    pub new_device_metadata: Option<NewDeviceMetadata>,
    /// The device given to `sign_in` no longer exists ("Device does not exist."): the
    /// sign-in was done again without it. Delete the device file.
    pub device_forgotten: bool,
    /// The internal user name (`USER_ID_FOR_SRP`).
    pub username: String,
    /// The challenges answered, in order (`PASSWORD_VERIFIER`, `DEVICE_SRP_AUTH`, …).
    pub challenges: Vec<String>,
}

/// A sign-in in progress: what the next answer needs.
struct Flow {
    client: CognitoSrpClient,
    username: String,
    device: Option<StoredDevice>,
    session: Option<String>,
    device_forgotten: bool,
    challenges: Vec<String>,
}

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session is a bearer credential for the rest of the sign-in: not printed.
        f.debug_struct("Flow")
            .field("username", &self.username)
            .field("device", &self.device)
            .field("challenges", &self.challenges)
            .finish_non_exhaustive()
    }
}

/// A challenge answer.
struct Reply {
    challenge: Option<ChallengeNameType>,
    session: Option<String>,
    parameters: HashMap<String, String>,
    result: Option<AuthenticationResultType>,
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

impl CognitoSrpClient {
    /// Signs in with `USER_SRP_AUTH`: `PASSWORD_VERIFIER`, and with a remembered `device`,
    /// `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER`. When the service answers "Device does
    /// not exist.", signs in again without the device and says so in
    /// [`SignedIn::device_forgotten`].
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        device: Option<&StoredDevice>,
    ) -> Result<SignIn, Error> {
        match self.sign_in_once(username, password, device).await {
            Err(error) if device.is_some() && error.is_device_not_found() => {
                let mut retried = self.sign_in_once(username, password, None).await?;
                retried.set_device_forgotten();
                Ok(retried)
            }
            other => other,
        }
    }

    async fn sign_in_once(
        &self,
        username: &str,
        password: &str,
        device: Option<&StoredDevice>,
    ) -> Result<SignIn, Error> {
        let user = User::new(&self.user_pool_id, username, password)?;
        // ThreadRng is not Send: drawn from and dropped before any await.
        let pending = {
            let mut rng = rand::rng();
            user.start_sign_in(&mut rng)?
        };
        let mut auth = pending.user_srp_auth();
        if let Some(device) = device {
            auth = auth.with_device_key(&device.device_key);
        }
        if let Some(client) = self.app_client() {
            auth = auth.with_secret_hash(&client);
        }
        let reply = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .set_auth_parameters(Some(auth.parameters().to_map()))
            .send()
            .await?;
        if reply.challenge_name() != Some(&ChallengeNameType::PasswordVerifier) {
            return Err(Error::malformed(
                "InitiateAuth",
                "ChallengeName PASSWORD_VERIFIER",
            ));
        }
        let parameters = reply
            .challenge_parameters()
            .ok_or_else(|| Error::malformed("InitiateAuth", "ChallengeParameters"))?;
        let challenge = PasswordVerifierChallenge::from_parameters(parameters)?;
        let internal = challenge.user_id_for_srp().to_string();
        let mut response = pending.respond(&challenge, Timestamp::now()?)?;
        if let Some(device) = device {
            response = response.with_device_key(&device.device_key);
        }
        if let Some(client) = self.app_client() {
            response = response.with_secret_hash(&client);
        }
        let flow = Flow {
            client: self.clone(),
            username: internal,
            device: device.cloned(),
            session: reply.session().map(str::to_string),
            device_forgotten: false,
            challenges: vec!["PASSWORD_VERIFIER".into()],
        };
        let reply = flow
            .respond(
                ChallengeNameType::PasswordVerifier,
                flow.session.clone(),
                response.parameters().to_map(),
            )
            .await?;
        flow.proceed(reply).await
    }
}

impl SignIn {
    fn set_device_forgotten(&mut self) {
        match self {
            Self::SignedIn(signed_in) => signed_in.device_forgotten = true,
            Self::SoftwareTokenMfa(MfaCode { flow, .. })
            | Self::SmsMfa(MfaCode { flow, .. })
            | Self::NewPasswordRequired(NewPassword { flow })
            | Self::SelectMfaType(SelectMfaType { flow }) => flow.device_forgotten = true,
        }
    }
}

impl Flow {
    /// One `RespondToAuthChallenge`.
    async fn respond(
        &self,
        challenge: ChallengeNameType,
        session: Option<String>,
        responses: HashMap<String, String>,
    ) -> Result<Reply, Error> {
        let reply = self
            .client
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client.client_id)
            .challenge_name(challenge)
            .set_session(session)
            .set_challenge_responses(Some(responses))
            .send()
            .await?;
        Ok(Reply {
            challenge: reply.challenge_name().cloned(),
            session: reply.session().map(str::to_string),
            parameters: reply.challenge_parameters().cloned().unwrap_or_default(),
            result: reply.authentication_result().cloned(),
        })
    }

    /// Answers an app-facing challenge with `entries`, `USERNAME`, and `DEVICE_KEY` and
    /// `SECRET_HASH` where they belong, then goes on.
    async fn answer(
        mut self,
        challenge: ChallengeNameType,
        entries: &[(&str, &str)],
    ) -> Result<SignIn, Error> {
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
            match challenge {
                ChallengeNameType::DeviceSrpAuth => reply = self.device_steps().await?,
                ChallengeNameType::SoftwareTokenMfa | ChallengeNameType::SmsMfa => {
                    let sms = challenge == ChallengeNameType::SmsMfa;
                    let step = MfaCode {
                        flow: self,
                        challenge,
                        parameters: std::mem::take(&mut reply.parameters),
                    };
                    return Ok(if sms {
                        SignIn::SmsMfa(step)
                    } else {
                        SignIn::SoftwareTokenMfa(step)
                    });
                }
                ChallengeNameType::NewPasswordRequired => {
                    return Ok(SignIn::NewPasswordRequired(NewPassword { flow: self }));
                }
                ChallengeNameType::SelectMfaType => {
                    return Ok(SignIn::SelectMfaType(SelectMfaType { flow: self }));
                }
                other => return Err(Error::UnsupportedChallenge(other.as_str().to_string())),
            }
        }
    }

    /// `DEVICE_SRP_AUTH` with a new ephemeral, then the `DEVICE_PASSWORD_VERIFIER` proof.
    async fn device_steps(&mut self) -> Result<Reply, Error> {
        let operation = "RespondToAuthChallenge";
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
        let operation = "RespondToAuthChallenge";
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
            username: self.username,
            challenges: self.challenges,
        }))
    }
}
