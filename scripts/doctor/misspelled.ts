/**
 * Names in `.env` (or workbench-looking names in the environment) that the workbench does not read
 * but that are one or two keystrokes from one it does: `LISTEN_PROT=6000` was ignored without a
 * word, and the listener quietly took the default port. Each is named with the likely variable.
 * A name far from every setting is left alone: `.env` may hold your own app's variables too.
 *
 * @example
 * misspelledNames(['LISTEN_PROT'], {}, configVariableNames()) // [{ name: 'LISTEN_PROT', likely: 'LISTEN_PORT', from: 'env-file' }]
 */
import type { Env } from '../../steps/lib/core/index.ts';

/** The workbench's prefixes: a name in the environment is checked only when it starts with one (PATH is not a typo). */
const WORKBENCH_PREFIX = /^(BRACKEN|SANDBOX|WORKBENCH|LISTEN|INSPECT|JOURNAL|WEBHOOK|NGROK|HANDLER|WORKER|DEDUPE|DATABASE|HTTP|TEST|RECORD)_?/;

/** At most this many edits (a swap of two neighbours counts as one) from a known name. */
const MAX_EDITS = 2;

export interface Misspelled {
  readonly name: string;
  readonly likely: string;
  readonly from: 'env-file' | 'environment';
}

export function misspelledNames(fileNames: readonly string[], processEnv: Env, known: readonly string[]): Misspelled[] {
  const found: Misspelled[] = [];
  const check = (name: string, from: Misspelled['from']) => {
    if (known.includes(name) || found.some((one) => one.name === name)) return;
    const likely = closest(name.toUpperCase(), known);
    if (likely !== undefined) found.push({ name, likely, from });
  };
  for (const name of fileNames) check(name, 'env-file');
  for (const name of Object.keys(processEnv)) if (WORKBENCH_PREFIX.test(name.toUpperCase())) check(name, 'environment');
  return found;
}

/** The known name fewest edits from `name`, if within MAX_EDITS (a lower-case spelling of one counts as zero). */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; edits: number } | undefined;
  for (const candidate of known) {
    const edits = editDistance(name, candidate);
    if (edits <= MAX_EDITS && (best === undefined || edits < best.edits)) best = { name: candidate, edits };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let edits = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) edits = Math.min(edits, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row !== undefined) row[j] = edits;
    }
  }
  return at(a.length, b.length);
}
