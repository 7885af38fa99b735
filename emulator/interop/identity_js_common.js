// What the identity-js interop scripts share (identity_js_device.js, identity_js_pools.js):
// the environment, expectations, the test's storage, the recording of every request the
// library's Client makes (globalThis.fetch, which it calls with identity-js's `endpoint`),
// promise wrappers of the library's callbacks, a TOTP, the JWKS check of a token, and the
// run of `main` that prints its JSON summary or `FAIL: ...`.
'use strict';

const crypto = require('node:crypto');
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');
const libraryVersion = require('amazon-cognito-identity-js/package.json').version;

/** The client's name and version, as the summaries give it. */
const clientName = `amazon-cognito-identity-js ${libraryVersion}`;

class Unmet extends Error {}

function expect(condition, message) {
  if (!condition) {
    throw new Unmet(message);
  }
}

function env(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Unmet(`environment variable ${name} is not set`);
  }
  return value;
}

/**
 * The pool, app client and user of the environment (COGNITO_ENDPOINT, POOL_ID, CLIENT_ID,
 * USERNAME, PASSWORD), the pool's region, and `newUser(storage)`: a new CognitoUser of that
 * user on `storage`, its pool given `endpoint`.
 */
function target() {
  const endpoint = env('COGNITO_ENDPOINT').replace(/\/+$/, '');
  const poolId = env('POOL_ID');
  const clientId = env('CLIENT_ID');
  const username = env('USERNAME');
  const password = env('PASSWORD');
  const newUser = (storage) => {
    const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint, Storage: storage });
    return new CognitoUser({ Username: username, Pool: pool, Storage: storage });
  };
  return { endpoint, poolId, clientId, username, password, region: poolId.split('_')[0], newUser };
}

/** localStorage-like storage that the test controls. */
class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  setItem(key, value) {
    this.items.set(key, String(value));
    return this.items.get(key);
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  removeItem(key) {
    return this.items.delete(key);
  }
  clear() {
    this.items.clear();
    return {};
  }
}

/** A sign-in with a remembered device, as the trace records it. */
const DEVICE_SIGN_IN = [
  'InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER',
  'RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH',
  'RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER',
  'RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult',
];

// Every request and its outcome, in order: "Op NAME -> OUTCOME", plus the raw details.
const trace = [];
const exchanges = [];
const realFetch = globalThis.fetch;

globalThis.fetch = async function recordingFetch(url, options) {
  const target = String((options.headers || {})['X-Amz-Target'] || '?').split('.').pop();
  let body = {};
  try {
    body = JSON.parse(options.body);
  } catch (_) {
    body = {};
  }
  const detail =
    target === 'InitiateAuth' ? body.AuthFlow : target === 'RespondToAuthChallenge' ? body.ChallengeName : null;
  const label = detail ? `${target} ${detail}` : target;
  const response = await realFetch(url, options);
  let data = {};
  try {
    data = JSON.parse(await response.clone().text());
  } catch (_) {
    data = {};
  }
  let outcome;
  if (!response.ok) {
    outcome = String(data.__type || data.code || `HTTP ${response.status}`).split('#').pop();
  } else if (data.ChallengeName) {
    outcome = data.ChallengeName;
  } else if (data.AuthenticationResult) {
    outcome = data.AuthenticationResult.NewDeviceMetadata
      ? 'AuthenticationResult+NewDeviceMetadata'
      : 'AuthenticationResult';
  } else {
    outcome = String(response.status);
  }
  // A TOTP code already used, answered again with the next one (signIn): a person retyping,
  // not a step of the flow.
  if (!(label === 'RespondToAuthChallenge SOFTWARE_TOKEN_MFA' && outcome === 'ExpiredCodeException')) {
    trace.push(`${label} -> ${outcome}`);
  }
  exchanges.push({
    label,
    outcome,
    status: response.status,
    message: data.message === undefined ? null : data.message,
    request: body,
    hasSession: typeof body.Session === 'string' && body.Session.length > 0,
  });
  return response;
};

/**
 * RFC 6238 (HMAC-SHA1, 30 s, 6 digits) of a base32 secret, as an authenticator app shows it
 * `offsetSeconds` from now.
 */
function totp(secretBase32, offsetSeconds = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.toUpperCase().replace(/[\s=]/g, '')) {
    const index = alphabet.indexOf(c);
    if (index < 0) {
      throw new Unmet(`TOTP_SECRET is not base32 (${c})`);
    }
    bits += index.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    bytes.push(parseInt(bits.slice(i, i + 8), 2));
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offsetSeconds) / 30)));
  const digest = crypto.createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, '0');
}

/**
 * authenticateUser; `totpSecret` answers totpRequired with sendMFACode, null makes it
 * resolve with { totpRequired: true } (the sign-in is left there), undefined (or no
 * argument) makes it a failure, as every other callback but onSuccess.
 */
function signIn(user, password, totpSecret) {
  return new Promise((resolve, reject) => {
    const unexpected = (what) => () => reject(new Unmet(`unexpected ${what} callback`));
    // A TOTP code is accepted once (RFC 6238 section 5.2): when this step's code was used by
    // an earlier sign-in, the user types the next one the app shows, as a person would.
    let offset = 0;
    let tries = 0;
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) => resolve({ session, userConfirmationNecessary }),
      onFailure: (err) => {
        if (err && err.code === 'ExpiredCodeException' && totpSecret && tries < 3) {
          const wait = offset ? (30 - ((Date.now() / 1000) % 30) + 1) * 1000 : 0;
          offset = 30;
          tries += 1;
          setTimeout(() => user.sendMFACode(totp(totpSecret, offset), callbacks, 'SOFTWARE_TOKEN_MFA'), wait);
          return;
        }
        reject(err);
      },
      newPasswordRequired: unexpected('newPasswordRequired'),
      mfaRequired: unexpected('mfaRequired'),
      customChallenge: unexpected('customChallenge'),
      mfaSetup: unexpected('mfaSetup'),
      selectMFAType: unexpected('selectMFAType'),
      totpRequired: (challengeName) => {
        if (totpSecret === undefined) {
          reject(new Unmet(`unexpected totpRequired callback (${challengeName})`));
        } else if (totpSecret === null) {
          resolve({ totpRequired: true });
        } else {
          user.sendMFACode(totp(totpSecret), callbacks, 'SOFTWARE_TOKEN_MFA');
        }
      },
    };
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), callbacks);
  });
}

/** `user[method](...args, { onSuccess, onFailure })` as a promise. */
function libraryCall(method, user, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, { onSuccess: resolve, onFailure: reject });
  });
}

/** Checks `token`'s RS256 signature against the pool's JWKS; returns its claims. */
async function verifyJwt(endpoint, poolId, token) {
  const [header64, payload64, signature64] = token.split('.');
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8'));
  const jwksUrl = `${endpoint}/${poolId}/.well-known/jwks.json`;
  const response = await realFetch(jwksUrl);
  expect(response.status === 200, `GET ${jwksUrl}: HTTP ${response.status}`);
  const jwks = await response.json();
  const jwk = (jwks.keys || []).find((key) => key.kid === header.kid);
  expect(jwk, `no key ${header.kid} in ${jwksUrl}`);
  expect(header.alg === 'RS256', `token alg is ${header.alg}`);
  const ok = crypto.verify(
    'sha256',
    Buffer.from(`${header64}.${payload64}`),
    crypto.createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature64, 'base64url'),
  );
  expect(ok, 'access token signature does not verify against the JWKS');
  return JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8'));
}

/**
 * Runs `main` under a 90 s watchdog: prints the summary it resolves with, the whole trace
 * and `ok: true` added, as one JSON line and exits 0, or prints `FAIL: ...` and the trace on stderr and exits 1.
 */
function run(main) {
  const watchdog = setTimeout(() => {
    process.stderr.write(`FAIL: timed out after 90 s\ntrace:\n  ${trace.join('\n  ')}\n`);
    process.exit(1);
  }, 90_000);

  main().then(
    (summary) => {
      clearTimeout(watchdog);
      summary.trace = trace;
      summary.ok = true;
      process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
    },
    (err) => {
      clearTimeout(watchdog);
      const what = err instanceof Unmet ? err.message : `unexpected error ${err.code || ''} ${err.stack || err}`;
      process.stderr.write(`FAIL: ${what}\ntrace:\n  ${trace.join('\n  ')}\n`, () => process.exit(1));
    },
  );
}

module.exports = {
  clientName, DEVICE_SIGN_IN, env, exchanges, expect, libraryCall, MemoryStorage, realFetch, run,
  signIn, target, totp, trace, Unmet, verifyJwt,
};
