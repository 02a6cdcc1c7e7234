/**
 * A recording on disk: `test/fixtures/recorded/<name>/` holds
 * - `calls.json`: every call to the identity server and the API, in nock's recorder format
 *   (`output_objects`: scope, method, path, body, status, response, rawHeaders, reqheaders), each
 *   with the `run` it belongs to;
 * - `deliveries/NNN-<Event>.body` (the exact bytes) and `NNN-<Event>.json` (headers, what the
 *   listener answered, what was replaced, and what the original bytes showed of Bracken's JSON);
 * - `about.json`: when, against what (mode, Node, the Bracken URLs), the workbench's version, the
 *   runs (`npm start`, or single steps with RECORD), and the placeholders a replay configures.
 *
 * Written to a folder beside it and renamed into place, so a reader never sees half a recording.
 *
 * @example
 * const recording = await readRecording(recordingDir('demo'));
 * recording.calls[0].path // '/connect/token'
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PROJECT_ROOT,
  RECORDING_CORRUPT,
  RECORDING_NAME_RULE,
  RECORDING_NOT_FOUND,
  RecordingError,
  CONFIG_INVALID,
  ConfigError,
  isRecordingName,
  writeFailed,
} from '../core/index.ts';
import { asideFolder, recoverInterruptedWrites } from './interrupted-write.ts';
import { aboutProblem, callsProblem, deliveryProblem } from './recording-problems.ts';

/**
 * The largest file a recording may hold: a delivery body is at most LISTEN_BODY_LIMIT's largest
 * (64 MiB), and calls.json holds a few answers of an API.
 */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Where recordings live (and where the replay test finds them). */
export const RECORDINGS_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'recorded');

/** One call to the identity server or the API, in nock's recorder format, plus the run that made it. */
export interface RecordedCall {
  /** Index into about.json's `runs`. */
  readonly run: number;
  /** Origin, e.g. `https://api.recorded.invalid` (a loopback sandbox's) or `https://api.brackenlearning.com`. */
  readonly scope: string;
  readonly method: string;
  readonly path: string;
  /** The request body: JSON as parsed, a form or text as a string, '' for none. */
  readonly body: unknown;
  readonly status: number;
  /** The response body: JSON as parsed, text as a string (hex when `responseIsBinary`). */
  readonly response: unknown;
  /** The response headers, without the transport's own (connection, keep-alive, content-length). */
  readonly rawHeaders: Readonly<Record<string, string>>;
  /** The request headers a replay matches: accept, authorization, content-type. */
  readonly reqheaders: Readonly<Record<string, string>>;
  readonly responseIsBinary: boolean;
}

/** What the recorder saw of the serializer in a delivery's original bytes (before anything was replaced). */
export interface OriginalBytes {
  readonly bytes: number;
  readonly json: boolean;
  /** Whitespace between tokens (false: compact JSON). */
  readonly whitespace: boolean;
  /** How strings held characters beyond ASCII. */
  readonly nonAscii: 'none' | 'escaped' | 'raw' | 'both';
  /** Whether JSON.stringify(JSON.parse(body)) gave back the same bytes (the tutorial's check relies on it). */
  readonly reserializesExactly: boolean;
  readonly reserializationChanges: readonly string[];
}

/** One delivery the listener verified, as recorded (`deliveries/NNN-<Event>.json`). */
export interface RecordedDelivery {
  readonly run: number;
  /** The listener's id for it. */
  readonly id: string;
  readonly event: string | undefined;
  readonly receivedAt: string;
  readonly method: string;
  readonly url: string;
  /** Header name/value pairs as received, but for those listed in `replaced.headers`. */
  readonly headers: readonly (readonly [string, string])[];
  /** The file beside this one with the exact body bytes. */
  readonly bodyFile: string;
  readonly bodyBytes: number;
  /** The placeholder secret the Authorization header is now computed with. */
  readonly signedWith: string;
  /** The listener's answer; `duplicate` for a sender's retry of an earlier delivery. */
  readonly answered: { readonly status: number; readonly code: string; readonly duplicate: boolean };
  /** What the recorder changed: the body's values (by path) and the headers. */
  readonly replaced: { readonly fields: readonly string[]; readonly headers: readonly string[] };
  readonly original: OriginalBytes;
}

/** A command that added to the recording. */
export interface RecordingRun {
  /** `npm start`, or `step:1` … `step:6` for a single step run with RECORD. */
  readonly source: string;
  readonly command: string;
  readonly at: string;
  /** Whether the run succeeded: a replay must end the same way. */
  readonly ok: boolean;
}

export interface RecordingAbout {
  readonly name: string;
  readonly recordedAt: string;
  readonly updatedAt: string;
  readonly workbench: { readonly name: string; readonly version: string };
  readonly environment: {
    readonly mode: 'sandbox' | 'bracken';
    readonly node: string;
    readonly platform: string;
    /** As configured, without user info, query or fragment. */
    readonly identityUrl: string;
    readonly apiUrl: string;
    readonly scope: string | null;
    readonly events: readonly string[];
    readonly userDeleteRoute: string;
    readonly listenScheme: string;
    readonly store: 'file' | 'postgres';
  };
  /** What a replay configures so that its requests are the recorded ones (all placeholders or public values). */
  readonly replay: {
    readonly identityUrl: string;
    readonly apiUrl: string;
    readonly clientId: string | null;
    readonly clientSecret: string | null;
    readonly domainkey: number | null;
    readonly webhookTarget: string | null;
    readonly webhookSecrets: readonly string[];
    readonly usernames: readonly string[];
  };
  readonly runs: readonly RecordingRun[];
  readonly notes: readonly string[];
}

export interface Recording {
  readonly about: RecordingAbout;
  readonly calls: readonly RecordedCall[];
  readonly deliveries: readonly { readonly meta: RecordedDelivery; readonly body: Buffer }[];
}

/** The folder of recording `name` under `root`. Throws ConfigError (naming `what`) for a name that cannot be a folder. */
export function recordingDir(name: string, root = RECORDINGS_DIR, what = 'The recording name'): string {
  if (!isRecordingName(name)) {
    throw new ConfigError(CONFIG_INVALID, `${what} ${JSON.stringify(name)} cannot name a recording.`, {
      hint: `Use ${RECORDING_NAME_RULE}.`,
    });
  }
  return join(root, name);
}

/** The recordings under `root`, by name. */
export async function listRecordings(root = RECORDINGS_DIR): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && isRecordingName(entry.name)).map((entry) => entry.name);
}

/** Reads a recording. Throws RecordingError RECORDING_NOT_FOUND or RECORDING_CORRUPT. */
export async function readRecording(dir: string): Promise<Recording> {
  await recoverInterruptedWrites(dir); // a write killed between its renames left it aside
  /** A file of the recording, whole; one larger than a recording holds is refused before it fills memory. */
  const read = async (file: string): Promise<Buffer> => {
    const { size } = await stat(join(dir, file));
    if (size > MAX_FILE_BYTES) throw corrupt(dir, `${file} is ${size} bytes, more than a recording file may hold (${MAX_FILE_BYTES / 1024 / 1024} MiB)`);
    return readFile(join(dir, file));
  };
  const json = async <T>(file: string): Promise<T> => {
    let text: string;
    try {
      text = (await read(file)).toString('utf8');
    } catch (error) {
      if (error instanceof RecordingError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && file === 'about.json') {
        throw new RecordingError(RECORDING_NOT_FOUND, `There is no recording in ${dir}.`, {
          hint: 'Record one with `npm start -- --record <name>` (or RECORD=<name> on single steps); the names are the folders of test/fixtures/recorded/.',
        });
      }
      throw corrupt(dir, `${file} cannot be read: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw corrupt(dir, `${file} is not JSON`);
    }
  };
  const about = await json<RecordingAbout>('about.json');
  const aboutWrong = aboutProblem(about);
  if (aboutWrong !== undefined) throw corrupt(dir, aboutWrong);
  const calls = await json<RecordedCall[]>('calls.json');
  const callsWrong = callsProblem(calls, about.runs.length);
  if (callsWrong !== undefined) throw corrupt(dir, callsWrong);
  const deliveryDir = join(dir, 'deliveries');
  const entries = await readdir(deliveryDir).catch((error: NodeJS.ErrnoException) => {
    // A recording of no deliveries may have no folder for them; anything else in its place is a fault.
    if (error.code === 'ENOENT') return [] as string[];
    throw corrupt(dir, `deliveries cannot be read: ${error.code ?? error.message}`);
  });
  const deliveries = [];
  const ids = new Map<string, string>();
  for (const name of entries.filter((entry) => entry.endsWith('.json')).sort()) {
    const meta = await json<RecordedDelivery>(join('deliveries', name));
    const metaWrong = deliveryProblem(name, meta, about.runs.length, ids);
    if (metaWrong !== undefined) throw corrupt(dir, metaWrong);
    const body = await read(join('deliveries', meta.bodyFile)).catch((error: unknown) => {
      throw error instanceof RecordingError ? error : corrupt(dir, `deliveries/${name} names ${meta.bodyFile}, which cannot be read`);
    });
    deliveries.push({ meta, body });
  }
  return { about, calls, deliveries };
}

/** Writes `recording` to `dir`, replacing what was there, all at once. Throws StateError STATE_WRITE_FAILED. */
export async function writeRecording(dir: string, recording: Recording): Promise<void> {
  // Beside it, with a leading dot: never a recording's name (the replay lists every folder that is
  // one, also in another `npm test` running meanwhile), and hidden, should a killed process leave it.
  const next = asideFolder(dir, 'writing');
  const old = asideFolder(dir, 'old');
  let moved = false;
  try {
    await recoverInterruptedWrites(dir);
    await rm(next, { recursive: true, force: true });
    await mkdir(join(next, 'deliveries'), { recursive: true });
    await writeFile(join(next, 'about.json'), `${JSON.stringify(recording.about, null, 2)}\n`);
    await writeFile(join(next, 'calls.json'), `${JSON.stringify(recording.calls, null, 2)}\n`);
    for (const { meta, body } of recording.deliveries) {
      await writeFile(join(next, 'deliveries', meta.bodyFile), body);
      await writeFile(join(next, 'deliveries', meta.bodyFile.replace(/\.body$/, '.json')), `${JSON.stringify(meta, null, 2)}\n`);
    }
    moved = await rename(dir, old).then(
      () => true,
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return false;
      },
    );
    await rename(next, dir);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(next, { recursive: true, force: true }).catch(() => {});
    // The earlier recording goes back where it was: a failed write loses nothing.
    if (moved) await rename(old, dir).catch(() => {});
    throw writeFailed(dir, error);
  }
}

/** `NNN-<Event>.body`: the file name of the `index`th delivery (1-based). */
export function deliveryFileName(index: number, event: string | undefined): string {
  return `${String(index).padStart(3, '0')}-${(event ?? 'unknown').replace(/[^A-Za-z0-9_-]/g, '_')}.body`;
}

function corrupt(dir: string, what: string): RecordingError {
  return new RecordingError(RECORDING_CORRUPT, `The recording in ${dir} cannot be used: ${what}.`, {
    hint: 'Record it again (`npm start -- --record <name>`), or restore the folder from git.',
  });
}
