/**
 * For the record of a failed signature: whether the signature header came more than once, which a
 * sender or a proxy in between can do by mistake.
 *
 * @example
 * repeatedHeaderNote(['Authorization', 'HMACSHA256 AAAA', 'Authorization', 'HMACSHA256 f4k7…'], 'authorization')
 * // 'The request has 2 authorization header lines; a signature is sent in one.'
 */

/**
 * A note when the signature header came more than once: Node keeps only the first Authorization
 * (and joins other repeated headers with ", "), so a valid signature in a second one is never
 * checked, and the verdict would otherwise send its reader to the wrong value.
 */
export function repeatedHeaderNote(rawHeaders: readonly string[], header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let lines = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === header) lines += 1;
  return lines > 1 ? `The request has ${lines} ${header} header lines; a signature is sent in one.` : undefined;
}
