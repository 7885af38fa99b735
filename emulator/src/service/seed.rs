//! What the emulator makes at start: the pools, app clients and users of a seed file
//! (`--config`), of a CloudFormation template (`--cloudformation`) or of the start-up flags,
//! all as a [`Seed`]. Applying a seed is idempotent, so a restart over the same `--state`
//! file with the same seed changes nothing: a pool or client that exists takes the seed's
//! settings (the file says what they are) and keeps its dates and, unless the seed gives one,
//! its secret; a user that exists keeps its `sub` and devices and takes the seed's password.
//! Seeded passwords are an administrator's fixtures: the pool's policy is not applied to them.

use super::Service;
use crate::{
    error::ServiceError,
    model::{
        client::{ClientSettings, CreateUserPoolClient, UserPoolClient},
        parse_flat,
        pool::{CreateUserPool, PoolSettings, UserPool},
    },
    seed::{Seed, SeedClient, SeedPool, SeedUser},
    store::UserStatus,
};
use serde_json::{Map, Value, json};

impl Service {
    /// Makes (or brings up to date) everything `seed` names. The error names the pool, client
    /// or user it stopped at.
    pub fn apply_seed(&self, seed: &Seed) -> Result<(), String> {
        for pool in &seed.pools {
            let record = self
                .seed_pool(pool)
                .map_err(|error| format!("user pool {}: {}", pool.id, error.message()))?;
            for client in &pool.clients {
                self.seed_client(&record, client).map_err(|error| {
                    format!(
                        "app client {} of {}: {}",
                        client.client_id,
                        pool.id,
                        error.message()
                    )
                })?;
            }
            for user in &pool.users {
                self.seed_user(&record, user).map_err(|error| {
                    format!(
                        "user {:?} of {}: {}",
                        user.username,
                        pool.id,
                        error.message()
                    )
                })?;
            }
        }
        Ok(())
    }

    fn seed_pool(&self, seed: &SeedPool) -> Result<UserPool, ServiceError> {
        if crate::ids::parse_pool_id(&seed.id).is_none() {
            return Err(ServiceError::InvalidParameterException(
                "The pool id is not <region>_<name>.".into(),
            ));
        }
        let request =
            parse_flat::<CreateUserPool, PoolSettings>(&Value::Object(seed.create.clone()))?;
        let now = self.now();
        let mut pool = UserPool::create(seed.id.clone(), request, now)?;
        pool.software_token_mfa = seed.software_token_mfa;
        match self.store.pool(&seed.id)? {
            Some(existing) => {
                pool.creation_date = existing.creation_date;
                pool.mfa_kept = existing.mfa_kept;
                self.store.update_pool(&pool)?;
            }
            None => self.insert_pool(&pool)?,
        }
        Ok(pool)
    }

    fn seed_client(&self, pool: &UserPool, seed: &SeedClient) -> Result<(), ServiceError> {
        crate::model::client::check_client_id("clientId", &seed.client_id)?;
        let mut create = seed.create.clone();
        create.insert("UserPoolId".into(), json!(pool.id));
        create.remove("ClientSecret");
        let existing = self.store.client(&seed.client_id)?;
        if let Some(existing) = &existing
            && existing.user_pool_id != pool.id
        {
            return Err(ServiceError::InvalidParameterException(format!(
                "The client id is taken by a client of {}.",
                existing.user_pool_id
            )));
        }
        let request = parse_flat::<CreateUserPoolClient, ClientSettings>(&Value::Object(create))?;
        let generate = request.generate_secret == Some(true);
        let mut client =
            UserPoolClient::create(seed.client_id.clone(), request, String::new, self.now())?;
        // A seed's own secret is taken as given (the start-up flags always took any text); a
        // secret already made for this client survives a restart.
        client.client_secret = match (&seed.client_secret, &existing) {
            (Some(secret), _) => Some(secret.to_string()),
            (None, Some(existing)) if generate => existing.client_secret.clone(),
            (None, _) if generate => Some(crate::ids::client_secret()),
            (None, _) => None,
        };
        match existing {
            Some(existing) => {
                client.creation_date = existing.creation_date;
                self.store.update_client(&client)?;
            }
            None => self.insert_client(pool, &client)?,
        }
        Ok(())
    }

    fn seed_user(&self, pool: &UserPool, seed: &SeedUser) -> Result<(), ServiceError> {
        let password = seed
            .password
            .as_ref()
            .map(|password| (password, true))
            .or_else(|| {
                seed.temporary_password
                    .as_ref()
                    .map(|password| (password, false))
            });
        let user = match self.find_user(pool, &seed.username) {
            Ok(user) => {
                if let Some((password, permanent)) = password {
                    self.set_password(pool, &user, password, permanent)?;
                }
                user
            }
            Err(_) => {
                let attributes: Map<String, Value> = seed
                    .attributes
                    .iter()
                    .map(|(name, value)| (name.clone(), json!(value)))
                    .collect();
                // Without a password nobody can sign in until AdminSetUserPassword.
                let (password, status) = match password {
                    Some((password, true)) => (password.to_string(), UserStatus::Confirmed),
                    Some((password, false)) => {
                        (password.to_string(), UserStatus::ForceChangePassword)
                    }
                    None => (
                        uuid::Uuid::new_v4().to_string(),
                        UserStatus::ForceChangePassword,
                    ),
                };
                let password = zeroize::Zeroizing::new(password);
                self.add_user(pool, &seed.username, &password, status, attributes, false)?
            }
        };
        if let Some(secret) = &seed.software_token_secret {
            if crate::totp::decode_secret(secret).is_none() {
                return Err(ServiceError::InvalidParameterException(
                    "The software token secret is not base32.".into(),
                ));
            }
            self.store
                .set_user_totp(&pool.id, &user.username, Some(secret))?;
        }
        Ok(())
    }
}
