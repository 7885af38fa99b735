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

const {
  clientName, DEVICE_SIGN_IN, env, exchanges, expect, libraryCall,
  MemoryStorage, run, signIn, target, trace, Unmet, verifyJwt: verifySignature,
} = require('./identity_js_common');

/** The token's claims once its signature checks out; its `iss` must be the pool's. */
async function verifyJwt(endpoint, poolId, token) {
  const payload = await verifySignature(endpoint, poolId, token);
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
  expect(same(summary.traces.device_sign_in, DEVICE_SIGN_IN), `device sign-in went ${JSON.stringify(summary.traces.device_sign_in)}`);
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
  const ctx = { ...target(), storage: new MemoryStorage() };
  const mode = env('MODE');
  const summary = { client: clientName, mode, pool_id: ctx.poolId, traces: {} };
  if (mode === 'tracked') {
    await tracked(ctx, summary);
  } else if (mode === 'untracked') {
    await untracked(ctx, summary);
  } else {
    throw new Unmet(`MODE ${mode} is not tracked or untracked`);
  }
  return summary;
}

run(main);
