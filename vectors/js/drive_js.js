#!/usr/bin/env node
// Drives the real amazon-cognito-identity-js (pinned in package.json) through
// CognitoUser.authenticateUser / ConfirmDevice / DEVICE_SRP_AUTH with a fake
// service, stubbed randomness and a fixed clock, and records what it sends.
// Usage: node drive_js.js build/cases.json amazon-cognito-identity-js.json
'use strict';
const fs = require('fs');
const path = require('path');

const [, , casesPath, outPath] = process.argv;
const input = JSON.parse(fs.readFileSync(casesPath, 'utf8'));

// ---------------------------------------------------------------- randomness
// The library reads randomness via WordArray.random -> cryptoSecureRandomInt ->
// crypto.getRandomValues(new Uint32Array(1))[0] (global webcrypto on node 20),
// one 32-bit word at a time, written out big-endian. We feed it from a queue.
let randomQueue = [];
let randomDraws = 0;
function fakeGetRandomValues(arr) {
	if (!(arr instanceof Uint32Array) || arr.length !== 1) {
		throw new Error('unexpected getRandomValues call');
	}
	if (randomQueue.length < 4) {
		throw new Error('random queue exhausted');
	}
	const b = randomQueue.splice(0, 4);
	arr[0] = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
	randomDraws += 4;
	return arr;
}
Object.defineProperty(globalThis.crypto, 'getRandomValues', {
	value: fakeGetRandomValues,
	configurable: true,
	writable: true,
});
const nodeCrypto = require('crypto');
nodeCrypto.randomBytes = () => {
	throw new Error('unexpected crypto.randomBytes call');
};
function pushRandom(hex) {
	for (let i = 0; i < hex.length; i += 2) randomQueue.push(parseInt(hex.substr(i, 2), 16));
}

// ---------------------------------------------------------------- clock
const RealDate = Date;
let fixedMs = 0;
class FixedDate extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(fixedMs);
		else super(...args);
	}
	static now() {
		return fixedMs;
	}
}
globalThis.Date = FixedDate;

const lib = require('amazon-cognito-identity-js');
const libPkg = require('amazon-cognito-identity-js/package.json');
const { AuthenticationHelper, CognitoUser, CognitoUserPool, AuthenticationDetails, DateHelper } = lib;

// ---------------------------------------------------------------- instrumentation
// Read-only taps on the helper's own intermediate values (x, S, u, hkdf).
let tap = {};
const origCalculateS = AuthenticationHelper.prototype.calculateS;
AuthenticationHelper.prototype.calculateS = function (xValue, serverBValue, callback) {
	tap.x = xValue.toString(16);
	return origCalculateS.call(this, xValue, serverBValue, (err, s) => {
		if (s) tap.S = s.toString(16);
		tap.u = this.UValue ? this.UValue.toString(16) : undefined;
		return callback(err, s);
	});
};
const origHkdf = AuthenticationHelper.prototype.computehkdf;
AuthenticationHelper.prototype.computehkdf = function (ikm, salt) {
	const r = origHkdf.call(this, ikm, salt);
	tap.hkdf = Buffer.from(r).toString('hex');
	return r;
};
let passwordOverride = null;
const origGenRandomString = AuthenticationHelper.prototype.generateRandomString;
AuthenticationHelper.prototype.generateRandomString = function () {
	if (passwordOverride !== null) return passwordOverride;
	return origGenRandomString.call(this);
};

// ---------------------------------------------------------------- fake service
class MemStorage {
	constructor() {
		this.m = {};
	}
	setItem(k, v) {
		this.m[k] = String(v);
	}
	getItem(k) {
		return Object.prototype.hasOwnProperty.call(this.m, k) ? this.m[k] : null;
	}
	removeItem(k) {
		delete this.m[k];
	}
	clear() {
		this.m = {};
	}
}
function b64url(obj) {
	return Buffer.from(JSON.stringify(obj)).toString('base64').replace(/=+$/, '');
}
function fakeTokens(iat) {
	const jwt = p => `${b64url({ alg: 'none' })}.${b64url(p)}.sig`;
	return {
		IdToken: jwt({ sub: 'x', iat, exp: iat + 3600, token_use: 'id' }),
		AccessToken: jwt({ sub: 'x', iat, exp: iat + 3600, token_use: 'access' }),
		RefreshToken: 'refresh-token',
	};
}

function errText(e) {
	return e && e.message !== undefined ? e.message : String(e);
}

// Runs fn(user, cb) with a fake service `handler(op, req)` -> response object.
// Returns {ok, session, error, thrown}.
function runFlow(user, handler, start) {
	let result = null;
	user.client.request = (op, req, cb) => {
		const resp = handler(op, req);
		if (resp instanceof Error) return cb(resp, null);
		return cb(null, resp);
	};
	const callback = {
		onSuccess: (s, confirmationNecessary) => {
			result = { ok: true };
		},
		onFailure: e => {
			result = { ok: false, error: errText(e) };
		},
		mfaRequired: () => (result = { ok: false, error: 'mfaRequired' }),
		totpRequired: () => (result = { ok: false, error: 'totpRequired' }),
		newPasswordRequired: () => (result = { ok: false, error: 'newPasswordRequired' }),
	};
	try {
		start(callback);
	} catch (e) {
		return { ok: false, thrown: errText(e) };
	}
	if (result === null) return { ok: false, error: 'no callback was called' };
	return result;
}

const POOL_FOR_DEVICE = 'us-west-2_DevPool1';
const dummy = input.dummy_user_challenge;

function runDevice(c) {
	const storage = new MemStorage();
	const pool = new CognitoUserPool({ UserPoolId: POOL_FOR_DEVICE, ClientId: input.client_id, Storage: storage });
	const username = 'device-owner';
	const out = {};
	fixedMs = c.unix * 1000;

	// -------- 1. sign-in that returns NewDeviceMetadata -> ConfirmDevice
	randomQueue = [];
	pushRandom(c.user_a_random_hex); // AuthenticationHelper constructor: 128 bytes (user a)
	if (c.device_password_override === null) pushRandom(c.device_password_random_hex); // 40 bytes
	passwordOverride = c.device_password_override;
	pushRandom(c.salt_random_hex); // 16 bytes
	let confirm = null;
	const user1 = new CognitoUser({ Username: username, Pool: pool, Storage: storage });
	const r1 = runFlow(
		user1,
		(op, req) => {
			if (op === 'InitiateAuth') {
				return {
					ChallengeName: 'PASSWORD_VERIFIER',
					Session: 's1',
					ChallengeParameters: { ...dummy, USER_ID_FOR_SRP: username, USERNAME: username },
				};
			}
			if (op === 'RespondToAuthChallenge' && req.ChallengeName === 'PASSWORD_VERIFIER') {
				return {
					AuthenticationResult: {
						...fakeTokens(c.unix),
						NewDeviceMetadata: { DeviceKey: c.device_key, DeviceGroupKey: c.device_group_key },
					},
				};
			}
			if (op === 'ConfirmDevice') {
				confirm = req;
				return { UserConfirmationNecessary: false };
			}
			return new Error(`unexpected ${op}`);
		},
		cb => user1.authenticateUser(new AuthenticationDetails({ Username: username, Password: c.user_password }), cb)
	);
	passwordOverride = null;
	if (!r1.ok) throw new Error(`registration failed in ${c.case}: ${JSON.stringify(r1)}`);
	if (randomQueue.length !== 0) throw new Error(`random bytes left over after registration: ${c.case}`);
	const storedPassword = storage.getItem(
		`CognitoIdentityServiceProvider.${input.client_id}.${username}.randomPasswordKey`
	);
	out.device_password = storedPassword;
	out.Salt = confirm.DeviceSecretVerifierConfig.Salt;
	out.PasswordVerifier = confirm.DeviceSecretVerifierConfig.PasswordVerifier;

	// -------- 2. sign-in with the remembered device
	randomQueue = [];
	pushRandom(c.user_a_random_hex); // user SRP a
	pushRandom(c.a_random_hex); // getDeviceResponse: new AuthenticationHelper -> device a
	let deviceSrpA = null;
	let verifierResp = null;
	let verifierTap = null;
	const user2 = new CognitoUser({ Username: username, Pool: pool, Storage: storage });
	const r2 = runFlow(
		user2,
		(op, req) => {
			if (op === 'InitiateAuth') {
				return {
					ChallengeName: 'PASSWORD_VERIFIER',
					Session: 's2',
					ChallengeParameters: { ...dummy, USER_ID_FOR_SRP: username, USERNAME: username },
				};
			}
			if (op === 'RespondToAuthChallenge' && req.ChallengeName === 'PASSWORD_VERIFIER') {
				return { ChallengeName: 'DEVICE_SRP_AUTH', Session: 's3', ChallengeParameters: {} };
			}
			if (op === 'RespondToAuthChallenge' && req.ChallengeName === 'DEVICE_SRP_AUTH') {
				deviceSrpA = req.ChallengeResponses.SRP_A;
				tap = {};
				return {
					ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
					Session: 's4',
					ChallengeParameters: {
						SRP_B: c.SRP_B,
						SALT: c.SALT,
						SECRET_BLOCK: c.SECRET_BLOCK,
						USERNAME: username,
					},
				};
			}
			if (op === 'RespondToAuthChallenge' && req.ChallengeName === 'DEVICE_PASSWORD_VERIFIER') {
				verifierResp = req.ChallengeResponses;
				verifierTap = { ...tap };
				return { AuthenticationResult: fakeTokens(c.unix) };
			}
			return new Error(`unexpected ${op}`);
		},
		cb => user2.authenticateUser(new AuthenticationDetails({ Username: username, Password: c.user_password }), cb)
	);
	out.SRP_A = deviceSrpA;
	out.result = r2;
	out.resp = verifierResp;
	out.tap = verifierTap || {};
	out.leftover = randomQueue.length;
	return out;
}

function runUser(c) {
	const storage = new MemStorage();
	const pool = new CognitoUserPool({ UserPoolId: c.user_pool_id, ClientId: input.client_id, Storage: storage });
	fixedMs = c.unix * 1000;
	randomQueue = [];
	pushRandom(c.a_random_hex);
	let srpA = null;
	let resp = null;
	let respTap = null;
	tap = {};
	const user = new CognitoUser({ Username: c.USERNAME, Pool: pool, Storage: storage });
	const r = runFlow(
		user,
		(op, req) => {
			if (op === 'InitiateAuth') {
				srpA = req.AuthParameters.SRP_A;
				return {
					ChallengeName: 'PASSWORD_VERIFIER',
					Session: 's1',
					ChallengeParameters: {
						SALT: c.SALT,
						SRP_B: c.SRP_B,
						SECRET_BLOCK: c.SECRET_BLOCK,
						USER_ID_FOR_SRP: c.USER_ID_FOR_SRP,
						USERNAME: c.USER_ID_FOR_SRP,
					},
				};
			}
			if (op === 'RespondToAuthChallenge' && req.ChallengeName === 'PASSWORD_VERIFIER') {
				resp = req.ChallengeResponses;
				respTap = { ...tap };
				return { AuthenticationResult: fakeTokens(c.unix) };
			}
			return new Error(`unexpected ${op}`);
		},
		cb => user.authenticateUser(new AuthenticationDetails({ Username: c.USERNAME, Password: c.password }), cb)
	);
	return { SRP_A: srpA, result: r, resp, tap: respTap || {}, leftover: randomQueue.length };
}

// ---------------------------------------------------------------- classify & emit
const doc = {
	generator: `amazon-cognito-identity-js ${libPkg.version}`,
	regenerate: 'bash vectors/regenerate.sh',
	device: [],
	user: [],
	invalid: [],
	divergent: [],
	timestamp: [],
};
const notes = [];

function optional(o, c, t) {
	if (t.x !== undefined) o.x_hex = t.x;
	if (t.u !== undefined) o.u_hex = t.u;
	if (t.S !== undefined) o.S_hex = t.S;
	if (t.hkdf !== undefined) o.hkdf_hex = t.hkdf;
	if (c.b_hex) o.b_hex = c.b_hex;
}

function describe(r, resp) {
	if (r.thrown !== undefined) return `throws: ${r.thrown}`;
	if (!r.ok && !resp) return `fails (onFailure): ${r.error}`;
	return null;
}

for (const c of input.cases) {
	const isDevice = c.kind === 'device';
	const r = isDevice ? runDevice(c) : runUser(c);
	const spec = c.spec;
	const failure = describe(r.result, r.resp);
	let inputs;
	if (isDevice) {
		inputs = {
			case: c.case,
			device_group_key: c.device_group_key,
			device_key: c.device_key,
			device_password: r.device_password,
			salt_random_hex: c.salt_random_hex,
		};
	} else {
		inputs = {
			case: c.case,
			user_pool_id: c.user_pool_id,
			USERNAME: c.USERNAME,
			USER_ID_FOR_SRP: c.USER_ID_FOR_SRP,
			password: c.password,
		};
	}
	// check the parts that do not depend on the challenge
	const mism = [];
	if (isDevice) {
		if (r.device_password !== c.device_password) mism.push(`device_password ${r.device_password}`);
		if (r.Salt !== spec.Salt) mism.push(`Salt ${r.Salt} (docs/protocol.md gives ${spec.Salt})`);
		if (r.PasswordVerifier !== spec.PasswordVerifier) mism.push(`PasswordVerifier differs from docs/protocol.md`);
	}
	if (r.SRP_A !== spec.SRP_A) mism.push(`SRP_A ${r.SRP_A} (docs/protocol.md gives ${spec.SRP_A})`);
	if (mism.length) notes.push(`${c.kind}/${c.case}: ${mism.join('; ')}`);

	if (failure === null) {
		const sig = r.resp.PASSWORD_CLAIM_SIGNATURE;
		const ts = r.resp.TIMESTAMP;
		const specOk =
			spec.reject === null && sig === spec.PASSWORD_CLAIM_SIGNATURE && ts === spec.TIMESTAMP && mism.length === 0;
		if (c.invalid === null && specOk) {
			const o = { ...inputs };
			if (isDevice) {
				o.Salt = r.Salt;
				o.PasswordVerifier = r.PasswordVerifier;
			}
			o.a_hex = c.a_hex;
			o.SRP_A = r.SRP_A;
			o.SRP_B = c.SRP_B;
			o.SALT = c.SALT;
			o.SECRET_BLOCK = c.SECRET_BLOCK;
			o.TIMESTAMP = ts;
			o.PASSWORD_CLAIM_SIGNATURE = sig;
			if (!isDevice) o.verifier_hex = c.verifier_hex;
			optional(o, c, r.tap);
			(isDevice ? doc.device : doc.user).push(o);
			continue;
		}
		let behaviour = `accepted silently, PASSWORD_CLAIM_SIGNATURE ${sig}`;
		if (spec.reject !== null) behaviour += `; docs/protocol.md rejects it (${spec.reject})`;
		else if (sig === spec.PASSWORD_CLAIM_SIGNATURE) behaviour += ' (= the docs/protocol.md computation)';
		else behaviour += ` (the docs/protocol.md computation gives ${spec.PASSWORD_CLAIM_SIGNATURE})`;
		const o = { ...inputs, kind: c.kind };
		pushInvalid(o, c, r, behaviour, ts);
	} else {
		pushInvalid({ ...inputs, kind: c.kind }, c, r, failure, r.resp ? r.resp.TIMESTAMP : spec.TIMESTAMP);
	}
	if (c.invalid === null) notes.push(`${c.kind}/${c.case}: not a valid vector for this client (moved to divergent)`);
}

function pushInvalid(o, c, r, behaviour, ts) {
	const e = { case: o.case, kind: o.kind };
	for (const k of Object.keys(o)) if (k !== 'case' && k !== 'kind') e[k] = o[k];
	e.a_hex = c.a_hex;
	e.SRP_B = c.SRP_B;
	e.SALT = c.SALT;
	e.SECRET_BLOCK = c.SECRET_BLOCK;
	e.TIMESTAMP = ts;
	if (c.b_hex) e.b_hex = c.b_hex;
	e.client_behaviour = behaviour;
	if (c.invalid !== null) {
		e.error_parameter = c.invalid;
		doc.invalid.push(e);
	} else {
		// Valid per docs/protocol.md, but this client does otherwise: not an input that must fail.
		e.parameter = guessParam(c);
		doc.divergent.push(e);
	}
}

function guessParam(c) {
	if (/SALT/.test(c.case)) return 'SALT';
	if (/SRP_B|B /.test(c.case)) return 'SRP_B';
	if (/SECRET_BLOCK/.test(c.case)) return 'SECRET_BLOCK';
	return 'unknown';
}

for (const t of input.timestamps) {
	fixedMs = t.unix_seconds * 1000;
	const s = new DateHelper().getNowString();
	doc.timestamp.push({ case: t.case, unix_seconds: t.unix_seconds, TIMESTAMP: s });
	if (s !== t.spec) notes.push(`timestamp/${t.case}: ${s} (docs/protocol.md gives ${t.spec})`);
}

fs.writeFileSync(outPath, JSON.stringify(doc, null, 2) + '\n');
for (const n of notes) process.stderr.write(`[js] ${n}\n`);
process.stderr.write(
	`[js] wrote ${outPath}: device ${doc.device.length}, user ${doc.user.length}, invalid ${doc.invalid.length}, timestamp ${doc.timestamp.length}\n`
);
