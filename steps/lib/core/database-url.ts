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

/** True for a `postgres://` or `postgresql://` URL. */
export function isDatabaseUrl(value: string): boolean {
  try {
    return SCHEMES.has(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `value` with its password (if any) shown as `****`; text that is not a URL is hidden whole after its scheme. */
export function redactDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not parseable, so where the password sits is unknown: show only what comes before any '@'.
    const at = value.lastIndexOf('@');
    return at < 0 ? value : `****${value.slice(at)}`;
  }
  if (url.password !== '') url.password = '****';
  // A password may also come as a query parameter (`?password=`).
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase() === 'password') url.searchParams.set(key, '****');
  return url.toString();
}

/** Every occurrence of the URL's password in `text`, replaced by `****` (driver messages may quote it). */
export function hidePassword(text: string, databaseUrl: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(databaseUrl).password);
  } catch {
    return text;
  }
  return password.length < 2 ? text : text.split(password).join('****').split(databaseUrl).join(redactDatabaseUrl(databaseUrl));
}

/**
 * `host:port` of DATABASE_URL, for messages: as `pg` reads it, so a Unix socket folder written as
 * the host (percent-encoded) shows as its path, and `?host=` and `?port=` win over the URL's own.
 */
export function databaseTarget(value: string): string {
  try {
    const parsed = new URL(value);
    const host = parsed.searchParams.get('host') || decodeURIComponent(parsed.hostname) || 'the local socket';
    return `${host}:${parsed.searchParams.get('port') || parsed.port || '5432'}`;
  } catch {
    return 'the server';
  }
}
