#!/usr/bin/env node
// Live interop check: aws-amplify 6 (the pinned version of package.json) through a user's
// whole life against one pool of the emulator, in Node (no browser).
//
// Run by emulator/tests/js_clients.rs with the client installed by setup.sh
// (`node emulator/interop/amplify_life.mjs`). Inputs (environment):
//
//   COGNITO_ENDPOINT        http://127.0.0.1:PORT, Amplify's `Auth.Cognito.userPoolEndpoint`
//   POOL_ID                 a pool with DeviceConfiguration {ChallengeRequiredOnNewDevice,
//                           DeviceOnlyRememberedOnUserPrompt} and MFA OPTIONAL (software tokens)
//   CLIENT_ID               an app client without a secret, refresh-token rotation ENABLED with
//                           RetryGracePeriodSeconds 0, EnableTokenRevocation on
//   CLIENT_ID_NO_ROTATION   another such client, refresh-token rotation off
//   USERNAME, PASSWORD      a confirmed user without a software token yet
//
// Phase 1 (CLIENT_ID): signIn (USER_SRP_AUTH; the library confirms the new device itself),
// fetchUserAttributes, updateUserAttributes, rememberDevice, fetchDevices, signOut (which
// revokes the refresh token), signIn through the remembered device, fetchAuthSession
// ({forceRefresh: true}) twice (GetTokensFromRefreshToken, rotating), setUpTOTP,
// verifyTOTPSetup, updateMFAPreference({totp: 'PREFERRED'}), signOut, signIn through the
// remembered device (no TOTP asked), forgetDevice, signOut, signIn with USER_AUTH and
// PASSWORD_SRP (TOTP asked, answered with confirmSignIn), fetchAuthSession, signOut({global}).
// Phase 2 (CLIENT_ID_NO_ROTATION): signIn with the TOTP, fetchAuthSession({forceRefresh})
// without rotation, signOut.
//
// Between the steps the script calls the emulator directly (with fetch, outside Amplify) to
// see which refresh and access tokens it still takes: the tokens are read from the in-memory
// KeyValueStorage given to cognitoUserPoolsTokenProvider. globalThis.fetch, which Amplify
// calls, is wrapped only to record each request's X-Amz-Target and ChallengeName and each
// response's outcome ("InitiateAuth USER_SRP_AUTH -> PASSWORD_VERIFIER").
//
// Prints one JSON line (the last line of stdout) and exits 0, or prints `FAIL: ...` and the
// trace on stderr and exits 1 when a library call fails.

import common from './interop_common.cjs';

const { claimsOf, env, expect, Unmet } = common;

const WATCHDOG_MS = 150_000;

// ---- the recording of every request Amplify makes ------------------------------------------

const { trace, exchanges, realFetch } = common.recordFetch({
  exchangeOf: ({ label, outcome, response, data, body }) => ({
    label,
    outcome,
    status: response.status,
    message: data.message === undefined ? null : data.message,
    request_keys: Object.keys(body.AuthParameters || body.ChallengeResponses || {}).sort(),
    device_key_sent: body.DeviceKey || (body.AuthParameters || body.ChallengeResponses || {}).DEVICE_KEY || null,
    response_has_refresh_token: Boolean(data.AuthenticationResult && data.AuthenticationResult.RefreshToken),
  }),
});

// Amplify names a new device after `navigator.userAgent` before ConfirmDevice; Node 20 has
// no `navigator` (Node 21 and later have one, with `userAgent` "Node.js/<major>"), and
// without it Amplify skips ConfirmDevice silently and never remembers a device. The same
// value Node 21 gives, then.
if (globalThis.navigator === undefined) {
  globalThis.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
}

// Imported after the wrapper is in place.
const { Amplify } = await import('aws-amplify');
const auth = await import('aws-amplify/auth');
const { cognitoUserPoolsTokenProvider } = await import('aws-amplify/auth/cognito');
const amplifyVersion = common.versionOf('aws-amplify');

// ---- the test's storage ---------------------------------------------------------------------

/** Amplify's KeyValueStorage interface, in memory, readable by the test. */
class MemoryKeyValueStorage {
  constructor() {
    this.items = new Map();
  }
  async setItem(key, value) {
    this.items.set(key, String(value));
  }
  async getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  async removeItem(key) {
    this.items.delete(key);
  }
  async clear() {
    this.items.clear();
  }
  /** The stored item `CognitoIdentityServiceProvider.<clientId>.<user>.<name>`, if any. */
  find(clientId, name) {
    const prefix = `CognitoIdentityServiceProvider.${clientId}.`;
    for (const [key, value] of this.items) {
      if (key.startsWith(prefix) && key.endsWith(`.${name}`) && !key.endsWith('.LastAuthUser')) {
        return value;
      }
    }
    return null;
  }
}

// ---- TOTP ------------------------------------------------------------------------------------

let lastTotpCounter = -1;

/** A code of a time step not used before (waits for the next step if needed), as a person would type. */
async function freshTotp(secretBase32) {
  let counter = Math.floor(Date.now() / 30_000);
  if (counter <= lastTotpCounter) {
    const wait = (lastTotpCounter + 1) * 30_000 - Date.now() + 250;
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)));
    counter = Math.floor(Date.now() / 30_000);
  }
  lastTotpCounter = counter;
  return common.totpAt(secretBase32, counter);
}

// ---- helpers --------------------------------------------------------------------------------

/** The claims of an access token the summary reports. */
const CLAIMS = ['token_use', 'client_id', 'username', 'device_key', 'origin_jti', 'jti', 'auth_time', 'iss'];

/** A call to the emulator outside Amplify: status, error name and message (never the tokens). */
async function direct(endpoint, operation, body) {
  const response = await realFetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = JSON.parse(await response.text());
  } catch (_) {
    data = {};
  }
  const result = data.AuthenticationResult || {};
  return {
    status: response.status,
    type: response.ok ? null : String(data.__type || '').split('#').pop(),
    message: response.ok ? null : data.message === undefined ? null : data.message,
    has_access_token: typeof result.AccessToken === 'string',
    has_refresh_token: typeof result.RefreshToken === 'string',
  };
}

/** Runs `fn`, keeping the requests it made under `summary.traces[name]`. */
async function step(summary, name, fn) {
  const start = trace.length;
  try {
    return await fn();
  } catch (err) {
    const what = err instanceof Unmet ? err.message : `${err.name || ''}: ${err.message || err}`;
    throw new Unmet(`step ${name}: ${what}`);
  } finally {
    summary.traces[name] = trace.slice(start);
  }
}

function exchangesSince(start) {
  return exchanges.slice(start);
}

/** The summary so far, printed on stderr when a step fails. */
let partial = null;

// ---- the life ---------------------------------------------------------------------------------

async function main() {
  const endpoint = env('COGNITO_ENDPOINT').replace(/\/+$/, '');
  const poolId = env('POOL_ID');
  const clientId = env('CLIENT_ID');
  const clientNoRotation = env('CLIENT_ID_NO_ROTATION');
  const username = env('USERNAME');
  const password = env('PASSWORD');
  const storage = new MemoryKeyValueStorage();

  const configure = (userPoolClientId) => {
    Amplify.configure({
      Auth: { Cognito: { userPoolId: poolId, userPoolClientId, userPoolEndpoint: endpoint } },
    });
    // configure() puts back the default storage: the test's goes in after it.
    cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  };
  const stored = (client, name) => storage.find(client, name);
  const session = async (options) => {
    const { tokens } = await auth.fetchAuthSession(options);
    expect(tokens && tokens.accessToken, 'fetchAuthSession gave no tokens');
    return { access: tokens.accessToken.toString(), claims: claimsOf(tokens.accessToken.toString(), CLAIMS) };
  };
  const refreshWith = (client, refreshToken, deviceKey) =>
    direct(endpoint, 'GetTokensFromRefreshToken', {
      ClientId: client,
      RefreshToken: refreshToken,
      ...(deviceKey ? { DeviceKey: deviceKey } : {}),
    });

  const summary = {
    client: `aws-amplify ${amplifyVersion}`,
    pool_id: poolId,
    client_id: clientId,
    client_id_no_rotation: clientNoRotation,
    traces: {},
  };
  partial = summary;

  // ---------------------------------------------------------------- phase 1: rotation on
  configure(clientId);

  // 1. signIn, USER_SRP_AUTH by default; the library confirms the new device.
  const first = await step(summary, 'sign_in', () => auth.signIn({ username, password }));
  summary.sign_in = { is_signed_in: first.isSignedIn, next_step: first.nextStep.signInStep };
  expect(first.isSignedIn, `signIn: next step ${first.nextStep.signInStep}`);
  const deviceKey = stored(clientId, 'deviceKey');
  expect(deviceKey, 'no deviceKey in the token storage after the first sign-in');
  summary.device_key = deviceKey;
  summary.device_stored = Boolean(stored(clientId, 'deviceGroupKey') && stored(clientId, 'randomPasswordKey'));
  const firstSession = await session();
  summary.sign_in.claims = firstSession.claims;
  const firstRefresh = stored(clientId, 'refreshToken');
  expect(firstRefresh, 'no refreshToken in the token storage');

  // 2-3. attributes
  summary.attributes_before = await step(summary, 'fetch_user_attributes', () => auth.fetchUserAttributes());
  const updated = await step(summary, 'update_user_attributes', () =>
    auth.updateUserAttributes({ userAttributes: { name: 'Alice Amplify', locale: 'fr-CA' } }),
  );
  summary.update_attributes = Object.fromEntries(
    Object.entries(updated).map(([name, out]) => [name, { is_updated: out.isUpdated, next_step: out.nextStep.updateAttributeStep }]),
  );
  summary.attributes_after = await step(summary, 'fetch_user_attributes_after', () => auth.fetchUserAttributes());

  // 4. rememberDevice, then the device list
  await step(summary, 'remember_device', () => auth.rememberDevice());
  const devices = await step(summary, 'fetch_devices', () => auth.fetchDevices());
  summary.devices_after_remember = devices.map((d) => d.id);

  // 5. signOut (local): Amplify revokes the refresh token; the emulator must refuse it after.
  await step(summary, 'sign_out', () => auth.signOut());
  summary.after_sign_out = {
    refresh_token_kept_in_storage: stored(clientId, 'refreshToken') !== null,
    device_key_kept_in_storage: stored(clientId, 'deviceKey') === deviceKey,
    revoked_refresh: await refreshWith(clientId, firstRefresh, deviceKey),
    // RevokeToken ends the access tokens issued with that refresh token too
    revoked_access: await direct(endpoint, 'GetUser', { AccessToken: firstSession.access }),
    revoked_refresh_initiate_auth: await direct(endpoint, 'InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: firstRefresh, DEVICE_KEY: deviceKey },
    }),
  };

  // 6. a sign-in through the remembered device
  const second = await step(summary, 'device_sign_in', () => auth.signIn({ username, password }));
  expect(second.isSignedIn, `device signIn: next step ${second.nextStep.signInStep}`);
  const deviceSession = await session();
  summary.device_sign_in = { claims: deviceSession.claims };

  // 7. fetchAuthSession({forceRefresh}) twice, refresh-token rotation on.
  const rotating = [];
  let previousRefresh = stored(clientId, 'refreshToken');
  let previousClaims = deviceSession.claims;
  for (const name of ['refresh_rotation', 'refresh_rotation_again']) {
    const start = exchanges.length;
    const refreshed = await step(summary, name, () => session({ forceRefresh: true }));
    const nowRefresh = stored(clientId, 'refreshToken');
    rotating.push({
      claims: refreshed.claims,
      new_access_token: refreshed.claims.jti !== previousClaims.jti,
      refresh_token_changed: nowRefresh !== null && nowRefresh !== previousRefresh,
      device_key_sent: exchangesSince(start).map((e) => e.device_key_sent),
      response_has_refresh_token: exchangesSince(start).map((e) => e.response_has_refresh_token),
      // The token just rotated out, with RetryGracePeriodSeconds 0: refused at once.
      rotated_out: await refreshWith(clientId, previousRefresh, deviceKey),
    });
    previousRefresh = nowRefresh;
    previousClaims = refreshed.claims;
  }
  summary.refresh_rotation = rotating;
  // The token in use still refreshes (and rotates) outside Amplify too; Amplify's storage
  // is then stale, so its next refresh must fail: not done here, it would end the session.

  // 8. TOTP set-up
  const setup = await step(summary, 'set_up_totp', () => auth.setUpTOTP());
  const sharedSecret = setup.sharedSecret;
  expect(typeof sharedSecret === 'string' && sharedSecret.length >= 16, 'setUpTOTP gave no sharedSecret');
  summary.totp_setup_uri = setup.getSetupUri('cognito-srp6a-emulator', username).toString().startsWith('otpauth://totp/');
  const setupCode = await freshTotp(sharedSecret);
  await step(summary, 'verify_totp_setup', () => auth.verifyTOTPSetup({ code: setupCode }));
  await step(summary, 'update_mfa_preference', () => auth.updateMFAPreference({ totp: 'PREFERRED' }));
  const preference = await step(summary, 'fetch_mfa_preference', () => auth.fetchMFAPreference());
  summary.mfa_preference = { enabled: preference.enabled || [], preferred: preference.preferred || null };

  // 9. signOut; a sign-in through the remembered device: no TOTP asked
  await step(summary, 'sign_out_before_totp_device_sign_in', () => auth.signOut());
  const third = await step(summary, 'totp_skipped_by_device', () => auth.signIn({ username, password }));
  summary.totp_skipped_by_device = { is_signed_in: third.isSignedIn, next_step: third.nextStep.signInStep };
  expect(third.isSignedIn, `device signIn with a TOTP: next step ${third.nextStep.signInStep}`);
  summary.totp_skipped_by_device.claims = (await session()).claims;

  // 10. forgetDevice: the storage drops the device, the emulator forgets it
  await step(summary, 'forget_device', () => auth.forgetDevice());
  summary.after_forget_device = {
    device_key_in_storage: stored(clientId, 'deviceKey'),
    get_device: await direct(endpoint, 'AdminGetDevice', { UserPoolId: poolId, Username: username, DeviceKey: deviceKey }),
  };
  await step(summary, 'sign_out_after_forget', () => auth.signOut());

  // 11. USER_AUTH with PASSWORD_SRP; the device is gone, so the TOTP is asked
  const userAuth = await step(summary, 'user_auth_password_srp', () =>
    auth.signIn({ username, password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } }),
  );
  summary.user_auth = { next_step: userAuth.nextStep.signInStep };
  if (userAuth.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') {
    const code = await freshTotp(sharedSecret);
    const confirmed = await step(summary, 'user_auth_totp', () => auth.confirmSignIn({ challengeResponse: code }));
    summary.user_auth.after_totp = { is_signed_in: confirmed.isSignedIn, next_step: confirmed.nextStep.signInStep };
  }
  const userAuthSession = await session();
  summary.user_auth.claims = userAuthSession.claims;
  summary.user_auth.new_device_key = stored(clientId, 'deviceKey');

  // 12. signOut({global}): the refresh token in storage (unused: it was just rotated in by a
  // refresh) and the access token are refused after it.
  await step(summary, 'refresh_before_global_sign_out', () => session({ forceRefresh: true }));
  const lastRefresh = stored(clientId, 'refreshToken');
  const lastDevice = stored(clientId, 'deviceKey');
  const lastAccess = (await session()).access;
  expect(lastRefresh, 'no refreshToken in the token storage before the global sign-out');
  await step(summary, 'global_sign_out', () => auth.signOut({ global: true }));
  summary.after_global_sign_out = {
    refresh: await refreshWith(clientId, lastRefresh, lastDevice),
    get_user: await direct(endpoint, 'GetUser', { AccessToken: lastAccess }),
    storage_cleared: stored(clientId, 'refreshToken') === null && stored(clientId, 'accessToken') === null,
  };

  // ---------------------------------------------------------------- phase 2: rotation off
  configure(clientNoRotation);
  const fourth = await step(summary, 'no_rotation_sign_in', () => auth.signIn({ username, password }));
  summary.no_rotation = { next_step: fourth.nextStep.signInStep };
  if (fourth.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') {
    const code = await freshTotp(sharedSecret);
    const confirmed = await step(summary, 'no_rotation_totp', () => auth.confirmSignIn({ challengeResponse: code }));
    summary.no_rotation.after_totp = { is_signed_in: confirmed.isSignedIn, next_step: confirmed.nextStep.signInStep };
  }
  const plainSession = await session();
  const plainRefresh = stored(clientNoRotation, 'refreshToken');
  const plainDevice = stored(clientNoRotation, 'deviceKey');
  expect(plainRefresh, 'no refreshToken in the token storage (rotation off)');
  const start = exchanges.length;
  const refreshedPlain = await step(summary, 'no_rotation_refresh', () => session({ forceRefresh: true }));
  summary.no_rotation.claims = plainSession.claims;
  summary.no_rotation.refresh = {
    claims: refreshedPlain.claims,
    new_access_token: refreshedPlain.claims.jti !== plainSession.claims.jti,
    refresh_token_unchanged: stored(clientNoRotation, 'refreshToken') === plainRefresh,
    device_key_sent: exchangesSince(start).map((e) => e.device_key_sent),
    device_key: plainDevice,
    response_has_refresh_token: exchangesSince(start).map((e) => e.response_has_refresh_token),
    // without rotation the same token refreshes again, in both operations
    again_get_tokens: await refreshWith(clientNoRotation, plainRefresh, plainDevice),
    again_initiate_auth: await direct(endpoint, 'InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: clientNoRotation,
      AuthParameters: { REFRESH_TOKEN: plainRefresh, DEVICE_KEY: plainDevice },
    }),
  };
  await step(summary, 'no_rotation_sign_out', () => auth.signOut());
  summary.no_rotation.after_sign_out = {
    initiate_auth: await direct(endpoint, 'InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: clientNoRotation,
      AuthParameters: { REFRESH_TOKEN: plainRefresh, DEVICE_KEY: plainDevice },
    }),
  };

  return summary;
}

common.run(main, {
  trace,
  watchdogMs: WATCHDOG_MS,
  finish: (summary) => {
    summary.exchanges = exchanges.map(({ label, outcome, status, message, request_keys }) => ({ label, outcome, status, message, request_keys }));
  },
  failureNote: () => {
    const failed = exchanges.filter((e) => e.status !== 200).map((e) => `${e.label} -> ${e.outcome}: ${e.message}`);
    return `refused:\n  ${failed.join('\n  ')}\nsummary so far: ${JSON.stringify(partial)}\n`;
  },
});
