/**
 * Re-indents JSON text without re-serialising it. `JSON.stringify(JSON.parse(text), null, 2)`
 * would change what the sender sent (big integers lose precision, `\u00e9` becomes `é`, `1.0`
 * becomes `1`, duplicate keys collapse), and the inspector must show what arrived. So this only
 * moves whitespace between tokens; every string, number and escape stays byte-for-byte.
 *
 * @example
 * prettyJson('{"a":[1,2],"b":{}}') // '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}'
 */

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** `text` parsed as JSON: true when `JSON.parse` accepts it. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `text` (which must be valid JSON: check with `isJson` first) laid out with one value per line.
 * Empty objects and arrays stay on one line as `{}` and `[]`.
 */
export function prettyJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => `\n${indent.repeat(depth)}`;

  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (inString) {
      out += ch;
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (JSON_WHITESPACE.has(ch)) continue;
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      const next = nextToken(text, i + 1);
      if (text.charAt(next) === (ch === '{' ? '}' : ']')) {
        out += ch + text.charAt(next);
        i = next;
      } else {
        depth++;
        out += ch + newline();
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      out += newline() + ch;
    } else if (ch === ',') {
      out += `,${newline()}`;
    } else if (ch === ':') {
      out += ': ';
    } else {
      out += ch;
    }
  }
  return out;
}

function nextToken(text: string, from: number): number {
  let i = from;
  while (i < text.length && JSON_WHITESPACE.has(text.charAt(i))) i++;
  return i;
}
