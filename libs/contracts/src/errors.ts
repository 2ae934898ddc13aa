// One error base class for the whole mesh: every error carries a stable `code`, optionally the
// MQTT 5 reason code a broker should answer with, and the error that caused it.
import { ReasonCodes, type ReasonCode } from './reason-codes.ts';

/** Options every Octomesh error accepts. */
export interface OctomeshErrorOptions {
  reasonCode?: ReasonCode;
  cause?: unknown;
}

/** Base class of every error Octomesh throws on purpose. */
export class OctomeshError extends Error {
  readonly code: string;
  readonly reasonCode: ReasonCode | undefined;

  constructor(code: string, message: string, options: OctomeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reasonCode = options.reasonCode;
  }
}

/** Why a service could not be reached. */
export const UnavailableKinds = {
  timeout: 'timeout',
  noResponders: 'no-responders',
  disconnected: 'disconnected',
} as const;
/** One of {@link UnavailableKinds}. */
export type UnavailableKind = (typeof UnavailableKinds)[keyof typeof UnavailableKinds];

/** A called service did not answer within the deadline, or none is running. */
export class ServiceUnavailableError extends OctomeshError {
  readonly subject: string;
  readonly kind: UnavailableKind;

  constructor(subject: string, kind: UnavailableKind, options: { cause?: unknown } = {}) {
    super('SERVICE_UNAVAILABLE', `service on ${subject} unavailable: ${kind}`, {
      reasonCode: ReasonCodes.serverUnavailable,
      cause: options.cause,
    });
    this.subject = subject;
    this.kind = kind;
  }
}

/** A called service answered with an error instead of a reply. */
export class RemoteServiceError extends OctomeshError {
  readonly subject: string;
  readonly remoteCode: number;

  constructor(subject: string, remoteCode: number, description: string) {
    super('REMOTE_ERROR', `service on ${subject} failed (${remoteCode}): ${description}`, {
      reasonCode: ReasonCodes.serverUnavailable,
    });
    this.subject = subject;
    this.remoteCode = remoteCode;
  }
}

/** A message on the wire could not be decoded or failed validation. */
export class InvalidMessageError extends OctomeshError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INVALID_MESSAGE', message, {
      reasonCode: ReasonCodes.malformedPacket,
      cause: options.cause,
    });
  }
}

/** A called service answered with something that is not a valid reply: the fault is ours (0x88). */
export class BadReplyError extends OctomeshError {
  readonly subject: string;

  constructor(subject: string, options: { cause?: unknown } = {}) {
    super('BAD_REPLY', `bad reply from ${subject}`, {
      reasonCode: ReasonCodes.serverUnavailable,
      cause: options.cause,
    });
    this.subject = subject;
  }
}

/** Configuration is invalid; `problems` lists every bad setting at once. */
export class ConfigError extends OctomeshError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/**
 * A request a service refuses with a specific status (404 unknown, 409 conflict, 504 timeout…):
 * the serving kit answers it as a service error with that code, and the caller gets a
 * RemoteServiceError carrying it.
 */
export class RequestRefusedError extends OctomeshError {
  readonly status: number;

  constructor(status: number, message: string) {
    super('REQUEST_REFUSED', message, {});
    this.status = status;
  }
}
