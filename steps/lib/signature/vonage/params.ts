/**
 * The request parameters a Vonage (Nexmo) SMS webhook signs, and the string it signs over.
 * Vonage sends them as a query string (GET), a form (POST) or a JSON object (POST-JSON); the
 * signature covers the parameters, not the body bytes, so this is the one scheme that parses first.
 *
 * Base string (https://developer.vonage.com/en/getting-started/concepts/signing-messages, "Manually
 * generate a signature"; same text in Nexmo's signing-messages guide): every parameter except `sig`,
 * sorted by key, each value with `&` and `=` replaced by `_`, joined as `&key=value&key=value`.
 */
import { isObject } from '../../core/index.ts';
import { headerValue } from '../headers.ts';
import { quoteSent } from '../quote-sent.ts';
import type { Headers } from '../types.ts';

type ParamsForm = 'query' | 'form' | 'json';

type ParamsResult =
  | { readonly ok: true; readonly params: ReadonlyMap<string, string>; readonly form: ParamsForm }
  | { readonly ok: false; readonly message: string };

/**
 * Parameters are read before the signature can be checked, so anyone can make the receiver parse
 * and sort them: 16 MiB of `k1=&k2=&...` took 16 s of CPU, and a JSON object of as many keys 10 s.
 * A Vonage SMS webhook has under 20 parameters in well under 64 KiB (a text is at most a few KiB),
 * so more than either is refused before any parsing.
 */
const MAX_PARAMS = 256;
const MAX_BODY_BYTES = 64 * 1024;

interface ParamsSource {
  readonly body: Uint8Array;
  readonly headers: Headers;
  readonly url?: string | undefined;
}

/**
 * Query-string parameters, then body parameters (the body wins on a clash, as in Vonage's Express
 * samples). A parameter name holding `&` or `=` is refused: the base string replaces those in
 * values only, so `{"a=1&b": "2"}` would sign exactly what `{a: "1", b: "2"}` signs.
 */
export function readParams(source: ParamsSource): ParamsResult {
  const read = collectParams(source);
  const ambiguous = read.ok ? [...read.params.keys()].find((key) => /[&=]/.test(key)) : undefined;
  if (ambiguous === undefined) return read;
  return { ok: false, message: `The parameter name ${quoteSent(ambiguous)} holds "&" or "=", which the signed string cannot tell apart from a separator.` };
}

function collectParams({ body, headers, url }: ParamsSource): ParamsResult {
  const params = new Map<string, string>();
  const query = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (body.length > MAX_BODY_BYTES) {
    return { ok: false, message: `The body is ${body.length} bytes; a Vonage webhook's parameters fit in ${MAX_BODY_BYTES / 1024} KiB.` };
  }
  const text = Buffer.from(body).toString('utf8');
  const form = text.trim() === '' ? 'query' : bodyForm(headerValue(headers, 'content-type'), text);
  if (form === undefined) {
    return { ok: false, message: `The body's content-type ${quoteSent(headerValue(headers, 'content-type') ?? '')} is neither a form nor JSON.` };
  }
  // Counted before parsing: URLSearchParams and the sort in baseString() are what cost the seconds.
  if (formFields(query) + (form === 'form' ? formFields(text) : 0) > MAX_PARAMS) return tooManyParams();
  for (const [key, value] of new URLSearchParams(query)) params.set(key, value);
  if (form === 'query') return { ok: true, params, form };
  if (form === 'form') {
    for (const [key, value] of new URLSearchParams(text)) params.set(key, value);
    return { ok: true, params, form };
  }
  const object = parseJsonObject(text);
  if (typeof object === 'string') return { ok: false, message: object };
  if (params.size + Object.keys(object).length > MAX_PARAMS) return tooManyParams();
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string') params.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
    else return { ok: false, message: `The JSON parameter ${quoteSent(key)} is not a string, number or boolean.` };
  }
  return { ok: true, params, form };
}

/** How many `&`-separated fields `text` has (an upper bound on its parameters), counted up to MAX_PARAMS + 1. */
function formFields(text: string): number {
  if (text === '') return 0;
  let fields = 1;
  for (let at = text.indexOf('&'); at !== -1 && fields <= MAX_PARAMS; at = text.indexOf('&', at + 1)) fields += 1;
  return fields;
}

function tooManyParams(): ParamsResult {
  return { ok: false, message: `There are more than ${MAX_PARAMS} parameters; a Vonage webhook sends a few dozen.` };
}

/** `&key=value...` over every parameter but `sig`, sorted, with `&` and `=` in values made `_`. */
export function baseString(params: ReadonlyMap<string, string>): string {
  return [...params.keys()]
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${(params.get(key) ?? '').replace(/[&=]/g, '_')}`)
    .join('');
}

/** The body as a JSON object, or a sentence saying why it is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'The body is not valid JSON.';
  }
  return isObject(value) ? value : 'The JSON body is not an object of parameters.';
}

function bodyForm(contentType: string | undefined, text: string): ParamsForm | undefined {
  const type = contentType?.toLowerCase() ?? '';
  if (type.includes('json')) return 'json';
  if (type.includes('application/x-www-form-urlencoded')) return 'form';
  if (type !== '') return undefined;
  return text.trimStart().startsWith('{') ? 'json' : 'form';
}
