/**
 * nock's recorder around a run: it sees every call the process makes through `fetch` or
 * `node:http` (the token request through openid-client, the API calls), lets it through to the real
 * server, and keeps the request and the response. The sandbox's own deliveries (undici's `request`
 * on an Agent of its own) and the servers this process runs are not calls it sees.
 *
 * nock is a devDependency, loaded only when a run is recorded: `npm start` without `--record` never
 * loads it.
 *
 * @example
 * const recorder = await startRecorder();
 * await runTheSteps();
 * const calls = await recorder.stop(); // [{ scope, method, path, body, status, response, rawHeaders, reqheaders }]
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RECORD_UNAVAILABLE, RecordingError } from '../core/index.ts';
import type { NockCall } from './calls.ts';
import { decodedResponse } from './decoded-response.ts';

export interface Recorder {
  /** Stops recording and returns what it saw, in order. */
  stop(): Promise<NockCall[]>;
}

interface NockRecorderApi {
  recorder: { rec(options: Record<string, unknown>): void; play(): unknown[]; clear(): void };
  restore(): void;
  isActive(): boolean;
  activate(): void;
}

export async function startRecorder(): Promise<Recorder> {
  let nock: NockRecorderApi;
  try {
    nock = ((await import('nock')) as { default: NockRecorderApi }).default;
  } catch (error) {
    throw new RecordingError(RECORD_UNAVAILABLE, 'Recording needs nock, a devDependency of the workbench, and it is not installed.', {
      cause: error,
      hint: 'Run `npm install` (with the devDependencies), then record again.',
    });
  }
  // Recording switches nock's mocking off; it comes back on afterwards if it was on (a test process).
  const wasActive = nock.isActive();
  nock.recorder.clear();
  // Request headers too: the Authorization a call carried is part of what a replay checks.
  nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: true });
  return {
    async stop() {
      // nock keeps a call once it has read the response body, a few turns after the caller got it.
      let seen = -1;
      while (seen !== nock.recorder.play().length) {
        seen = nock.recorder.play().length;
        for (let turn = 0; turn < 5; turn++) await nextTurn();
      }
      // A compressed answer is kept as its caller read it (decoded-response.ts), so the redactor sees what is in it.
      const calls = (nock.recorder.play() as NockCall[]).map(decodedResponse);
      nock.restore();
      nock.recorder.clear();
      if (wasActive) nock.activate();
      return calls;
    },
  };
}
