/**
 * journal: the public face of this folder. Other folders import from here only.
 */
export { journalDir, openJournal, readJournal, readJournalEntries } from './journal.ts';
export type { Journal } from './journal.ts';
export type { HandlerOutcome, JournalEntry } from './format.ts';
