#!/usr/bin/env python3
"""pycognito's half of sdk/tests/cross_client.rs: devices registered by one client and
used by the other, against the in-process emulator.

Run by cross_client.rs with the pinned client from emulator/interop/setup.sh
(`emulator/interop/.venv/bin/python sdk/tests/pycognito_device.py`). No arguments: every
input comes from the environment, secrets included, or from stdin:

  MODE              "register" or "sign-in"
  COGNITO_ENDPOINT  http://127.0.0.1:PORT
  POOL_ID           <region>_<name> (the region is taken from it)
  CLIENT_ID         app client id (no secret)
  USERNAME          a confirmed user
  PASSWORD          that user's password
  PYCOGNITO_VERSION the pin in emulator/interop/requirements.txt: the installed
                    pycognito must be that one

register: AWSSRP.authenticate_user() without a device (the answer must carry
  NewDeviceMetadata), pycognito.aws_srp.generate_hash_device(group, key), boto3
  ConfirmDevice with that verifier, UpdateDeviceStatus "remembered" when the pool answers
  UserConfirmationNecessary. The last stdout line is the device file's JSON object,
  {"DeviceGroupKey": ..., "DeviceKey": ..., "DevicePassword": ...}.

sign-in: stdin is a device file (that JSON object). AWSSRP(..., device_key=,
  device_group_key=, device_password=).authenticate_user(). The last stdout line is
  {"trace": [...], "access_token_claims": {...}, "new_device_metadata": bool}, the trace
  being "Operation STEP -> OUTCOME" for every request made.

Exits 1 with `FAIL: ...` on stderr at the first unmet expectation or service error.
"""

import base64
import importlib.metadata
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from pycognito.aws_srp import AWSSRP, generate_hash_device


class Unmet(Exception):
    """Something the flow needed and did not get."""


def expect(condition, message):
    if not condition:
        raise Unmet(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        raise Unmet(f"environment variable {name} is not set")
    return value


MODE = env("MODE")
ENDPOINT = env("COGNITO_ENDPOINT").rstrip("/")
POOL_ID = env("POOL_ID")
CLIENT_ID = env("CLIENT_ID")
USERNAME = env("USERNAME")
PASSWORD = env("PASSWORD")
REGION = POOL_ID.split("_", 1)[0]

TRACE = []


def _label(params, model, context, **_):
    step = params.get("AuthFlow") or params.get("ChallengeName")
    context["cross_client_label"] = f"{model.name} {step}" if step else model.name


def _outcome(http_response, parsed, model, context, **_):
    label = context.get("cross_client_label", model.name)
    if http_response.status_code >= 300:
        outcome = parsed.get("Error", {}).get("Code", f"HTTP {http_response.status_code}")
    elif parsed.get("ChallengeName"):
        outcome = parsed["ChallengeName"]
    elif "AuthenticationResult" in parsed:
        outcome = "AuthenticationResult"
        if parsed["AuthenticationResult"].get("NewDeviceMetadata"):
            outcome += "+NewDeviceMetadata"
    else:
        outcome = str(http_response.status_code)
    TRACE.append(f"{label} -> {outcome}")


def make_client():
    # Dummy credentials: the SRP and device operations are unsigned, nothing else is called.
    client = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=30),
    )
    client.meta.events.register("before-parameter-build.cognito-idp", _label)
    client.meta.events.register("after-call.cognito-idp", _outcome)
    return client


def jwt_claims(token):
    """A JWT's payload, unverified (the emulator's own tests check the signatures)."""
    middle = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))


def srp(client, **device):
    return AWSSRP(
        username=USERNAME,
        password=PASSWORD,
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        client=client,
        **device,
    )


def register(client):
    tokens = srp(client).authenticate_user()
    result = tokens.get("AuthenticationResult") or {}
    metadata = result.get("NewDeviceMetadata") or {}
    group, key = metadata.get("DeviceGroupKey"), metadata.get("DeviceKey")
    expect(group and key, f"first sign-in: NewDeviceMetadata is {metadata!r}, trace {TRACE}")
    password, config = generate_hash_device(group, key)
    confirmed = client.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=key,
        DeviceSecretVerifierConfig=config,
        DeviceName="pycognito",
    )
    if confirmed.get("UserConfirmationNecessary"):
        client.update_device_status(
            AccessToken=result["AccessToken"],
            DeviceKey=key,
            DeviceRememberedStatus="remembered",
        )
    print(json.dumps({"DeviceGroupKey": group, "DeviceKey": key, "DevicePassword": password}))


def sign_in(client):
    device = json.loads(sys.stdin.read())
    expect(
        isinstance(device, dict) and set(device) == {"DeviceGroupKey", "DeviceKey", "DevicePassword"},
        f"stdin is not a device file: keys {sorted(device) if isinstance(device, dict) else type(device)}",
    )
    tokens = srp(
        client,
        device_key=device["DeviceKey"],
        device_group_key=device["DeviceGroupKey"],
        device_password=device["DevicePassword"],
    ).authenticate_user()
    result = tokens.get("AuthenticationResult") or {}
    expect("AccessToken" in result, f"device sign-in: no AccessToken in {sorted(result)}, trace {TRACE}")
    print(
        json.dumps(
            {
                "trace": TRACE,
                "access_token_claims": jwt_claims(result["AccessToken"]),
                "new_device_metadata": "NewDeviceMetadata" in result,
            }
        )
    )


def main():
    installed = importlib.metadata.version("pycognito")
    expect(
        installed == env("PYCOGNITO_VERSION"),
        f"pycognito {installed} is installed, {env('PYCOGNITO_VERSION')} is pinned: "
        "run `bash emulator/interop/setup.sh`",
    )
    client = make_client()
    if MODE == "register":
        register(client)
    elif MODE == "sign-in":
        sign_in(client)
    else:
        raise Unmet(f"MODE {MODE!r} is neither register nor sign-in")


if __name__ == "__main__":
    try:
        main()
    except Unmet as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        sys.exit(1)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        print(
            f"FAIL: {exc.operation_name}: {error.get('Code')} {error.get('Message')!r}; trace {TRACE}",
            file=sys.stderr,
        )
        sys.exit(1)
