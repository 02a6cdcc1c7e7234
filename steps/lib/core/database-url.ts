/**
 * DATABASE_URL, read and shown safely. The URL carries the database password, so every message
 * that names it shows it with the password replaced by `****` (the user, host, port and database
 * stay: they are what a person checks when the connection fails).
 *
 * @example
 * redactDatabaseUrl('postgres://app:s3cret@db.example:5432/webhooks') // 'postgres://app:****@db.example:5432/webhooks'
 * isDatabaseUrl('mysql://x') // false
 */

/** The URL schemes `pg` accepts. */
const SCHEMES = new Set(['postgres:', 'postgresql:']);

/**
 * Stands for the missing host of libpq's socket form, `postgres://user:pw@/db?host=/var/run/postgresql`
 * (nothing between `@` and the path; the socket folder, or a host name, in `?host=`). WHATWG's URL
 * parser refuses a user name without a host; pg parses that form by putting a host in for the
 * parse, and so does this, then takes it out again when it shows the URL.
 */
const STAND_IN_HOST = 'no-host.invalid';

/**
 * DATABASE_URL parsed as pg parses it (hostname is STAND_IN_HOST in the socket form); undefined
 * when pg would refuse it too, or when the socket form's database name has a `/` or `@` in it:
 * that is a password with `@/` written as is (`user:p@/ss@db.example/webhooks`), which pg would
 * take for the socket form and connect to the wrong place.
 */
export function parseDatabaseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    // Not a URL for WHATWG: perhaps the socket form.
  }
  try {
    const url = new URL(value.replace('@/', `@${STAND_IN_HOST}/`));
    return /[/@]/.test(url.pathname.slice(1)) ? undefined : url;
  } catch {
    return undefined;
  }
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isDatabaseUrl(value: string): boolean {
  const url = parseDatabaseUrl(value);
  return url !== undefined && SCHEMES.has(url.protocol);
}

/** `value` with its password (if any) shown as `****`; text that is not a URL is hidden whole after its scheme. */
export function redactDatabaseUrl(value: string): string {
  const url = parseDatabaseUrl(value);
  if (url === undefined) {
    // Not parseable, so where the password sits is unknown: show only what comes before any '@'.
    const at = value.lastIndexOf('@');
    return at < 0 ? value : `****${value.slice(at)}`;
  }
  if (url.password !== '') url.password = '****';
  // A password may also come as a query parameter (`?password=`).
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase() === 'password') url.searchParams.set(key, '****');
  // The socket form shown as written: `user:****@/db`, or `///db` when it had no user either.
  return url.toString().replace(`@${STAND_IN_HOST}/`, '@/').replace(`//${STAND_IN_HOST}/`, '///');
}

/** Every occurrence of the URL's password in `text`, replaced by `****` (driver messages may quote it). */
export function hidePassword(text: string, databaseUrl: string): string {
  const url = parseDatabaseUrl(databaseUrl);
  if (url === undefined) return text;
  const password = decodeURIComponent(url.password);
  return password.length < 2 ? text : text.split(password).join('****').split(databaseUrl).join(redactDatabaseUrl(databaseUrl));
}

/**
 * `host:port` of DATABASE_URL, for messages: as `pg` reads it, so a Unix socket folder written as
 * the host (percent-encoded) shows as its path, and `?host=` and `?port=` win over the URL's own.
 */
export function databaseTarget(value: string): string {
  const parsed = parseDatabaseUrl(value);
  if (parsed === undefined) return 'the server';
  const hostname = parsed.hostname === STAND_IN_HOST ? '' : decodeURIComponent(parsed.hostname);
  // No host at all: pg connects to localhost over TCP (libpq would use its default socket; pg does not).
  const host = parsed.searchParams.get('host') || hostname || 'localhost';
  return `${host}:${parsed.searchParams.get('port') || parsed.port || '5432'}`;
}
