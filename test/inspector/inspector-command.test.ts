/**
 * `npm run inspector` (scripts/inspector.ts), the inspector on its own over Postgres. Without
 * DATABASE_URL it cannot start, and its Next: line names the inspector that does work with the
 * file journal: the one step 3 serves beside its listener. Before, it said only "use step 3 alone".
 */
import { describe, expect, it } from 'vitest';
import { startStandaloneInspector } from '../../scripts/inspector.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';

describe('npm run inspector', () => {
  it('without DATABASE_URL: WORKBENCH_CONFIG_MISSING, and Next: points to step 3, whose inspector reads the file journal', async () => {
    const error = await startStandaloneInspector({ config: loadConfig({ env: {} }), log: () => {} }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(formatError(error)).toBe(
      'Error: DATABASE_URL is not set; `npm run inspector` needs Postgres. [WORKBENCH_CONFIG_MISSING]\n' +
        'Next: Set DATABASE_URL=postgres://user:password@host:5432/database in .env (see .env.example); ' +
        'or, with the file journal, use the inspector step 3 serves beside its listener: `npm run step:3`, then open http://127.0.0.1:4040 (INSPECT_PORT).',
    );
  });
});
