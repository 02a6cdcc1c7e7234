/**
 * journal: the public face of this folder. Other folders import from here only.
 */
export { journalDir, openJournal, readJournal, readJournalEntries } from './journal.ts';
export type { Journal } from './journal.ts';
export type { HandlerOutcome, HandlerRun, JournalEntry } from './format.ts';
export { DEDUPE_KEYS_FILE, DEFAULT_DEDUPE_RETENTION_MS } from './dedupe-keys.ts';
export type { DedupeKey } from './dedupe-keys.ts';
export { listDamagedTailCopies } from './damaged-tail.ts';
export type { DamagedTailCopy } from './damaged-tail.ts';
