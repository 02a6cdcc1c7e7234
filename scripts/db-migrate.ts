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
      const { applied, databaseVersion, knownVersion, location } = await migrateDatabase(loadConfig(), console.log);
      if (databaseVersion > knownVersion) {
        // Not an error: in a rolling upgrade the older listeners and workers keep running on it (migrations only add).
        console.log(
          `${location}: its schema is at version ${databaseVersion}, newer than this workbench knows (up to ${knownVersion}): ` +
            'a newer workbench migrated it. Nothing to apply.',
        );
        console.log(
          "Next: Nothing, during a rolling upgrade: this workbench's listeners and workers keep working on it. Otherwise update this checkout (git pull) to the workbench that migrated it.",
        );
      } else {
        console.log(
          applied.length === 0
            ? `${location} is up to date: nothing to apply.`
            : `${location}: applied migration(s) ${applied.join(', ')}; pg-boss's schema is ready too.`,
        );
      }
    });
  }
}
