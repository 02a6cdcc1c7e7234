/**
 * What `npm run sandbox -- --compare` reads from a recording, field by field. The recording's
 * reader checks the files are JSON and the lists are lists; a record edited by hand (or a recorder
 * of another version) can still lack a field the comparison uses, which would stop it with a
 * TypeError and a stack trace. This names the first such field instead.
 *
 * @example
 * recordingShapeProblem(recording) // 'calls.json[0].path is missing, not a string'
 */
import type { Recording } from '../../steps/lib/record/index.ts';
import { isObject } from '../../steps/lib/core/index.ts';
import { describe, eachProblem, type Fields, fieldsProblem } from './json-fields.ts';

const ABOUT: Fields = { recordedAt: 'string', runs: 'array', environment: 'object', replay: 'object' };
const ENVIRONMENT: Fields = { mode: ['sandbox', 'bracken'], apiUrl: 'string', userDeleteRoute: 'string' };
const CALL: Fields = { method: 'string', path: 'string', status: 'int', rawHeaders: 'object' };
const DELIVERY: Fields = { headers: 'array', answered: 'object', original: 'object' };

/** Why `recording` cannot be compared (the first field that does not fit), or undefined when it can. */
export function recordingShapeProblem(recording: Recording): string | undefined {
  const about: unknown = recording.about;
  if (!isObject(about)) return `about.json is ${describe(about)}, not an object`;
  const problem =
    fieldsProblem('about.json: ', about, ABOUT) ??
    fieldsProblem('about.json: environment.', about.environment as Record<string, unknown>, ENVIRONMENT) ??
    fieldsProblem('about.json: replay.', about.replay as Record<string, unknown>, { domainkey: 'int?' }) ??
    eachProblem('about.json: runs', about.runs as unknown[], (run, at) => fieldsProblem(`${at}.`, run, { command: 'string' }));
  if (problem !== undefined) return problem;
  return (
    eachProblem('calls.json', recording.calls, (call, at) => fieldsProblem(`${at}.`, call, CALL) ?? requestProblem(at, call)) ??
    eachProblem('deliveries', recording.deliveries, (delivery, at) => {
      const meta: unknown = delivery.meta;
      if (!isObject(meta)) return `${at} is ${describe(meta)}, not an object`;
      return (
        fieldsProblem(`${at}.`, meta, { event: 'string?' }, { optional: true }) ??
        fieldsProblem(`${at}.`, meta, DELIVERY) ??
        fieldsProblem(`${at}.answered.`, meta.answered as Record<string, unknown>, { duplicate: 'boolean' }) ??
        fieldsProblem(`${at}.original.`, meta.original as Record<string, unknown>, { json: 'boolean', whitespace: 'boolean' }) ??
        headersProblem(`${at}.headers`, meta.headers as unknown[])
      );
    })
  );
}

/** HTTP's token (RFC 9110 §5.6.2): what fetch accepts as a method. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why `call` cannot be made again: a method fetch refuses, a path that is not one (joined to the
 * sandbox's origin, `@evil.example/x` would name another host), a header value that is not text.
 */
function requestProblem(at: string, call: Record<string, unknown>): string | undefined {
  const { method, path } = call as { method: string; path: string };
  if (!METHOD.test(method)) return `${at}.method is ${describe(method)}, not an HTTP method`;
  if (!path.startsWith('/')) return `${at}.path is ${describe(path)}, not a path (starting with /)`;
  const header = Object.entries(call.rawHeaders as Record<string, unknown>).find(([, value]) => typeof value !== 'string');
  return header === undefined ? undefined : `${at}.rawHeaders[${JSON.stringify(header[0])}] is ${describe(header[1])}, not a string`;
}

function headersProblem(name: string, headers: readonly unknown[]): string | undefined {
  const at = headers.findIndex((pair) => !(Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string')));
  return at === -1 ? undefined : `${name}[${at}] is ${describe(headers[at])}, not a [name, value] pair of strings`;
}
