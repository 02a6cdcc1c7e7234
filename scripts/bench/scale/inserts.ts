/**
 * The scale section's baseline, the Postgres ceiling on this machine: plain INSERTs through `pg`,
 * autocommit (one COMMIT, one WAL flush each), from `connections` clients back to back, the
 * figures in the same shape as a load generator's.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { LoadResult } from '../load/types.ts';
import { round, summarize } from '../stats.ts';
import type { InsertPlan } from './messages.ts';

/**
 * The baseline: `connections` clients, each sending `INSERT` (autocommit: one COMMIT, one WAL
 * flush each) back to back for `durationMs`. A row is an id and the body's bytes.
 */
export async function runInserts(plan: InsertPlan): Promise<LoadResult> {
  const pool = new pg.Pool({ connectionString: plan.databaseUrl, max: plan.connections });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS baseline (id uuid PRIMARY KEY, body bytea NOT NULL)');
    // Every connection opened before the clock starts, as the listeners' are.
    const clients = await Promise.all(Array.from({ length: plan.connections }, () => pool.connect()));
    for (const client of clients) client.release();
    const body = Buffer.alloc(plan.bodyBytes, 'x');
    const latencies = new Float64Array(plan.maxRequests);
    let sent = 0;
    let count = 0;
    let failed = 0;
    let firstError: string | undefined;
    const started = performance.now();
    const deadline = started + plan.durationMs;
    let last = started;
    const client = async () => {
      while (sent < plan.maxRequests && performance.now() < deadline) {
        sent += 1;
        const t0 = performance.now();
        try {
          await pool.query('INSERT INTO baseline (id, body) VALUES ($1, $2)', [randomUUID(), body]);
          last = performance.now();
          latencies[count++] = last - t0;
        } catch (error) {
          failed += 1;
          firstError ??= (error as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: plan.connections }, client));
    const elapsedMs = last - started;
    return {
      kind: 'saturation',
      generator: 'node',
      sent,
      built: sent,
      ok: count,
      non2xx: {},
      errors: failed,
      unanswered: 0,
      firstError,
      elapsedMs: round(elapsedMs),
      rps: round(elapsedMs > 0 ? (count * 1000) / elapsedMs : 0, 1),
      latency: summarize(latencies, count),
      sendLag: undefined,
    };
  } finally {
    await pool.end();
  }
}
