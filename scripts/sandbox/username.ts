/**
 * When two usernames name one user. Bracken says a username identifies its user, and its store
 * (SQL Server, as ASP.NET apps have) compares text without regard to letter case and with Unicode
 * canonical equivalence: `José` typed on one keyboard (é, U+00E9) and pasted from a macOS file name
 * (e + U+0301) are one name. Bracken does not document this; it is the sandbox's choice (README).
 * The name is stored as it was sent; only comparisons use the key.
 */

/** True when `a` and `b` name the same user: equal once both are NFC and in lower case. */
export function sameUsername(a: string, b: string): boolean {
  const key = (username: string) => username.normalize('NFC').toLowerCase();
  return key(a) === key(b);
}
