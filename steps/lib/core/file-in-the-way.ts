/**
 * Whether a folder can be made at a path: the first entry that exists on the way up from it must be
 * a folder. Checked when the configuration is read, so a state folder that is a file is one clear
 * refusal naming the variable, not an ENOTDIR from whichever command touches it first.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The file (or other non-folder) that stands where `path` or one of its parents should be a folder;
 * undefined when `path` is a folder, or can be made as one. Anything stat cannot tell (permissions)
 * is left for the write that follows to report.
 */
export function fileInTheWay(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    try {
      return statSync(at).isDirectory() ? undefined : at;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) return undefined;
    }
  }
}
