#!/usr/bin/env python3
"""pycognito's half of sdk/tests/cross_client.rs: devices registered by one client and
used by the other, against the in-process emulator.

Run by cross_client.rs with the pinned client from setup.sh
(`emulator/interop/.venv/bin/python pycognito_cross_client.py`). No arguments: every
input comes from the environment (interop_common.py: COGNITO_ENDPOINT, POOL_ID,
CLIENT_ID, USERNAME, PASSWORD), secrets included, or from stdin, and MODE:

register: AWSSRP.authenticate_user() without a device (the answer must carry
  NewDeviceMetadata), pycognito.aws_srp.generate_hash_device(group, key), boto3
  ConfirmDevice with that verifier, UpdateDeviceStatus "remembered" when the pool answers
  UserConfirmationNecessary. The summary's "device" is the device file's JSON object,
  {"DeviceGroupKey": ..., "DeviceKey": ..., "DevicePassword": ...}.

sign-in: stdin is a device file (that JSON object). AWSSRP(..., device_key=,
  device_group_key=, device_password=).authenticate_user(). The summary has
  "access_token_claims" and "new_device_metadata" (bool); its "trace" is every request
  made, "Operation STEP -> OUTCOME".

Prints the summary as one JSON line (the last line of stdout) and exits 0, or prints
`FAIL: ...` on stderr and exits 1 at the first unmet expectation or service error.
"""

import json
import sys

from interop_common import TRACE, expect, jwt_payload, make_client, run_modes, srp
from pycognito.aws_srp import generate_hash_device

DEVICE_FILE_KEYS = {"DeviceGroupKey", "DeviceKey", "DevicePassword"}


def register(summary):
    client = make_client()
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
    summary["device"] = {"DeviceGroupKey": group, "DeviceKey": key, "DevicePassword": password}


def sign_in(summary):
    client = make_client()
    device = json.loads(sys.stdin.read())
    expect(
        isinstance(device, dict) and set(device) == DEVICE_FILE_KEYS,
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
    summary["access_token_claims"] = jwt_payload(result["AccessToken"])
    summary["new_device_metadata"] = "NewDeviceMetadata" in result


if __name__ == "__main__":
    run_modes({"register": register, "sign-in": sign_in})
