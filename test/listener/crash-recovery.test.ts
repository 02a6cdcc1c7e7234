/**
 * DONE WHEN: a listener killed with SIGKILL in the middle of a burst loses no acknowledged delivery.
 *
 * A child process runs the listener (test/fixtures/listener-crash-child.ts) with its journal in a
 * temp folder. The test sends a burst of signed deliveries, 20 at a time, and SIGKILLs the child once
 * a third of them are acknowledged. It then starts the child again on the same folders and checks:
 * every delivery that got a 2xx is in the journal exactly once and in the restarted listener's feed,
 * no torn record remains, and every acknowledged delivery's handler has run, by its recorded effect.
 */
import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'undici';
import { readJournalEntries } from '../../steps/lib/journal/journal.ts';
import { signed, userCreate } from '../helpers/listener.ts';
import { startScript, type StartedScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FIXTURE = 'test/fixtures/listener-crash-child.ts';
const SECRET = 'crash-test-secret';
const TOTAL = 300;
const KILL_AFTER = 100;
const CONCURRENCY = 20;

interface Ready {
  origin: string;
  url: string;
  recovered: number;
  /** Verified deliveries whose handler had not finished when the first process died. */
  owed: number;
  warnings: string[];
}
interface Feed {
  feed: { id: string; handler: string; code: string }[];
}

function start(journalDir: string, effectsDir: string, extra: string[] = []): StartedScript {
  return startScript(FIXTURE, { args: [journalDir, effectsDir, ...extra], env: { LISTENER_SECRET: SECRET } });
}

describe('crash recovery (SIGKILL mid-burst)', () => {
  it('every acknowledged delivery is journaled exactly once, in the restarted feed, and handled once', async () => {
    const dir = await tempDir('crash');
    const journalDir = join(dir, 'journal');
    const effectsDir = dir;

    // 1. Start the listener and send the burst; kill it mid-way.
    const first = start(journalDir, effectsDir);
    const ready = await first.waitForMessage<Ready>('ready');
    const pool = new Pool(ready.origin, { connections: CONCURRENCY, pipelining: 1 });
    const acked = new Map<number, string>(); // payload number → delivery id from the 200
    let next = 0;
    const sender = async () => {
      while (next < TOTAL) {
        const n = next++;
        const { body, headers } = signed(userCreate(n), SECRET);
        try {
          const response = await pool.request({ path: '/webhooks', method: 'POST', headers, body });
          const text = await response.body.text();
          if (response.statusCode === 200) acked.set(n, (JSON.parse(text) as { id: string }).id);
          if (acked.size >= KILL_AFTER && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
        } catch {
          // the connection died with the process: not acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    await pool.destroy();
    expect(await first.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(TOTAL); // the kill really happened mid-burst

    // 2. Restart on the same folders and wait until every owed handler has run.
    const second = start(journalDir, effectsDir, ['--report-when-idle']);
    const restarted = await second.waitForMessage<Ready>('ready');
    const { feed } = await second.waitForMessage<Feed>('feed');
    expect(restarted.recovered).toBeGreaterThanOrEqual(acked.size);
    expect(restarted.owed).toBeGreaterThan(0); // the kill left handler work behind: recovery is exercised
    for (const warning of restarted.warnings) expect(warning).toMatch(/incomplete last record|bytes off and kept them in/);

    // 3a. No torn record remains: the restart cut it off, so every record of every journal file reads back whole.
    const { entries: lines, warnings } = await readJournalEntries(journalDir);
    expect(warnings).toEqual([]);

    // 3b. Every acknowledged delivery is in the journal exactly once, as a 200.
    const deliveryLines = lines.filter((line) => line.type === 'delivery');
    for (const id of acked.values()) {
      const copies = deliveryLines.filter((line) => line.record?.id === id);
      expect(copies, `delivery ${id}`).toHaveLength(1);
      expect(copies[0]?.record?.status).toBe(200);
    }

    // 3c. ...and in the restarted listener's feed, with its handler done.
    const byId = new Map(feed.map((view) => [view.id, view]));
    for (const id of acked.values()) expect(byId.get(id), `feed ${id}`).toMatchObject({ handler: 'done', code: 'ok' });

    // 3d. Every acknowledged delivery's handler ran, by its effect: one file per id with its own payload.
    const effects = new Set((await readdir(effectsDir)).filter((name) => name.endsWith('.json')));
    for (const [n, id] of acked) {
      expect(effects.has(`${id}.json`), `effect of ${id}`).toBe(true);
      const effect = JSON.parse(await readFile(join(effectsDir, `${id}.json`), 'utf8')) as { payload: unknown };
      expect(effect.payload).toEqual(userCreate(n));
    }
    // No effect for anything that was never journaled as verified.
    const journaledOk = new Set(deliveryLines.filter((line) => line.record?.status === 200).map((line) => line.record?.id));
    for (const name of effects) expect(journaledOk.has(name.replace(/\.json$/, ''))).toBe(true);
    // At least once: each acknowledged delivery ran one or more times (a re-run after the kill is allowed).
    const runs = (await readFile(join(effectsDir, 'runs.log'), 'utf8')).split('\n').filter(Boolean);
    for (const id of acked.values()) expect(runs.filter((run) => run === id).length).toBeGreaterThanOrEqual(1);

    // 4. A clean stop.
    second.child.kill('SIGTERM');
    expect(await second.exited()).toEqual({ code: 0, signal: null });
    expect((await readdir(journalDir)).includes('journal.lock')).toBe(false);
  });
});
