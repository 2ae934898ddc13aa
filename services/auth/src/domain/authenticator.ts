// The decision of the auth service: who is this CONNECT, or why not. Pure logic over ports
// (credential lookup, legacy lookup, password verifier), so it is testable without NATS, and
// every branch answers with an MQTT 5 reason code.
import { OctomeshError, ReasonCodes, Roles, type ReasonCode } from '@octomesh/contracts';
import { randomBytes } from 'node:crypto';
import {
  VerificationCache,
  hashPassword,
  verifyPassword,
  verifyPlaintext,
  type CredentialRecord,
  type PasswordHash,
} from '@octomesh/credentials';
import {
  certificateName,
  type CertificateFacts,
  type CertificateMapping,
} from './certificate-identity.ts';
import {
  loginKeys,
  type LoginDecision,
  type LoginKeys,
  type LoginLimiter,
} from './login-limiter.ts';
import { Semaphore } from './semaphore.ts';

/** A credential record with the KV revision it was read at. */
export interface StoredCredential {
  readonly record: CredentialRecord;
  readonly revision: number;
}

/** What the store knows of a username: an account, a removed account, or nothing. */
export type CredentialState = StoredCredential | 'removed' | undefined;

/** Where credentials come from (NATS KV in the service, memory in unit tests). */
export interface CredentialLookup {
  /** The account for a username; 'removed' when it was deleted; throws when the store fails. */
  credential(username: string): Promise<CredentialState>;
  /** Oktopus `devices-auth` plaintext password, when migration is on; undefined otherwise. */
  legacyPassword?(username: string): Promise<string | undefined>;
}

/** One CONNECT to decide. */
export interface AuthAttempt {
  clientId: string;
  username: string | undefined;
  password: Uint8Array | undefined;
  sourceAddress: string;
  endpointIdHint: string;
  certificate: CertificateFacts | undefined;
  /** The caller's deadline (ms since the epoch): no scrypt is started after it. */
  deadline?: number | undefined;
}

/** The identity a successful attempt gets. */
export interface AuthIdentity {
  subject: string;
  username: string;
  role: string;
  endpointId: string;
  clientId: string;
}

/** The answer: allow with an identity, or a reason code and a reason for the log. */
export type AuthOutcome =
  | {
      allow: true;
      reasonCode: typeof ReasonCodes.success;
      reason: string;
      identity: AuthIdentity;
      via: string;
    }
  | { allow: false; reasonCode: ReasonCode; reason: string; retryAfterMs?: number };

/** Settings of the authenticator. */
export interface AuthenticatorOptions {
  certificateMapping: CertificateMapping;
  /** Role of certificate identities without an account. */
  certificateRole: string;
  /** Certificate identities must also present a valid password. */
  certificateRequiresPassword: boolean;
  /** Brute-force lockouts per (user, address) and per address. */
  limiter: LoginLimiter;
  /** Recent successful verifications; undefined disables caching (every login runs scrypt). */
  cache: VerificationCache | undefined;
  /** scrypt verifications run at once; more wait their turn (default 4, libuv's pool). */
  maxConcurrentVerifications?: number;
  /** Verifies a password against a stored hash (scrypt; replaceable in unit tests). */
  verify?: (password: Uint8Array, hash: PasswordHash) => Promise<boolean>;
  /** Called whenever a legacy Oktopus credential let someone in. */
  onLegacyUse?: (username: string) => void;
}

const MAX_USERNAME_BYTES = 1024;
const MAX_PASSWORD_BYTES = 4096;

function deny(reasonCode: ReasonCode, reason: string, retryAfterMs?: number): AuthOutcome {
  return retryAfterMs === undefined
    ? { allow: false, reasonCode, reason }
    : { allow: false, reasonCode, reason, retryAfterMs };
}

type Refusal = Extract<LoginDecision, { allowed: false }>;

// The reason names what is locked, not the username or address (the caller knows both).
function lockedOut(refusal: Refusal): AuthOutcome {
  return deny(
    ReasonCodes.connectionRateExceeded,
    refusal.scope === 'address'
      ? 'too many failed attempts from this address'
      : 'too many failed attempts for this user from this address',
    refusal.retryAfterMs,
  );
}

/** Thrown inside one attempt when the limiter locked its keys while it waited for scrypt. */
class LockedOut extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(`locked out (${refusal.scope})`);
    this.refusal = refusal;
  }
}

/** A promise's result, kept so that a failure only matters to whoever needs the value. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** Per-attempt facts the verification steps need. */
interface AttemptContext {
  readonly limiterKeys: LoginKeys;
  readonly deadline: number | undefined;
}

// What a legacy password is compared with when devices-auth does not know the username, so
// that case does the same work as a wrong password. Random per process: nobody can send it.
const ABSENT_LEGACY_PASSWORD = randomBytes(32);

/** Decides CONNECT attempts. */
export class Authenticator {
  readonly #lookup: CredentialLookup;
  readonly #options: AuthenticatorOptions;
  readonly #verify: (password: Uint8Array, hash: PasswordHash) => Promise<boolean>;
  // Unknown users are verified against this hash too, so the time taken does not tell whether
  // a username exists.
  #decoy: Promise<PasswordHash> | undefined;
  readonly #slots: Semaphore;

  constructor(lookup: CredentialLookup, options: AuthenticatorOptions) {
    this.#lookup = lookup;
    this.#options = options;
    this.#verify = options.verify ?? verifyPassword;
    this.#slots = new Semaphore(options.maxConcurrentVerifications ?? 4);
  }

  /** Decides one attempt. Throws only when a store cannot answer (the caller fails closed). */
  async authenticate(attempt: AuthAttempt): Promise<AuthOutcome> {
    const problem = this.#inputProblem(attempt);
    if (problem !== undefined) return deny(ReasonCodes.badUserNameOrPassword, problem);
    const ctx: AttemptContext = {
      limiterKeys: loginKeys(attempt.username, attempt.sourceAddress),
      deadline: attempt.deadline,
    };
    // Only this user's failures from this address, and the address's own (softer) limit, can
    // refuse here: failures from elsewhere never lock the rightful device out.
    const gate = this.#options.limiter.check(ctx.limiterKeys);
    if (!gate.allowed) return lockedOut(gate);
    let outcome: AuthOutcome;
    try {
      outcome =
        attempt.certificate !== undefined && this.#options.certificateMapping !== 'off'
          ? await this.#byCertificate(attempt, attempt.certificate, ctx)
          : await this.#byPassword(attempt, ctx);
    } catch (error) {
      if (!(error instanceof LockedOut)) throw error;
      return lockedOut(error.refusal);
    }
    if (outcome.allow) {
      this.#options.limiter.recordSuccess(ctx.limiterKeys);
    } else if (outcome.reasonCode === ReasonCodes.badUserNameOrPassword) {
      this.#options.limiter.recordFailure(ctx.limiterKeys);
    }
    return outcome;
  }

  #inputProblem(attempt: AuthAttempt): string | undefined {
    if (
      attempt.username !== undefined &&
      Buffer.byteLength(attempt.username) > MAX_USERNAME_BYTES
    ) {
      return 'username too long';
    }
    if (attempt.password !== undefined && attempt.password.length > MAX_PASSWORD_BYTES) {
      return 'password too long';
    }
    if (attempt.clientId.length > 65535) return 'client id too long';
    return undefined;
  }

  async #byCertificate(
    attempt: AuthAttempt,
    certificate: CertificateFacts,
    ctx: AttemptContext,
  ): Promise<AuthOutcome> {
    const name = certificateName(certificate, this.#options.certificateMapping);
    if (name === undefined) {
      return deny(
        ReasonCodes.notAuthorized,
        `certificate has no ${this.#options.certificateMapping} to map`,
      );
    }
    if (this.#options.certificateRequiresPassword) {
      const byPassword = await this.#byPassword(attempt, ctx);
      if (!byPassword.allow) return byPassword;
      if (byPassword.identity.endpointId !== name) {
        return deny(
          ReasonCodes.notAuthorized,
          'certificate identity and account endpoint id differ',
        );
      }
      return {
        ...byPassword,
        identity: { ...byPassword.identity, subject: `cert:${certificate.fingerprintSha256}` },
        via: 'certificate+password',
      };
    }
    const stored = await this.#lookup.credential(name);
    if (stored === 'removed') return deny(ReasonCodes.notAuthorized, 'account removed');
    if (stored !== undefined && !stored.record.enabled)
      return deny(ReasonCodes.notAuthorized, 'account disabled');
    // A certificate alone may only stand for accounts made for certificates: an account with a
    // password (perhaps an admin) is not claimable by whoever holds a certificate with its name.
    if (stored?.record.password !== undefined) {
      return deny(ReasonCodes.notAuthorized, 'account requires a password, not only a certificate');
    }
    const role = stored?.record.role ?? this.#options.certificateRole;
    const endpointId =
      stored !== undefined && stored.record.endpointId !== '' ? stored.record.endpointId : name;
    const mismatch = this.#hintMismatch(attempt, endpointId);
    if (mismatch !== undefined) return mismatch;
    return {
      allow: true,
      reasonCode: ReasonCodes.success,
      reason: 'certificate accepted',
      via: 'certificate',
      identity: {
        subject: `cert:${certificate.fingerprintSha256}`,
        username: name,
        role,
        endpointId,
        clientId: attempt.clientId,
      },
    };
  }

  async #byPassword(attempt: AuthAttempt, ctx: AttemptContext): Promise<AuthOutcome> {
    const { username, password } = attempt;
    if (username === undefined || username === '' || password === undefined) {
      return deny(ReasonCodes.badUserNameOrPassword, 'username and password required');
    }
    // With migration on, devices-auth is read for every username alongside our bucket, not
    // after a miss: an extra round trip only for names we do not know would tell them apart.
    const legacyRead = this.#lookup.legacyPassword?.(username);
    const [stored, legacy] = await Promise.all([
      this.#lookup.credential(username),
      legacyRead === undefined ? undefined : settle(legacyRead),
    ]);
    // A removed account must not fall back to an old Oktopus password.
    if (stored === 'removed') return this.#decoyDeny(password, ctx, 'account removed');
    if (stored === undefined) return this.#unknownUser(attempt, username, password, legacy, ctx);
    const { record, revision } = stored;
    if (record.password === undefined) {
      return this.#decoyDeny(password, ctx, 'account has no password (certificate only)');
    }
    const verified =
      this.#options.cache?.has(username, password, revision) === true ||
      (await this.#verifyAndRemember(username, password, revision, record.password, ctx));
    if (!verified) return deny(ReasonCodes.badUserNameOrPassword, 'wrong password');
    if (!record.enabled) return deny(ReasonCodes.notAuthorized, 'account disabled');
    // Device accounts without an explicit endpoint id are the endpoint named by the username.
    const endpointId =
      record.endpointId !== '' ? record.endpointId : record.role === Roles.device ? username : '';
    const mismatch = this.#hintMismatch(attempt, endpointId);
    if (mismatch !== undefined) return mismatch;
    return {
      allow: true,
      reasonCode: ReasonCodes.success,
      reason: 'password accepted',
      via: 'password',
      identity: {
        subject: `user:${username}`,
        username,
        role: record.role,
        endpointId,
        clientId: attempt.clientId,
      },
    };
  }

  async #verifyAndRemember(
    username: string,
    password: Uint8Array,
    revision: number,
    hash: PasswordHash,
    ctx: AttemptContext,
  ): Promise<boolean> {
    const ok = await this.#scrypt(password, hash, ctx);
    if (ok) this.#options.cache?.remember(username, password, revision);
    return ok;
  }

  // A device may name its endpoint id in CONNECT (usp-endpoint-id); it must be the one its
  // credentials grant, or a device could speak for another.
  #hintMismatch(attempt: AuthAttempt, endpointId: string): AuthOutcome | undefined {
    if (attempt.endpointIdHint === '' || attempt.endpointIdHint === endpointId) return undefined;
    return deny(ReasonCodes.notAuthorized, 'usp-endpoint-id does not match the account');
  }

  // scrypt runs on libuv's thread pool; queueing here instead of there lets an attempt leave
  // the queue without burning CPU when its caller gave up (deadline) or when failures of
  // attempts ahead of it locked its keys meanwhile (concurrent guessing).
  async #scrypt(password: Uint8Array, hash: PasswordHash, ctx: AttemptContext): Promise<boolean> {
    await this.#slots.acquire();
    try {
      if (ctx.deadline !== undefined && Date.now() > ctx.deadline) {
        throw new OctomeshError('DEADLINE_PASSED', 'caller deadline passed before verification');
      }
      const gate = this.#options.limiter.check(ctx.limiterKeys);
      if (!gate.allowed) throw new LockedOut(gate);
      return await this.#verify(password, hash);
    } finally {
      this.#slots.release();
    }
  }

  async #decoyDeny(
    password: Uint8Array,
    ctx: AttemptContext,
    reason: string,
  ): Promise<AuthOutcome> {
    this.#decoy ??= hashPassword('octomesh-decoy-password');
    await this.#scrypt(password, await this.#decoy, ctx);
    return deny(ReasonCodes.badUserNameOrPassword, reason);
  }

  // Unknown to us: only a devices-auth password (migration) can let it in. Whether devices-auth
  // knows the name or not, a refusal costs the same: one constant-time comparison of
  // fixed-size MACs, then the decoy scrypt of every other unknown user.
  async #unknownUser(
    attempt: AuthAttempt,
    username: string,
    password: Uint8Array,
    legacyRead: Settled<string | undefined> | undefined,
    ctx: AttemptContext,
  ): Promise<AuthOutcome> {
    if (legacyRead?.ok === false) throw legacyRead.error;
    const legacy = legacyRead?.value;
    const matches = verifyPlaintext(password, legacy ?? ABSENT_LEGACY_PASSWORD);
    if (legacy === undefined || !matches) {
      return this.#decoyDeny(
        password,
        ctx,
        legacy === undefined ? 'unknown user' : 'wrong password',
      );
    }
    const mismatch = this.#hintMismatch(attempt, username);
    if (mismatch !== undefined) return mismatch;
    this.#options.onLegacyUse?.(username);
    return {
      allow: true,
      reasonCode: ReasonCodes.success,
      reason: 'legacy oktopus credential accepted',
      via: 'oktopus-devices-auth',
      identity: {
        subject: `user:${username}`,
        username,
        role: Roles.device,
        endpointId: username,
        clientId: attempt.clientId,
      },
    };
  }
}
