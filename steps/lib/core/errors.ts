/**
 * Typed errors with stable codes. Every error the workbench raises on purpose is a
 * `WorkbenchError` (or a subclass) whose `code` is one of the constants below, so tests
 * and scripts can branch on `code` and people can search the README for it. Each subclass's
 * `code` is typed as the union of its own codes, so a code cannot end up on the wrong class.
 * (Scripts with codes of their own keep them beside their class: scripts/sandbox/errors.ts.)
 *
 * @example
 * throw new ConfigError(CONFIG_MISSING, 'BRACKEN_CLIENT_SECRET is not set', { hint: 'Set it in .env (see .env.example).' })
 */

export interface WorkbenchErrorOptions {
  /** What the user should do next, printed under the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class: a message, a stable `code`, and an optional `hint` saying what to do next. */
export class WorkbenchError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly hint: string | undefined;

  constructor(code: Code, message: string, options: WorkbenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** ConfigError: a required variable is missing. */
export const CONFIG_MISSING = 'WORKBENCH_CONFIG_MISSING';
/** ConfigError: a variable is set but malformed. */
export const CONFIG_INVALID = 'WORKBENCH_CONFIG_INVALID';
export type ConfigErrorCode = typeof CONFIG_MISSING | typeof CONFIG_INVALID;
export interface ConfigErrorOptions extends WorkbenchErrorOptions {
  /** The variable at fault (`LISTEN_PORT`), when the error is about one: `npm run doctor` lists every such variable. */
  variable?: string;
}

/** A variable in .env or the environment is missing or malformed; the message names it. */
export class ConfigError extends WorkbenchError<ConfigErrorCode> {
  readonly variable: string | undefined;

  constructor(code: ConfigErrorCode, message: string, options: ConfigErrorOptions = {}) {
    super(code, message, options);
    this.variable = options.variable;
  }
}

/** TokenError: the identity server rejected the client id or secret (RFC 6749 `invalid_client`). */
export const TOKEN_INVALID_CLIENT = 'WORKBENCH_TOKEN_INVALID_CLIENT';
/** TokenError: the identity server answered with another error or an unexpected response. */
export const TOKEN_REJECTED = 'WORKBENCH_TOKEN_REJECTED';
/** TokenError: the identity server could not be reached or did not answer in time. */
export const TOKEN_UNREACHABLE = 'WORKBENCH_TOKEN_UNREACHABLE';
export type TokenErrorCode = typeof TOKEN_INVALID_CLIENT | typeof TOKEN_REJECTED | typeof TOKEN_UNREACHABLE;
/** No access token: the identity server said no, or did not answer. */
export class TokenError extends WorkbenchError<TokenErrorCode> {}

/** ApiError: 400 from the API. */
export const API_BAD_REQUEST = 'WORKBENCH_API_BAD_REQUEST';
/** ApiError: 401 from the API, still 401 after one token refresh. */
export const API_UNAUTHORIZED = 'WORKBENCH_API_UNAUTHORIZED';
/** ApiError: 403 from the API. */
export const API_FORBIDDEN = 'WORKBENCH_API_FORBIDDEN';
/** ApiError: 404 from the API. */
export const API_NOT_FOUND = 'WORKBENCH_API_NOT_FOUND';
/** ApiError: 409 from the API. */
export const API_CONFLICT = 'WORKBENCH_API_CONFLICT';
/** ApiError: any other 4xx from the API. */
export const API_CLIENT_ERROR = 'WORKBENCH_API_CLIENT_ERROR';
/** ApiError: 5xx from the API. */
export const API_SERVER_ERROR = 'WORKBENCH_API_SERVER_ERROR';
/** ApiError: the API did not answer within the timeout. */
export const API_TIMEOUT = 'WORKBENCH_API_TIMEOUT';
/** ApiError: the API could not be reached (connection refused, DNS, reset). */
export const API_UNREACHABLE = 'WORKBENCH_API_UNREACHABLE';
/** ApiError: a 2xx whose body is not the JSON we expected, or a redirect (3xx), which is not followed. */
export const API_BAD_RESPONSE = 'WORKBENCH_API_BAD_RESPONSE';
export type ApiErrorCode =
  | typeof API_BAD_REQUEST
  | typeof API_UNAUTHORIZED
  | typeof API_FORBIDDEN
  | typeof API_NOT_FOUND
  | typeof API_CONFLICT
  | typeof API_CLIENT_ERROR
  | typeof API_SERVER_ERROR
  | typeof API_TIMEOUT
  | typeof API_UNREACHABLE
  | typeof API_BAD_RESPONSE;

export interface ApiErrorOptions extends WorkbenchErrorOptions {
  status?: number;
  /** The server's response body as text (JSON bodies stay text: print it, parse it if you need to). */
  body?: string;
  method: string;
  url: string;
}

/** An API call failed: carries the HTTP status (when there was one) and the server's body. */
export class ApiError extends WorkbenchError<ApiErrorCode> {
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions) {
    super(code, message, options);
    this.status = options.status;
    this.body = options.body;
    this.method = options.method;
    this.url = options.url;
  }
}

/** TunnelError: the ngrok tunnel could not be opened. */
export const TUNNEL_FAILED = 'WORKBENCH_TUNNEL_FAILED';
/** TunnelError: ngrok did not answer within the timeout. */
export const TUNNEL_TIMEOUT = 'WORKBENCH_TUNNEL_TIMEOUT';
export type TunnelErrorCode = typeof TUNNEL_FAILED | typeof TUNNEL_TIMEOUT;
/** The ngrok tunnel (steps/lib/tunnel.ts) could not be opened. */
export class TunnelError extends WorkbenchError<TunnelErrorCode> {}

/** StepError: a step cannot run because an earlier step has not run (or its state is gone). */
export const STEP_PRECONDITION = 'WORKBENCH_STEP_PRECONDITION';
/** StepError: step 5 found no delivery, or the delivery does not verify. */
export const STEP_VERIFY_FAILED = 'WORKBENCH_STEP_VERIFY_FAILED';
export type StepErrorCode = typeof STEP_PRECONDITION | typeof STEP_VERIFY_FAILED;
/** A step cannot run yet, or found what it checks to be wrong. */
export class StepError extends WorkbenchError<StepErrorCode> {}

/** StateError: a file in the state folder is unreadable, not valid JSON, or not the shape its step writes. */
export const STATE_CORRUPT = 'WORKBENCH_STATE_CORRUPT';
/** StateError: another running listener holds the journal folder (its pid is in journal.lock). */
export const STATE_LOCKED = 'WORKBENCH_STATE_LOCKED';
/** StateError: a file could not be written (the disk is full, the folder is read-only...); nothing was changed. */
export const STATE_WRITE_FAILED = 'WORKBENCH_STATE_WRITE_FAILED';
export type StateErrorCode = typeof STATE_CORRUPT | typeof STATE_LOCKED | typeof STATE_WRITE_FAILED;
/** A file in the state folder (or the journal in it) cannot be used. */
export class StateError extends WorkbenchError<StateErrorCode> {}

/** ListenerError: the listener's port (LISTEN_PORT) is taken by another program. */
export const LISTEN_PORT_IN_USE = 'WORKBENCH_LISTEN_PORT_IN_USE';
/** ListenerError: the listener could not start (bad LISTEN_HOST, permission denied...). */
export const LISTEN_FAILED = 'WORKBENCH_LISTEN_FAILED';
export type ListenerErrorCode = typeof LISTEN_PORT_IN_USE | typeof LISTEN_FAILED;
/** The webhook listener (steps/lib/listener/) could not start. */
export class ListenerError extends WorkbenchError<ListenerErrorCode> {}

/** InspectorError: the inspector page could not start (port in use, non-loopback host, bad replay URL). */
export const INSPECTOR_FAILED = 'WORKBENCH_INSPECTOR_FAILED';
export type InspectorErrorCode = typeof INSPECTOR_FAILED;
/** The local inspector page (steps/lib/inspector/) could not start. */
export class InspectorError extends WorkbenchError<InspectorErrorCode> {}

/** StoreError: DATABASE_URL's server cannot be reached (refused, unknown host, no answer in time). */
export const STORE_UNREACHABLE = 'WORKBENCH_STORE_UNREACHABLE';
/** StoreError: Postgres refused the user or password in DATABASE_URL. */
export const STORE_AUTH_FAILED = 'WORKBENCH_STORE_AUTH_FAILED';
/** StoreError: the database named in DATABASE_URL does not exist. */
export const STORE_DATABASE_MISSING = 'WORKBENCH_STORE_DATABASE_MISSING';
/** StoreError: anything else Postgres refused at start (permissions, a failed migration, TLS...). */
export const STORE_FAILED = 'WORKBENCH_STORE_FAILED';
export type StoreErrorCode = typeof STORE_UNREACHABLE | typeof STORE_AUTH_FAILED | typeof STORE_DATABASE_MISSING | typeof STORE_FAILED;
/** The delivery store (steps/lib/store/, Postgres through DATABASE_URL) could not be opened. */
export class StoreError extends WorkbenchError<StoreErrorCode> {}

/** RecordingError: nock (a devDependency) is not installed, so nothing can be recorded. */
export const RECORD_UNAVAILABLE = 'WORKBENCH_RECORD_UNAVAILABLE';
/** RecordingError: no recording of that name under test/fixtures/recorded/. */
export const RECORDING_NOT_FOUND = 'WORKBENCH_RECORDING_NOT_FOUND';
/** RecordingError: a recording's files are not what the recorder writes. */
export const RECORDING_CORRUPT = 'WORKBENCH_RECORDING_CORRUPT';
export type RecordingErrorCode = typeof RECORD_UNAVAILABLE | typeof RECORDING_NOT_FOUND | typeof RECORDING_CORRUPT;
/** A run could not be recorded, or a recording (test/fixtures/recorded/<name>/) cannot be read. */
export class RecordingError extends WorkbenchError<RecordingErrorCode> {}

/** Node's own code for an argument with a bad value (as on the TypeErrors Node's APIs throw). */
const ERR_INVALID_ARG_VALUE = 'ERR_INVALID_ARG_VALUE';

/**
 * A TypeError coded ERR_INVALID_ARG_VALUE: a caller passed a bad argument or option, a mistake
 * in the code rather than in the user's configuration (that is a ConfigError).
 *
 * @example
 * if (port < 0) throw invalidArgument(`"port" must be 0-65535, got ${port}`);
 */
export function invalidArgument(message: string): TypeError & { readonly code: typeof ERR_INVALID_ARG_VALUE } {
  return Object.assign(new TypeError(message), { code: ERR_INVALID_ARG_VALUE } as const);
}
