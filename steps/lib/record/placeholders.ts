/**
 * The placeholders a recording writes instead of the values it must not keep. Each kind of value
 * has its own numbered placeholder (`recorded-access-token-2`), and the same value always gets the
 * same one within a recording, so a replay still makes sense: the token the identity server issued
 * is the token the next call sends.
 *
 * A recording made by single steps (`RECORD=demo npm run step:1`, then step 2...) is written by
 * several processes. They agree on the numbering through a small file in the state folder
 * (`<stateDir>/recordings/<name>.json`, mode 0600, git-ignored like the rest of it), which holds
 * only SHA-256 hashes of the values, never the values.
 *
 * @example
 * const book = await placeholderBook({ file: undefined });
 * book.for('access-token', 'eyJhbGci...') // 'recorded-access-token-1'
 * book.for('domainkey', '15435')          // '900001'
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/index.ts';

/** What a replaced value was. */
export type ValueKind =
  | 'client-id'
  | 'client-secret'
  | 'access-token'
  | 'webhook-secret'
  | 'secret'
  | 'password'
  | 'username'
  | 'email'
  | 'name'
  | 'personal'
  | 'target'
  | 'ngrok-token'
  | 'cookie'
  | 'domainkey';

/** The first domainkey placeholder; an integer, because Bracken's domainkeys are. */
const DOMAINKEY_BASE = 900_000;

/** The placeholder of the `n`th value of `kind` (1-based). */
export function placeholderOf(kind: ValueKind, n: number): string {
  switch (kind) {
    case 'domainkey':
      return String(DOMAINKEY_BASE + n);
    case 'email':
      return `recorded-email-${n}@example.invalid`;
    case 'name':
      return `Recorded-Name-${n}`;
    // A webhook target's origin: the tunnel (or your endpoint). `.invalid` never resolves (RFC 2606).
    case 'target':
      return `https://tunnel-${n}.recorded.invalid`;
    case 'username':
      return `recorded-user-${n}`;
    default:
      return `recorded-${kind}-${n}`;
  }
}

export interface PlaceholderBook {
  /** The placeholder for `value` of `kind`, the same every time for the same value. */
  for(kind: ValueKind, value: string): string;
  /** The placeholder already given to `value`, whatever its kind. */
  known(value: string): string | undefined;
  /** Every value seen in this process with its placeholder (for the text pass), longest value first. */
  values(): readonly (readonly [value: string, placeholder: string, kind: ValueKind])[];
  /** Writes the hashes to the book's file, when it has one. */
  save(): Promise<void>;
}

interface Entry {
  readonly kind: ValueKind;
  readonly placeholder: string;
}

/** A book; with `file`, seeded from and saved to that file (hashes only). */
export async function placeholderBook(options: { file: string | undefined }): Promise<PlaceholderBook> {
  const persisted = options.file === undefined ? new Map<string, Entry>() : await readBook(options.file);
  const seen = new Map<string, Entry>();
  const hash = (value: string) => createHash('sha256').update(value).digest('hex');
  const count = (kind: ValueKind) => [...persisted.values()].filter((entry) => entry.kind === kind).length;

  return {
    for(kind, value) {
      const known = seen.get(value);
      if (known !== undefined) return known.placeholder;
      const key = hash(value);
      const entry = persisted.get(key) ?? { kind, placeholder: placeholderOf(kind, count(kind) + 1) };
      persisted.set(key, entry);
      seen.set(value, entry);
      return entry.placeholder;
    },
    known: (value) => seen.get(value)?.placeholder,
    values: () => [...seen.entries()].map(([value, entry]) => [value, entry.placeholder, entry.kind] as const).sort(([a], [b]) => b.length - a.length),
    async save() {
      if (options.file === undefined) return;
      const entries = Object.fromEntries([...persisted.entries()].map(([key, entry]) => [key, entry]));
      await writeFileAtomic(options.file, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`);
    },
  };
}

async function readBook(file: string): Promise<Map<string, Entry>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  // A book that is not ours starts numbering afresh: it only ever holds hashes, nothing is lost.
  try {
    const parsed = JSON.parse(text) as { entries?: Record<string, Entry> };
    return new Map(Object.entries(parsed.entries ?? {}).filter(([, entry]) => typeof entry?.placeholder === 'string'));
  } catch {
    return new Map();
  }
}
