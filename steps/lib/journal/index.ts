/**
 * journal: the public face of this folder. Other folders import from here only.
 */
export { journalDir, openJournal, readJournal } from './journal.ts';
export type { Journal } from './journal.ts';
export type { HandlerOutcome } from './format.ts';
