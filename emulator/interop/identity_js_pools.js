#!/usr/bin/env node
// Live interop check: amazon-cognito-identity-js against one pool of a many-pool emulator.
//
// Run by emulator/tests/pools_interop.rs with the pinned client from setup.sh
// (`node emulator/interop/identity_js_pools.js`). Inputs (environment):
//
//   COGNITO_ENDPOINT  http://127.0.0.1:PORT, given to CognitoUserPool as `endpoint`
//   POOL_ID, CLIENT_ID (an app client WITHOUT a secret: the library cannot send SECRET_HASH)
//   USERNAME, PASSWORD
//   MODE  one of:
//     tracked    the pool tracks devices (ChallengeRequiredOnNewDevice and
//                DeviceOnlyRememberedOnUserPrompt on), MFA is ON and the user has the
//                software token TOTP_SECRET (base32). First sign-in: the totpRequired
//                callback answers with sendMFACode(code, callbacks, 'SOFTWARE_TOKEN_MFA');
//                the tokens carry NewDeviceMetadata and the library confirms the device
//                itself (userConfirmationNecessary true); setDeviceStatusRemembered. A new
//                CognitoUser on the same storage then signs in through DEVICE_SRP_AUTH and
//                DEVICE_PASSWORD_VERIFIER without totpRequired: the device stands in for the
//                TOTP. On a storage without the device, totpRequired is called again.
//     untracked  the pool has no DeviceConfiguration: a sign-in ends at PASSWORD_VERIFIER
//                in tokens without NewDeviceMetadata (no ConfirmDevice); with a device
//                cached in the storage the library sends its DEVICE_KEY, and the sign-in is
//                the same, with no device steps and no device_key claim.
//
// globalThis.fetch, which the library's Client calls, is wrapped only to record each
// request's X-Amz-Target and ChallengeName and each response's outcome.
// Prints one JSON line (the last line of stdout) and exits 0, or prints `FAIL: ...` on
// stderr and exits 1 at the first unmet expectation.
'use strict';

const crypto = require('node:crypto');
const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require('amazon-cognito-identity-js');
const libraryVersion = require('amazon-cognito-identity-js/package.json').version;

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
  trace.push(`${label} -> ${outcome}`);
  exchanges.push({ label, outcome, request: body });
  return response;
};

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits) of a base32 secret, as an authenticator app. */
function totp(secretBase32) {
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
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const digest = crypto.createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, '0');
}

/**
 * authenticateUser; `totpSecret` answers totpRequired with sendMFACode, null makes it
 * resolve with { totpRequired: true } (the sign-in is left there), undefined makes it a failure.
 */
function signIn(user, password, totpSecret) {
  return new Promise((resolve, reject) => {
    const unexpected = (what) => () => reject(new Unmet(`unexpected ${what} callback`));
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) => resolve({ session, userConfirmationNecessary }),
      onFailure: (err) => reject(err),
      newPasswordRequired: unexpected('newPasswordRequired'),
      mfaRequired: unexpected('mfaRequired'),
      customChallenge: unexpected('customChallenge'),
      mfaSetup: unexpected('mfaSetup'),
      selectMFAType: unexpected('selectMFAType'),
      totpRequired: (challengeName) => {
        if (totpSecret === undefined) {
          reject(new Unmet(`unexpected totpRequired (${challengeName})`));
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

function libraryCall(method, user, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, { onSuccess: resolve, onFailure: reject });
  });
}

async function verifyJwt(endpoint, poolId, token) {
  const [header64, payload64, signature64] = token.split('.');
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8'));
  const jwksUrl = `${endpoint}/${poolId}/.well-known/jwks.json`;
  const response = await realFetch(jwksUrl);
  expect(response.status === 200, `GET ${jwksUrl}: HTTP ${response.status}`);
  const jwks = await response.json();
  const jwk = (jwks.keys || []).find((key) => key.kid === header.kid);
  expect(jwk, `no key ${header.kid} in ${jwksUrl}`);
  const ok = crypto.verify(
    'sha256',
    Buffer.from(`${header64}.${payload64}`),
    crypto.createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature64, 'base64url'),
  );
  expect(ok, 'access token signature does not verify against the JWKS');
  const payload = JSON.parse(Buffer.from(payload64, 'base64url').toString('utf8'));
  expect(payload.iss === `${endpoint}/${poolId}`, `iss is ${payload.iss}`);
  return payload;
}

function claimsOf(payload) {
  return {
    token_use: payload.token_use,
    device_key: payload.device_key === undefined ? null : payload.device_key,
    client_id: payload.client_id,
    username: payload.username,
    iss: payload.iss,
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function tracked(ctx, summary) {
  const { endpoint, poolId, password, newUser, storage, clientId, region } = ctx;
  const secret = env('TOTP_SECRET');

  // a. first sign-in: totpRequired -> sendMFACode; the library confirms the new device
  let start = trace.length;
  const first = newUser(storage);
  const signedIn = await signIn(first, password, secret);
  summary.traces.first_sign_in = trace.slice(start);
  const expected = [
    'InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER',
    'RespondToAuthChallenge PASSWORD_VERIFIER -> SOFTWARE_TOKEN_MFA',
    'RespondToAuthChallenge SOFTWARE_TOKEN_MFA -> AuthenticationResult+NewDeviceMetadata',
    'ConfirmDevice -> 200',
  ];
  expect(same(summary.traces.first_sign_in, expected), `first sign-in went ${JSON.stringify(summary.traces.first_sign_in)}`);
  summary.user_confirmation_necessary = signedIn.userConfirmationNecessary === true;
  expect(summary.user_confirmation_necessary, 'ConfirmDevice did not answer UserConfirmationNecessary true');
  const internalUsername = first.getUsername();
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${internalUsername}`;
  const deviceKey = storage.getItem(`${prefix}.deviceKey`);
  expect(deviceKey && storage.getItem(`${prefix}.randomPasswordKey`), `no device cached under ${prefix}`);
  expect(deviceKey.startsWith(`${region}_`), `device key ${deviceKey}`);
  summary.device_key = deviceKey;
  start = trace.length;
  await libraryCall('setDeviceStatusRemembered', first);
  summary.traces.remember = trace.slice(start);
  expect(same(summary.traces.remember, ['UpdateDeviceStatus -> 200']), `setDeviceStatusRemembered went ${summary.traces.remember}`);

  // b. a new CognitoUser on the same storage: the device, no TOTP
  start = trace.length;
  const second = newUser(storage);
  const deviceSession = (await signIn(second, password, undefined)).session;
  summary.traces.device_sign_in = trace.slice(start);
  const deviceSignIn = [
    'InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER',
    'RespondToAuthChallenge PASSWORD_VERIFIER -> DEVICE_SRP_AUTH',
    'RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER',
    'RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER -> AuthenticationResult',
  ];
  expect(same(summary.traces.device_sign_in, deviceSignIn), `device sign-in went ${JSON.stringify(summary.traces.device_sign_in)}`);
  const payload = await verifyJwt(endpoint, poolId, deviceSession.getAccessToken().getJwtToken());
  expect(payload.device_key === deviceKey, `access token device_key is ${payload.device_key}, expected ${deviceKey}`);
  summary.device_access_token_claims = claimsOf(payload);

  // c. on a storage without the device, the TOTP is asked again
  start = trace.length;
  const stranger = await signIn(newUser(new MemoryStorage()), password, null);
  summary.traces.sign_in_without_device = trace.slice(start);
  expect(stranger.totpRequired === true, 'a sign-in without the device was not asked for the TOTP');
}

async function untracked(ctx, summary) {
  const { endpoint, poolId, password, newUser, storage, clientId, region } = ctx;
  const plain = [
    'InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER',
    'RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult',
  ];
  let start = trace.length;
  const first = newUser(storage);
  const signedIn = await signIn(first, password, undefined);
  summary.traces.sign_in = trace.slice(start);
  expect(same(summary.traces.sign_in, plain), `sign-in went ${JSON.stringify(summary.traces.sign_in)}`);
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${first.getUsername()}`;
  expect(storage.getItem(`${prefix}.deviceKey`) === null, 'a device was cached');
  const payload = await verifyJwt(endpoint, poolId, signedIn.session.getAccessToken().getJwtToken());
  summary.access_token_claims = claimsOf(payload);
  expect(summary.access_token_claims.device_key === null, `access token names device ${payload.device_key}`);

  // A device in the cache: the library sends its DEVICE_KEY; nothing changes.
  const foreignKey = `${region}_00000000-0000-4000-8000-000000000000`;
  storage.setItem(`${prefix}.deviceKey`, foreignKey);
  storage.setItem(`${prefix}.deviceGroupKey`, '-NoDevices');
  storage.setItem(`${prefix}.randomPasswordKey`, 'not a device of this pool');
  start = trace.length;
  const withKey = await signIn(newUser(storage), password, undefined);
  summary.traces.sign_in_with_device_key = trace.slice(start);
  expect(
    same(summary.traces.sign_in_with_device_key, plain),
    `sign-in with DEVICE_KEY went ${JSON.stringify(summary.traces.sign_in_with_device_key)}`,
  );
  summary.sent_device_key = exchanges[start + 1].request.ChallengeResponses.DEVICE_KEY || null;
  expect(summary.sent_device_key === foreignKey, 'the library did not send the cached DEVICE_KEY');
  const withKeyPayload = withKey.session.getAccessToken().decodePayload();
  expect(withKeyPayload.device_key === undefined, `access token names device ${withKeyPayload.device_key}`);
}

async function main() {
  const endpoint = env('COGNITO_ENDPOINT').replace(/\/+$/, '');
  const poolId = env('POOL_ID');
  const clientId = env('CLIENT_ID');
  const username = env('USERNAME');
  const password = env('PASSWORD');
  const mode = env('MODE');
  const region = poolId.split('_')[0];
  const newUser = (storage) => {
    const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint, Storage: storage });
    return new CognitoUser({ Username: username, Pool: pool, Storage: storage });
  };
  const ctx = { endpoint, poolId, clientId, password, region, newUser, storage: new MemoryStorage() };
  const summary = { client: `amazon-cognito-identity-js ${libraryVersion}`, mode, pool_id: poolId, traces: {} };
  if (mode === 'tracked') {
    await tracked(ctx, summary);
  } else if (mode === 'untracked') {
    await untracked(ctx, summary);
  } else {
    throw new Unmet(`MODE ${mode} is not tracked or untracked`);
  }
  summary.trace = trace;
  summary.ok = true;
  return summary;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`FAIL: timed out after 90 s\ntrace:\n  ${trace.join('\n  ')}\n`);
  process.exit(1);
}, 90_000);

main().then(
  (summary) => {
    clearTimeout(watchdog);
    process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
  },
  (err) => {
    clearTimeout(watchdog);
    const what = err instanceof Unmet ? err.message : `unexpected error ${err.code || ''} ${err.stack || err}`;
    process.stderr.write(`FAIL: ${what}\ntrace:\n  ${trace.join('\n  ')}\n`, () => process.exit(1));
  },
);
