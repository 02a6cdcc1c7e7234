/**
 * Why files read as a recording cannot be one: a recording edited by hand, cut short, or written
 * by another version. The reader (fixture.ts) stops at the first problem with RECORDING_CORRUPT,
 * naming the file and the field, so the replay test and `--compare` never meet a TypeError deep
 * inside; and a delivery's body is read from beside its meta only (a `bodyFile` of
 * `../../.env` would read any file).
 *
 * Each call is checked as far as the replay (nock interceptors) and `--compare` (the same request
 * made again) need it, each delivery as far as sending it again needs. What a command needs beyond
 * this (about.json's fields `--compare` reads) it checks itself (scripts/sandbox/recording-shape.ts).
 *
 * @example
 * aboutProblem(null)                       // 'about.json is null, not an object'
 * callsProblem([{ scope: 'nope' }], 1)    // 'calls.json[0].scope is "nope", not an origin (https://host)'
 */
import { describeValue as shown, isObject } from '../core/index.ts';

/** What a field of about.json holds: `?` also allows null; `strings` is a list of strings; a list of words: one of them. */
type Kind = 'string' | 'string?' | 'int?' | 'boolean' | 'strings' | readonly string[];

/** about.json's fields a replay configures the steps from (test/helpers/recorded.ts). */
const ENVIRONMENT: Readonly<Record<string, Kind>> = {
  mode: ['sandbox', 'bracken'],
  identityUrl: 'string',
  apiUrl: 'string',
  scope: 'string?',
  events: 'strings',
  userDeleteRoute: 'string',
};
const REPLAY: Readonly<Record<string, Kind>> = {
  identityUrl: 'string',
  apiUrl: 'string',
  clientId: 'string?',
  clientSecret: 'string?',
  domainkey: 'int?',
  webhookTarget: 'string?',
  webhookSecrets: 'strings',
  usernames: 'strings',
};
const RUN: Readonly<Record<string, Kind>> = { source: 'string', command: 'string', ok: 'boolean' };

/** Why about.json's content cannot be a recording's, or undefined. */
export function aboutProblem(about: unknown): string | undefined {
  if (!isObject(about)) return `about.json is ${shown(about)}, not an object`;
  for (const part of ['environment', 'replay'] as const) if (!isObject(about[part])) return `about.json: ${part} is ${shown(about[part])}, not an object`;
  if (!Array.isArray(about.runs)) return `about.json: runs is ${shown(about.runs)}, not a list`;
  const run = about.runs.findIndex((entry) => !isObject(entry));
  if (run !== -1) return `about.json: runs[${run}] is ${shown(about.runs[run])}, not an object`;
  return (
    fieldsProblem('about.json: environment.', about.environment as Record<string, unknown>, ENVIRONMENT) ??
    fieldsProblem('about.json: replay.', about.replay as Record<string, unknown>, REPLAY) ??
    about.runs
      .map((entry, index) => fieldsProblem(`about.json: runs[${index}].`, entry as Record<string, unknown>, RUN))
      .find((problem) => problem !== undefined)
  );
}

function fieldsProblem(prefix: string, record: Record<string, unknown>, fields: Readonly<Record<string, Kind>>): string | undefined {
  for (const [name, kind] of Object.entries(fields)) {
    const value = record[name];
    const fits =
      typeof kind !== 'string'
        ? typeof value === 'string' && kind.includes(value)
        : kind === 'strings'
          ? Array.isArray(value) && value.every((item) => typeof item === 'string')
          : kind === 'boolean'
            ? typeof value === 'boolean'
            : (kind.endsWith('?') && value === null) || (kind.startsWith('int') ? Number.isSafeInteger(value) : typeof value === 'string');
    if (!fits) return `${prefix}${name} is ${shown(value)}, not ${expected(kind)}`;
  }
  return undefined;
}

function expected(kind: Kind): string {
  if (typeof kind !== 'string') return `one of ${kind.join(', ')}`;
  const base = { string: 'a string', int: 'a whole number', boolean: 'true or false', strings: 'a list of strings' }[
    kind.replace('?', '') as 'string' | 'int' | 'boolean' | 'strings'
  ];
  return kind.endsWith('?') ? `${base} or null` : base;
}

/** Why calls.json's content cannot be the calls of a recording with `runs` runs, or undefined. */
export function callsProblem(calls: unknown, runs: number): string | undefined {
  if (!Array.isArray(calls)) return `calls.json is ${shown(calls)}, not a list`;
  let previous = 0;
  for (const [index, call] of calls.entries()) {
    if (!isObject(call)) return `calls.json[${index}] is ${shown(call)}, not an object`;
    const wrong = callProblem(`calls.json[${index}]`, call);
    if (wrong !== undefined) return wrong;
    const problem = runProblem(call.run, runs);
    if (problem !== undefined) return `calls.json[${index}].run is ${problem}`;
    if ((call.run as number) < previous) return `calls.json[${index}].run is ${call.run}, after a call of run ${previous}: the calls are out of order`;
    previous = call.run as number;
  }
  return undefined;
}

/**
 * Why `meta`, read from `deliveries/<file>`, cannot be a recorded delivery's, or undefined.
 * `ids` maps each delivery id seen so far to its file, to find one recorded twice.
 */
export function deliveryProblem(file: string, meta: unknown, runs: number, ids: Map<string, string>): string | undefined {
  const at = `deliveries/${file}`;
  if (!isObject(meta)) return `${at} is ${shown(meta)}, not an object`;
  const body = file.replace(/\.json$/, '.body');
  if (meta.bodyFile !== body) return `${at}: bodyFile is ${shown(meta.bodyFile)}, not ${JSON.stringify(body)}`;
  if (typeof meta.id !== 'string' || meta.id === '') return `${at}: id is ${shown(meta.id)}, not a delivery id`;
  const twin = ids.get(meta.id);
  if (twin !== undefined) return `${at}: id ${JSON.stringify(meta.id)} is deliveries/${twin}'s too`;
  ids.set(meta.id, file);
  const problem = runProblem(meta.run, runs);
  if (problem !== undefined) return `${at}: run is ${problem}`;
  if (typeof meta.method !== 'string' || !METHOD.test(meta.method)) return `${at}: method is ${shown(meta.method)}, not an HTTP method`;
  if (!Array.isArray(meta.headers)) return `${at}: headers is ${shown(meta.headers)}, not a list`;
  const pair = meta.headers.findIndex((entry) => !(Array.isArray(entry) && entry.length === 2 && entry.every((part) => typeof part === 'string')));
  if (pair !== -1) return `${at}: headers[${pair}] is ${shown(meta.headers[pair])}, not a [name, value] pair of strings`;
  if (!isObject(meta.answered)) return `${at}: answered is ${shown(meta.answered)}, not an object`;
  if (typeof meta.answered.duplicate !== 'boolean') return `${at}: answered.duplicate is ${shown(meta.answered.duplicate)}, not true or false`;
  return undefined;
}

/** HTTP's token (RFC 9110 §5.6.2): what fetch and nock accept as a method. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why `call` cannot be intercepted (the replay) or made again (`--compare`): an origin that is not
 * one, a method fetch refuses, a path that is not one (joined to another origin, `@evil.example/x`
 * would name another host), a status that is not one, headers that are not text.
 */
function callProblem(at: string, call: Record<string, unknown>): string | undefined {
  if (!isOrigin(call.scope)) return `${at}.scope is ${shown(call.scope)}, not an origin (https://host)`;
  if (typeof call.method !== 'string' || !METHOD.test(call.method)) return `${at}.method is ${shown(call.method)}, not an HTTP method`;
  if (typeof call.path !== 'string') return `${at}.path is ${shown(call.path)}, not a string`;
  if (!call.path.startsWith('/')) return `${at}.path is ${shown(call.path)}, not a path (starting with /)`;
  if (!Number.isInteger(call.status) || (call.status as number) < 100 || (call.status as number) > 599)
    return `${at}.status is ${shown(call.status)}, not an HTTP status`;
  if (typeof call.responseIsBinary !== 'boolean') return `${at}.responseIsBinary is ${shown(call.responseIsBinary)}, not true or false`;
  for (const field of ['rawHeaders', 'reqheaders'] as const) {
    const headers = call[field];
    if (!isObject(headers)) return `${at}.${field} is ${shown(headers)}, not an object`;
    const header = Object.entries(headers).find(([, value]) => typeof value !== 'string');
    if (header !== undefined) return `${at}.${field}[${JSON.stringify(header[0])}] is ${shown(header[1])}, not a string`;
  }
  return undefined;
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

function runProblem(run: unknown, runs: number): string | undefined {
  if (Number.isInteger(run) && (run as number) >= 0 && (run as number) < runs) return undefined;
  return `${shown(run)}, not one of about.json's runs (${runs === 0 ? 'it has none' : `0 to ${runs - 1}`})`;
}
