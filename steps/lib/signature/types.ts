/**
 * The two sides of a signature scheme, as two interfaces. A `Verifier` checks raw body bytes plus
 * headers against one or more secrets and says why it failed with a stable reason code: the
 * listener, step 5, diagnose() and `npm run verify` need nothing more. A `Signer` produces the
 * headers a sender would add: the sandbox, the benchmark and the tests use it. A scheme that signs
 * into a header is both (`HeaderScheme`); Vonage signs request parameters, so it is a `Verifier`
 * that signs whole requests (`ParameterScheme`) and has no `sign` anyone could call by mistake.
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

/** The receiving side of a scheme: checks a request and says why it fails. */
export interface Verifier {
  readonly name: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  verify(input: VerifyInput): VerifyResult;
  /**
   * The request headers verify() reads (lower-case), Content-Type aside: what a delivery forwarded
   * to the user's app must carry for the app to verify it again (LISTEN_FORWARD_TO).
   */
  readonly signedHeaders: readonly string[];
  /** Where the signature travels, so diagnose() can try a wrong prefix or encoding. */
  readonly signatureHeader?: SignatureHeaderInfo;
  /** How a secret string becomes HMAC key bytes (default `utf8`: the string as given). */
  readonly secretFormat?: SecretFormat;
  /** verify() with the key bytes given directly, so diagnose() can try other secret encodings. */
  verifyWithKeys?(input: VerifyInput, keys: readonly Uint8Array[]): VerifyResult;
  /** The signed timestamp (Unix seconds) the request carries, for timestamped schemes. */
  timestampOf?(input: VerifyInput): number | undefined;
}

/** The sending side of a scheme that signs into headers: the headers a sender adds to `input.body`. */
interface Signer {
  sign(input: SignInput): Record<string, string>;
}

/** The sending side of a scheme that signs more than headers (Vonage rewrites the body's parameters). */
interface RequestSigner {
  signRequest(input: SignRequestInput): SignedRequest;
}

/** A scheme whose signature travels in a header: it verifies and signs. */
export interface HeaderScheme extends Verifier, Signer {
  readonly signatureHeader: SignatureHeaderInfo;
}

/** A scheme that signs request parameters (Vonage): it verifies, and signs whole requests only. */
export interface ParameterScheme extends Verifier, RequestSigner {}

/** Every scheme the registry knows is one of the two. */
export type Scheme = HeaderScheme | ParameterScheme;

/** `utf8`: the secret string's UTF-8 bytes are the key; `whsec`: `whsec_<base64>`, the decoded bytes are the key. */
export type SecretFormat = 'utf8' | 'whsec';

/** How a digest is written out as text. */
export type DigestEncoding = 'hex' | 'base64';

export interface SignatureHeaderInfo {
  /** Lower-case header name. */
  readonly name: string;
  /** What comes before the encoded signature (`sha256=`, `HMACSHA256 `, `v1,`); '' for none. */
  readonly prefix: string;
  readonly encoding: DigestEncoding;
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
