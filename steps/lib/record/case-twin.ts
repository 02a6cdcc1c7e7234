/**
 * A recording to write whose name differs only in letter case from one already there (`Demo` beside
 * `demo`). On macOS and Windows the two are one folder, so writing `Demo` would replace `demo`; on
 * Linux both would be made, and a git checkout of them on macOS or Windows then loses one. So the
 * name is refused wherever it is written, naming the recording it would collide with.
 *
 * @example
 * recordingDirToWrite('Demo', root, '--record') // ConfigError: …recorded/demo is there already…
 */
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFIG_INVALID, ConfigError, PROJECT_ROOT } from '../core/index.ts';
import { RECORDINGS_DIR, recordingDir } from './fixture.ts';

/** The folder of recording `name` under `root`, for writing: recordingDir's checks, and no other case of the name there. */
export function recordingDirToWrite(name: string, root = RECORDINGS_DIR, what = 'The recording name'): string {
  const dir = recordingDir(name, root, what);
  const entries = (() => {
    try {
      return readdirSync(root);
    } catch {
      return []; // no recordings yet: nothing to collide with
    }
  })();
  const twin = entries.find((entry) => entry !== name && entry.toLowerCase() === name.toLowerCase());
  if (twin === undefined) return dir;
  const shown = relative(PROJECT_ROOT, recordingDir(twin, root)) || twin;
  throw new ConfigError(
    CONFIG_INVALID,
    `${what} ${JSON.stringify(name)} differs only in letter case from the recording in ${shown}: on macOS and Windows they are one folder, so it would be replaced.`,
    { hint: `Use ${JSON.stringify(twin)} to replace that recording, or another name.` },
  );
}
