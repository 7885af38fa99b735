//! User pools through the API: `CreateUserPool`, `UpdateUserPool`, `DescribeUserPool`,
//! `ListUserPools`, `DeleteUserPool`, and the pool's MFA settings (`SetUserPoolMfaConfig`,
//! `GetUserPoolMfaConfig`). A new pool's id is `<region>_<9 letters or digits>`, in the
//! region the request was signed for (else the emulator's `--region`).

use super::{Caller, Service};
use crate::{
    error::ServiceError,
    input::Input,
    model::{
        check_range, parse, parse_flat,
        pool::{
            CreateUserPool, DeletionProtection, MfaConfiguration, PoolSettings, UpdateUserPool,
            UserPool,
        },
    },
};
use serde::Deserialize;
use serde_json::{Value, json};

/// `ListUserPools`' `MaxResults` at most.
const MAX_RESULTS: i64 = 60;

/// `SetUserPoolMfaConfig`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetUserPoolMfaConfig {
    user_pool_id: String,
    #[serde(default)]
    software_token_mfa_configuration: Option<SoftwareTokenMfaConfiguration>,
    #[serde(default)]
    mfa_configuration: Option<MfaConfiguration>,
    #[serde(default)]
    sms_mfa_configuration: Option<Value>,
    #[serde(default)]
    email_mfa_configuration: Option<Value>,
    #[serde(default)]
    web_authn_configuration: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SoftwareTokenMfaConfiguration {
    #[serde(default)]
    enabled: Option<bool>,
}

/// `ListUserPools`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUserPools {
    max_results: i64,
    #[serde(default)]
    next_token: Option<String>,
}

impl Service {
    pub(super) fn create_user_pool(
        &self,
        input: &Input,
        caller: &Caller,
    ) -> Result<Value, ServiceError> {
        let request = parse_flat::<CreateUserPool, PoolSettings>(input.value())?;
        let region = caller.region.as_deref().unwrap_or(&self.region);
        let id = crate::ids::pool_id(region);
        let pool = UserPool::create(id, request, self.now())?;
        self.insert_pool(&pool)?;
        Ok(json!({ "UserPool": pool.describe(0) }))
    }

    /// Adds a pool under the emulator's bound on pools.
    pub(super) fn insert_pool(&self, pool: &UserPool) -> Result<(), ServiceError> {
        if self.store.pool_count()? >= self.limits.max_pools {
            return Err(ServiceError::LimitExceededException(format!(
                "This emulator holds at most {} user pools (--max-pools).",
                self.limits.max_pools
            )));
        }
        if !self.store.insert_pool(pool)? {
            return Err(ServiceError::InternalErrorException(
                "A new user pool id was already taken; try again.".into(),
            ));
        }
        Ok(())
    }

    pub(super) fn update_user_pool(&self, input: &Input) -> Result<Value, ServiceError> {
        let request = parse_flat::<UpdateUserPool, PoolSettings>(input.value())?;
        let mut pool = self.pool(&request.user_pool_id)?;
        pool.update(request, self.now())?;
        self.store.update_pool(&pool)?;
        Ok(json!({}))
    }

    pub(super) fn describe_user_pool(&self, input: &Input) -> Result<Value, ServiceError> {
        let pool = self.input_pool(input)?;
        let users = self.store.user_count(&pool.id)?;
        Ok(json!({ "UserPool": pool.describe(users) }))
    }

    pub(super) fn list_user_pools(&self, input: &Input) -> Result<Value, ServiceError> {
        let request: ListUserPools = parse(input.value())?;
        check_range("maxResults", request.max_results, 1, MAX_RESULTS)?;
        let pools = self.store.pools()?;
        let start = page_start(
            pools.iter().map(|pool| pool.id.as_str()),
            request.next_token.as_deref(),
        )?;
        let limit = usize::try_from(request.max_results).unwrap_or(1);
        let page: Vec<&UserPool> = pools.iter().skip(start).take(limit).collect();
        let mut output = serde_json::Map::new();
        output.insert(
            "UserPools".into(),
            page.iter().map(|pool| pool.summary()).collect(),
        );
        if let Some(next) = pools.get(start + limit) {
            output.insert("NextToken".into(), json!(next.id));
        }
        Ok(Value::Object(output))
    }

    pub(super) fn delete_user_pool(&self, input: &Input) -> Result<Value, ServiceError> {
        let pool = self.input_pool(input)?;
        if pool.settings.deletion_protection == Some(DeletionProtection::Active) {
            return Err(ServiceError::InvalidParameterException(
                "The user pool cannot be deleted because deletion protection is activated.".into(),
            ));
        }
        self.store.delete_pool(&pool.id)?;
        Ok(json!({}))
    }

    pub(super) fn set_user_pool_mfa_config(&self, input: &Input) -> Result<Value, ServiceError> {
        let request: SetUserPoolMfaConfig = parse(input.value())?;
        let mut pool = self.pool(&request.user_pool_id)?;
        if let Some(software) = &request.software_token_mfa_configuration {
            pool.software_token_mfa = software.enabled.unwrap_or(false);
        }
        if let Some(mfa) = request.mfa_configuration {
            pool.settings.mfa_configuration = Some(mfa);
        }
        for (member, value) in [
            ("SmsMfaConfiguration", request.sms_mfa_configuration),
            ("EmailMfaConfiguration", request.email_mfa_configuration),
            ("WebAuthnConfiguration", request.web_authn_configuration),
        ] {
            if let Some(value) = value {
                pool.mfa_kept.insert(member.into(), value);
            }
        }
        pool.last_modified_date = self.now();
        self.store.update_pool(&pool)?;
        Ok(mfa_config(&pool))
    }

    pub(super) fn get_user_pool_mfa_config(&self, input: &Input) -> Result<Value, ServiceError> {
        let pool = self.input_pool(input)?;
        Ok(mfa_config(&pool))
    }
}

/// `SetUserPoolMfaConfig`'s and `GetUserPoolMfaConfig`'s output.
fn mfa_config(pool: &UserPool) -> Value {
    let mut output = serde_json::Map::new();
    output.insert(
        "SoftwareTokenMfaConfiguration".into(),
        json!({ "Enabled": pool.software_token_mfa }),
    );
    output.insert("MfaConfiguration".into(), json!(pool.mfa().as_str()));
    for (member, value) in &pool.mfa_kept {
        output.insert(member.clone(), value.clone());
    }
    Value::Object(output)
}

/// Where a page starts: after nothing, or at the id a `NextToken` names.
pub(super) fn page_start<'a>(
    ids: impl Iterator<Item = &'a str>,
    token: Option<&str>,
) -> Result<usize, ServiceError> {
    let Some(token) = token else {
        return Ok(0);
    };
    let mut ids = ids;
    ids.position(|id| id == token)
        .ok_or_else(|| ServiceError::InvalidParameterException("Invalid pagination token.".into()))
}
