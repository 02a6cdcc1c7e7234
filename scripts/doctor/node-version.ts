/**
 * Node.js: the version package.json's `engines` asks for (^20.19.0 || ^22.12.0 || >=24.0.0):
 * older ones lack what the workbench uses (process.loadEnvFile, util.styleText, require(esm)).
 */
import { type CheckOutcome, fail, ok } from './check.ts';

/** The lowest minor of each supported major; from 24 on every version is fine. */
const SUPPORTED: Readonly<Record<number, number>> = { 20: 19, 22: 12 };
const RANGE = '^20.19.0 || ^22.12.0 || >=24.0.0';

/** Checked before anything else: it needs no configuration. */
export function nodeVersionCheck(version = process.versions.node): CheckOutcome {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const lowest = SUPPORTED[major];
  const fine = major >= 24 || (lowest !== undefined && minor >= lowest);
  const data = { version, range: RANGE };
  return fine
    ? ok(`Node.js v${version} (the workbench needs ${RANGE})`, data)
    : fail(`Node.js v${version} is not supported (the workbench needs ${RANGE})`, 'Install Node.js 22 LTS (or 20.19+) and check with node --version.', data);
}
