/**
 * The contract every signature scheme implements: `sign` produces the headers a sender would
 * add (for the sandbox and tests), `verify` checks raw body bytes plus headers against one or
 * more secrets and says why it failed with a stable reason code.
 */

/** Header names are lower-case, as Node gives them in `req.headers`. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Stable reason codes for a failed verification. */
export type VerifyReason =
  | 'missing_signature'
  | 'wrong_scheme'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'missing_header'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'no_secret';

export type VerifyResult =
  | { readonly ok: true; readonly secretIndex: number }
  | { readonly ok: false; readonly reason: VerifyReason; readonly message: string };

export interface VerifyInput {
  /** The exact bytes received: never a re-serialized object. */
  readonly body: Uint8Array;
  readonly headers: Headers;
  /** Accepted secrets, newest first (rotation). */
  readonly secrets: readonly string[];
  /** Request URL (path and query), for schemes that sign parameters. */
  readonly url?: string;
  /** Clock in milliseconds since the epoch, for timestamped schemes. */
  readonly now?: () => number;
  /** Allowed clock difference in seconds, both ways, for timestamped schemes. */
  readonly toleranceSec?: number;
}

export interface SignInput {
  readonly body: Uint8Array;
  readonly secret: string;
  readonly now?: () => number;
  /** Message id for schemes that sign one (Standard Webhooks). */
  readonly id?: string;
}

export interface Scheme {
  readonly name: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  sign(input: SignInput): Record<string, string>;
  verify(input: VerifyInput): VerifyResult;
}

/** The single value of a header; undefined when absent, the first when sent twice. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}
