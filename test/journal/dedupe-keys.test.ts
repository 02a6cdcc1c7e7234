/**
 * The dedupe key file (journal/dedupe-keys.ts) on its own: the retention's edge, with the clock
 * moved (the `now` option, as claims.ts has).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEDUPE_KEYS_FILE, type DedupeKey, DedupeKeyFile } from '../../steps/lib/journal/dedupe-keys.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const HOUR = 3600 * 1000;
const ARRIVED = Date.parse('2024-01-01T00:00:00.000Z');

function lineOf(key: DedupeKey): string {
  return `${JSON.stringify({ key: key.key, id: key.id, at: new Date(key.at).toISOString() })}\n`;
}

describe('DedupeKeyFile: the retention edge', () => {
  it('keeps a key exactly DEDUPE_RETENTION old (as the claims do) and forgets it one millisecond later', async () => {
    const dir = await tempDir('dedupe-keys');
    const key: DedupeKey = { key: 'sha256:aa', id: 'd-1', at: ARRIVED };
    await writeFile(join(dir, DEDUPE_KEYS_FILE), lineOf(key));
    const open = (now: number) => DedupeKeyFile.open({ dir, retentionMs: HOUR, log: () => {}, now: () => now });

    const atEdge = await open(ARRIVED + HOUR);
    expect(atEdge.keys).toEqual([key]);
    await atEdge.file.close();
    const past = await open(ARRIVED + HOUR + 1);
    expect(past.keys).toEqual([]);
    await past.file.close();
  });
});
