#!/usr/bin/env node
// Live interop check: the AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider)
// with cognito-srp-helper answering the SRP challenges, as the helper's README shows it,
// against one pool of the emulator.
//
// Run by emulator/tests/js_clients.rs with the clients installed by setup.sh
// (`node emulator/interop/sdk_v3_srp_helper.mjs`). Inputs (environment):
//
//   COGNITO_ENDPOINT  http://127.0.0.1:PORT, the SDK client's `endpoint`
//   POOL_ID           a pool with DeviceConfiguration {ChallengeRequiredOnNewDevice,
//                     DeviceOnlyRememberedOnUserPrompt}
//   CLIENT_ID         an app client without a secret, refresh-token rotation off
//   USERNAME, PASSWORD  a confirmed user without a software token
//
// Steps: USER_SRP_AUTH (createSrpSession, wrapInitiateAuth, signSrpSession, wrapAuthChallenge)
// ending in tokens with NewDeviceMetadata; ConfirmDeviceCommand with createDeviceVerifier's
// DeviceSecretVerifierConfig; UpdateDeviceStatusCommand remembered; GetDeviceCommand and
// ListDevicesCommand; a device sign-in (PASSWORD_VERIFIER with DEVICE_KEY, DEVICE_SRP_AUTH,
// DEVICE_PASSWORD_VERIFIER signed by signSrpSessionWithDevice); GetTokensFromRefreshTokenCommand
// with the device's key; the same device sign-in with a wrong device password; a sign-in with
// a wrong user password.
//
// The SDK client's middleware stack records each command and its outcome
// ("RespondToAuthChallenge DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER"). Prints one JSON
// line (the last line of stdout) and exits 0, or prints `FAIL: ...` and the trace on stderr
// and exits 1 when a step that must succeed fails.

import {
  CognitoIdentityProviderClient,
  ConfirmDeviceCommand,
  GetDeviceCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createDeviceVerifier,
  createSrpSession,
  signSrpSession,
  signSrpSessionWithDevice,
  wrapAuthChallenge,
  wrapInitiateAuth,
} from 'cognito-srp-helper';

import common from './interop_common.cjs';

const { claimsOf, env, expect, labelOf, outcomeOf, Unmet, versionOf } = common;

/** The claims of an access token the summary reports. */
const CLAIMS = ['token_use', 'client_id', 'username', 'device_key', 'iss'];

// ---- the trace: every command the SDK client sends, and its outcome -------------------------

const trace = [];

function recordCommands(client) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const label = labelOf(String(context.commandName || '?').replace(/Command$/, ''), args.input || {});
      try {
        const result = await next(args);
        const output = result.output || {};
        trace.push(`${label} -> ${outcomeOf(true, output.$metadata?.httpStatusCode ?? 200, output)}`);
        return result;
      } catch (err) {
        trace.push(`${label} -> ${err.name}`);
        throw err;
      }
    },
    { step: 'initialize', name: 'interopTrace' },
  );
}

/** `promise`'s refusal as {type, message, status}; a success is an unmet expectation. */
async function refusal(what, promise) {
  try {
    await promise;
  } catch (err) {
    return { type: err.name, message: err.message, status: err.$metadata?.httpStatusCode ?? null };
  }
  throw new Unmet(`${what} was accepted`);
}

// ---- the steps ---------------------------------------------------------------------------------

async function main() {
  const endpoint = env('COGNITO_ENDPOINT').replace(/\/+$/, '');
  const poolId = env('POOL_ID');
  const clientId = env('CLIENT_ID');
  const username = env('USERNAME');
  const password = env('PASSWORD');

  const cognito = new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret-for-the-emulator' },
    maxAttempts: 1,
  });
  recordCommands(cognito);

  const summary = {
    client: `@aws-sdk/client-cognito-identity-provider ${versionOf('@aws-sdk/client-cognito-identity-provider')} + cognito-srp-helper ${versionOf('cognito-srp-helper')}`,
    pool_id: poolId,
    client_id: clientId,
    traces: {},
  };
  const mark = () => trace.length;
  const since = (start) => trace.slice(start);

  /**
   * USER_SRP_AUTH with `userPassword` (and `deviceKey`, when given) as the helper's README:
   * InitiateAuth, then the PASSWORD_VERIFIER answer. Resolves with the helper's SRP session,
   * its signed session, the answer sent and the reply, or rejects with the service's error.
   */
  const passwordSignIn = async (userPassword, deviceKey) => {
    const withDevice = deviceKey ? { DEVICE_KEY: deviceKey } : {};
    const srpSession = createSrpSession(username, userPassword, poolId, false);
    const initiated = await cognito.send(
      new InitiateAuthCommand(
        wrapInitiateAuth(srpSession, {
          ClientId: clientId,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { CHALLENGE_NAME: 'SRP_A', USERNAME: username, ...withDevice },
        }),
      ),
    );
    expect(initiated.ChallengeName === 'PASSWORD_VERIFIER', `InitiateAuth answered ${initiated.ChallengeName}`);
    const signed = signSrpSession(srpSession, initiated);
    const answer = wrapAuthChallenge(signed, {
      ClientId: clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: username, ...withDevice },
      Session: initiated.Session,
    });
    const reply = await cognito.send(new RespondToAuthChallengeCommand(answer));
    return { srpSession, signed, answer, reply };
  };

  // 1. USER_SRP_AUTH, as the helper's README
  let start = mark();
  const { answer: passwordAnswer, reply: first } = await passwordSignIn(password);
  summary.password_verifier_answer_keys = Object.keys(passwordAnswer.ChallengeResponses).sort();
  summary.traces.sign_in = since(start);
  const firstResult = first.AuthenticationResult;
  expect(firstResult && firstResult.NewDeviceMetadata, 'the first sign-in gave no NewDeviceMetadata');
  const { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKey } = firstResult.NewDeviceMetadata;
  summary.device_key = deviceKey;
  summary.sign_in = { claims: claimsOf(firstResult.AccessToken, CLAIMS) };

  // 2. ConfirmDevice with createDeviceVerifier's config; UpdateDeviceStatus remembered
  start = mark();
  const { DeviceSecretVerifierConfig, DeviceRandomPassword } = createDeviceVerifier(deviceKey, deviceGroupKey);
  const confirmed = await cognito.send(
    new ConfirmDeviceCommand({
      AccessToken: firstResult.AccessToken,
      DeviceKey: deviceKey,
      DeviceName: 'sdk-v3-srp-helper',
      DeviceSecretVerifierConfig,
    }),
  );
  summary.user_confirmation_necessary = confirmed.UserConfirmationNecessary === true;
  await cognito.send(
    new UpdateDeviceStatusCommand({
      AccessToken: firstResult.AccessToken,
      DeviceKey: deviceKey,
      DeviceRememberedStatus: 'remembered',
    }),
  );
  const device = await cognito.send(new GetDeviceCommand({ AccessToken: firstResult.AccessToken, DeviceKey: deviceKey }));
  const attributes = Object.fromEntries((device.Device.DeviceAttributes || []).map((a) => [a.Name, a.Value]));
  summary.device = {
    remembered_status: attributes['dev:device_remembered_status'] ?? null,
    name: attributes.device_name ?? null,
  };
  const listed = await cognito.send(new ListDevicesCommand({ AccessToken: firstResult.AccessToken }));
  summary.listed_devices = (listed.Devices || []).map((d) => d.DeviceKey);
  summary.traces.remember_device = since(start);

  /**
   * A sign-in through the device, the helper's device steps; `devicePassword` signs the
   * DEVICE_PASSWORD_VERIFIER answer. Resolves with the last answer, or rejects with the
   * service's error.
   */
  const deviceSignIn = async (devicePassword) => {
    const { srpSession: session, signed: signedSession, reply: afterPassword } = await passwordSignIn(password, deviceKey);
    expect(afterPassword.ChallengeName === 'DEVICE_SRP_AUTH', `PASSWORD_VERIFIER answered ${afterPassword.ChallengeName}`);
    const afterDeviceSrp = await cognito.send(
      new RespondToAuthChallengeCommand(
        wrapAuthChallenge(signedSession, {
          ClientId: clientId,
          ChallengeName: 'DEVICE_SRP_AUTH',
          ChallengeResponses: { USERNAME: username, DEVICE_KEY: deviceKey },
          Session: afterPassword.Session,
        }),
      ),
    );
    expect(
      afterDeviceSrp.ChallengeName === 'DEVICE_PASSWORD_VERIFIER',
      `DEVICE_SRP_AUTH answered ${afterDeviceSrp.ChallengeName}`,
    );
    const signedWithDevice = signSrpSessionWithDevice(session, afterDeviceSrp, deviceGroupKey, devicePassword);
    return cognito.send(
      new RespondToAuthChallengeCommand(
        wrapAuthChallenge(signedWithDevice, {
          ClientId: clientId,
          ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
          ChallengeResponses: { USERNAME: username, DEVICE_KEY: deviceKey },
          Session: afterDeviceSrp.Session,
        }),
      ),
    );
  };

  // 3. the device sign-in
  start = mark();
  const viaDevice = await deviceSignIn(DeviceRandomPassword);
  summary.traces.device_sign_in = since(start);
  expect(viaDevice.AuthenticationResult, `DEVICE_PASSWORD_VERIFIER answered ${viaDevice.ChallengeName}`);
  summary.device_sign_in = {
    claims: claimsOf(viaDevice.AuthenticationResult.AccessToken, CLAIMS),
    new_device_metadata: viaDevice.AuthenticationResult.NewDeviceMetadata !== undefined,
  };

  // 4. GetTokensFromRefreshToken with the device's key (rotation off: no new refresh token)
  start = mark();
  const refreshed = await cognito.send(
    new GetTokensFromRefreshTokenCommand({
      ClientId: clientId,
      RefreshToken: viaDevice.AuthenticationResult.RefreshToken,
      DeviceKey: deviceKey,
    }),
  );
  summary.traces.refresh = since(start);
  summary.refresh = {
    claims: claimsOf(refreshed.AuthenticationResult.AccessToken, CLAIMS),
    new_refresh_token: refreshed.AuthenticationResult.RefreshToken !== undefined,
  };

  // 5. the device sign-in with a wrong device password
  start = mark();
  const wrong = `${DeviceRandomPassword.slice(0, -2)}${DeviceRandomPassword.endsWith('AA') ? 'BB' : 'AA'}`;
  summary.wrong_device_password = await refusal('a wrong device password', deviceSignIn(wrong));
  summary.traces.wrong_device_password = since(start);

  // 6. a wrong user password
  start = mark();
  summary.wrong_password = await refusal('a wrong user password', passwordSignIn(`${password}x`));
  summary.traces.wrong_password = since(start);

  return summary;
}

common.run(main, { trace });
