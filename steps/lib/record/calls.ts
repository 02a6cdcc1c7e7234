/**
 * A call nock's recorder saw, as `calls.json` keeps it: every value the redactor knows replaced,
 * the headers a replay does not need dropped, and a sandbox's loopback origin (a random port)
 * written as `https://identity.recorded.invalid` or `https://api.recorded.invalid`, so the replay
 * talks https to an address that never resolves, as it would to the real Bracken. Real origins
 * (api.brackenlearning.com) are kept: they are public.
 *
 * @example
 * learnCall(redactor, raw);                                  // first, for every call
 * const call = recordedCall(redactor, raw, 0, config);       // then
 * call.scope // 'https://api.recorded.invalid'
 */
import { isLoopbackUrl } from '../core/index.ts';
import { TOKEN_PATH } from '../bracken/index.ts';
import type { RecordedCall } from './fixture.ts';
import type { Redactor } from './redactor.ts';

/** A call as nock's recorder gives it with `output_objects: true`. */
export interface NockCall {
  readonly scope: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
  readonly response: unknown;
  readonly rawHeaders: Readonly<Record<string, string>> | readonly string[];
  readonly reqheaders?: Readonly<Record<string, string>> | undefined;
  readonly responseIsBinary?: boolean;
}

/** Where a loopback identity server or API (the sandbox) is written in a recording. */
export const IDENTITY_PLACEHOLDER = 'https://identity.recorded.invalid';
export const API_PLACEHOLDER = 'https://api.recorded.invalid';

/** Request headers a replay matches; the rest (host, user-agent, encodings) are the HTTP client's own. */
const KEPT_REQUEST_HEADERS = new Set(['accept', 'authorization', 'content-type']);
/** Response headers that describe the connection, not the answer (content-length changes with a placeholder). */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The configured identity and API URLs, to tell a loopback sandbox's two roles apart. */
export interface Endpoints {
  readonly identityUrl: string;
  readonly apiUrl: string;
}

/** Walks `call` once so the redactor learns every value in it (before any call is written). */
export function learnCall(redactor: Redactor, call: NockCall): void {
  redactor.learnPath(call.path);
  for (const [name, value] of Object.entries(call.reqheaders ?? {})) redactor.learnHeader(name, value);
  for (const [name, value] of Object.entries(headerRecord(call.rawHeaders))) redactor.learnHeader(name, value);
  if (typeof call.body === 'string') {
    if (isForm(call)) redactor.learnForm(call.body);
  } else redactor.learnJson(call.body);
  if (typeof call.response === 'string' && isFormAnswer(call)) redactor.learnForm(call.response);
  else if (!call.responseIsBinary) redactor.learnJson(call.response);
}

/** The call as calls.json keeps it. */
export function recordedCall(redactor: Redactor, call: NockCall, run: number, endpoints: Endpoints): RecordedCall {
  const reqheaders = Object.fromEntries(
    Object.entries(call.reqheaders ?? {})
      .filter(([name]) => KEPT_REQUEST_HEADERS.has(name.toLowerCase()))
      .map(([name, value]) => [name.toLowerCase(), redactor.header(name, value)]),
  );
  const rawHeaders = Object.fromEntries(
    Object.entries(headerRecord(call.rawHeaders))
      .filter(([name]) => !DROPPED_RESPONSE_HEADERS.has(name.toLowerCase()))
      .map(([name, value]) => [name.toLowerCase(), redactor.header(name, value)]),
  );
  const body = typeof call.body === 'string' ? (isForm(call) ? redactor.form(call.body) : redactor.text(call.body)) : redactor.json(call.body);
  const response =
    call.responseIsBinary === true && typeof call.response === 'string'
      ? Buffer.from(redactor.text(Buffer.from(call.response, 'hex').toString('latin1')), 'latin1').toString('hex')
      : typeof call.response === 'string' && isFormAnswer(call)
        ? redactor.form(call.response)
        : redactor.json(call.response);
  return {
    run,
    scope: recordedScope(call.scope, call.path, endpoints),
    method: call.method.toUpperCase(),
    path: redactor.text(call.path),
    body,
    status: call.status,
    response,
    rawHeaders,
    reqheaders,
    responseIsBinary: call.responseIsBinary === true,
  };
}

/** Where the call went, as written: a loopback origin becomes its placeholder; another loses any user info. */
export function recordedScope(scope: string, path: string, endpoints: Endpoints): string {
  const origin = new URL(scope).origin;
  if (!isLoopbackUrl(origin)) return origin;
  const identity = new URL(endpoints.identityUrl).origin;
  const api = new URL(endpoints.apiUrl).origin;
  // The sandbox is both on one origin: its identity routes are the token endpoint and discovery.
  const identityPath = path.startsWith(TOKEN_PATH) || path.startsWith('/.well-known/');
  return origin === identity && (origin !== api || identityPath) ? IDENTITY_PLACEHOLDER : API_PLACEHOLDER;
}

/** A configured URL as about.json keeps it: without user info, query or fragment. */
export function publicUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

function isForm(call: NockCall): boolean {
  return isFormType(call.reqheaders ?? {});
}

/** An answer in the form encoding (`access_token=...&token_type=bearer`, as some OAuth servers answer). */
function isFormAnswer(call: NockCall): boolean {
  return isFormType(headerRecord(call.rawHeaders));
}

function isFormType(headers: Readonly<Record<string, string>>): boolean {
  const type = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return type.includes('application/x-www-form-urlencoded');
}

/** nock gives response headers as an object when recording fetch, and as a flat [name, value, ...] list otherwise. */
export function headerRecord(headers: NockCall['rawHeaders']): Record<string, string> {
  if (!Array.isArray(headers)) return { ...(headers as Readonly<Record<string, string>>) };
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) record[(headers[i] as string).toLowerCase()] = headers[i + 1] as string;
  return record;
}
