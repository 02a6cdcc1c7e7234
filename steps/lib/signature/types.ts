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
  | 'no_secret'
  /** A configured secret cannot be used by this scheme (e.g. not a `whsec_` base64 secret). */
  | 'malformed_secret'
  /** The body cannot be read as the parameters a parameter-signing scheme (Vonage) signs. */
  | 'malformed_body';

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
  /** Where the signature travels, so diagnose() can try a wrong prefix or encoding. */
  readonly signatureHeader?: SignatureHeaderInfo;
  /** How a secret string becomes HMAC key bytes (default `utf8`: the string as given). */
  readonly secretFormat?: SecretFormat;
  /** verify() with the key bytes given directly, so diagnose() can try other secret encodings. */
  verifyWithKeys?(input: VerifyInput, keys: readonly Uint8Array[]): VerifyResult;
  /** The signed timestamp (Unix seconds) the request carries, for timestamped schemes. */
  timestampOf?(input: VerifyInput): number | undefined;
  /** Signs a whole request: for schemes that sign more than headers (Vonage signs parameters). */
  signRequest?(input: SignRequestInput): SignedRequest;
}

/** `utf8`: the secret string's UTF-8 bytes are the key; `whsec`: `whsec_<base64>`, the decoded bytes are the key. */
export type SecretFormat = 'utf8' | 'whsec';

export interface SignatureHeaderInfo {
  /** Lower-case header name. */
  readonly name: string;
  /** What comes before the encoded signature (`sha256=`, `HMACSHA256 `, `v1,`); '' for none. */
  readonly prefix: string;
  readonly encoding: 'hex' | 'base64';
  /** True when the header holds a space-separated list of signatures (Standard Webhooks). */
  readonly list?: boolean;
}

export interface SignRequestInput extends SignInput {
  /** Path and query the request will be sent to. */
  readonly url?: string;
}

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly url: string | undefined;
}

/** The single value of a header; undefined when absent, the first when sent twice. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}
