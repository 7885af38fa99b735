#!/usr/bin/env node
// Live interop check: amazon-cognito-identity-js's device flow against the emulator.
//
// Run by emulator/tests/interop.rs with the pinned client from setup.sh
// (`node emulator/interop/identity_js_device.js`). Inputs (environment):
//
//   COGNITO_ENDPOINT  http://127.0.0.1:PORT, given to CognitoUserPool as `endpoint`
//   POOL_ID, CLIENT_ID, USERNAME, PASSWORD
//   DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT  optional "true"/"false": must agree with
//                     the userConfirmationNecessary that ConfirmDevice gives back
//
// Everything goes through the library's own code (authenticateUser, its ConfirmDevice,
// setDeviceStatusRemembered, forgetSpecificDevice); globalThis.fetch, which its Client
// calls, is wrapped only to record each request's X-Amz-Target and ChallengeName and
// each response's outcome.
//   a. first sign-in: the library confirms the new device by itself
//      (setDeviceStatusRemembered when userConfirmationNecessary);
//   b. a new CognitoUser on the same storage: PASSWORD_VERIFIER, DEVICE_SRP_AUTH,
//      DEVICE_PASSWORD_VERIFIER; the access token's device_key is the cached key
//      (and its RS256 signature checks out against the emulator's JWKS);
//      the same CognitoUser again (which then sends DEVICE_KEY in InitiateAuth too);
//      its refreshSession (REFRESH_TOKEN_AUTH with the cached DEVICE_KEY);
//   c. a wrong cached device password: onFailure NotAuthorizedException;
//   d. the device forgotten on the service side while the client still holds it:
//      ResourceNotFoundException "Device does not exist." at PASSWORD_VERIFIER, the
//      library retries that answer with DEVICE_KEY null and the sign-in succeeds.
// Prints one JSON line (the last line of stdout) and exits 0, or prints `FAIL: ...`
// on stderr and exits 1 at the first unmet expectation.
'use strict';

const {
  clientName, DEVICE_SIGN_IN, env, exchanges, expect, libraryCall,
  MemoryStorage, run, signIn, target, trace, Unmet, verifyJwt,
} = require('./identity_js_common');

function expectFailure(step, attempt, code) {
  const start = trace.length;
  return attempt().then(
    () => {
      throw new Unmet(`${step}: expected ${code}, but the sign-in succeeded: ${JSON.stringify(trace.slice(start))}`);
    },
    (err) => {
      if (err instanceof Unmet) {
        throw err;
      }
      const got = {
        code: err.code === undefined ? null : err.code,
        message: err.message,
        step: trace.length > start ? trace[trace.length - 1].split(' -> ')[0] : null,
        trace: trace.slice(start),
      };
      expect(got.code === code, `${step}: expected ${code}, got ${JSON.stringify(got)}`);
      return got;
    },
  );
}

async function main() {
  const { endpoint, poolId, clientId, password, region, newUser: userOn } = target();
  const onPromptEnv = process.env.DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT;
  const storage = new MemoryStorage();
  const newUser = () => userOn(storage);
  const summary = { client: clientName, errors: {}, traces: {} };

  // a. first sign-in; the library confirms the device itself
  let start = trace.length;
  const first = newUser();
  const signedIn = await signIn(first, password);
  summary.traces.first_sign_in = trace.slice(start);
  expect(
    summary.traces.first_sign_in.includes('RespondToAuthChallenge PASSWORD_VERIFIER -> AuthenticationResult+NewDeviceMetadata'),
    `first sign-in got no NewDeviceMetadata: ${JSON.stringify(summary.traces.first_sign_in)}`,
  );
  expect(
    summary.traces.first_sign_in[summary.traces.first_sign_in.length - 1] === 'ConfirmDevice -> 200',
    `the library's ConfirmDevice did not succeed: ${JSON.stringify(summary.traces.first_sign_in)}`,
  );
  const internalUsername = first.getUsername(); // USER_ID_FOR_SRP, the key of the cache
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${internalUsername}`;
  const deviceKey = storage.getItem(`${prefix}.deviceKey`);
  const deviceGroupKey = storage.getItem(`${prefix}.deviceGroupKey`);
  const devicePassword = storage.getItem(`${prefix}.randomPasswordKey`);
  expect(deviceKey && deviceGroupKey && devicePassword, `nothing cached under ${prefix}`);
  expect(deviceKey.startsWith(`${region}_`), `device key ${deviceKey} does not start with ${region}_`);
  summary.device_key = deviceKey;
  summary.device_group_key = deviceGroupKey;
  summary.first_access_token_device_key = signedIn.session.getAccessToken().decodePayload().device_key || null;
  const necessary = signedIn.userConfirmationNecessary === true;
  summary.user_confirmation_necessary = necessary;
  if (onPromptEnv) {
    expect(
      necessary === (onPromptEnv.toLowerCase() === 'true'),
      `userConfirmationNecessary=${necessary} but DEVICE_ONLY_REMEMBERED_ON_USER_PROMPT=${onPromptEnv}`,
    );
  }
  if (necessary) {
    await libraryCall('setDeviceStatusRemembered', first);
  }

  // b. a new CognitoUser on the same storage signs in with the device
  start = trace.length;
  const second = newUser();
  const deviceSession = (await signIn(second, password)).session;
  summary.traces.device_sign_in = trace.slice(start);
  expect(
    JSON.stringify(summary.traces.device_sign_in) === JSON.stringify(DEVICE_SIGN_IN),
    `device sign-in went ${JSON.stringify(summary.traces.device_sign_in)}, expected ${JSON.stringify(DEVICE_SIGN_IN)}`,
  );
  const sent = exchanges.slice(start).map((e) => e.request);
  expect(
    sent[0].AuthParameters.DEVICE_KEY === undefined,
    'a new CognitoUser sent DEVICE_KEY in InitiateAuth (it reads the cache only after it)',
  );
  expect(sent[1].ChallengeResponses.DEVICE_KEY === deviceKey, 'PASSWORD_VERIFIER answer without the device key');
  expect(deviceSession.isValid(), 'the device session is not valid');
  const payload = deviceSession.getAccessToken().decodePayload();
  expect(payload.device_key === deviceKey, `access token device_key is ${payload.device_key}, expected ${deviceKey}`);
  expect(payload.token_use === 'access', `access token token_use is ${payload.token_use}`);
  const verified = await verifyJwt(endpoint, poolId, deviceSession.getAccessToken().getJwtToken());
  expect(JSON.stringify(verified) === JSON.stringify(payload), 'verified and decoded claims differ');
  summary.access_token_claims = {
    token_use: payload.token_use,
    device_key: payload.device_key,
    client_id: payload.client_id,
    username: payload.username,
    iss: payload.iss,
  };

  // b2. the same CognitoUser again: now DEVICE_KEY goes in InitiateAuth as well
  start = trace.length;
  await signIn(second, password);
  summary.traces.device_sign_in_same_user = trace.slice(start);
  expect(
    JSON.stringify(summary.traces.device_sign_in_same_user) === JSON.stringify(DEVICE_SIGN_IN),
    `second device sign-in went ${JSON.stringify(summary.traces.device_sign_in_same_user)}`,
  );
  expect(
    exchanges[start].request.AuthParameters.DEVICE_KEY === deviceKey,
    'a reused CognitoUser did not send DEVICE_KEY in InitiateAuth',
  );

  // b3. the library's refreshSession: REFRESH_TOKEN_AUTH with the cached DEVICE_KEY
  start = trace.length;
  const refreshed = await new Promise((resolve, reject) => {
    second.refreshSession(second.getSignInUserSession().getRefreshToken(), (err, session) =>
      err ? reject(err) : resolve(session),
    );
  });
  summary.traces.refresh = trace.slice(start);
  expect(
    JSON.stringify(summary.traces.refresh) === JSON.stringify(['InitiateAuth REFRESH_TOKEN_AUTH -> AuthenticationResult']),
    `refreshSession went ${JSON.stringify(summary.traces.refresh)}`,
  );
  expect(
    exchanges[start].request.AuthParameters.DEVICE_KEY === deviceKey,
    'refreshSession did not send the cached DEVICE_KEY',
  );
  summary.refreshed_access_token_device_key = refreshed.getAccessToken().decodePayload().device_key || null;
  expect(
    summary.refreshed_access_token_device_key === deviceKey,
    `refreshed access token device_key is ${summary.refreshed_access_token_device_key}`,
  );

  // c. a wrong cached device password
  storage.setItem(`${prefix}.randomPasswordKey`, `not-${devicePassword}`);
  const wrong = await expectFailure('wrong device password', () => signIn(newUser(), password), 'NotAuthorizedException');
  summary.errors.wrong_device_password = wrong;
  expect(
    wrong.step === 'RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER',
    `wrong device password refused at ${wrong.step}`,
  );
  storage.setItem(`${prefix}.randomPasswordKey`, devicePassword);

  // d. the service forgets the device; the client still holds it
  await libraryCall('forgetSpecificDevice', second, deviceKey);
  expect(storage.getItem(`${prefix}.deviceKey`) === deviceKey, 'forgetSpecificDevice touched the cache');
  start = trace.length;
  const recovered = await signIn(newUser(), password);
  const steps = exchanges.slice(start);
  summary.traces.forgotten_device = trace.slice(start);
  const failed = steps.findIndex((e) => e.outcome === 'ResourceNotFoundException');
  expect(failed >= 0, `no ResourceNotFoundException for the forgotten device: ${JSON.stringify(trace.slice(start))}`);
  const error = steps[failed];
  const retry = steps[failed + 1];
  summary.errors.forgotten_device = {
    code: error.outcome,
    message: error.message,
    step: error.label,
    trace: trace.slice(start),
    retried_with_device_key_null:
      retry !== undefined &&
      retry.label === 'RespondToAuthChallenge PASSWORD_VERIFIER' &&
      Object.prototype.hasOwnProperty.call(retry.request.ChallengeResponses, 'DEVICE_KEY') &&
      retry.request.ChallengeResponses.DEVICE_KEY === null,
    retry_outcome: retry === undefined ? null : retry.outcome,
  };
  expect(error.message === 'Device does not exist.', `forgotten device message is ${JSON.stringify(error.message)}`);
  expect(error.label === 'RespondToAuthChallenge PASSWORD_VERIFIER', `forgotten device refused at ${error.label}`);
  expect(
    summary.errors.forgotten_device.retried_with_device_key_null,
    `the library did not retry with DEVICE_KEY null: ${JSON.stringify(trace.slice(start))}`,
  );
  expect(
    retry.request.Session === error.request.Session,
    'the retry did not reuse the Session of the refused answer',
  );
  expect(
    retry.outcome.startsWith('AuthenticationResult'),
    `the retry without a device got ${retry.outcome}`,
  );
  const newDeviceKey = storage.getItem(`${prefix}.deviceKey`);
  summary.new_device_key_after_forget = newDeviceKey;
  expect(recovered.session.isValid(), 'the session after the retry is not valid');
  expect(newDeviceKey !== deviceKey, 'the forgotten device key is still cached after the retry');

  // Challenges the emulator issued (outcomes in upper case; errors and results are not).
  summary.challenges_seen = [...new Set(trace.map((t) => t.split(' -> ')[1]).filter((o) => /^[A-Z_]+$/.test(o)))].sort();
  summary.requests_without_session = exchanges
    .filter((e) => e.label.startsWith('RespondToAuthChallenge') && !e.hasSession)
    .map((e) => e.label);
  return summary;
}

run(main);
