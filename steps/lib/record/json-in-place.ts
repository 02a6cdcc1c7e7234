/**
 * Edits the values of a JSON text in place: a replaced string or number is rewritten where it
 * stands, and every other byte (key order, spacing, how numbers are spelt, how the other strings
 * are escaped) stays as the sender wrote it. A recorded delivery must keep Bracken's bytes, which
 * are the evidence of how Bracken serializes JSON (shared/bracken-api.md §7.7), while its username
 * and domainkey are replaced.
 *
 * It also says what it saw of the serializer: whitespace between tokens, and how non-ASCII
 * characters were written (`\u00e9` escapes or raw UTF-8).
 *
 * @example
 * editJsonValues('{"username":"Zo\\u00eb", "n":1}', (key, value) => (key === 'username' ? 'recorded-user-1' : value))
 * // { text: '{"username":"recorded-user-1", "n":1}', changed: ['username'], whitespace: true, nonAscii: 'escaped' }
 */

export interface JsonEdit {
  readonly text: string;
  /** The paths of the values that were replaced (`username`, `user.email`, `items[0]`). */
  readonly changed: readonly string[];
  /** Whitespace between tokens: false for compact JSON. */
  readonly whitespace: boolean;
  /** How strings held characters beyond ASCII: not at all, as `\uXXXX` escapes, as raw UTF-8, or both. */
  readonly nonAscii: 'none' | 'escaped' | 'raw' | 'both';
}

/** `replace(key, value, path)` returns the new value, or `value` itself to keep it. */
export type ValueReplacer = (key: string | undefined, value: string | number, path: string) => string | number;

/**
 * The edited text, or undefined when `text` is not one JSON value. `replaceKey` (optional) returns
 * a new name for an object's key, or the key itself to keep it.
 */
export function editJsonValues(text: string, replace: ValueReplacer, replaceKey?: (key: string) => string): JsonEdit | undefined {
  const edits: { start: number; end: number; raw: string }[] = [];
  const changed: string[] = [];
  let pos = 0;
  let whitespace = false;
  let escaped = false;
  let raw = false;

  const fail = (): never => {
    throw new SyntaxError(`not JSON at ${pos}`);
  };
  const skip = () => {
    const start = pos;
    while (pos < text.length && ' \t\n\r'.includes(text[pos] ?? '')) pos++;
    if (pos > start) whitespace = true;
  };
  const expect = (char: string) => {
    if (text[pos] !== char) fail();
    pos++;
  };
  const stringToken = (): { value: string; raw: string } => {
    const start = pos;
    expect('"');
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    expect('"');
    const token = text.slice(start, pos);
    if (/\\u(?!00[0-7])/i.test(token)) escaped = true;
    if (/[^\p{ASCII}]/u.test(token)) raw = true;
    return { value: JSON.parse(token) as string, raw: token };
  };
  /** `next` written as the sender wrote `token`: with \u escapes if it used them. */
  const rewrite = (next: string | number, token: string) =>
    typeof next === 'number' ? String(next) : /\\u(?!00[0-7])/i.test(token) ? escapeNonAscii(JSON.stringify(next)) : JSON.stringify(next);
  const leaf = (key: string | undefined, path: string, value: string | number, start: number, token: string) => {
    const next = replace(key, value, path);
    if (next === value) return;
    edits.push({ start, end: start + token.length, raw: rewrite(next, token) });
    changed.push(path);
  };
  const value = (key: string | undefined, path: string): void => {
    skip();
    const char = text[pos];
    const start = pos;
    if (char === '{') {
      pos++;
      skip();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        skip();
        const keyStart = pos;
        const { value: name, raw: keyToken } = stringToken();
        const renamed = replaceKey?.(name) ?? name;
        if (renamed !== name) {
          edits.push({ start: keyStart, end: keyStart + keyToken.length, raw: rewrite(renamed, keyToken) });
          changed.push(`${path === '' ? '' : `${path}.`}${renamed} (key)`);
        }
        skip();
        expect(':');
        value(name, path === '' ? name : `${path}.${name}`);
        skip();
        if (text[pos] === '}') break;
        expect(',');
      }
      pos++;
    } else if (char === '[') {
      pos++;
      skip();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let index = 0; ; index++) {
        value(key, `${path}[${index}]`);
        skip();
        if (text[pos] === ']') break;
        expect(',');
      }
      pos++;
    } else if (char === '"') {
      const token = stringToken();
      leaf(key, path, token.value, start, token.raw);
    } else {
      const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos))?.[0] ?? fail();
      pos += literal.length;
      if (/^-?\d/.test(literal)) leaf(key, path, Number(literal), start, literal);
    }
  };

  try {
    value(undefined, '');
    skip();
    if (pos !== text.length) fail();
  } catch {
    return undefined;
  }
  let out = text;
  for (const edit of edits.reverse()) out = `${out.slice(0, edit.start)}${edit.raw}${out.slice(edit.end)}`;
  return { text: out, changed, whitespace, nonAscii: escaped && raw ? 'both' : escaped ? 'escaped' : raw ? 'raw' : 'none' };
}

/** Every character beyond ASCII as a `\uXXXX` escape, for a string the sender wrote that way. */
export function escapeNonAscii(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
