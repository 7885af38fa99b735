//! App clients through the API: `CreateUserPoolClient` (`GenerateSecret` makes a 51-character
//! secret), `UpdateUserPoolClient`, `DescribeUserPoolClient` (the secret included, as the
//! service returns it), `ListUserPoolClients`, `DeleteUserPoolClient` (its refresh tokens end
//! with it).

use super::{Service, no_client, pools::page_start};
use crate::{
    error::ServiceError,
    input::Input,
    model::{
        check_range,
        client::{
            ClientSettings, CreateUserPoolClient, UpdateUserPoolClient, UserPoolClient,
            check_client_id,
        },
        parse, parse_flat,
        pool::UserPool,
    },
};
use serde::Deserialize;
use serde_json::{Value, json};

/// `ListUserPoolClients`' `MaxResults` at most.
const MAX_RESULTS: i64 = 60;

/// `ListUserPoolClients`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUserPoolClients {
    user_pool_id: String,
    #[serde(default)]
    max_results: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

/// `DescribeUserPoolClient` and `DeleteUserPoolClient`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClientRef {
    user_pool_id: String,
    client_id: String,
}

impl Service {
    pub(super) fn create_user_pool_client(&self, input: &Input) -> Result<Value, ServiceError> {
        let request = parse_flat::<CreateUserPoolClient, ClientSettings>(input.value())?;
        let pool = self.pool(&request.user_pool_id)?;
        let client = UserPoolClient::create(
            crate::ids::client_id(),
            request,
            crate::ids::client_secret,
            self.now(),
        )?;
        self.insert_client(&pool, &client)?;
        Ok(json!({ "UserPoolClient": client.describe() }))
    }

    /// Adds an app client to `pool`, under the bound on clients per pool.
    pub(super) fn insert_client(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
    ) -> Result<(), ServiceError> {
        if self.store.clients(&pool.id)?.len() >= self.limits.max_clients_per_pool {
            return Err(ServiceError::LimitExceededException(format!(
                "A user pool holds at most {} app clients here.",
                self.limits.max_clients_per_pool
            )));
        }
        if !self.store.insert_client(client)? {
            return Err(ServiceError::InvalidParameterException(format!(
                "The client id {} is taken.",
                client.client_id
            )));
        }
        Ok(())
    }

    /// The app client `client_id` of `pool`.
    fn pool_client(
        &self,
        pool: &UserPool,
        client_id: &str,
    ) -> Result<UserPoolClient, ServiceError> {
        check_client_id("clientId", client_id)?;
        match self.store.client(client_id)? {
            Some(client) if client.user_pool_id == pool.id => Ok(client),
            _ => Err(no_client(client_id)),
        }
    }

    pub(super) fn update_user_pool_client(&self, input: &Input) -> Result<Value, ServiceError> {
        let request = parse_flat::<UpdateUserPoolClient, ClientSettings>(input.value())?;
        let pool = self.pool(&request.user_pool_id)?;
        let mut client = self.pool_client(&pool, &request.client_id)?;
        client.update(request, self.now())?;
        self.store.update_client(&client)?;
        Ok(json!({ "UserPoolClient": client.describe() }))
    }

    pub(super) fn describe_user_pool_client(&self, input: &Input) -> Result<Value, ServiceError> {
        let request: ClientRef = parse(input.value())?;
        let pool = self.pool(&request.user_pool_id)?;
        let client = self.pool_client(&pool, &request.client_id)?;
        Ok(json!({ "UserPoolClient": client.describe() }))
    }

    pub(super) fn list_user_pool_clients(&self, input: &Input) -> Result<Value, ServiceError> {
        let request: ListUserPoolClients = parse(input.value())?;
        let max = request.max_results.unwrap_or(MAX_RESULTS);
        check_range("maxResults", max, 1, MAX_RESULTS)?;
        let pool = self.pool(&request.user_pool_id)?;
        let clients = self.store.clients(&pool.id)?;
        let start = page_start(
            clients.iter().map(|client| client.client_id.as_str()),
            request.next_token.as_deref(),
        )?;
        let limit = usize::try_from(max).unwrap_or(1);
        let mut output = serde_json::Map::new();
        output.insert(
            "UserPoolClients".into(),
            clients
                .iter()
                .skip(start)
                .take(limit)
                .map(UserPoolClient::summary)
                .collect(),
        );
        if let Some(next) = clients.get(start + limit) {
            output.insert("NextToken".into(), json!(next.client_id));
        }
        Ok(Value::Object(output))
    }

    pub(super) fn delete_user_pool_client(&self, input: &Input) -> Result<Value, ServiceError> {
        let request: ClientRef = parse(input.value())?;
        let pool = self.pool(&request.user_pool_id)?;
        let client = self.pool_client(&pool, &request.client_id)?;
        self.store.delete_client(&client.client_id)?;
        Ok(json!({}))
    }
}
