/**
 * Does `JSON.stringify(JSON.parse(body))` give back the raw bytes? The tutorial's receiver hashes
 * that re-serialization instead of the body; this says whether, and how, the two differ for one
 * body: whitespace, `\u` escapes, `\/`, number spellings (`1.0`, `1e2`, big integers), a newline.
 *
 * @example
 * checkReserialization(Buffer.from('{ "a": 1.0 }\n')).changes // ['whitespace between tokens', 'number spelling (1.0 → 1)', 'a trailing newline']
 */

export interface ReserializationCheck {
  /** False when the body is not JSON (then nothing else is filled in). */
  readonly json: boolean;
  readonly identical: boolean;
  readonly reserialized: string | undefined;
  readonly rawBytes: number;
  readonly reserializedBytes: number;
  /** Where the two first differ (UTF-8 byte offset) and a few characters of each around it. */
  readonly firstDifference: { readonly offset: number; readonly raw: string; readonly reserialized: string } | undefined;
  /** What re-serializing changed, in words. */
  readonly changes: readonly string[];
}

const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/** Compares the raw body with its re-serialization. */
export function checkReserialization(body: Uint8Array): ReserializationCheck {
  const raw = Buffer.from(body);
  const text = raw.toString('utf8');
  let reserialized: string;
  try {
    reserialized = JSON.stringify(JSON.parse(text));
  } catch {
    return { json: false, identical: false, reserialized: undefined, rawBytes: raw.length, reserializedBytes: 0, firstDifference: undefined, changes: [] };
  }
  const again = Buffer.from(reserialized, 'utf8');
  const identical = again.equals(raw);
  return {
    json: true,
    identical,
    reserialized,
    rawBytes: raw.length,
    reserializedBytes: again.length,
    firstDifference: identical ? undefined : firstDifference(raw, again),
    changes: identical ? [] : describeChanges(text),
  };
}

function firstDifference(a: Buffer, b: Buffer): { offset: number; raw: string; reserialized: string } {
  let offset = 0;
  while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset += 1;
  const around = (buffer: Buffer) => JSON.stringify(buffer.subarray(Math.max(0, offset - 12), offset + 12).toString('utf8'));
  return { offset, raw: around(a), reserialized: around(b) };
}

/** Walks the JSON text once, outside and inside strings, noting what JSON.stringify would change. */
function describeChanges(text: string): string[] {
  const changes = new Set<string>();
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (inString) {
      if (char === '\\') {
        const next = text[i + 1];
        if (next === '/') changes.add('"\\/" written as "/"');
        if (next === 'u' && !isControlEscape(text.slice(i + 2, i + 6))) changes.add('\\u escapes written as the characters');
        i += next === 'u' ? 5 : 1;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (/\s/.test(char)) changes.add(i === text.length - 1 && char === '\n' ? 'a trailing newline' : 'whitespace between tokens');
    else if (/[-\d]/.test(char)) {
      const token = NUMBER.exec(text.slice(i))?.[0] ?? char;
      if (String(Number(token)) !== token) changes.add(`number spelling (${token} → ${String(Number(token))})`);
      i += token.length - 1;
    }
  }
  return [...changes];
}

/** JSON.stringify keeps control characters escaped, so those `\u` escapes survive (as \n, \u0001...). */
function isControlEscape(hex: string): boolean {
  return Number.parseInt(hex, 16) < 0x20;
}
