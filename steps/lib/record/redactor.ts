/**
 * Replaces what a recording must not keep, before anything is written: the client id and secret,
 * access tokens, webhook secrets, passwords, usernames (and the other personal fields of a user:
 * email, names, phone), the webhook target (the tunnel URL, or your own endpoint), cookies and the
 * domainkey. Each becomes its stable placeholder (placeholders.ts).
 *
 * Two passes, as a person would do it by hand:
 * - by field: a JSON field, form parameter or header that is named for such a value (fields.ts)
 *   has it replaced, learned or not (a secret the recorder never saw is still not written);
 * - by text: every value learned so far is replaced wherever else it appears (inside an error
 *   message, a URL, a Host header), raw and in its JSON-escaped, URL-encoded and base64 forms.
 *   Values shorter than 6 characters are replaced by field only: as text they would hit other
 *   words (a client id `demo`). The domainkey, a number, is replaced as a whole number.
 *   A URL's credentials are fields too: a query or fragment parameter named for a credential
 *   (`?access_token=`, `#id_token=`, `&api_key=`) and a user name and password before `@`. The
 *   webhook target's query values are all replaced, whatever their names: a key in a target's
 *   query (`?code=` of a cloud function) is how the receiver knows the sender. And JSON written
 *   into a string (an error echoing the request) is edited in place, its fields by field; a
 *   base64 text that decodes to text holding a known value (`id:secret` in a header of its own)
 *   is decoded, replaced and encoded again.
 *
 * So that the text pass knows every value, a recording is walked twice: once to learn (`learn*`),
 * once to write.
 *
 * @example
 * const redactor = createRedactor(book);
 * redactor.learnJson({ access_token: 'eyJ...' });
 * redactor.header('authorization', 'Bearer eyJ...') // 'Bearer recorded-access-token-1'
 * redactor.text('token eyJ... expired')            // 'token recorded-access-token-1 expired'
 */
import { redact } from '../core/index.ts';
import { fieldKind } from './fields.ts';
import { editJsonValues, escapeNonAscii } from './json-in-place.ts';
import type { PlaceholderBook, ValueKind } from './placeholders.ts';

/** Values shorter than this are replaced only where a field names them (see above). */
export const MIN_TEXT_LENGTH = 6;

export interface Redactor {
  /** Learns a value from outside the recording (config, state files). */
  learn(kind: ValueKind, value: string | number | undefined): void;
  learnJson(value: unknown): void;
  learnForm(text: string): void;
  learnHeader(name: string, value: string): void;
  learnPath(path: string): void;
  /** A JSON value with every such field and known value replaced. */
  json(value: unknown): unknown;
  /** One field's value (`undefined` for a value to keep as it is), for bodies edited in place. */
  field(key: string, value: string | number): string | number;
  /** An `application/x-www-form-urlencoded` body. */
  form(text: string): string;
  header(name: string, value: string): string;
  /** Any text: every known value replaced. */
  text(value: string): string;
  /** The placeholder of a known value, if it has one. */
  placeholderOf(value: string): string | undefined;
}

export function createRedactor(book: PlaceholderBook): Redactor {
  /** A target host with its port (`abcd.ngrok-free.app`, `127.0.0.1:5000`), as Host headers carry it. */
  const hostAliases = new Map<string, string>();

  const learnTarget = (value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return book.for('target', value);
    }
    const placeholder = book.for('target', url.origin);
    hostAliases.set(url.host, new URL(placeholder).host);
    for (const [, query] of url.searchParams) if (query !== '') book.for('secret', query);
    const search =
      url.search === ''
        ? ''
        : `?${[...url.searchParams].map(([name, query]) => `${encodeURIComponent(name)}=${query === '' ? '' : encodeURIComponent(book.for('secret', query))}`).join('&')}`;
    // User info is dropped: the origin does not hold it.
    return `${placeholder}${text(url.pathname)}${search}${text(url.hash)}`;
  };

  const field = (key: string, value: string | number): string | number => {
    // Request headers echoed in a body (an error that shows the request): replaced as the headers are.
    if (typeof value === 'string' && HEADER_FIELDS.has(key.toLowerCase())) return header(key, value);
    const kind = fieldKind(key);
    if (kind === undefined) return typeof value === 'string' ? text(value) : value;
    if (kind === 'domainkey') {
      if (typeof value === 'number' || /^\d+$/.test(value)) {
        const placeholder = book.for('domainkey', String(value));
        return typeof value === 'number' ? Number(placeholder) : placeholder;
      }
      return text(value);
    }
    if (typeof value !== 'string' || value === '') return value;
    if (kind === 'target') return learnTarget(value);
    const echoed = shortenedEcho(value);
    if (echoed !== undefined) return echoed;
    return book.for(kind, value);
  };

  /** A value the sender printed shortened (`VfF0…(43 chars)`, as the sandbox echoes a secret): shortened again, from its placeholder. */
  const shortenedEcho = (value: string): string | undefined => {
    if (/^\*+$/.test(value)) return value;
    const match = /^(.{0,8})…\((\d+) chars\)$/u.exec(value);
    if (match === null) return undefined;
    const [, start = '', length] = match;
    const original = book.values().find(([known]) => known.startsWith(start) && known.length === Number(length));
    return original === undefined ? redact(book.for('secret', value)) : redact(original[1]);
  };

  const json = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => json(item, key));
    if (typeof value === 'object' && value !== null) {
      // A key can hold a value too (a map keyed by user name): replaced as text.
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [text(name), json(item, name)]));
    }
    if (typeof value === 'string' || typeof value === 'number')
      return key === undefined ? (typeof value === 'string' ? text(value) : value) : field(key, value);
    return value;
  };

  const form = (body: string): string => {
    const params = new URLSearchParams(body);
    const out = new URLSearchParams();
    for (const [name, value] of params) out.append(name, String(field(name, value)));
    return out.toString();
  };

  const header = (name: string, value: string): string => {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') return authorization(value);
    if (lower === 'cookie') return value.replace(/([^=;\s]+)=([^;]*)/g, (_all, cookie: string, content: string) => `${cookie}=${book.for('cookie', content)}`);
    if (lower === 'set-cookie')
      return value.replace(/^([^=;\s]+)=([^;]*)/, (_all, cookie: string, content: string) => `${cookie}=${book.for('cookie', content)}`);
    // A header named for a credential (X-Api-Key, X-Auth-Token, X-Webhook-Secret) is a field like any other.
    return fieldKind(lower) === undefined ? text(value) : String(field(lower, value));
  };

  const authorization = (value: string): string => {
    const [scheme = '', credentials = ''] = value.split(/\s+(.*)/s);
    if (/^bearer$/i.test(scheme)) return `${scheme} ${book.for('access-token', credentials)}`;
    if (/^basic$/i.test(scheme)) {
      // RFC 6749 §2.3.1: client id and secret are form-encoded, then joined with ":" and base64-encoded.
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const id = book.for('client-id', decodeForm(decoded.slice(0, colon)));
      const secret = book.for('client-secret', decodeForm(decoded.slice(colon + 1)));
      return `${scheme} ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    }
    return credentials === '' ? book.for('secret', value) : `${scheme} ${book.for('secret', credentials)}`;
  };

  const text = (value: string): string => {
    // JSON written into a string (an error that echoes the request, a body encoded twice): its fields are fields too.
    const embedded = /^\s*[[{]/.test(value)
      ? editJsonValues(value, (key, item) => (key === undefined ? (typeof item === 'string' ? text(item) : item) : field(key, item)), text)
      : undefined;
    if (embedded !== undefined) return embedded.text;
    let out = value;
    for (const [known, placeholder, kind] of book.values()) {
      if (kind === 'domainkey') out = out.replace(new RegExp(`(?<!\\d)${known}(?!\\d)`, 'g'), placeholder);
      else if (known.length >= MIN_TEXT_LENGTH) for (const [form, replacement] of encodings(known, placeholder)) out = out.split(form).join(replacement);
    }
    for (const [host, placeholder] of hostAliases) out = out.split(host).join(placeholder);
    out = out.replace(BASE64_RUN, (run) => insideBase64(run) ?? run);
    return urlCredentials(out);
  };

  /** A base64(url) run whose decoded text holds a known value, encoded again with it replaced; undefined otherwise. */
  const insideBase64 = (run: string): string | undefined => {
    // Without +, / or = padding, a run is taken for base64url (which never pads), so none is added.
    const encoding = /[+/=]/.test(run) ? 'base64' : 'base64url';
    const bytes = Buffer.from(run, encoding);
    // Only what really is base64 of UTF-8 text: it must encode back to the same run, and decode to the same bytes.
    if (bytes.toString(encoding) !== run) return undefined;
    const decoded = bytes.toString('utf8');
    if (!Buffer.from(decoded, 'utf8').equals(bytes)) return undefined;
    const replaced = text(decoded);
    return replaced === decoded ? undefined : Buffer.from(replaced, 'utf8').toString(encoding);
  };

  /** A URL's user info, and its parameters named for a credential, replaced (see above). */
  const urlCredentials = (value: string): string =>
    value
      .replace(USER_INFO, (_all, scheme: string, user: string, password: string | undefined) => {
        const name = book.for('username', decodeForm(user));
        return `${scheme}${name}${password === undefined ? '' : `:${book.for('password', decodeForm(password))}`}@`;
      })
      .replace(URL_PARAMETER, (all, separator: string, name: string, content: string) => {
        const kind = fieldKind(decodeForm(name));
        if (kind === undefined || content === '' || kind === 'target' || kind === 'domainkey') return all;
        return `${separator}${name}=${encodeURIComponent(String(field(decodeForm(name), decodeForm(content))))}`;
      });

  return {
    learn(kind, value) {
      if (value === undefined || value === '') return;
      if (kind === 'target') learnTarget(String(value));
      else book.for(kind, String(value));
    },
    learnJson: (value) => void json(value),
    learnForm: (body) => void form(body),
    learnHeader: (name, value) => void header(name, value),
    learnPath(path) {
      for (const match of path.matchAll(/\/domain\/(\d+)(?=\/|$|\?)/gi)) book.for('domainkey', match[1] ?? '');
      urlCredentials(path);
    },
    json: (value) => json(value),
    field,
    form,
    header,
    text,
    placeholderOf: (value) => book.known(value),
  };
}

/** Headers whose values have rules of their own (header()), in a JSON body too. */
const HEADER_FIELDS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** A run of base64 or base64url long enough to hold a value the text pass replaces (6 characters and more, with something around it). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** `scheme://user:password@` (the password optional) in a URL. */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]+)(?::([^\s/?#@"'<>]*))?@/gi;
/** `?name=value`, `&name=value`, `#name=value` (a fragment's parameters, as OAuth's implicit flow sends a token). */
const URL_PARAMETER = /([?&#;])([^=&#;\s"'<>?]+)=([^&#;\s"'<>]*)/g;

/** `value` and `placeholder` as they would appear raw, JSON-escaped (also `\uXXXX`), URL-encoded, form-encoded and base64(url)-encoded. */
function encodings(value: string, placeholder: string): [string, string][] {
  const escaped = escapeNonAscii(JSON.stringify(value)).slice(1, -1);
  const pairs: [string, string][] = [
    [value, placeholder],
    [JSON.stringify(value).slice(1, -1), JSON.stringify(placeholder).slice(1, -1)],
    // As a JSON writer that escapes beyond ASCII writes it (the sandbox, .NET), in either case of hex.
    [escaped, placeholder],
    [escaped.replace(/\\u([0-9a-f]{4})/g, (_all, hex: string) => `\\u${hex.toUpperCase()}`), placeholder],
    [encodeURIComponent(value), encodeURIComponent(placeholder)],
    [new URLSearchParams({ v: value }).toString().slice(2), new URLSearchParams({ v: placeholder }).toString().slice(2)],
    [Buffer.from(value).toString('base64'), Buffer.from(placeholder).toString('base64')],
    [Buffer.from(value).toString('base64url'), Buffer.from(placeholder).toString('base64url')],
  ];
  return pairs.filter(([form], index) => index === 0 || form !== value);
}

function decodeForm(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
