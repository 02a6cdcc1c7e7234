/**
 * record: the public face of this folder. Other folders import from here only.
 */
export { API_PLACEHOLDER, IDENTITY_PLACEHOLDER } from './calls.ts';
export { recordingDirToWrite } from './case-twin.ts';
export { RECORDINGS_DIR, listRecordings, readRecording, recordingDir } from './fixture.ts';
export type { OriginalBytes, RecordedCall, RecordedDelivery, Recording, RecordingAbout, RecordingRun } from './fixture.ts';
export { editJsonValues } from './json-in-place.ts';
export { placeholderOf } from './placeholders.ts';
export type { ValueKind } from './placeholders.ts';
export { recordRun, recordingStep } from './run.ts';
export type { RecordRunOptions, RecordingStepOptions, RunOutcome } from './run.ts';
