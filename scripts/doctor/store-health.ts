/**
 * The delivery store answers, with how many deliveries wait, failed or are dead: the file journal
 * in the state folder (read as step 5 reads it, safe while a listener writes), or Postgres with
 * DATABASE_URL (opened as step 5 opens it, within HTTP_TIMEOUT_MS: like step 5, it applies the
 * migrations a new database lacks).
 */
import { WorkbenchError } from '../../steps/lib/core/index.ts';
import type { HandlerState } from '../../steps/lib/delivery/index.ts';
import { journalDir, listDamagedTailCopies, readJournal } from '../../steps/lib/journal/index.ts';
import { openDatabase } from '../../steps/lib/store/index.ts';
import { type Check, fail, ok, warn } from './check.ts';

export const storeHealthCheck: Check = {
  id: 'store',
  async run({ config }) {
    let counts: Partial<Record<HandlerState, number>>;
    let where: string;
    let warnings: readonly string[] = [];
    try {
      if (config.database.url === undefined) {
        const dir = journalDir(config.stateDir);
        const read = await readJournal(dir);
        counts = {};
        for (const delivery of read.deliveries) counts[delivery.handler] = (counts[delivery.handler] ?? 0) + 1;
        where = `file journal ${dir}`;
        const copies = await listDamagedTailCopies(dir);
        warnings = [...read.warnings, ...copies.map(({ name, bytes }) => `${name} holds ${bytes} bytes a listener cut off a damaged journal end`)];
      } else {
        const store = await openDatabase(config, { role: 'reader' });
        try {
          counts = await store.counts();
          where = `Postgres ${store.location}`;
        } finally {
          await store.close();
        }
      }
    } catch (error) {
      const hint = error instanceof WorkbenchError ? error.hint : undefined;
      const code = error instanceof WorkbenchError ? ` [${error.code}]` : '';
      return fail(
        `store unhealthy: ${error instanceof Error ? error.message : String(error)}${code}`,
        hint ?? 'See the message; npm run inspector shows the store.',
      );
    }
    const [pending, failed, dead] = [counts.pending ?? 0, counts.failed ?? 0, counts.dead ?? 0];
    const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
    const summary = `store ${where}: ${total} deliveries, ${pending} pending, ${failed} failed, ${dead} dead`;
    const data = { engine: config.database.url === undefined ? 'file' : 'postgres', total, pending, failed, dead, warnings };
    if (warnings.length > 0) {
      const hint = warnings.some((warning) => warning.includes('damaged journal end'))
        ? 'After a crash (the listener killed mid-write) such a copy is a last write never acknowledged: delete it. Otherwise see the README, "A crash".'
        : 'See npm run step:5 for each warning; a torn last line is skipped safely.';
      return warn(`${summary}; ${warnings[0]}`, hint, data);
    }
    if (dead > 0 || failed > 0) return warn(summary, 'Open the inspector (npm run inspector, or the one step 3 runs) to see why, and Retry.', data);
    return ok(summary, data);
  },
};
