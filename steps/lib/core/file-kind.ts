/**
 * What a path holds when it is not a regular file. A state file, a journal file or `.env` that is a
 * named pipe (FIFO) would make a plain read wait for a writer forever, and a device such as
 * /dev/zero would be read until memory ran out, both without a word: readers open with
 * NONBLOCKING_READ (which returns at once even for a pipe), ask `otherKind` of the handle's stat,
 * and refuse by name (readRegularFile does all three).
 *
 * @example
 * const data = await readRegularFile(file); // throws NotARegularFile, kind 'a named pipe (FIFO)'
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

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

/** `path` is `kind` ('a named pipe (FIFO)'), not a file: the callers word what to do about it. */
export class NotARegularFile extends Error {
  readonly path: string;
  readonly kind: string;
  constructor(path: string, kind: string) {
    super(`${path} is ${kind}, not a file.`);
    this.name = 'NotARegularFile';
    this.path = path;
    this.kind = kind;
  }
}

/** The bytes of `file`, refused as NotARegularFile before any is read when it is not a regular file. Other errors (ENOENT) as they are. */
export async function readRegularFile(file: string): Promise<Buffer> {
  const handle = await open(file, NONBLOCKING_READ);
  try {
    const kind = otherKind(await handle.stat());
    if (kind !== undefined) throw new NotARegularFile(file, kind);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
