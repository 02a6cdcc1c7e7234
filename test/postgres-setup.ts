/**
 * vitest globalSetup: one throwaway PostgreSQL server for the whole run (scripts/postgres/
 * throwaway.ts), whose URL the store tests get with `inject('postgresUrl')`; each test file makes
 * a database of its own on it (test/helpers/postgres.ts). Stopped and removed when the run ends,
 * also when tests fail. No server of the machine's is used, so two runs at once never meet.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../scripts/postgres/throwaway.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startThrowawayPostgres({ label: 'suite', durable: false });
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
