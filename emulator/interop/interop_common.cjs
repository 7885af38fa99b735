// What the JavaScript interop scripts share (identity_js_common.js and the scripts that use
// it, amplify_life.mjs, sdk_v3_srp_helper.mjs): the environment, expectations, an
// authenticator app's TOTP, a token's claims, the label and outcome of each request for the
// trace, the recording of every request a library makes through globalThis.fetch, and the run
// of `main` under a watchdog that prints its JSON summary or `FAIL: ...`.
//
// CommonJS without side effects, so that both the CommonJS and the ES module scripts import
// it and each decides what to record.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

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

/** The version of `name` installed in node_modules beside this file. */
function versionOf(name) {
  const manifest = path.join(__dirname, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) -----------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.toUpperCase().replace(/[\s=]/g, '')) {
    const index = alphabet.indexOf(c);
    if (index < 0) {
      throw new Unmet(`the TOTP secret is not base32 (${c})`);
    }
    bits += index.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    bytes.push(parseInt(bits.slice(i, i + 8), 2));
  }
  return Buffer.from(bytes);
}

/** The code of a base32 secret for the 30-second step `counter`. */
function totpAt(secretBase32, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = crypto.createHmac('sha1', base32Decode(secretBase32)).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/** The code of a base32 secret as an authenticator app shows it `offsetSeconds` from now. */
function totp(secretBase32, offsetSeconds = 0) {
  return totpAt(secretBase32, Math.floor((Date.now() / 1000 + offsetSeconds) / 30));
}

// ---- tokens -------------------------------------------------------------------------------------

/** A JWT's payload, unverified. */
function payloadOf(jwt) {
  return JSON.parse(Buffer.from(String(jwt).split('.')[1], 'base64url').toString('utf8'));
}

/** The claims `names` of a JWT, null for each it lacks. */
function claimsOf(jwt, names) {
  const payload = payloadOf(jwt);
  return Object.fromEntries(names.map((name) => [name, payload[name] === undefined ? null : payload[name]]));
}

// ---- the trace: "Op STEP -> OUTCOME" for every request --------------------------------------------

/** A request's label: the operation, and the flow or challenge it carries. */
function labelOf(operation, body) {
  if (operation === 'InitiateAuth') {
    return `${operation} ${body.AuthFlow}`;
  }
  if (operation === 'RespondToAuthChallenge') {
    return `${operation} ${body.ChallengeName}`;
  }
  return operation;
}

/** The outcome of an answer: the error's name, the next challenge, the tokens, or the status. */
function outcomeOf(ok, status, data) {
  if (!ok) {
    return String(data.__type || data.code || `HTTP ${status}`).split('#').pop();
  }
  if (data.ChallengeName) {
    return data.ChallengeName;
  }
  if (data.AuthenticationResult) {
    return data.AuthenticationResult.NewDeviceMetadata ? 'AuthenticationResult+NewDeviceMetadata' : 'AuthenticationResult';
  }
  return String(status);
}

/** JSON text as an object; anything else as {}. */
function parseOr(text) {
  try {
    return JSON.parse(text);
  } catch (_) {
    return {};
  }
}

/**
 * Wraps globalThis.fetch, which the libraries call, to record each request in `trace` and,
 * through `exchangeOf({ label, outcome, response, data, body })`, in `exchanges`; `skip(label,
 * outcome)` leaves a request out of the trace. Returns the trace, the exchanges and the fetch
 * that records nothing.
 */
function recordFetch({ exchangeOf, skip = () => false }) {
  const trace = [];
  const exchanges = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async function recordingFetch(url, options = {}) {
    const target = String(new Headers(options.headers || {}).get('x-amz-target') || '?').split('.').pop();
    const body = parseOr(options.body);
    const label = labelOf(target, body);
    const response = await realFetch(url, options);
    const data = parseOr(await response.clone().text());
    const outcome = outcomeOf(response.ok, response.status, data);
    if (!skip(label, outcome)) {
      trace.push(`${label} -> ${outcome}`);
    }
    exchanges.push(exchangeOf({ label, outcome, response, data, body }));
    return response;
  };
  return { trace, exchanges, realFetch };
}

/**
 * Runs `main` under a watchdog of `watchdogMs`: prints the summary it resolves with, `trace`
 * and `ok: true` added (and what `finish(summary)` adds), as one JSON line and exits 0, or
 * prints `FAIL: ...`, the trace and `failureNote()` on stderr and exits 1.
 */
function run(main, { trace, watchdogMs = 90_000, finish = () => {}, failureNote = () => '' }) {
  const traced = () => `trace:\n  ${trace.join('\n  ')}\n`;
  const watchdog = setTimeout(() => {
    process.stderr.write(`FAIL: timed out after ${watchdogMs / 1000} s\n${traced()}`);
    process.exit(1);
  }, watchdogMs);

  main().then(
    (summary) => {
      clearTimeout(watchdog);
      summary.trace = trace;
      finish(summary);
      summary.ok = true;
      process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
    },
    (err) => {
      clearTimeout(watchdog);
      const what =
        err instanceof Unmet ? err.message : `unexpected error ${err.name || ''} ${err.code || ''}: ${err.stack || err}`;
      process.stderr.write(`FAIL: ${what}\n${traced()}${failureNote()}`, () => process.exit(1));
    },
  );
}

module.exports = {
  claimsOf, env, expect, labelOf, outcomeOf, payloadOf, recordFetch, run, totp, totpAt, Unmet, versionOf,
};
