/**
 * What a path holds when it is not a regular file. A state file or `.env` that is a named pipe
 * (FIFO) would make a plain read wait for a writer forever, and a device such as /dev/zero would be
 * read until memory ran out, both without a word: readers open with NONBLOCKING_READ (which returns
 * at once even for a pipe), ask `otherKind` of the handle's stat, and refuse by name.
 *
 * @example
 * const fd = openSync(file, NONBLOCKING_READ);
 * const kind = otherKind(fstatSync(fd)); // 'a named pipe (FIFO)'
 */
import { constants, type Stats } from 'node:fs';

/** Read-only, and without waiting for a writer when the path is a named pipe (no such flag on Windows, which has none). */
export const NONBLOCKING_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** 'a folder', 'a named pipe (FIFO)', 'a device' or 'a socket'; undefined for a regular file. */
export function otherKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}
