/**
 * Step 5's answer to "why raw bytes?". Does `JSON.stringify(JSON.parse(body))` give back the raw
 * bytes? The tutorial's receiver hashes that re-serialization instead of the body; this says
 * whether, and how, the two differ for one body (whitespace, `\u` escapes, `\/`, number spellings
 * such as `1.0`, `1e2` or big integers, a newline) and puts it in the lines step 5 prints.
 *
 * @example
 * checkReserialization(Buffer.from('{ "a": 1.0 }\n')).changes // ['whitespace between tokens', 'number spelling (1.0 → 1)', 'a trailing newline']
 * describeReserialization(check, 'HMACSHA256 ...') // ['Re-serialized: ... differs ...', ..., 'Why raw bytes: ...']
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

/**
 * What re-serializing the body (the tutorial's JSON.stringify(req.body)) would change, and why raw
 * bytes. `tutorialSignature`, when given, is the signature the tutorial's check computes from the
 * re-serialized bytes: it is named when they differ from what was signed.
 */
export function describeReserialization(check: ReserializationCheck, tutorialSignature: string | undefined): string[] {
  const why =
    'Why raw bytes: the sender signs the exact bytes it sends; parsing and re-serializing can change whitespace, escapes, number spellings and duplicate keys, so this workbench hashes the raw body before parsing it.';
  if (!check.json) return ['Re-serialized: the body is not JSON, so JSON.stringify(req.body) (the tutorial) could not reproduce it at all.', why];
  if (check.identical) {
    return [
      `Re-serialized: JSON.stringify(JSON.parse(body)) gives back the same ${check.rawBytes} bytes, so the tutorial's check would agree on this delivery (by luck of the formatting).`,
      why,
    ];
  }
  const lines = [
    `Re-serialized: JSON.stringify(JSON.parse(body)) differs from the raw body (${check.rawBytes} bytes -> ${check.reserializedBytes} bytes): ${check.changes.join(', ') || 'different bytes'}.`,
  ];
  if (check.firstDifference) {
    lines.push(
      `  First difference at byte ${check.firstDifference.offset}: raw ${check.firstDifference.raw} vs re-serialized ${check.firstDifference.reserialized}.`,
    );
  }
  if (tutorialSignature !== undefined) lines.push(`  The tutorial's check would compute ${tutorialSignature} from those bytes: not what was signed.`);
  lines.push(why);
  return lines;
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
