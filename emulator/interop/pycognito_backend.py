#!/usr/bin/env python3
"""Live interop check: pycognito's `Cognito` class, as a back end uses it, against one pool of
the emulator (a pool without DeviceConfiguration: pycognito's refresh sends no DEVICE_KEY).

Run by emulator/tests/backend_clients.rs with the pinned client from setup.sh
(`emulator/interop/.venv/bin/python pycognito_backend.py`). Inputs (environment):

  COGNITO_ENDPOINT  http://127.0.0.1:PORT
  POOL_ID           the pool (its region is the part before `_`)
  CLIENT_ID         an app client of that pool allowing ALLOW_ADMIN_USER_PASSWORD_AUTH and
                    ALLOW_REFRESH_TOKEN_AUTH
  CLIENT_SECRET     optional: the app client's secret (pycognito's client_secret=)
  USERNAME, PASSWORD  a confirmed user of the pool
  MODE              one of:
    session  Cognito(pool, client, username=..., user_pool_region=...,
             botocore_config=..., boto3_client_kwargs={"endpoint_url": ...}):
             admin_authenticate(password) (ADMIN_NO_SRP_AUTH; pycognito checks both tokens'
             signatures against the pool's JWKS under endpoint_url, and their issuer);
             get_user() (its attributes); renew_access_token() (REFRESH_TOKEN_AUTH: a new
             access token, the same refresh token); check_token() on a fresh token (False,
             nothing renewed); get_users() (ListUsers); logout() (GlobalSignOut), after which the old access token is
             refused by GetUser and the refresh token by REFRESH_TOKEN_AUTH.
    disabled the user was disabled (AdminDisableUser): authenticate(password) (USER_SRP_AUTH)
             and admin_authenticate(password) are both refused.
    srp      authenticate(password) (USER_SRP_AUTH) signs in; get_user() works.
    expired  ACCESS_TOKEN, ID_TOKEN, REFRESH_TOKEN were issued by the emulator whose clock was
             then behind: the access token is already expired by this machine's clock.
             Cognito(..., access_token=, id_token=, refresh_token=).check_token() answers
             True and renews through REFRESH_TOKEN_AUTH; the new access token verifies and is
             not expired; get_user() works with it.

Prints one JSON line (the last line of stdout) and exits 0, or prints `FAIL: ...` on stderr
and exits 1 at the first unmet expectation.
"""

import time

from botocore.exceptions import ClientError
from pycognito import Cognito

from interop_common import (
    CLIENT_ID,
    CLIENT_KWARGS,
    CLIENT_SECRET,
    CONFIG,
    ENDPOINT,
    PASSWORD,
    POOL_ID,
    REGION,
    TRACE,
    USERNAME,
    client_error,
    env,
    expect,
    instrument,
    jwt_payload,
    run_modes,
    since,
)


def cognito(**tokens):
    """pycognito's Cognito pointed at the emulator, its boto3 client recorded in TRACE."""
    user = Cognito(
        POOL_ID,
        CLIENT_ID,
        username=USERNAME,
        user_pool_region=REGION,
        client_secret=CLIENT_SECRET,
        botocore_config=CONFIG,
        boto3_client_kwargs=dict(CLIENT_KWARGS),
        **tokens,
    )
    expect(
        user.user_pool_url == f"{ENDPOINT}/{POOL_ID}",
        f"pycognito's user_pool_url is {user.user_pool_url!r}: it would fetch another JWKS",
    )
    instrument(user.client)
    return user


def claims_of(token, *names):
    payload = jwt_payload(token)
    return {name: payload.get(name) for name in names}


ACCESS_CLAIMS = ("token_use", "client_id", "username", "iss", "origin_jti", "jti", "iat", "exp", "device_key")
ID_CLAIMS = ("token_use", "aud", "cognito:username", "email", "name", "iss", "origin_jti")


def must_refuse(step, call):
    """`call` must fail with a service error: returns its code and message, and the trace."""
    start = len(TRACE)
    try:
        call()
    except ClientError as exc:
        return {**client_error(exc), "trace": since(start)}
    expect(False, f"{step}: accepted ({since(start)})")
    return None


def user_attributes(user):
    """What pycognito's get_user() gives: its attributes (sub and email_verified are kept
    apart by pycognito's UserObj)."""
    data = dict(user._data)
    return {
        "username": user.username,
        "sub": user.sub,
        "attributes": data,
        "metadata_username": user._metadata.get("username"),
    }


def session(summary):
    user = cognito()
    start = len(TRACE)
    user.admin_authenticate(PASSWORD)
    summary["traces"]["admin_authenticate"] = since(start)
    expect(user.access_token and user.id_token and user.refresh_token, "admin_authenticate set no tokens")
    summary["token_type"] = user.token_type
    # pycognito verified both (signature, issuer, token_use; the ID token's audience).
    summary["access_claims"] = claims_of(user.access_token, *ACCESS_CLAIMS)
    summary["id_claims"] = claims_of(user.id_token, *ID_CLAIMS)
    summary["verified_access_username"] = user.access_claims.get("username")
    summary["verified_id_aud"] = user.id_claims.get("aud")

    start = len(TRACE)
    summary["user"] = user_attributes(user.get_user())
    summary["traces"]["get_user"] = since(start)

    old_access, old_refresh, old_id = user.access_token, user.refresh_token, user.id_token
    time.sleep(1.1)  # a later iat, so "new" is not only a new jti
    start = len(TRACE)
    user.renew_access_token()
    summary["traces"]["renew_access_token"] = since(start)
    summary["renewed"] = {
        "access_token_changed": user.access_token != old_access,
        "id_token_changed": user.id_token != old_id,
        "refresh_token_same": user.refresh_token == old_refresh,
        "access_claims": claims_of(user.access_token, *ACCESS_CLAIMS),
    }

    start = len(TRACE)
    before = user.access_token
    summary["check_token_expired"] = user.check_token()
    summary["check_token_kept_token"] = user.access_token == before
    summary["traces"]["check_token"] = since(start)

    # The renewed access token works, and so does the first one (a refresh does not end it).
    start = len(TRACE)
    summary["user_after_renew"] = user.get_user().username
    summary["old_access_token_user"] = user.client.get_user(AccessToken=old_access)["Username"]
    summary["traces"]["after_renew"] = since(start)

    # get_users(): ListUsers (an administrator's call, signed with the dummy keys), following
    # PaginationToken.
    start = len(TRACE)
    summary["get_users"] = sorted(u.username for u in user.get_users())
    summary["traces"]["get_users"] = since(start)

    # logout(): GlobalSignOut with the current access token, then the tokens are refused.
    current = user.access_token
    start = len(TRACE)
    user.logout()
    summary["traces"]["logout"] = since(start)
    summary["after_logout"] = {
        "tokens_cleared": user.access_token is None and user.refresh_token is None,
        "get_user_current": must_refuse(
            "GetUser after logout", lambda: user.client.get_user(AccessToken=current)
        ),
        "get_user_first": must_refuse(
            "GetUser (first access token) after logout", lambda: user.client.get_user(AccessToken=old_access)
        ),
    }
    user.refresh_token = old_refresh
    summary["after_logout"]["refresh"] = must_refuse("renew_access_token after logout", user.renew_access_token)
    # A new sign-in after logout works.
    again = cognito()
    start = len(TRACE)
    again.admin_authenticate(PASSWORD)
    summary["after_logout"]["sign_in_again_user"] = again.get_user().username
    summary["traces"]["sign_in_again"] = since(start)


def expired(summary):
    access, id_token, refresh = env("ACCESS_TOKEN"), env("ID_TOKEN"), env("REFRESH_TOKEN")
    old_exp = jwt_payload(access)["exp"]
    summary["old_access_exp_in_past"] = old_exp < time.time()
    user = cognito(access_token=access, id_token=id_token, refresh_token=refresh)
    start = len(TRACE)
    summary["check_token_expired"] = user.check_token()
    summary["traces"]["check_token"] = since(start)
    summary["access_token_changed"] = user.access_token != access
    summary["refresh_token_same"] = user.refresh_token == refresh
    summary["access_claims"] = claims_of(user.access_token, *ACCESS_CLAIMS)
    summary["new_access_exp_in_future"] = jwt_payload(user.access_token)["exp"] > time.time()
    summary["check_token_again"] = user.check_token()
    start = len(TRACE)
    summary["user"] = user_attributes(user.get_user())
    summary["traces"]["get_user"] = since(start)


def disabled(summary):
    """The user is disabled: both of pycognito's sign-ins are refused."""
    user = cognito()
    summary["authenticate"] = must_refuse("authenticate (USER_SRP_AUTH) of a disabled user", lambda: user.authenticate(PASSWORD))
    summary["admin_authenticate"] = must_refuse(
        "admin_authenticate of a disabled user", lambda: user.admin_authenticate(PASSWORD)
    )
    expect(user.access_token is None, "a refused sign-in set an access token")


def srp(summary):
    """authenticate(password): USER_SRP_AUTH, then get_user()."""
    user = cognito()
    start = len(TRACE)
    user.authenticate(PASSWORD)
    summary["traces"]["authenticate"] = since(start)
    summary["user"] = user_attributes(user.get_user())


if __name__ == "__main__":
    run_modes(
        {"session": session, "expired": expired, "disabled": disabled, "srp": srp},
        pool_id=POOL_ID,
        username=USERNAME,
    )
