#!/usr/bin/env python3
"""Builds the *inputs* for the known-answer vectors (stdlib only, deterministic).

What this script does itself is limited to:
  * deterministic "random" bytes (SHA-256 in counter mode over a label),
  * the SERVICE side of SRP: the user's stored verifier, b and
    SRP_B = (k*v + g^b) mod N, and S = (A * v^u)^b mod N,
  * searching inputs (password bytes, salt, a, b) for the edge cases,
  * the reference computation of docs/protocol.md (what a client should answer), used
    ONLY by the drivers to decide whether a client's answer agrees with that page
    (vectors always contain what the real client produced, never these values).

Output: build/cases.json, read by drive_js.js and drive_pycognito.py.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2


def H(b):
    return hashlib.sha256(b).digest()


def tc(n):
    """Java BigInteger.toByteArray() (two's complement, minimal)."""
    if n == 0:
        return b"\x00"
    if n > 0:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return b"\x00" + b if b[0] >= 0x80 else b
    length = 1
    while not (-(1 << (8 * length - 1)) <= n):
        length += 1
    return n.to_bytes(length, "big", signed=True)


K = int.from_bytes(H(tc(N) + tc(G)), "big")
assert f"{K:064x}" == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6", f"{K:x}"


# VECTOR_SEED makes a fresh, equally deterministic set of inputs (for files a runner has never
# seen); unset, the committed vectors are reproduced.
SEED_PREFIX = f"seed={os.environ['VECTOR_SEED']}/" if os.environ.get("VECTOR_SEED") else ""


def rb(label, n):
    out = b""
    i = 0
    while len(out) < n:
        out += H(f"cognito-srp6a-vectors/{SEED_PREFIX}{label}/{i}".encode())
        i += 1
    return out[:n]


def b64(b):
    return base64.b64encode(b).decode()


def x_of(salt_int, p, i, secret):
    inner = H(f"{p}{i}:{secret}".encode("utf-8"))
    return int.from_bytes(H(tc(salt_int) + inner), "big")


def u_of(A, B):
    return int.from_bytes(H(tc(A) + tc(B)), "big")


def spec_timestamp(unix):
    d = datetime.datetime.fromtimestamp(unix, datetime.timezone.utc)
    wd = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.weekday()]
    mo = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.month - 1]
    return f"{wd} {mo} {d.day} {d.hour:02d}:{d.minute:02d}:{d.second:02d} UTC {d.year}"


def spec_parse_hex(s):
    """docs/protocol.md: parsed as a (signed) hex integer. Returns None if not hex."""
    t = s
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    if t == "" or any(c not in "0123456789abcdefABCDEF" for c in t):
        return None
    v = int(t, 16)
    return -v if neg else v


def spec_b64decode(s):
    try:
        return base64.b64decode(s, validate=True)
    except Exception:
        return None


def spec_client(p, i, secret, a, srp_b, salt_s, secret_block, unix):
    """The client computation of docs/protocol.md. Returns (signature, reason-if-rejected, details)."""
    A = pow(G, a, N)
    B = spec_parse_hex(srp_b)
    if B is None:
        return None, "SRP_B is not hex", {}
    if B % N == 0:
        return None, "B mod N == 0", {}
    u = u_of(A, B)
    if u == 0:
        return None, "u == 0", {}
    salt = spec_parse_hex(salt_s)
    if salt is None:
        return None, "SALT is not hex", {}
    sb = spec_b64decode(secret_block)
    if sb is None:
        return None, "SECRET_BLOCK is not valid base64", {}
    x = x_of(salt, p, i, secret)
    base = (B - K * pow(G, x, N)) % N
    S = pow(base, a + u * x, N)
    prk = hmac.new(tc(u), tc(S), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    ts = spec_timestamp(unix)
    msg = p.encode() + i.encode() + sb + ts.encode()
    sig = b64(hmac.new(key, msg, hashlib.sha256).digest())
    return sig, None, {"x": x, "u": u, "S": S, "key": key.hex(), "TIMESTAMP": ts}


# --------------------------------------------------------------------------------------
# time stamps used by the cases (UTC)
def unix(y, mo, d, h, mi, s):
    return int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc).timestamp())


TIMES = [
    unix(2026, 11, 1, 2, 22, 0),     # day 1, hour 02
    unix(2026, 3, 9, 0, 0, 0),       # day 9, hour 00
    unix(2025, 12, 31, 23, 59, 59),  # year end
    unix(2026, 1, 1, 0, 0, 0),       # year start
    unix(2028, 2, 29, 13, 5, 7),     # leap day, hour 13
    unix(2027, 2, 28, 17, 30, 45),   # non-leap Feb end
    unix(2027, 3, 1, 19, 1, 2),      # month start after Feb
    unix(2026, 4, 30, 21, 59, 9),    # month end, hour 21
    unix(2026, 7, 4, 14, 7, 8),      # day 4, hour 14
    unix(2026, 8, 5, 15, 15, 15),
    unix(2026, 9, 6, 16, 40, 0),
    unix(2026, 10, 7, 18, 0, 1),
    unix(2026, 5, 8, 20, 20, 20),
    unix(2026, 6, 2, 22, 2, 2),
    unix(2026, 6, 3, 23, 0, 59),
    unix(2026, 6, 10, 9, 9, 9),
    unix(2026, 1, 31, 12, 34, 56),
]

TIMESTAMP_CASES = [
    ("epoch", 0),
    ("day 1 hour 02 (docs/protocol.md example)", unix(2026, 11, 1, 2, 22, 0)),
    ("day 9 hour 00 midnight", unix(2026, 3, 9, 0, 0, 0)),
    ("day 2 hour 01", unix(2026, 6, 2, 1, 2, 3)),
    ("day 3", unix(2026, 6, 3, 3, 3, 3)),
    ("day 4", unix(2026, 7, 4, 4, 4, 4)),
    ("day 5", unix(2026, 8, 5, 5, 5, 5)),
    ("day 6", unix(2026, 9, 6, 6, 6, 6)),
    ("day 7", unix(2026, 10, 7, 7, 7, 7)),
    ("day 8", unix(2026, 5, 8, 8, 8, 8)),
    ("day 10 hour 10", unix(2026, 6, 10, 10, 10, 10)),
    ("hour 12", unix(2026, 6, 11, 12, 0, 0)),
    ("hour 13", unix(2026, 6, 12, 13, 0, 0)),
    ("hour 14", unix(2026, 6, 13, 14, 1, 1)),
    ("hour 15", unix(2026, 6, 14, 15, 2, 2)),
    ("hour 16", unix(2026, 6, 15, 16, 3, 3)),
    ("hour 17", unix(2026, 6, 16, 17, 4, 4)),
    ("hour 18", unix(2026, 6, 17, 18, 5, 5)),
    ("hour 19", unix(2026, 6, 18, 19, 6, 6)),
    ("hour 20", unix(2026, 6, 19, 20, 7, 7)),
    ("hour 21", unix(2026, 6, 20, 21, 8, 8)),
    ("hour 22", unix(2026, 6, 21, 22, 9, 9)),
    ("hour 23", unix(2026, 6, 22, 23, 10, 10)),
    ("year end Dec 31 23:59:59", unix(2025, 12, 31, 23, 59, 59)),
    ("year start Jan 1 00:00:00", unix(2026, 1, 1, 0, 0, 0)),
    ("leap day Feb 29 2028", unix(2028, 2, 29, 12, 0, 0)),
    ("leap day Feb 29 2000", unix(2000, 2, 29, 23, 59, 59)),
    ("Mar 1 2100 (2100 not leap)", unix(2100, 3, 1, 0, 0, 0)),
    ("Feb 28 2027 end of month", unix(2027, 2, 28, 23, 59, 59)),
    ("Mar 1 2027 start of month", unix(2027, 3, 1, 0, 0, 0)),
    ("Apr 30 -> May 1 boundary", unix(2026, 4, 30, 23, 59, 59)),
    ("2038-01-19 03:14:08 (2^31 s)", 2 ** 31),
    ("Sunday", unix(2026, 11, 8, 11, 11, 11)),
    ("Saturday", unix(2026, 11, 7, 11, 11, 11)),
]


# --------------------------------------------------------------------------------------
POOLS = ["us-east-1_AbC123", "eu-west-1_xYz789", "ap-southeast-2_Q1w2E3r4", "us-west-2_0aBcDeFgH"]
CLIENT_ID = "1example23456789abcdefghij"


def secret_block(label, n=None):
    if n is None:
        n = 48 + rb(label + "/len", 1)[0] % 200
    return b64(rb(label, n))


def search(label, start_bytes_fn, pred, limit=20000):
    for i in range(limit):
        cand = start_bytes_fn(i)
        if pred(cand):
            return cand, i
    raise SystemExit(f"search {label} failed")


def search_a(lab, pred, limit=100000):
    """a = a0, a0+1, ...: A is updated by doubling (cheap)."""
    a = int.from_bytes(rb(lab + "/a", 128), "big")
    A = pow(G, a, N)
    for _ in range(limit):
        if pred(A):
            return a.to_bytes(128, "big")
        a += 1
        A = A * 2 % N
    raise SystemExit(f"search {lab} failed")


def search_b(lab, A, v, pred, limit=100000):
    """b = b0, b0+1, ...: g^b is updated by doubling (cheap)."""
    b = int.from_bytes(rb(lab + "/b", 128), "big")
    gb = pow(G, b, N)
    kv = K * v
    for _ in range(limit):
        if pred(A, v, b, (kv + gb) % N):
            return b.to_bytes(128, "big")
        b += 1
        gb = gb * 2 % N
    raise SystemExit(f"search {lab} failed")


def top_bit(n):
    return tc(n)[0] == 0 and len(tc(n)) > 1 and tc(n)[1] >= 0x80


def make_srp_b(v, b):
    return (K * v + pow(G, b, N)) % N


class Builder:
    def __init__(self):
        self.cases = []
        self.tcount = 0

    def next_time(self):
        t = TIMES[self.tcount % len(TIMES)]
        self.tcount += 1
        return t

    # ---------- device ----------
    def device(self, name, *, pw_bytes=None, pw_override=None, salt16=None, a128=None,
               b=None, b_pred=None, a_pred=None, pw_pred=None,
               salt_spell=None, b_spell=None, sb=None, t=None, invalid=None,
               dgk="-Xy12AbCd", dk="us-west-2_0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"):
        lab = "device/" + name
        salt16 = salt16 if salt16 is not None else rb(lab + "/salt", 16)
        salt_int = int.from_bytes(salt16, "big")

        def pw_of(bs):
            return pw_override if pw_override is not None else b64(bs)

        def v_of(bs):
            return pow(G, x_of(salt_int, dgk, dk, pw_of(bs)), N)

        if pw_bytes is None:
            if pw_pred:
                pw_bytes, _ = search(lab, lambda i: rb(f"{lab}/pw/{i}", 40), lambda bs: pw_pred(v_of(bs)))
            else:
                pw_bytes = rb(lab + "/pw", 40)
        password = pw_of(pw_bytes)
        v = v_of(pw_bytes)
        if a128 is None:
            if a_pred:
                a128 = search_a(lab, a_pred)
            else:
                a128 = rb(lab + "/a", 128)
        a = int.from_bytes(a128, "big")
        A = pow(G, a, N)
        if b is None:
            if b_pred:
                bb = search_b(lab, A, v, b_pred)
            else:
                bb = rb(lab + "/b", 128)
            b = int.from_bytes(bb, "big")
            B = make_srp_b(v, b)
            srp_b = b_spell(B) if b_spell else f"{B:x}"
            b_hex = f"{b:x}"
        else:
            srp_b = b  # a literal SRP_B string (invalid cases)
            b_hex = None
        salt_s = salt_spell(salt_int) if salt_spell else f"{salt_int:x}"
        sb = sb if sb is not None else secret_block(lab + "/sb")
        t = t if t is not None else self.next_time()
        sig, reason, det = spec_client(dgk, dk, password, a, srp_b, salt_s, sb, t)
        if sig is not None and b_hex is not None and salt_s == f"{salt_int:x}":
            # sanity: the service side agrees with the reference client side
            Bi = spec_parse_hex(srp_b)
            S_server = pow(A * pow(v, det["u"], N) % N, b, N)
            assert S_server == det["S"], name
        self.cases.append({
            "kind": "device", "case": name,
            "device_group_key": dgk, "device_key": dk,
            "device_password_random_hex": None if pw_override is not None else pw_bytes.hex(),
            "device_password_override": pw_override,
            "device_password": password,
            "salt_random_hex": salt16.hex(),
            "a_random_hex": a128.hex(),
            "a_hex": f"{a:x}",
            "b_hex": b_hex,
            "SRP_B": srp_b, "SALT": salt_s, "SECRET_BLOCK": sb, "unix": t,
            "invalid": invalid,
            "user_password": "Dummy-User-Passw0rd!",
            "user_a_random_hex": rb(lab + "/user-a", 128).hex(),
            "spec": {
                "Salt": b64(tc(salt_int)), "PasswordVerifier": b64(tc(v)),
                "SRP_A": f"{A:x}", "TIMESTAMP": spec_timestamp(t),
                "PASSWORD_CLAIM_SIGNATURE": sig, "reject": reason,
                "x_hex": f"{det['x']:x}" if det else None,
                "u_hex": f"{det['u']:x}" if det else None,
                "S_hex": f"{det['S']:x}" if det else None,
                "hkdf_hex": det.get("key") if det else None,
            },
        })

    # ---------- user ----------
    def user(self, name, *, pool="us-east-1_AbC123", username=None, uid=None, password=None,
             salt_bytes=None, a128=None, b=None, b_pred=None, a_pred=None,
             salt_spell=None, b_spell=None, sb=None, t=None, invalid=None):
        lab = "user/" + name
        uid = uid if uid is not None else "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b"
        username = username if username is not None else uid
        password = password if password is not None else "Corr3ct-Horse-Battery!"
        pool_name = pool.split("_", 1)[1]
        salt_bytes = salt_bytes if salt_bytes is not None else rb(lab + "/salt", 16)
        salt_int = int.from_bytes(salt_bytes, "big")
        x = x_of(salt_int, pool_name, uid, password)
        v = pow(G, x, N)
        if a128 is None:
            if a_pred:
                a128 = search_a(lab, a_pred)
            else:
                a128 = rb(lab + "/a", 128)
        a = int.from_bytes(a128, "big")
        A = pow(G, a, N)
        if b is None:
            if b_pred:
                bb = search_b(lab, A, v, b_pred)
            else:
                bb = rb(lab + "/b", 128)
            b = int.from_bytes(bb, "big")
            B = make_srp_b(v, b)
            srp_b = b_spell(B) if b_spell else f"{B:x}"
            b_hex = f"{b:x}"
        else:
            srp_b = b
            b_hex = None
        salt_s = salt_spell(salt_int) if salt_spell else f"{salt_int:x}"
        sb = sb if sb is not None else secret_block(lab + "/sb")
        t = t if t is not None else self.next_time()
        sig, reason, det = spec_client(pool_name, uid, password, a, srp_b, salt_s, sb, t)
        if sig is not None and b_hex is not None and salt_s == f"{salt_int:x}":
            S_server = pow(A * pow(v, det["u"], N) % N, b, N)
            assert S_server == det["S"], name
        self.cases.append({
            "kind": "user", "case": name,
            "user_pool_id": pool, "USERNAME": username, "USER_ID_FOR_SRP": uid, "password": password,
            "a_random_hex": a128.hex(), "a_hex": f"{a:x}", "b_hex": b_hex,
            "verifier_hex": f"{v:x}",
            "SRP_B": srp_b, "SALT": salt_s, "SECRET_BLOCK": sb, "unix": t,
            "invalid": invalid,
            "spec": {
                "SRP_A": f"{A:x}", "TIMESTAMP": spec_timestamp(t),
                "PASSWORD_CLAIM_SIGNATURE": sig, "reject": reason,
                "x_hex": f"{det['x']:x}" if det else None,
                "u_hex": f"{det['u']:x}" if det else None,
                "S_hex": f"{det['S']:x}" if det else None,
                "hkdf_hex": det.get("key") if det else None,
            },
        })


# predicates on (A, v, b) for b searches
def p_B_top(A, v, b, B):
    return top_bit(B)


def p_B_lead0(A, v, b, B):
    return B < (1 << (3072 - 8))


def p_B_top_clear(A, v, b, B):
    return (1 << (3072 - 8)) <= B < (1 << 3071)


def _S(A, v, b, B):
    u = u_of(A, B)
    return pow(A * pow(v, u, N) % N, b, N)


def p_S_top(A, v, b, B):
    return top_bit(_S(A, v, b, B))


def p_S_lead0(A, v, b, B):
    return _S(A, v, b, B) < (1 << (3072 - 8))


def p_u_len(n):
    return lambda A, v, b, B: len(tc(u_of(A, B))) == n


def p_u32_lead0(A, v, b, B):
    t = tc(u_of(A, B))
    return len(t) == 32 and t[0] == 0


# B - k*v itself (unreduced, as both clients compute it) is always negative for a
# 3072-bit v; what varies is B - (k*v mod N), which is negative about half the time.
def p_bkv_neg(A, v, b, B):
    return B - (K * v) % N < 0


def p_bkv_pos(A, v, b, B):
    return B - (K * v) % N > 0


def build():
    bd = Builder()
    D, U = bd.device, bd.user

    # ----- device: normal -----
    for i in range(4):
        D(f"normal {i + 1}")
    # salts
    D("salt first random byte 00", salt16=b"\x00" + rb("d/s00", 15))
    D("salt first random bytes 00 00", salt16=b"\x00\x00" + rb("d/s0000", 14))
    D("salt first random byte 0a (odd-length SALT hex)", salt16=b"\x0a" + rb("d/s0a", 15))
    D("salt first random byte 80", salt16=b"\x80" + rb("d/s80", 15))
    D("salt first random byte ff", salt16=b"\xff" + rb("d/sff", 15))
    D("salt first random byte 7f", salt16=b"\x7f" + rb("d/s7f", 15))
    D("salt all zero bytes", salt16=b"\x00" * 16)
    # verifier
    D("verifier top bit set", pw_pred=top_bit)
    D("verifier leading zero byte", pw_pred=lambda v: v < (1 << (3072 - 8)))
    # A
    D("A top bit set", a_pred=top_bit)
    D("A leading zero byte (short A)", a_pred=lambda A: A < (1 << (3072 - 8)))
    D("a short (32 significant bytes)", a128=b"\x00" * 96 + rb("d/ashort", 32))
    D("a tiny (a = 11, A = 0x800)", a128=b"\x00" * 127 + b"\x0b")
    # B
    D("B top bit set", b_pred=p_B_top)
    D("B top bit clear", b_pred=p_B_top_clear)
    D("B leading zero byte", b_pred=p_B_lead0)
    # S
    D("S top bit set", b_pred=p_S_top)
    D("S leading zero byte (short S)", b_pred=p_S_lead0)
    # u
    D("u 31 bytes", b_pred=p_u_len(31))
    D("u 33 bytes", b_pred=p_u_len(33))
    D("u 32 bytes with leading 00 sign byte", b_pred=p_u32_lead0)
    # B - k v
    D("B - (k*v mod N) negative", b_pred=p_bkv_neg)
    D("B - (k*v mod N) positive", b_pred=p_bkv_pos)
    # SALT spelling
    D("SALT upper-case hex", salt16=b"\x9c" + rb("d/supper", 15), salt_spell=lambda s: f"{s:X}")
    D("SALT with leading 00", salt16=b"\x3c" + rb("d/s00pre", 15), salt_spell=lambda s: f"00{s:x}")
    D("SALT with leading 00 (top bit set salt)", salt16=b"\xc3" + rb("d/s00pre2", 15), salt_spell=lambda s: f"00{s:x}")
    D("SALT with leading 0000", salt16=b"\x3d" + rb("d/s0000pre", 15), salt_spell=lambda s: f"0000{s:x}")
    D("SALT odd length with leading 0", salt16=b"\x0b" + rb("d/soddpre", 15), salt_spell=lambda s: f"0{s:x}")
    D("SALT '-'-signed hex", salt16=b"\x4e" + rb("d/sneg", 15), salt_spell=lambda s: f"-{s:x}")
    # SRP_B spelling
    D("SRP_B upper-case hex", b_spell=lambda B: f"{B:X}")
    D("SRP_B with leading 00", b_spell=lambda B: f"00{B:x}")
    D("SRP_B with leading 000000", b_spell=lambda B: f"000000{B:x}")
    # non-ASCII
    D("device password non-ASCII (u-umlaut, emoji)", pw_override="pässwörd-ü-😀-Ω")
    D("device key and group key non-ASCII", dgk="-Grüppe😀", dk="eu-central-1_dévice-ключ")
    # SECRET_BLOCK shapes
    D("SECRET_BLOCK short, one pad char", sb=b64(rb("d/sb1", 2)))
    D("SECRET_BLOCK empty", sb="")
    D("SECRET_BLOCK long (1500 bytes)", sb=b64(rb("d/sb1500", 1500)))

    # ----- user: normal -----
    for i, pool in enumerate(POOLS):
        U(f"normal {i + 1}", pool=pool, uid=f"{i:x}1b2c3d4-0000-4000-8000-00000000000{i}")
    U("USERNAME alias (email) differs from USER_ID_FOR_SRP", username="alice@example.com")
    U("password non-ASCII (u-umlaut, emoji)", password="pässwörd-ü-😀-Ω")
    U("USER_ID_FOR_SRP non-ASCII", uid="jürgen.müller😀", username="jürgen.müller😀")
    U("salt first random byte 00", salt_bytes=b"\x00" + rb("u/s00", 15))
    U("salt first random bytes 00 00", salt_bytes=b"\x00\x00" + rb("u/s0000", 14))
    U("salt first random byte 0a (odd-length SALT hex)", salt_bytes=b"\x0a" + rb("u/s0a", 15))
    U("salt first random byte 80", salt_bytes=b"\x80" + rb("u/s80", 15))
    U("salt first random byte ff", salt_bytes=b"\xff" + rb("u/sff", 15))
    U("SALT upper-case hex", salt_bytes=b"\x9c" + rb("u/supper", 15), salt_spell=lambda s: f"{s:X}")
    U("SALT with leading 00", salt_bytes=b"\x3c" + rb("u/s00pre", 15), salt_spell=lambda s: f"00{s:x}")
    U("SALT with leading 00 (top bit set salt)", salt_bytes=b"\xc3" + rb("u/s00pre2", 15), salt_spell=lambda s: f"00{s:x}")
    U("SALT odd length with leading 0", salt_bytes=b"\x0b" + rb("u/soddpre", 15), salt_spell=lambda s: f"0{s:x}")
    U("SALT '-'-signed hex", salt_bytes=b"\x4e" + rb("u/sneg", 15), salt_spell=lambda s: f"-{s:x}")
    U("A top bit set", a_pred=top_bit)
    U("A leading zero byte (short A)", a_pred=lambda A: A < (1 << (3072 - 8)))
    U("a short (32 significant bytes)", a128=b"\x00" * 96 + rb("u/ashort", 32))
    U("B top bit set", b_pred=p_B_top)
    U("B leading zero byte", b_pred=p_B_lead0)
    U("S top bit set", b_pred=p_S_top)
    U("S leading zero byte (short S)", b_pred=p_S_lead0)
    U("u 31 bytes", b_pred=p_u_len(31))
    U("u 33 bytes", b_pred=p_u_len(33))
    U("B - (k*v mod N) negative", b_pred=p_bkv_neg)
    U("B - (k*v mod N) positive", b_pred=p_bkv_pos)
    U("SRP_B upper-case hex", b_spell=lambda B: f"{B:X}")
    U("SRP_B with leading 00", b_spell=lambda B: f"00{B:x}")
    U("SECRET_BLOCK empty", sb="")

    # ----- invalid inputs (both kinds) -----
    Nhex = f"{N:x}"
    long_b = rb("inv/longb", 1000).hex()  # 2000 hex digits
    invalid = [
        ("B = 0", dict(b="0"), "SRP_B"),
        ("B = N", dict(b=Nhex), "SRP_B"),
        ("B = 2N", dict(b=f"{2 * N:x}"), "SRP_B"),
        ("B = -N", dict(b="-" + Nhex), "SRP_B"),
        ("SRP_B empty", dict(b=""), "SRP_B"),
        ("SRP_B non-hex 'xyz'", dict(b="xyz"), "SRP_B"),
        ("SRP_B 0x-prefixed", dict(b_spell=lambda B: f"0x{B:x}"), "SRP_B"),
        ("SRP_B 2000 hex digits", dict(b=long_b), "SRP_B"),
        ("SECRET_BLOCK 'abc!'", dict(sb="abc!"), "SECRET_BLOCK"),
        ("SECRET_BLOCK 'abc' (missing padding)", dict(sb="abc"), "SECRET_BLOCK"),
        ("SECRET_BLOCK 'YQ=' (wrong padding)", dict(sb="YQ="), "SECRET_BLOCK"),
        ("SECRET_BLOCK url-safe alphabet '-_-_'", dict(sb="-_-_"), "SECRET_BLOCK"),
        ("SALT empty", dict(salt_spell=lambda s: ""), "SALT"),
        ("SALT non-hex 'xyz'", dict(salt_spell=lambda s: "xyz"), "SALT"),
    ]
    for name, kw, param in invalid:
        D("invalid: " + name, invalid=param, **kw)
        U("invalid: " + name, invalid=param, **kw)

    return bd.cases


def main():
    out = sys.argv[1]
    cases = build()
    names = set()
    for c in cases:
        key = (c["kind"], c["case"])
        assert key not in names, key
        names.add(key)
    dummy_a = int.from_bytes(rb("dummy/user-b", 128), "big")
    doc = {
        "cases": cases,
        "timestamps": [{"case": n, "unix_seconds": t, "spec": spec_timestamp(t)} for n, t in TIMESTAMP_CASES],
        "client_id": CLIENT_ID,
        # the PASSWORD_VERIFIER step that precedes DEVICE_SRP_AUTH in device flows is not
        # what is recorded; the fake service answers it with this fixed B = g^b
        "dummy_user_challenge": {
            "SRP_B": f"{pow(G, dummy_a, N):x}",
            "SALT": rb("dummy/salt", 16).hex(),
            "SECRET_BLOCK": b64(rb("dummy/sb", 64)),
        },
        "secret_hash": [
            {"case": "ascii", "username": "alice", "client_id": CLIENT_ID, "client_secret": "s3cr3t-client-secret-value-0123456789abcdefghij"},
            {"case": "uuid username", "username": "7f3a9c2e-1b4d-4e6f-8a0b-9c8d7e6f5a4b", "client_id": CLIENT_ID, "client_secret": "1q2w3e4r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0zxcvbnm1q2w"},
            {"case": "non-ASCII username", "username": "jürgen.müller😀", "client_id": CLIENT_ID, "client_secret": "s3cr3t"},
            {"case": "non-ASCII secret", "username": "bob", "client_id": CLIENT_ID, "client_secret": "ßecret-ü-😀"},
            {"case": "empty secret", "username": "carol", "client_id": CLIENT_ID, "client_secret": ""},
            {"case": "long secret (> 64 bytes, HMAC hashes the key)", "username": "dave", "client_id": CLIENT_ID, "client_secret": "k" * 100},
        ],
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
