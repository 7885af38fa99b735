#!/usr/bin/env python3
"""Drives the real pycognito (pinned in requirements.txt): AWSSRP.authenticate_user
against a fake boto3 client, AWSSRP.confirm_device with requests.post captured,
process_challenge / process_device_challenge, with os.urandom and datetime stubbed.
Usage: .venv/bin/python drive_pycognito.py build/cases.json pycognito.json
"""
import base64
import datetime as real_datetime
import json
import sys
import types
from importlib.metadata import version

import pycognito.aws_srp as srp

cases_path, out_path = sys.argv[1], sys.argv[2]
INPUT = json.load(open(cases_path, encoding="utf-8"))

# ------------------------------------------------------------------ randomness
random_queue = bytearray()


def fake_urandom(n):
    global random_queue
    if len(random_queue) < n:
        raise RuntimeError("random queue exhausted")
    out = bytes(random_queue[:n])
    del random_queue[:n]
    return out


srp.os = types.SimpleNamespace(urandom=fake_urandom)

# the device password is base64(os.urandom(40)); for the non-ASCII device password
# case the encoder's output for those 40 bytes is replaced (documented in README)
password_override = None


class B64Proxy:
    def __getattr__(self, name):
        return getattr(base64, name)

    @staticmethod
    def standard_b64encode(b):
        if password_override is not None and len(b) == 40:
            return password_override.encode("utf-8")
        return base64.standard_b64encode(b)


srp.base64 = B64Proxy()

# ------------------------------------------------------------------ clock
fixed_dt = None


class FixedDateTime(real_datetime.datetime):
    @classmethod
    def utcnow(cls):
        return fixed_dt

    @classmethod
    def now(cls, tz=None):
        return fixed_dt if tz is None else fixed_dt.replace(tzinfo=real_datetime.timezone.utc).astimezone(tz)


srp.datetime = types.SimpleNamespace(datetime=FixedDateTime)


def set_clock(unix):
    global fixed_dt
    d = real_datetime.datetime.fromtimestamp(unix, real_datetime.timezone.utc).replace(tzinfo=None)
    fixed_dt = FixedDateTime(d.year, d.month, d.day, d.hour, d.minute, d.second)


# ------------------------------------------------------------------ taps (read-only)
tap = {}
pow_log = []
_builtin_pow = pow


def tapping_pow(*args):
    r = _builtin_pow(*args)
    pow_log.append((args, r))
    return r


srp.pow = tapping_pow  # module-global lookup shadows the builtin inside aws_srp
_orig_hkdf = srp.compute_hkdf


def tapping_hkdf(ikm, salt):
    r = _orig_hkdf(ikm, salt)
    tap["S"] = f"{int.from_bytes(bytes(ikm), 'big'):x}"
    tap["u"] = f"{int.from_bytes(bytes(salt), 'big'):x}"
    tap["hkdf"] = bytes(r).hex()
    # get_*_authentication_key: pow(g, x, N) then pow(B - k*g^x, a + u*x, N)
    tap["x"] = f"{pow_log[-2][0][1]:x}"
    return r


srp.compute_hkdf = tapping_hkdf

# ------------------------------------------------------------------ requests.post (ConfirmDevice)
confirm_posts = []


class FakeResponse:
    status_code = 200

    def json(self):
        return {"UserConfirmationNecessary": False}


def fake_post(url, headers=None, data=None, timeout=None):
    confirm_posts.append({"url": url, "headers": headers, "data": json.loads(data)})
    return FakeResponse()


srp.requests = types.SimpleNamespace(post=fake_post)

# ------------------------------------------------------------------ fake boto3 client
CLIENT_ID = INPUT["client_id"]
DUMMY = INPUT["dummy_user_challenge"]


def fake_tokens(device=None):
    r = {"AuthenticationResult": {"IdToken": "id.token.x", "AccessToken": "access.token.x", "RefreshToken": "r"}}
    if device:
        r["AuthenticationResult"]["NewDeviceMetadata"] = device
    return r


class FakeCognito:
    def __init__(self, script):
        self.script = script  # function(op, kwargs) -> response
        self.calls = []

    def initiate_auth(self, **kw):
        self.calls.append(("InitiateAuth", kw))
        return self.script("InitiateAuth", kw)

    def respond_to_auth_challenge(self, **kw):
        self.calls.append(("RespondToAuthChallenge", kw))
        return self.script("RespondToAuthChallenge", kw)


def err_text(e):
    return f"{type(e).__name__}: {e}"


POOL_FOR_DEVICE = "us-west-2_DevPool1"


def run_device(c):
    global random_queue, password_override
    set_clock(c["unix"])
    out = {}
    username = "device-owner"
    # ---- 1. sign-in returning NewDeviceMetadata, then confirm_device
    random_queue = bytearray(bytes.fromhex(c["user_a_random_hex"]))  # AWSSRP(): 128 bytes
    if c["device_password_override"] is None:
        random_queue += bytes.fromhex(c["device_password_random_hex"])  # 40 bytes
    else:
        random_queue += bytes(40)
        password_override = c["device_password_override"]
    random_queue += bytes.fromhex(c["salt_random_hex"])  # 16 bytes

    def script1(op, kw):
        if op == "InitiateAuth":
            return {"ChallengeName": "PASSWORD_VERIFIER", "Session": "s1",
                    "ChallengeParameters": dict(DUMMY, USER_ID_FOR_SRP=username, USERNAME=username)}
        if kw["ChallengeName"] == "PASSWORD_VERIFIER":
            return fake_tokens({"DeviceKey": c["device_key"], "DeviceGroupKey": c["device_group_key"]})
        raise AssertionError(op)

    fake = FakeCognito(script1)
    aws = srp.AWSSRP(username, c["user_password"], POOL_FOR_DEVICE, CLIENT_ID, client=fake)
    tokens = aws.authenticate_user()
    confirm_posts.clear()
    _resp, device_password = aws.confirm_device(tokens, device_name="vectors")
    password_override = None
    assert not random_queue, "random bytes left after registration"
    cfg = confirm_posts[-1]["data"]["DeviceSecretVerifierConfig"]
    out["device_password"] = device_password
    out["Salt"], out["PasswordVerifier"] = cfg["Salt"], cfg["PasswordVerifier"]

    # ---- 2. sign-in with the remembered device
    random_queue = bytearray(bytes.fromhex(c["a_random_hex"]))  # AWSSRP(): the only a it draws
    captured = {}

    def script2(op, kw):
        if op == "InitiateAuth":
            captured["user_SRP_A"] = kw["AuthParameters"]["SRP_A"]
            return {"ChallengeName": "PASSWORD_VERIFIER", "Session": "s2",
                    "ChallengeParameters": dict(DUMMY, USER_ID_FOR_SRP=username, USERNAME=username)}
        name = kw["ChallengeName"]
        if name == "PASSWORD_VERIFIER":
            return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "s3", "ChallengeParameters": {}}
        if name == "DEVICE_SRP_AUTH":
            captured["SRP_A"] = kw["ChallengeResponses"]["SRP_A"]
            captured["device_srp_auth_has_session"] = "Session" in kw
            tap.clear()
            return {"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": "s4",
                    "ChallengeParameters": {"SRP_B": c["SRP_B"], "SALT": c["SALT"],
                                            "SECRET_BLOCK": c["SECRET_BLOCK"], "USERNAME": username}}
        if name == "DEVICE_PASSWORD_VERIFIER":
            captured["resp"] = kw["ChallengeResponses"]
            captured["tap"] = dict(tap)
            return fake_tokens()
        raise AssertionError(name)

    aws2 = srp.AWSSRP(username, c["user_password"], POOL_FOR_DEVICE, CLIENT_ID, client=FakeCognito(script2),
                      device_key=c["device_key"], device_group_key=c["device_group_key"],
                      device_password=device_password)
    try:
        aws2.authenticate_user()
        out["result"] = None
    except Exception as e:  # noqa: BLE001 - recording what the client does
        out["result"] = err_text(e)
    out["SRP_A"] = captured.get("SRP_A")
    out["user_SRP_A"] = captured.get("user_SRP_A")
    out["resp"] = captured.get("resp")
    out["tap"] = captured.get("tap", {})
    out["device_srp_auth_has_session"] = captured.get("device_srp_auth_has_session")
    return out


def run_user(c):
    global random_queue
    set_clock(c["unix"])
    random_queue = bytearray(bytes.fromhex(c["a_random_hex"]))
    captured = {}
    tap.clear()

    def script(op, kw):
        if op == "InitiateAuth":
            captured["SRP_A"] = kw["AuthParameters"]["SRP_A"]
            return {"ChallengeName": "PASSWORD_VERIFIER", "Session": "s1",
                    "ChallengeParameters": {"SALT": c["SALT"], "SRP_B": c["SRP_B"], "SECRET_BLOCK": c["SECRET_BLOCK"],
                                            "USER_ID_FOR_SRP": c["USER_ID_FOR_SRP"], "USERNAME": c["USER_ID_FOR_SRP"]}}
        if kw["ChallengeName"] == "PASSWORD_VERIFIER":
            captured["resp"] = kw["ChallengeResponses"]
            captured["tap"] = dict(tap)
            return fake_tokens()
        raise AssertionError(op)

    out = {}
    try:
        aws = srp.AWSSRP(c["USERNAME"], c["password"], c["user_pool_id"], CLIENT_ID, client=FakeCognito(script))
        aws.authenticate_user()
        out["result"] = None
    except Exception as e:  # noqa: BLE001
        out["result"] = err_text(e)
    out["SRP_A"] = captured.get("SRP_A")
    out["resp"] = captured.get("resp")
    out["tap"] = captured.get("tap", {})
    return out


# ------------------------------------------------------------------ classify & emit
doc = {
    "generator": f"pycognito {version('pycognito')}",
    "regenerate": "bash vectors/regenerate.sh",
    "device": [],
    "user": [],
    "invalid": [],
    "divergent": [],
    "secret_hash": [],
    "timestamp": [],
}
notes = []


def optional(o, c, t):
    for k in ("x", "u", "S", "hkdf"):
        if k in t:
            o[f"{k}_hex"] = t[k]
    if c.get("b_hex"):
        o["b_hex"] = c["b_hex"]


def guess_param(c):
    for p in ("SALT", "SRP_B", "SECRET_BLOCK", "TIMESTAMP"):
        if p in c["case"]:
            return p
    return "SRP_B" if c["case"].startswith(("B ", "u ", "S ", "A ")) else "unknown"


def push_invalid(inputs, c, behaviour, ts, param=None):
    e = {"case": inputs["case"], "kind": c["kind"]}
    for k, v in inputs.items():
        if k != "case":
            e[k] = v
    e["a_hex"] = c["a_hex"]
    e["SRP_B"] = c["SRP_B"]
    e["SALT"] = c["SALT"]
    e["SECRET_BLOCK"] = c["SECRET_BLOCK"]
    e["TIMESTAMP"] = ts
    if c.get("b_hex"):
        e["b_hex"] = c["b_hex"]
    e["client_behaviour"] = behaviour
    if c["invalid"] is not None:
        e["error_parameter"] = c["invalid"]
        doc["invalid"].append(e)
    else:
        # Valid per docs/protocol.md and amazon-cognito-identity-js, but pycognito does otherwise:
        # not an input that must fail, so kept apart from "invalid".
        e["parameter"] = param or guess_param(c)
        doc["divergent"].append(e)


for c in INPUT["cases"]:
    is_dev = c["kind"] == "device"
    r = run_device(c) if is_dev else run_user(c)
    spec = c["spec"]
    if is_dev:
        inputs = {"case": c["case"], "device_group_key": c["device_group_key"], "device_key": c["device_key"],
                  "device_password": r["device_password"], "salt_random_hex": c["salt_random_hex"]}
    else:
        inputs = {"case": c["case"], "user_pool_id": c["user_pool_id"], "USERNAME": c["USERNAME"],
                  "USER_ID_FOR_SRP": c["USER_ID_FOR_SRP"], "password": c["password"]}
    mism = []
    if is_dev:
        if r["device_password"] != c["device_password"]:
            mism.append(f"device_password {r['device_password']}")
        if r["Salt"] != spec["Salt"]:
            mism.append(f"Salt {r['Salt']} (docs/protocol.md gives {spec['Salt']})")
        if r["PasswordVerifier"] != spec["PasswordVerifier"]:
            mism.append("PasswordVerifier differs from docs/protocol.md")
    if r["SRP_A"] is not None and r["SRP_A"] != spec["SRP_A"]:
        mism.append(f"SRP_A {r['SRP_A']} (docs/protocol.md gives {spec['SRP_A']})")
    if mism:
        notes.append(f"{c['kind']}/{c['case']}: {'; '.join(mism)}")
    resp = r["resp"]
    if resp is None:
        behaviour = f"raises {r['result']}"
        push_invalid(inputs, c, behaviour, spec["TIMESTAMP"])
        if c["invalid"] is None:
            notes.append(f"{c['kind']}/{c['case']}: {behaviour} (moved to divergent)")
        continue
    sig, ts = resp["PASSWORD_CLAIM_SIGNATURE"], resp["TIMESTAMP"]
    spec_ok = spec["reject"] is None and sig == spec["PASSWORD_CLAIM_SIGNATURE"] and ts == spec["TIMESTAMP"] and not mism
    if c["invalid"] is None and spec_ok:
        o = dict(inputs)
        if is_dev:
            o["Salt"], o["PasswordVerifier"] = r["Salt"], r["PasswordVerifier"]
        o.update({"a_hex": c["a_hex"], "SRP_A": r["SRP_A"], "SRP_B": c["SRP_B"], "SALT": c["SALT"],
                  "SECRET_BLOCK": c["SECRET_BLOCK"], "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig})
        if not is_dev:
            o["verifier_hex"] = c["verifier_hex"]
        optional(o, c, r["tap"])
        doc["device" if is_dev else "user"].append(o)
        continue
    behaviour = f"accepted silently, PASSWORD_CLAIM_SIGNATURE {sig}"
    if spec["reject"] is not None:
        behaviour += f"; docs/protocol.md rejects it ({spec['reject']})"
    elif sig == spec["PASSWORD_CLAIM_SIGNATURE"]:
        behaviour += " (= the docs/protocol.md computation)"
    else:
        behaviour += f" (the docs/protocol.md computation gives {spec['PASSWORD_CLAIM_SIGNATURE']})"
    if ts != spec["TIMESTAMP"]:
        behaviour += f"; TIMESTAMP {ts!r} (docs/protocol.md gives {spec['TIMESTAMP']!r})"
    push_invalid(inputs, c, behaviour, ts)
    if c["invalid"] is None:
        notes.append(f"{c['kind']}/{c['case']}: {behaviour} (moved to divergent)")

for s in INPUT["secret_hash"]:
    doc["secret_hash"].append(dict(s, SECRET_HASH=srp.AWSSRP.get_secret_hash(s["username"], s["client_id"], s["client_secret"])))

# timestamps: pycognito has two formatters, one per challenge; drive both for real
TS_DEV = INPUT["cases"][0]  # a valid device challenge
TS_USER = next(c for c in INPUT["cases"] if c["kind"] == "user")
for t in INPUT["timestamps"]:
    for which in ("process_challenge", "process_device_challenge"):
        set_clock(t["unix_seconds"])
        random_queue = bytearray(bytes.fromhex(TS_USER["a_random_hex"]))
        if which == "process_challenge":
            aws = srp.AWSSRP("u", "p", TS_USER["user_pool_id"], CLIENT_ID, client=FakeCognito(None))
            resp = aws.process_challenge({"USER_ID_FOR_SRP": "u", "SALT": TS_USER["SALT"], "SRP_B": TS_USER["SRP_B"],
                                          "SECRET_BLOCK": TS_USER["SECRET_BLOCK"]}, {"USERNAME": "u"})
        else:
            aws = srp.AWSSRP("u", "p", TS_USER["user_pool_id"], CLIENT_ID, client=FakeCognito(None),
                             device_key="dk", device_group_key="dgk", device_password="pw")
            resp = aws.process_device_challenge({"USERNAME": "u", "SALT": TS_USER["SALT"], "SRP_B": TS_USER["SRP_B"],
                                                 "SECRET_BLOCK": TS_USER["SECRET_BLOCK"]})
        doc["timestamp"].append({"case": f"{which}: {t['case']}", "unix_seconds": t["unix_seconds"],
                                 "TIMESTAMP": resp["TIMESTAMP"]})
        if resp["TIMESTAMP"] != t["spec"]:
            notes.append(f"timestamp/{which}/{t['case']}: {resp['TIMESTAMP']} (docs/protocol.md gives {t['spec']})")

with open(out_path, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
for n in notes:
    sys.stderr.write(f"[pycognito] {n}\n")
sys.stderr.write(f"[pycognito] wrote {out_path}: device {len(doc['device'])}, user {len(doc['user'])}, "
                 f"invalid {len(doc['invalid'])}, divergent {len(doc['divergent'])}, secret_hash {len(doc['secret_hash'])}, "
                 f"timestamp {len(doc['timestamp'])}\n")
