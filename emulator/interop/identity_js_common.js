// What the identity-js interop scripts share (identity_js_device.js, identity_js_pools.js),
// besides interop_common.cjs: the target, the test's storage, the recording of every request
// the library's Client makes (globalThis.fetch, which it calls with identity-js's `endpoint`),
// promise wrappers of the library's callbacks, the JWKS check of a token, and the run of
// `main` that prints its JSON summary or `FAIL: ...`.
'use strict';

const crypto = require('node:crypto');
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');
const common = require('./interop_common.cjs');

const { env, expect, totp, Unmet } = common;

/** The client's name and version, as the summaries give it. */
const clientName = `amazon-cognito-identity-js ${common.versionOf('amazon-cognito-identity-js')}`;

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

// Every request and its outcome, in order: "Op NAME -> OUTCOME", plus the raw details. A
// TOTP code already used, answered again with the next one (signIn), is a person retyping,
// not a step of the flow: left out of the trace.
const { trace, exchanges, realFetch } = common.recordFetch({
  skip: (label, outcome) => label === 'RespondToAuthChallenge SOFTWARE_TOKEN_MFA' && outcome === 'ExpiredCodeException',
  exchangeOf: ({ label, outcome, response, data, body }) => ({
    label,
    outcome,
    status: response.status,
    message: data.message === undefined ? null : data.message,
    request: body,
    hasSession: typeof body.Session === 'string' && body.Session.length > 0,
  }),
});

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
  common.run(main, { trace });
}

module.exports = {
  clientName, DEVICE_SIGN_IN, env, exchanges, expect, libraryCall, MemoryStorage, realFetch, run,
  signIn, target, totp, trace, Unmet, verifyJwt,
};
