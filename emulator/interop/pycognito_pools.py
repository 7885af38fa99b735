#!/usr/bin/env python3
"""Live interop check: pycognito's AWSSRP over boto3 against one pool of a many-pool emulator.

Run by emulator/tests/pools_interop.rs with the pinned client from setup.sh
(`emulator/interop/.venv/bin/python pycognito_pools.py`). Inputs (environment):

  COGNITO_ENDPOINT  http://127.0.0.1:PORT
  POOL_ID           the pool (its region is the part before `_`)
  CLIENT_ID         an app client of that pool
  CLIENT_SECRET     optional: the app client's secret (pycognito's client_secret=)
  USERNAME, PASSWORD  a confirmed user of the pool
  MODE              one of:
    mfa-setup  the pool has MfaConfiguration ON and the user no software token yet. As an
               app does it: USER_SRP_AUTH answers MFA_SETUP (pycognito returns that reply
               as it is); AssociateSoftwareToken(Session) gives the secret,
               VerifySoftwareToken(Session, UserCode) checks a code of it,
               RespondToAuthChallenge MFA_SETUP (Session) ends in tokens. The next
               sign-in then asks SOFTWARE_TOKEN_MFA. Prints the secret (`secret_code`).
    tracked    the pool tracks devices (ChallengeRequiredOnNewDevice and
               DeviceOnlyRememberedOnUserPrompt on), MFA is ON and the user has the
               software token TOTP_SECRET (base32). First sign-in: AWSSRP.authenticate_user
               raises SoftwareTokenMFAChallengeException; the app answers
               SOFTWARE_TOKEN_MFA with boto3 and gets tokens with NewDeviceMetadata.
               ConfirmDevice (boto3, with pycognito's generate_hash_device verifier, as
               pycognito's own confirm_device posts to the real AWS URL) answers
               UserConfirmationNecessary true; UpdateDeviceStatus remembered. Then a sign-in
               with the device goes PASSWORD_VERIFIER, DEVICE_SRP_AUTH,
               DEVICE_PASSWORD_VERIFIER, tokens naming the device, and no TOTP: the device
               stands in for it. Without the device the TOTP is asked again. A refresh with
               DEVICE_KEY works. Prints the device and the refresh token.
    untracked  the pool has no DeviceConfiguration: DescribeUserPool shows none, sign-ins
               with and without a DEVICE_KEY end at PASSWORD_VERIFIER in tokens without
               NewDeviceMetadata or a device_key claim; a refresh needs no DEVICE_KEY.
    device     DEVICE_KEY, DEVICE_GROUP_KEY, DEVICE_PASSWORD name a remembered device of
               the user: the sign-in goes through the device challenges to tokens naming
               it, without TOTP. With REFRESH_TOKEN, that token and DEVICE_KEY refresh. With
               TOTP_SECRET, a sign-in without the device must ask SOFTWARE_TOKEN_MFA.

With CLIENT_SECRET, pycognito 2024.5.1 sends no SECRET_HASH in its DEVICE_SRP_AUTH answer
(aws_srp.py, authenticate_user), which a client with a secret needs: a botocore hook adds
it, as an app would (pycognito_device.py shows the refusal without it).

Prints one JSON line (the last line of stdout) and exits 0, or prints `FAIL: ...` on
stderr and exits 1 at the first unmet expectation.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import time

from interop_common import (
    CLIENT_ID,
    DEVICE_SIGN_IN,
    POOL_ID,
    REGION,
    USERNAME,
    TRACE,
    Unmet,
    add_secret_hash_to_device_srp,
    env,
    expect,
    make_client,
    run_modes,
    secret_hash,
    since,
    srp as client_srp,
    verify_jwt,
)
from pycognito.aws_srp import generate_hash_device
from pycognito.exceptions import SoftwareTokenMFAChallengeException

CLIENT = add_secret_hash_to_device_srp(make_client())


def totp(secret_b32, at=None):
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as an authenticator app computes it."""
    cleaned = secret_b32.replace(" ", "").upper().rstrip("=")
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def with_secret_hash(responses, username):
    hashed = secret_hash(username)
    if hashed is not None:
        responses["SECRET_HASH"] = hashed
    return responses


def srp(**device):
    return client_srp(CLIENT, **device)


def access_claims(result):
    claims = verify_jwt(result["AccessToken"])
    expect(claims.get("token_use") == "access", f"token_use is {claims.get('token_use')!r}")
    expect(claims.get("client_id") == CLIENT_ID, f"client_id is {claims.get('client_id')!r}")
    expect(claims.get("username") == USERNAME, f"username is {claims.get('username')!r}")
    return {k: claims.get(k) for k in ("token_use", "device_key", "client_id", "username", "iss")}


def tokens_of(reply, step):
    result = reply.get("AuthenticationResult") or {}
    expect(
        {"AccessToken", "IdToken", "RefreshToken"} <= set(result),
        f"{step}: no tokens in {sorted(reply)} / {sorted(result)} (ChallengeName {reply.get('ChallengeName')!r})",
    )
    return result


def describe_pool(summary):
    pool = CLIENT.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    expect(pool.get("Id") == POOL_ID, f"DescribeUserPool Id is {pool.get('Id')!r}")
    summary["pool_name"] = pool.get("Name")
    summary["mfa_configuration"] = pool.get("MfaConfiguration")
    summary["has_device_configuration"] = "DeviceConfiguration" in pool
    summary["device_configuration"] = pool.get("DeviceConfiguration")
    return pool


def answer_totp(challenge, secret_b32):
    """The app's answer to a SOFTWARE_TOKEN_MFA reply (what pycognito raised with). A code is
    accepted once (RFC 6238 section 5.2): when this step's code was used by an earlier
    sign-in, the user types the next one the app shows, as a person would."""
    internal = challenge["ChallengeParameters"].get("USER_ID_FOR_SRP", USERNAME)
    offset = 0
    for _ in range(3):
        try:
            return CLIENT.respond_to_auth_challenge(
                ClientId=CLIENT_ID,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=challenge["Session"],
                ChallengeResponses=with_secret_hash(
                    {
                        "USERNAME": internal,
                        "SOFTWARE_TOKEN_MFA_CODE": totp(secret_b32, time.time() + offset),
                    },
                    internal,
                ),
            )
        except CLIENT.exceptions.ExpiredCodeException:
            if offset:
                time.sleep(30 - time.time() % 30 + 1)
            offset = 30
    raise Unmet("no fresh TOTP code was accepted in three tries")


def expect_totp_challenge(step, **device):
    """A sign-in that must stop at SOFTWARE_TOKEN_MFA: pycognito raises; returns the reply."""
    start = len(TRACE)
    try:
        reply = srp(**device).authenticate_user()
    except SoftwareTokenMFAChallengeException as exc:
        challenge = exc.get_tokens()
        expect(challenge.get("Session"), f"{step}: SOFTWARE_TOKEN_MFA without a Session")
        return challenge, since(start)
    raise Unmet(f"{step}: expected SoftwareTokenMFAChallengeException, got {sorted(reply)}: {since(start)}")


def refresh(refresh_token, device_key=None):
    params = {"REFRESH_TOKEN": refresh_token}
    if device_key is not None:
        params["DEVICE_KEY"] = device_key
    hashed = secret_hash(USERNAME)
    if hashed is not None:
        params["SECRET_HASH"] = hashed
    start = len(TRACE)
    reply = CLIENT.initiate_auth(ClientId=CLIENT_ID, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)
    result = reply.get("AuthenticationResult") or {}
    expect("AccessToken" in result, f"refresh: no AccessToken in {sorted(result)}")
    return result, since(start)


def device_sign_in(summary, device):
    """A sign-in with a remembered device: the device challenges, no TOTP."""
    start = len(TRACE)
    reply = srp(**device).authenticate_user()
    summary["traces"]["device_sign_in"] = since(start)
    expect(since(start) == DEVICE_SIGN_IN, f"device sign-in went {since(start)}, expected {DEVICE_SIGN_IN}")
    result = tokens_of(reply, "device sign-in")
    expect("NewDeviceMetadata" not in result, "device sign-in: a known device got NewDeviceMetadata")
    claims = access_claims(result)
    expect(
        claims["device_key"] == device["device_key"],
        f"device sign-in: access token device_key {claims['device_key']!r}, expected {device['device_key']!r}",
    )
    summary["device_access_token_claims"] = claims
    return result


def mfa_setup(summary):
    pool = describe_pool(summary)
    expect(pool.get("MfaConfiguration") == "ON", f"MfaConfiguration is {pool.get('MfaConfiguration')!r}")
    start = len(TRACE)
    # pycognito raises only for SMS_MFA and SOFTWARE_TOKEN_MFA: MFA_SETUP comes back as the reply.
    reply = srp().authenticate_user()
    expect(reply.get("ChallengeName") == "MFA_SETUP", f"first sign-in: {since(start)}")
    can = json.loads(reply["ChallengeParameters"].get("MFAS_CAN_SETUP", "[]"))
    expect("SOFTWARE_TOKEN_MFA" in can, f"MFAS_CAN_SETUP is {can}")
    internal = reply["ChallengeParameters"].get("USER_ID_FOR_SRP", USERNAME)
    associated = CLIENT.associate_software_token(Session=reply["Session"])
    secret = associated["SecretCode"]
    expect(associated.get("Session"), "AssociateSoftwareToken(Session) gave no Session")
    verified = CLIENT.verify_software_token(
        Session=associated["Session"], UserCode=totp(secret), FriendlyDeviceName="interop phone"
    )
    expect(verified.get("Status") == "SUCCESS", f"VerifySoftwareToken: {verified}")
    expect(verified.get("Session"), "VerifySoftwareToken(Session) gave no Session")
    done = CLIENT.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses=with_secret_hash({"USERNAME": internal}, internal),
    )
    result = tokens_of(done, "MFA_SETUP")
    summary["traces"]["mfa_setup"] = since(start)
    summary["mfa_setup_device_key"] = (result.get("NewDeviceMetadata") or {}).get("DeviceKey")
    summary["mfa_setup_access_token_claims"] = access_claims(result)
    summary["secret_code"] = secret
    # The user has a software token now: the next sign-in asks for its code, and the code
    # lets it through.
    challenge, trace = expect_totp_challenge("sign-in after MFA_SETUP")
    start = len(TRACE)
    tokens_of(answer_totp(challenge, secret), "SOFTWARE_TOKEN_MFA after MFA_SETUP")
    summary["traces"]["after_mfa_setup"] = trace + since(start)


def tracked(summary):
    secret = env("TOTP_SECRET")
    describe_pool(summary)
    # a. first sign-in: the TOTP, then tokens with a new device
    challenge, trace = expect_totp_challenge("first sign-in")
    start = len(TRACE)
    first = tokens_of(answer_totp(challenge, secret), "first sign-in SOFTWARE_TOKEN_MFA")
    summary["traces"]["first_sign_in"] = trace + since(start)
    metadata = first.get("NewDeviceMetadata")
    expect(metadata, f"first sign-in: no NewDeviceMetadata in {sorted(first)}")
    device_key = metadata["DeviceKey"]
    device_group_key = metadata["DeviceGroupKey"]
    expect(device_key.startswith(f"{REGION}_"), f"device key {device_key!r}")
    summary["first_access_token_claims"] = access_claims(first)

    # b. ConfirmDevice and UpdateDeviceStatus, with boto3
    device_password, config = generate_hash_device(device_group_key, device_key)
    start = len(TRACE)
    confirmed = CLIENT.confirm_device(
        AccessToken=first["AccessToken"],
        DeviceKey=device_key,
        DeviceSecretVerifierConfig=config,
        DeviceName="pycognito interop",
    )
    summary["user_confirmation_necessary"] = confirmed.get("UserConfirmationNecessary")
    expect(
        confirmed.get("UserConfirmationNecessary") is True,
        f"ConfirmDevice: {confirmed} (the pool remembers devices on the user's prompt)",
    )
    CLIENT.update_device_status(
        AccessToken=first["AccessToken"], DeviceKey=device_key, DeviceRememberedStatus="remembered"
    )
    summary["traces"]["confirm_device"] = since(start)
    device = {"device_key": device_key, "device_group_key": device_group_key, "device_password": device_password}

    # c. the device stands in for the TOTP
    result = device_sign_in(summary, device)

    # d. without the device the TOTP is asked again
    _, trace = expect_totp_challenge("sign-in without the device")
    summary["traces"]["sign_in_without_device"] = trace

    # e. refresh with the device
    refreshed, trace = refresh(result["RefreshToken"], device_key)
    summary["traces"]["refresh"] = trace
    summary["refreshed_access_token_claims"] = access_claims(refreshed)
    summary["device"] = device
    summary["refresh_token"] = result["RefreshToken"]


def untracked(summary):
    pool = describe_pool(summary)
    expect("DeviceConfiguration" not in pool, f"DescribeUserPool has {pool.get('DeviceConfiguration')}")
    plain = ["InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER", "RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult"]
    start = len(TRACE)
    result = tokens_of(srp().authenticate_user(), "sign-in")
    summary["traces"]["sign_in"] = since(start)
    expect(since(start) == plain, f"sign-in went {since(start)}")
    expect("NewDeviceMetadata" not in result, "a pool without DeviceConfiguration gave NewDeviceMetadata")
    summary["access_token_claims"] = access_claims(result)
    expect(summary["access_token_claims"]["device_key"] is None, "access token names a device")

    # A DEVICE_KEY sent (in InitiateAuth and in the PASSWORD_VERIFIER answer) changes nothing.
    device = {
        "device_key": f"{REGION}_00000000-0000-4000-8000-000000000000",
        "device_group_key": "-NoDevices",
        "device_password": "not a device of this pool",
    }
    start = len(TRACE)
    result = tokens_of(srp(**device).authenticate_user(), "sign-in with DEVICE_KEY")
    summary["traces"]["sign_in_with_device_key"] = since(start)
    expect(since(start) == plain, f"sign-in with DEVICE_KEY went {since(start)}")
    expect("NewDeviceMetadata" not in result, "a sign-in with DEVICE_KEY gave NewDeviceMetadata")
    claims = access_claims(result)
    expect(claims["device_key"] is None, f"access token names device {claims['device_key']!r}")

    # Refresh tokens are bound to no device here.
    refreshed, trace = refresh(result["RefreshToken"])
    summary["traces"]["refresh"] = trace
    summary["refreshed_access_token_claims"] = access_claims(refreshed)


def device_mode(summary):
    device = {
        "device_key": env("DEVICE_KEY"),
        "device_group_key": env("DEVICE_GROUP_KEY"),
        "device_password": env("DEVICE_PASSWORD"),
    }
    describe_pool(summary)
    device_sign_in(summary, device)
    refresh_token = os.environ.get("REFRESH_TOKEN")
    if refresh_token:
        refreshed, trace = refresh(refresh_token, device["device_key"])
        summary["traces"]["refresh"] = trace
        claims = access_claims(refreshed)
        expect(claims["device_key"] == device["device_key"], f"refreshed device_key {claims['device_key']!r}")
        summary["refreshed_access_token_claims"] = claims
    secret = os.environ.get("TOTP_SECRET")
    if secret:
        challenge, trace = expect_totp_challenge("sign-in without the device")
        start = len(TRACE)
        tokens_of(answer_totp(challenge, secret), "SOFTWARE_TOKEN_MFA without the device")
        summary["traces"]["sign_in_without_device"] = trace + since(start)


if __name__ == "__main__":
    run_modes(
        {"mfa-setup": mfa_setup, "tracked": tracked, "untracked": untracked, "device": device_mode},
        pool_id=POOL_ID,
    )
