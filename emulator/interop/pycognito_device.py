#!/usr/bin/env python3
"""Live interop check: pycognito's AWSSRP device flow against the emulator.

Run by emulator/tests/interop.rs with the pinned client from setup.sh
(`emulator/interop/.venv/bin/python pycognito_device.py`). Inputs (environment):

  COGNITO_ENDPOINT  http://127.0.0.1:PORT (no trailing slash needed)
  POOL_ID           us-east-1_Example (the region is taken from it)
  CLIENT_ID         app client id
  USERNAME          an existing, confirmed user
  PASSWORD          that user's password
  CLIENT_SECRET     optional: the app client's secret (pycognito's client_secret=)
  DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT  optional "true"/"false": must agree with
                    DescribeUserPool's DeviceConfiguration

Flow, all through pycognito's own code and a boto3 cognito-idp client whose
endpoint_url is the emulator:
  a. USER_SRP_AUTH without a device: AuthenticationResult.NewDeviceMetadata.
  b. AWSSRP.confirm_device (its requests.post to the hard-coded regional URL is
     redirected to the emulator), then UpdateDeviceStatus remembered when the pool
     only remembers devices on the user's prompt.
  c. sign-in with the device: PASSWORD_VERIFIER, DEVICE_SRP_AUTH,
     DEVICE_PASSWORD_VERIFIER, tokens whose access token names the device
     (checked against the emulator's JWKS with PyJWT).
     pycognito's Cognito.verify_tokens accepts the tokens; its renew_access_token
     (REFRESH_TOKEN_AUTH without DEVICE_KEY) is refused, a refresh with DEVICE_KEY
     gives an access token for the device.
  d. a wrong device password: NotAuthorizedException at DEVICE_PASSWORD_VERIFIER;
     the right one still works afterwards.
  e. ForgetDevice, then sign-in with the forgotten device:
     ResourceNotFoundException "Device does not exist."; its refresh token is refused.
With CLIENT_SECRET, pycognito 2024.5.1 sends no SECRET_HASH in its DEVICE_SRP_AUTH
answer; the API reference requires SECRET_HASH in every challenge answer of a client
with a secret, so that attempt must be refused (NotAuthorizedException). The script
records that, then adds the SECRET_HASH with a botocore hook (as an app would) and
carries on.

Prints one JSON line (the last line of stdout) and exits 0, or prints
`FAIL: ...` on stderr and exits 1 at the first unmet expectation.
"""

import os
import types

import requests
from botocore.exceptions import ClientError

import pycognito.aws_srp as aws_srp
from interop_common import (
    CLIENT_ID,
    CLIENT_KWARGS,
    CLIENT_SECRET,
    CONFIG,
    DEVICE_SIGN_IN,
    ENDPOINT,
    POOL_ID,
    REGION,
    TRACE,
    USERNAME,
    Unmet,
    add_secret_hash_to_device_srp,
    client_error,
    expect,
    instrument,
    jwt_payload,
    make_client,
    new_summary,
    run,
    secret_hash,
    since,
    srp,
    verify_jwt,
)
from pycognito import Cognito


def cognito_user(tokens):
    """pycognito's high-level Cognito object holding a sign-in's tokens; its boto3 client
    goes to the emulator, and its token checks fetch `<endpoint>/<pool>/.well-known/jwks.json`
    and want `iss` == `<endpoint>/<pool>` (pycognito/__init__.py, user_pool_url)."""
    user = Cognito(
        POOL_ID,
        CLIENT_ID,
        username=USERNAME,
        client_secret=CLIENT_SECRET,
        access_token=tokens["AccessToken"],
        id_token=tokens["IdToken"],
        refresh_token=tokens["RefreshToken"],
        botocore_config=CONFIG,
        boto3_client_kwargs=dict(CLIENT_KWARGS),
    )
    instrument(user.client)
    return user


def refresh_with_device(client, refresh_token, device_key):
    """REFRESH_TOKEN_AUTH as the service documents it with device tracking: DEVICE_KEY
    included (pycognito's renew_access_token sends none)."""
    params = {"REFRESH_TOKEN": refresh_token, "DEVICE_KEY": device_key}
    if CLIENT_SECRET is not None:
        params["SECRET_HASH"] = secret_hash(USERNAME)
    return client.initiate_auth(ClientId=CLIENT_ID, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)


def redirect_confirm_device_post():
    """pycognito's confirm_device posts to https://cognito-idp.<region>.amazonaws.com/
    with `requests.post`, ignoring endpoint_url: send that one URL to the emulator,
    everything else unchanged (headers, body, timeout)."""
    regional = f"https://cognito-idp.{REGION}.amazonaws.com/"
    seen = []

    def post(url, *args, **kwargs):
        if url != regional:
            raise Unmet(f"pycognito posted to {url!r}, expected {regional!r}")
        response = requests.post(f"{ENDPOINT}/", *args, **kwargs)
        target = kwargs.get("headers", {}).get("X-Amz-Target", "?").rsplit(".", 1)[-1]
        outcome = "200" if response.status_code == 200 else f"HTTP {response.status_code}"
        TRACE.append(f"{target} (requests.post) -> {outcome}")
        seen.append(response)
        return response

    aws_srp.requests = types.SimpleNamespace(post=post)
    return seen


def expect_client_error(step, call, code, message=None):
    start = len(TRACE)
    try:
        call()
    except ClientError as exc:
        got = client_error(exc)
        got["step"] = TRACE[-1].split(" -> ")[0] if len(TRACE) > start else None
        got["trace"] = since(start)
        expect(got["code"] == code, f"{step}: expected {code}, got {got}")
        if message is not None:
            expect(got["message"] == message, f"{step}: expected message {message!r}, got {got}")
        return got
    raise Unmet(f"{step}: expected {code}, but the sign-in succeeded: {since(start)}")


def main():
    client = make_client()
    summary = new_summary(errors={})

    # The pool's device configuration, as an admin would read it.
    pool = client.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    device_config = pool.get("DeviceConfiguration") or {}
    on_prompt = bool(device_config.get("DeviceOnlyRememberedOnUserPrompt", False))
    summary["device_configuration"] = device_config
    summary["device_only_remembered_on_user_prompt"] = on_prompt
    wanted = os.environ.get("DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT")
    if wanted:
        expect(
            on_prompt == (wanted.lower() == "true"),
            f"DescribeUserPool DeviceConfiguration {device_config} disagrees with "
            f"DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT={wanted}",
        )

    # a. first sign-in, no device yet
    start = len(TRACE)
    first = srp(client)
    tokens = first.authenticate_user()
    summary["traces"]["first_sign_in"] = since(start)
    result = tokens.get("AuthenticationResult") or {}
    metadata = result.get("NewDeviceMetadata")
    expect(metadata, f"first sign-in: no AuthenticationResult.NewDeviceMetadata in {sorted(result)}")
    device_key = metadata.get("DeviceKey")
    device_group_key = metadata.get("DeviceGroupKey")
    expect(device_key and device_group_key, f"first sign-in: NewDeviceMetadata is {metadata}")
    expect(device_key.startswith(f"{REGION}_"), f"device key {device_key!r} does not start with {REGION}_")
    summary["device_key"] = device_key
    summary["device_group_key"] = device_group_key
    summary["first_access_token_device_key"] = jwt_payload(result["AccessToken"]).get("device_key")

    # b. pycognito's own ConfirmDevice (requests.post, Authorization: Bearer + body)
    posts = redirect_confirm_device_post()
    start = len(TRACE)
    response, device_password = first.confirm_device(tokens)
    summary["traces"]["confirm_device"] = since(start)
    expect(len(posts) == 1, f"confirm_device made {len(posts)} requests")
    expect(
        response.status_code == 200,
        f"ConfirmDevice: HTTP {response.status_code} {response.text!r}",
    )
    body = response.json()
    expect(
        isinstance(body.get("UserConfirmationNecessary"), bool),
        f"ConfirmDevice: no boolean UserConfirmationNecessary in {body}",
    )
    necessary = body["UserConfirmationNecessary"]
    summary["user_confirmation_necessary"] = necessary
    expect(
        necessary == on_prompt,
        f"ConfirmDevice UserConfirmationNecessary={necessary} but "
        f"DeviceOnlyRememberedOnUserPrompt={on_prompt}",
    )
    if necessary:
        client.update_device_status(
            AccessToken=result["AccessToken"],
            DeviceKey=device_key,
            DeviceRememberedStatus="remembered",
        )
    device = client.get_device(AccessToken=result["AccessToken"], DeviceKey=device_key)["Device"]
    expect(device.get("DeviceKey") == device_key, f"GetDevice returned {device}")
    # DeviceType has no remembered-status field; its attributes are recorded as given.
    summary["device_attributes"] = {a["Name"]: a["Value"] for a in device.get("DeviceAttributes", [])}

    with_device = {
        "device_key": device_key,
        "device_group_key": device_group_key,
        "device_password": device_password,
    }

    # pycognito + client secret: its DEVICE_SRP_AUTH answer lacks SECRET_HASH
    if CLIENT_SECRET is not None:
        summary["errors"]["device_srp_without_secret_hash"] = expect_client_error(
            "DEVICE_SRP_AUTH without SECRET_HASH",
            lambda: srp(client, **with_device).authenticate_user(),
            "NotAuthorizedException",
        )
        add_secret_hash_to_device_srp(client)

    # c. sign-in with the device
    start = len(TRACE)
    device_tokens = srp(client, **with_device).authenticate_user()
    summary["traces"]["device_sign_in"] = since(start)
    expect(
        since(start) == DEVICE_SIGN_IN,
        f"device sign-in went {since(start)}, expected {DEVICE_SIGN_IN}",
    )
    device_result = device_tokens.get("AuthenticationResult") or {}
    expect(
        {"AccessToken", "IdToken", "RefreshToken"} <= set(device_result),
        f"device sign-in: tokens missing from {sorted(device_result)}",
    )
    expect(
        "NewDeviceMetadata" not in device_result,
        "device sign-in: a known device got NewDeviceMetadata again",
    )
    access_token = device_result["AccessToken"]
    claims = verify_jwt(access_token)
    expect(claims == jwt_payload(access_token), "verified and decoded claims differ")
    expect(claims.get("token_use") == "access", f"access token token_use is {claims.get('token_use')!r}")
    expect(
        claims.get("device_key") == device_key,
        f"access token device_key is {claims.get('device_key')!r}, expected {device_key!r}",
    )
    expect(claims.get("client_id") == CLIENT_ID, f"access token client_id is {claims.get('client_id')!r}")
    id_claims = verify_jwt(device_result["IdToken"], audience=CLIENT_ID)
    expect(id_claims.get("token_use") == "id", f"id token token_use is {id_claims.get('token_use')!r}")
    summary["access_token_claims"] = {
        k: claims.get(k) for k in ("token_use", "device_key", "client_id", "username", "iss")
    }

    # c2. pycognito's own token checks (JWKS from <endpoint>/<pool>, iss, aud, token_use)
    user = cognito_user(device_result)
    user.verify_tokens()
    expect(user.access_claims.get("device_key") == device_key, "pycognito verify_tokens: device_key differs")

    # c3. refresh: pycognito's renew_access_token sends no DEVICE_KEY, which a pool that
    # tracks devices refuses for a device's refresh token; with DEVICE_KEY it works.
    summary["errors"]["refresh_without_device_key"] = expect_client_error(
        "refresh without DEVICE_KEY",
        user.renew_access_token,
        "NotAuthorizedException",
    )
    start = len(TRACE)
    refreshed = refresh_with_device(client, device_result["RefreshToken"], device_key)["AuthenticationResult"]
    summary["traces"]["refresh_with_device_key"] = since(start)
    refreshed_claims = user.verify_token(refreshed["AccessToken"], "access_token", "access")
    expect(
        refreshed_claims.get("device_key") == device_key,
        f"refreshed access token device_key is {refreshed_claims.get('device_key')!r}",
    )
    summary["refreshed_access_token_device_key"] = refreshed_claims.get("device_key")

    # d. wrong device password, then the right one again
    wrong = dict(with_device, device_password="not-" + device_password)
    summary["errors"]["wrong_device_password"] = expect_client_error(
        "wrong device password",
        lambda: srp(client, **wrong).authenticate_user(),
        "NotAuthorizedException",
    )
    expect(
        summary["errors"]["wrong_device_password"]["step"] == "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER",
        f"wrong device password refused at {summary['errors']['wrong_device_password']['step']}",
    )
    start = len(TRACE)
    srp(client, **with_device).authenticate_user()
    expect(
        since(start) == DEVICE_SIGN_IN,
        f"right device password after a wrong one went {since(start)}",
    )

    # e. forget the device, then sign in with it
    client.forget_device(AccessToken=access_token, DeviceKey=device_key)
    forgotten = expect_client_error(
        "forgotten device",
        lambda: srp(client, **with_device).authenticate_user(),
        "ResourceNotFoundException",
        "Device does not exist.",
    )
    summary["errors"]["forgotten_device"] = forgotten
    expect(
        forgotten["step"] == "RespondToAuthChallenge PASSWORD_VERIFIER",
        f"forgotten device refused at {forgotten['step']}, expected at PASSWORD_VERIFIER",
    )
    # ... and the forgotten device's refresh tokens stop working
    summary["errors"]["refresh_after_forget"] = expect_client_error(
        "refresh of a forgotten device",
        lambda: refresh_with_device(client, device_result["RefreshToken"], device_key),
        "NotAuthorizedException",
    )

    # Challenges the emulator issued (outcomes in upper case; errors and results are not).
    summary["challenges_seen"] = sorted(
        {entry.split(" -> ")[1] for entry in TRACE if entry.split(" -> ")[1].isupper()}
    )
    return summary


if __name__ == "__main__":
    run(main)
