"""What the pycognito interop scripts share (pycognito_device.py, pycognito_pools.py,
pycognito_backend.py, pycognito_cross_client.py).

The environment (COGNITO_ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, optional
CLIENT_SECRET), expectations, a boto3 cognito-idp client whose endpoint_url is the
emulator and whose botocore hooks record every request and its outcome in TRACE, the
SECRET_HASH pycognito leaves out of its DEVICE_SRP_AUTH answer, pycognito's AWSSRP on
that client, the JWKS check of a token, and the run of `main` that prints its JSON
summary or `FAIL: ...`.

Imported by the scripts from their own folder (Python puts a script's folder first on
sys.path), whatever the working directory.
"""

import base64
import importlib.metadata
import json
import os
import sys

import boto3
import jwt
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from pycognito.aws_srp import AWSSRP


class Unmet(Exception):
    """An expectation the emulator did not meet."""


def expect(condition, message):
    if not condition:
        raise Unmet(message)


def env(name, default=None):
    value = os.environ.get(name, default)
    if not value:
        raise Unmet(f"environment variable {name} is not set")
    return value


ENDPOINT = env("COGNITO_ENDPOINT").rstrip("/")
POOL_ID = env("POOL_ID")
CLIENT_ID = env("CLIENT_ID")
USERNAME = env("USERNAME")
PASSWORD = env("PASSWORD")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET") or None
REGION = POOL_ID.split("_", 1)[0]

# Every request and its outcome, in order: "Op NAME -> OUTCOME".
TRACE = []
# TOTP answers sent again with the next code (see _record_response).
RETRIED_CODES = []

DEVICE_SIGN_IN = [
    "InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER",
    "RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH",
    "RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER",
    "RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult",
]


def since(start):
    """The trace from `start` (a len(TRACE) taken before) on."""
    return TRACE[start:]


def _record_request(params, model, context, **_):
    op = model.name
    if op == "InitiateAuth":
        detail = params.get("AuthFlow")
    elif op == "RespondToAuthChallenge":
        detail = params.get("ChallengeName")
    else:
        detail = None
    context["interop_label"] = f"{op} {detail}" if detail else op


def _record_response(http_response, parsed, model, context, **_):
    label = context.get("interop_label", model.name)
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
    # A TOTP code already used, answered again with the next one (answer_totp): a person
    # retyping, not a step of the flow.
    if label == "RespondToAuthChallenge SOFTWARE_TOKEN_MFA" and outcome == "ExpiredCodeException":
        RETRIED_CODES.append(label)
        return
    TRACE.append(f"{label} -> {outcome}")


# The SRP and device operations are unsigned (noAuth in botocore's model); admin
# operations (DescribeUserPool) are signed with these dummies. No retries: a failure
# shows at once.
CLIENT_KWARGS = {
    "endpoint_url": ENDPOINT,
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=30)


def instrument(client):
    """Records the client's requests and their outcomes in TRACE."""
    client.meta.events.register("before-parameter-build.cognito-idp", _record_request)
    client.meta.events.register("after-call.cognito-idp", _record_response)
    return client


def make_client():
    """A recorded boto3 cognito-idp client of the emulator."""
    return instrument(boto3.client("cognito-idp", region_name=REGION, config=CONFIG, **CLIENT_KWARGS))


def secret_hash(username):
    """The SECRET_HASH of `username` with CLIENT_SECRET, or None without a secret."""
    return AWSSRP.get_secret_hash(username, CLIENT_ID, CLIENT_SECRET) if CLIENT_SECRET else None


def add_secret_hash_to_device_srp(client):
    """pycognito's DEVICE_SRP_AUTH answer (aws_srp.py, authenticate_user) has no
    SECRET_HASH; add it on `client` the way its other answers compute it."""

    def hook(params, **_):
        if CLIENT_SECRET is None or params.get("ChallengeName") != "DEVICE_SRP_AUTH":
            return
        answers = params.setdefault("ChallengeResponses", {})
        if "SECRET_HASH" not in answers:
            answers["SECRET_HASH"] = secret_hash(answers["USERNAME"])

    client.meta.events.register("provide-client-params.cognito-idp.RespondToAuthChallenge", hook)
    return client


def srp(client, **device):
    """pycognito's AWSSRP for the user, on `client`, with an optional device."""
    return AWSSRP(
        username=USERNAME,
        password=PASSWORD,
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        client=client,
        client_secret=CLIENT_SECRET,
        **device,
    )


def client_error(exc):
    err = exc.response.get("Error", {})
    return {"code": err.get("Code"), "message": err.get("Message")}


def jwt_payload(token):
    """The payload of a JWT, unverified (base64url middle part)."""
    middle = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))


def verify_jwt(token, audience=None):
    """Checks the RS256 signature against the pool's JWKS and the issuer (and the audience
    when given); returns the claims."""
    jwks_url = f"{ENDPOINT}/{POOL_ID}/.well-known/jwks.json"
    response = requests.get(jwks_url, timeout=10)
    expect(response.status_code == 200, f"GET {jwks_url}: HTTP {response.status_code} {response.text!r}")
    jwks = jwt.PyJWKSet.from_dict(response.json())
    kid = jwt.get_unverified_header(token).get("kid")
    keys = [k for k in jwks.keys if k.key_id == kid]
    expect(keys, f"no key {kid!r} in {jwks_url}")
    return jwt.decode(
        token,
        keys[0].key,
        algorithms=["RS256"],
        audience=audience,
        issuer=f"{ENDPOINT}/{POOL_ID}",
        options={"verify_aud": audience is not None},
    )


def new_summary(**fields):
    """The summary's common head: the client and boto3 versions, whether the app client
    has a secret, the traces by step; then `fields`."""
    return {
        "client": f"pycognito {importlib.metadata.version('pycognito')}",
        "boto3": importlib.metadata.version("boto3"),
        "client_secret": CLIENT_SECRET is not None,
        "traces": {},
        **fields,
    }


def run_modes(modes, **fields):
    """Runs the step that MODE names in `modes` (each fills in the summary it is given) on a
    new_summary(mode=MODE, **fields), under `run`."""

    def main():
        mode = env("MODE")
        summary = new_summary(mode=mode, **fields)
        expect(mode in modes, f"MODE {mode!r} is not one of {sorted(modes)}")
        modes[mode](summary)
        return summary

    run(main)


def run(main):
    """Calls `main`, which returns the summary: prints it (with the whole trace and
    "ok": true) as one JSON line and exits 0, or prints `FAIL: ...` and the trace on
    stderr and exits 1."""
    try:
        summary = main()
    except Unmet as exc:
        failed = str(exc)
    except ClientError as exc:
        failed = f"unexpected {client_error(exc)} from {exc.operation_name}"
    else:
        summary["trace"] = TRACE
        summary["ok"] = True
        print(json.dumps(summary, sort_keys=True))
        return
    print(f"FAIL: {failed}", file=sys.stderr)
    print("trace:\n  " + "\n  ".join(TRACE), file=sys.stderr)
    sys.exit(1)
