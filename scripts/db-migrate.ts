/**
 * `npm run db:migrate`: creates or updates the workbench's tables in DATABASE_URL (and pg-boss's
 * own schema), then exits. Listeners and workers do the same on start; this is for setting up a
 * database ahead of time, or checking that DATABASE_URL works.
 */
import { isMain, loadConfig, readCommandLine, runStep } from '../steps/lib/core/index.ts';
import { migrateDatabase } from '../steps/lib/store/index.ts';

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: {},
    usage: [
      'Usage: npm run db:migrate',
      "Creates or updates the workbench's tables in DATABASE_URL (and pg-boss's schema), then exits.",
      '  -h, --help   this help',
    ].join('\n'),
    hint: 'npm run db:migrate takes no options; it migrates the database DATABASE_URL names.',
  });
  if (options !== undefined) {
    await runStep('Migrate the Postgres store (DATABASE_URL)', async () => {
      const { applied, location } = await migrateDatabase(loadConfig(), console.log);
      console.log(
        applied.length === 0
          ? `${location} is up to date: nothing to apply.`
          : `${location}: applied migration(s) ${applied.join(', ')}; pg-boss's schema is ready too.`,
      );
    });
  }
}
