/**
 * One typed, validated, frozen configuration object, read from `.env` (through
 * `process.loadEnvFile`) and the environment. Nothing else in the workbench reads `process.env`.
 *
 * With no `BRACKEN_CLIENT_ID` the workbench runs against the local sandbox with its demo
 * credentials; with one, against the real Bracken (and then the secret and domainkey are required).
 *
 * @example
 * const config = loadConfig();
 * console.log(config.mode, config.apiUrl);
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { isLoopbackHost, isLoopbackUrl, urlHost } from './net.ts';
import { quoteShort } from './quote-short.ts';
import { redact, redactUrlSecrets } from './redact.ts';
import { CONFIG_INVALID, CONFIG_MISSING, ConfigError } from './errors.ts';
import { isDatabaseUrl, redactDatabaseUrl } from './database-url.ts';
import { fileInTheWay } from './file-in-the-way.ts';
import { readEnvFile } from './env-file.ts';
import { parseRouteTemplate, type UserDeleteRoute } from './user-route.ts';
import { canonicalEventName, EVENT_NAMES } from './event-names.ts';

/** The project root: three folders up from `steps/lib/core/`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_ENV_FILE = join(PROJECT_ROOT, '.env');
/** The `.env` file loadConfig() reads when it is given no `env` (`npm run doctor` checks it). */
export const ENV_FILE = DEFAULT_ENV_FILE;

export const BRACKEN_IDENTITY_URL = 'https://identity.brackenlearning.com';
export const BRACKEN_API_URL = 'https://api.brackenlearning.com';
/**
 * Bracken does not document a delete-user route (shared/bracken-api.md §1.4). This default is the
 * workbench's own choice, and the sandbox serves it; set BRACKEN_USER_DELETE_ROUTE for the real one.
 */
export const DEFAULT_USER_DELETE_ROUTE = 'DELETE /api/user/delete/domain/{domainkey}/user/{userkey}';
/** The webhook event the tutorial subscribes to, spelled as in its URL (the default of WEBHOOK_EVENTS). */
export const WEBHOOK_EVENT = 'user_create';
/** The listener's webhook route, as in the tutorial's `app.post('/webhooks', ...)`. */
export const WEBHOOK_PATH = '/webhooks';

export type Mode = 'sandbox' | 'bracken';

/**
 * A recording's name (RECORD, `npm start -- --record NAME`): it becomes a folder under
 * test/fixtures/recorded/, so letters, digits, `.`, `_` and `-` only, starting with a letter or digit.
 */
const RECORDING_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Names Windows keeps for devices, with or without an extension (`con`, `nul.txt`): a recording is
 * committed, and a folder so named would stop the repository from being cloned there.
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

/** True when `name` can name a recording (a folder under test/fixtures/recorded/). */
export function isRecordingName(name: string): boolean {
  // A trailing dot is dropped by Windows, so `demo.` would be `demo` there.
  return RECORDING_NAME.test(name) && !WINDOWS_DEVICE.test(name) && !name.endsWith('.');
}

/** What a recording's name must look like, for error messages. */
export const RECORDING_NAME_RULE =
  'letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit and not ending with ".", not a Windows device name (con, nul, com1...), e.g. demo or live-2026-11-30';

export interface Config {
  /** `sandbox` when no BRACKEN_CLIENT_ID is set. */
  readonly mode: Mode;
  readonly identityUrl: string;
  readonly apiUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly domainkey: number;
  /** Scope to request; undefined sends none (as the tutorial's Python sample does). */
  readonly scope: string | undefined;
  readonly userDeleteRoute: UserDeleteRoute;
  /** Username for step 4; undefined means a unique `Test-User-<suffix>`. */
  readonly testUsername: string | undefined;
  readonly httpTimeoutMs: number;
  readonly stateDir: string;
  readonly webhook: {
    /** Public URL to subscribe; undefined means derive it (see step 2). */
    readonly target: string | undefined;
    /** Secret to subscribe with; undefined means generate one and keep it in the state folder. */
    readonly secret: string | undefined;
    /** Older secrets the listener still accepts while a rotation is under way. */
    readonly previousSecrets: readonly string[];
    /** Events step 2 subscribes to (WEBHOOK_EVENTS), lower case as in the tutorial's URL; default just user_create. */
    readonly events: readonly string[];
  };
  readonly listen: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    /** Which signature scheme the listener verifies (issue: LISTEN_SCHEME). */
    readonly scheme: string;
    /** Time a client has to send its whole request before the listener answers 408. */
    readonly requestTimeoutMs: number;
    /**
     * LISTEN_FORWARD_TO: the user's own app, which the handler forwards each verified delivery to
     * (exact bytes, signature headers); undefined runs the sample handler instead.
     */
    readonly forwardTo: string | undefined;
  };
  readonly inspect: { readonly port: number };
  readonly journal: {
    readonly maxBytes: number;
    readonly keepFiles: number;
    /** DEDUPE_RETENTION: how long the file engine remembers a delivery's dedupe key, whatever rotation removes (default 7 days). */
    readonly dedupeRetentionMs: number;
  };
  /**
   * DATABASE_URL: with it, deliveries go to Postgres (and handlers to worker processes); without
   * it, to the file journal above.
   */
  readonly database: { readonly url: string | undefined };
  /** How a delivery's handler runs, in worker processes (`npm run worker`) or in the listener. */
  readonly handlers: {
    /** HANDLER_RETRY_LIMIT: tries after the first failed one, before the delivery is `dead`. */
    readonly retryLimit: number;
    /** HANDLER_RETRY_DELAY_MS: the first retry's delay; each next one doubles (with jitter). */
    readonly retryDelayMs: number;
    /** HANDLER_TIMEOUT_MS: a run still going after this counts as failed (and a killed worker's job comes back). */
    readonly timeoutMs: number;
    /** WORKER_CONCURRENCY: handlers one worker process runs at once (and jobs it fetches per batch). */
    readonly workerConcurrency: number;
    /** LISTEN_RUN_HANDLERS: with DATABASE_URL, step 3 also runs a worker itself. */
    readonly runInListener: boolean;
  };
  readonly ngrok: {
    readonly authtoken: string | undefined;
    readonly domain: string | undefined;
    readonly timeoutMs: number;
  };
  readonly sandbox: {
    readonly host: string;
    readonly port: number;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly domainkey: number;
    readonly tokenLifetimeSec: number;
    /** Delay before each retry of a failed delivery; the last one repeats until it is delivered or too old. */
    readonly retryScheduleMs: readonly number[];
    /** How long before a certificate expires the sandbox fires Module_Expiring / Course_Expiring. */
    readonly expiringDays: number;
    /** Age after which a delivery not yet delivered is `failed` for good (SANDBOX_RETRY_MAX_AGE, default 3 days). */
    readonly retryMaxAgeMs: number;
  };
  /**
   * RECORD: a single step run with it records its calls to Bracken (and step 5 the deliveries it
   * read) into test/fixtures/recorded/<RECORD>/; undefined records nothing.
   */
  readonly record: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Variables to read. Defaults to `process.env` after loading `envFile` into it. */
  env?: Env;
  /** The `.env` file to load when `env` is not given; missing is fine. */
  envFile?: string;
}

const HINT = 'Set it in .env (copy .env.example to .env) or in the environment.';

const KIB = 1024;
const MIB = 1024 * KIB;
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
/**
 * The range of every number setting; a value outside it is refused, naming the variable. Durations
 * stay far below Node's timer limit (2^31-1 ms, about 24.8 days), past which a timer fires at once.
 */
export const SETTING_RANGES = {
  HTTP_TIMEOUT_MS: { min: 1, max: 600_000 },
  LISTEN_REQUEST_TIMEOUT_MS: { min: 1, max: 600_000 },
  NGROK_TIMEOUT_MS: { min: 1, max: 600_000 },
  SANDBOX_TOKEN_LIFETIME: { min: 1, max: 7 * 24 * 3600 },
  SANDBOX_RETRY_SCHEDULE: { min: 0, max: 3_600_000 },
  SANDBOX_RETRY_MAX_AGE: { min: SECOND, max: 30 * DAY },
  SANDBOX_DOMAINKEY: { min: 1, max: 2_147_483_647 },
  SANDBOX_EXPIRING_DAYS: { min: 1, max: 3650 },
  BRACKEN_DOMAINKEY: { min: 1, max: 2_147_483_647 },
  LISTEN_BODY_LIMIT: { min: 1, max: 64 * MIB },
  JOURNAL_MAX_BYTES: { min: 64 * KIB, max: 1024 * MIB },
  JOURNAL_KEEP_FILES: { min: 1, max: 1000 },
  // Not a timer (compared with arrival times), so it may pass 2^31 ms.
  DEDUPE_RETENTION: { min: SECOND, max: 365 * DAY },
  HANDLER_RETRY_LIMIT: { min: 0, max: 100 },
  HANDLER_RETRY_DELAY_MS: { min: 0, max: 3_600_000 },
  // pg-boss expires a job after at most 24 hours; a handler bound of an hour stays well inside it.
  HANDLER_TIMEOUT_MS: { min: 1, max: 3_600_000 },
  WORKER_CONCURRENCY: { min: 1, max: 1000 },
} as const satisfies Record<string, { min: number; max: number }>;

type RangedSetting = keyof typeof SETTING_RANGES;

/** Reads and validates the configuration. Throws ConfigError naming the variable at fault. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? loadProcessEnv(options.envFile ?? DEFAULT_ENV_FILE);
  const read = reader(env);

  const sandbox = Object.freeze({
    host: read.sandboxHost('SANDBOX_HOST', '127.0.0.1'),
    port: read.port('SANDBOX_PORT', 4010),
    clientId: read.string('SANDBOX_CLIENT_ID', 'demo'),
    clientSecret: read.string('SANDBOX_CLIENT_SECRET', 'demo-secret'),
    domainkey: read.integer('SANDBOX_DOMAINKEY', 15435),
    tokenLifetimeSec: read.integer('SANDBOX_TOKEN_LIFETIME', 3600, 'seconds'),
    retryScheduleMs: Object.freeze(read.integerList('SANDBOX_RETRY_SCHEDULE', [250, 500, 1000, 2000, 4000, 8000], 'milliseconds')),
    expiringDays: read.integer('SANDBOX_EXPIRING_DAYS', 30, 'days'),
    retryMaxAgeMs: read.duration('SANDBOX_RETRY_MAX_AGE', 3 * DAY),
  });

  const mode: Mode = read.optional('BRACKEN_CLIENT_ID') === undefined ? 'sandbox' : 'bracken';
  const sandboxUrl = `http://${urlHost(sandbox.host)}:${sandbox.port}`;
  const remote =
    mode === 'bracken'
      ? {
          clientId: read.required('BRACKEN_CLIENT_ID'),
          clientSecret: read.required('BRACKEN_CLIENT_SECRET'),
          domainkey: read.integer('BRACKEN_DOMAINKEY', undefined),
          identityUrl: read.url('BRACKEN_IDENTITY_URL', BRACKEN_IDENTITY_URL),
          apiUrl: read.url('BRACKEN_API_URL', BRACKEN_API_URL),
        }
      : {
          clientId: sandbox.clientId,
          clientSecret: sandbox.clientSecret,
          domainkey: sandbox.domainkey,
          identityUrl: read.url('BRACKEN_IDENTITY_URL', sandboxUrl),
          apiUrl: read.url('BRACKEN_API_URL', sandboxUrl),
        };

  const secret = read.optional('WEBHOOK_SECRET');
  if (secret !== undefined) read.noSurroundingSpace('WEBHOOK_SECRET', secret);

  const listenAt = { host: read.string('LISTEN_HOST', '127.0.0.1'), port: read.port('LISTEN_PORT', 5000) };
  const config: Config = {
    mode,
    ...remote,
    scope: read.optional('BRACKEN_SCOPE'),
    userDeleteRoute: read.route('BRACKEN_USER_DELETE_ROUTE', DEFAULT_USER_DELETE_ROUTE),
    testUsername: read.optional('TEST_USERNAME'),
    httpTimeoutMs: read.integer('HTTP_TIMEOUT_MS', 10_000, 'milliseconds'),
    stateDir: read.folder('WORKBENCH_STATE_DIR', '.workbench'),
    webhook: Object.freeze({
      target: read.optionalUrl('WEBHOOK_TARGET'),
      secret,
      previousSecrets: Object.freeze(read.list('WEBHOOK_PREVIOUS_SECRETS')),
      events: Object.freeze(read.events('WEBHOOK_EVENTS', [WEBHOOK_EVENT])),
    }),
    listen: Object.freeze({
      ...listenAt,
      bodyLimitBytes: read.bytes('LISTEN_BODY_LIMIT', 1024 * 1024),
      scheme: read.string('LISTEN_SCHEME', 'bracken').toLowerCase(),
      requestTimeoutMs: read.integer('LISTEN_REQUEST_TIMEOUT_MS', 10_000, 'milliseconds'),
      forwardTo: forwardTarget('LISTEN_FORWARD_TO', read.optional('LISTEN_FORWARD_TO'), listenAt),
    }),
    inspect: Object.freeze({ port: read.port('INSPECT_PORT', 4040) }),
    journal: Object.freeze({
      maxBytes: read.bytes('JOURNAL_MAX_BYTES', 16 * 1024 * 1024),
      keepFiles: read.integer('JOURNAL_KEEP_FILES', 4),
      dedupeRetentionMs: read.duration('DEDUPE_RETENTION', 7 * DAY),
    }),
    database: Object.freeze({ url: read.databaseUrl('DATABASE_URL') }),
    handlers: Object.freeze({
      retryLimit: read.integer('HANDLER_RETRY_LIMIT', 5),
      retryDelayMs: read.integer('HANDLER_RETRY_DELAY_MS', 1000, 'milliseconds'),
      timeoutMs: read.integer('HANDLER_TIMEOUT_MS', 30_000, 'milliseconds'),
      workerConcurrency: read.integer('WORKER_CONCURRENCY', 10),
      runInListener: read.boolean('LISTEN_RUN_HANDLERS', false),
    }),
    ngrok: Object.freeze({
      authtoken: read.optional('NGROK_AUTHTOKEN'),
      domain: read.optional('NGROK_DOMAIN'),
      timeoutMs: read.integer('NGROK_TIMEOUT_MS', 10_000, 'milliseconds'),
    }),
    sandbox,
    record: read.recordingName('RECORD'),
  };
  return Object.freeze(config);
}

/** What a postgres:// DATABASE_URL that does not parse as a URL needs. */
const UNPARSED_DATABASE_URL =
  'a URL that parses: a port from 1 to 65535, and any #, /, ?, @ or % in the user name or password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, % as %25)';

/** The most of a wrong value a refusal quotes: enough to recognise it, not a pasted file. */
const SHOWN_VALUE_CHARS = 200;

/** A ConfigError naming `name` (a variable, or a command-line option) and what it should be. */
function invalidSetting(name: string, value: string, expected: string): never {
  const where = name.startsWith('--') ? 'on the command line' : 'in .env or in the environment (see .env.example)';
  throw new ConfigError(CONFIG_INVALID, `${name}=${quoteShort(value, SHOWN_VALUE_CHARS)} is not valid: expected ${expected}.`, {
    hint: `Fix ${name} ${where}.`,
    variable: name,
  });
}

/**
 * `raw` as an https URL, or http on loopback only, without a trailing slash (a base the workbench
 * adds paths to); a ConfigError naming `name` otherwise.
 */
function checkedUrl(name: string, raw: string): string {
  allowedUrl(name, raw);
  return raw.replace(/\/+$/, '');
}

/**
 * `raw` parsed, when it is an https URL, or http on loopback only; a ConfigError naming `name`
 * otherwise. Never with a user name or password in it: the workbench prints its URLs (and a
 * password with them), and sends no credentials from a URL (fetch refuses them, undici drops them).
 */
function allowedUrl(name: string, raw: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Unparsed, a password in it cannot be told apart: shown as redactDatabaseUrl shows it, from the last @ on.
    return invalidSetting(name, redactDatabaseUrl(raw), 'an absolute http(s) URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Shown as written, unless it holds a password: then as redactDatabaseUrl shows any URL, the password as ****.
    const shown = parsed.password === '' ? raw : redactDatabaseUrl(raw);
    return invalidSetting(name, shown, 'a URL without a user name or password: the workbench prints it, and sends no credentials from it');
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackUrl(raw))) return parsed;
  return invalidSetting(name, redactUrlSecrets(raw), 'an https URL (plain http is allowed only on 127.0.0.1 or localhost)');
}

/**
 * The user's app to forward deliveries to (LISTEN_FORWARD_TO, or step 3's `--forward-to`, named by
 * `name`): a URL as the other URLs are (http on loopback only), and never the listener itself at
 * `listen`, which would forward every delivery back to itself for ever.
 */
export function forwardTarget(name: string, raw: string | undefined, listen: { readonly host: string; readonly port: number }): string | undefined {
  if (raw === undefined) return undefined;
  // The URL requested, path and query as written: unlike a base URL, its trailing slash is part of
  // the app's route (Django's `webhooks/`). No fragment: it is never sent.
  const parsed = allowedUrl(name, raw);
  // No app listens on port 0 (it means "any free port" to a server): every try would be refused.
  if (parsed.port === '0') return invalidSetting(name, redactUrlSecrets(raw), 'the port your app listens on, from 1 to 65535');
  parsed.hash = '';
  const url = parsed.href;
  if (pointsAt(url, listen.host, listen.port)) {
    throw new ConfigError(
      CONFIG_INVALID,
      `${name}=${JSON.stringify(redactUrlSecrets(raw))} is the listener itself (LISTEN_HOST=${listen.host}, LISTEN_PORT=${listen.port}): every delivery would be forwarded back to it, a loop.`,
      { hint: `Point ${name} at your own app (e.g. http://127.0.0.1:8000/webhooks), or run the listener on another LISTEN_PORT.`, variable: name },
    );
  }
  return url;
}

/**
 * True when `url` reaches a server bound to `host`:`port` on this machine: the same port, and the
 * same host, or a loopback host where the server binds to loopback or to every address.
 */
export function pointsAt(url: string, host: string, port: number): boolean {
  const target = new URL(url);
  const targetPort = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : Number(target.port);
  if (port === 0 || targetPort !== port) return false;
  const targetHost = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const everyAddress = host === '' || host === '0.0.0.0' || host === '::';
  return targetHost === host || (isLoopbackHost(targetHost) && (everyAddress || isLoopbackHost(host)));
}

/**
 * Every variable loadConfig() reads, against the sandbox and live: found by watching it read, so the
 * list cannot fall behind the code (`npm run doctor` names the likely one for a misspelt name).
 */
export function configVariableNames(): readonly string[] {
  const names = new Set<string>();
  const watched = (env: Record<string, string>): Env =>
    new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') names.add(name);
        return typeof name === 'string' ? target[name] : undefined;
      },
    });
  loadConfig({ env: watched({}) });
  loadConfig({ env: watched({ BRACKEN_CLIENT_ID: 'x', BRACKEN_CLIENT_SECRET: 'x', BRACKEN_DOMAINKEY: '1' }) });
  return [...names].sort();
}

/**
 * The process's own environment, without loading `.env` into it: `npm run doctor` reads `.env`
 * itself, to say whether it can be read, and passes both to loadConfig().
 */
export function processEnvironment(): Env {
  return process.env;
}

function loadProcessEnv(envFile: string): Env {
  // As process.loadEnvFile does, never overriding a variable already set; readEnvFile also drops a BOM.
  for (const [name, value] of Object.entries(readEnvFile(envFile) ?? {})) {
    if (process.env[name] === undefined) process.env[name] = value;
  }
  return process.env;
}

function reader(env: Env) {
  const optional = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const invalid = invalidSetting;
  const integerFrom = (name: string, raw: string, min: number, max: number, unit = ''): number => {
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : invalid(name, raw, `a whole number from ${min} to ${max}${unit === '' ? '' : ` (${unit})`}`);
  };
  const url = (name: string, fallback: string): string => checkedUrl(name, optional(name) ?? fallback);

  return {
    optional,
    required(name: string): string {
      const value = optional(name);
      if (value === undefined) {
        throw new ConfigError(CONFIG_MISSING, `${name} is not set; it is required when BRACKEN_CLIENT_ID is set.`, { hint: HINT, variable: name });
      }
      return value;
    },
    string: (name: string, fallback: string): string => optional(name) ?? fallback,
    /** A folder, relative to the project root, that exists or can be made: never a path through a file. */
    folder(name: string, fallback: string): string {
      const raw = optional(name) ?? fallback;
      const path = resolve(PROJECT_ROOT, raw);
      const file = fileInTheWay(path);
      if (file === undefined) return path;
      throw new ConfigError(CONFIG_INVALID, `${name}=${JSON.stringify(raw)} is not valid: expected a folder, but ${file} is a file.`, {
        hint: `Point ${name} at a folder (it is made when missing), or move the file away.`,
        variable: name,
      });
    },
    integer(name: RangedSetting, fallback: number | undefined, unit = ''): number {
      const raw = optional(name);
      if (raw !== undefined) return integerFrom(name, raw, SETTING_RANGES[name].min, SETTING_RANGES[name].max, unit);
      if (fallback !== undefined) return fallback;
      throw new ConfigError(CONFIG_MISSING, `${name} is not set; it is required when BRACKEN_CLIENT_ID is set.`, { hint: HINT, variable: name });
    },
    port: (name: string, fallback: number): number => {
      const raw = optional(name);
      return raw === undefined ? fallback : integerFrom(name, raw, 0, 65535);
    },
    bytes(name: RangedSetting, fallback: number): number {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      const { min, max } = SETTING_RANGES[name];
      const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
      const units: Record<string, number> = { b: 1, kb: KIB, mb: MIB };
      const n = match ? Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1) : 0;
      return n >= min && n <= max && Number.isSafeInteger(n)
        ? n
        : invalid(name, raw, `a size from ${formatSize(min)} to ${formatSize(max)}, such as 1048576, 512kb or 1mb`);
    },
    /** Milliseconds from `500ms`, `45s`, `30m`, `12h`, `3d`, or a bare number of milliseconds. */
    duration(name: RangedSetting, fallback: number): number {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      const { min, max } = SETTING_RANGES[name];
      const match = /^(\d+)\s*(ms|s|m|h|d)?$/i.exec(raw);
      const n = match ? Number(match[1]) * (DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()] ?? 1) : 0;
      return n >= min && n <= max && Number.isSafeInteger(n)
        ? n
        : invalid(name, raw, `a duration from ${formatDuration(min)} to ${formatDuration(max)}, such as 3d, 12h, 30m, 45s or 500ms`);
    },
    list: (name: string): string[] =>
      (optional(name) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    integerList(name: RangedSetting, fallback: number[], unit = ''): number[] {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      const items = raw.split(',').map((s) => s.trim());
      return items.map((item) => integerFrom(name, item, SETTING_RANGES[name].min, SETTING_RANGES[name].max, unit));
    },
    url,
    boolean(name: string, fallback: boolean): boolean {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      return invalid(name, raw, 'true or false');
    },
    databaseUrl(name: string): string | undefined {
      const raw = optional(name);
      if (raw === undefined || isDatabaseUrl(raw)) return raw;
      // Never echo a password: the message shows the value with it hidden.
      const shown = redactDatabaseUrl(raw);
      // postgres:// that does not parse: most often a password with # / ? @ in it, written as is.
      if (/^postgres(ql)?:\/\//i.test(raw)) return invalid(name, shown, UNPARSED_DATABASE_URL);
      return invalid(name, shown, 'a postgres:// URL, such as postgres://user:password@127.0.0.1:5432/webhooks');
    },
    /**
     * Where the sandbox listens, which is also where the steps reach it over plain http: so this
     * machine only, or every interface (0.0.0.0, ::), which the steps reach at loopback. Checked here
     * so the error names SANDBOX_HOST, not the BRACKEN_IDENTITY_URL made from it.
     */
    sandboxHost(name: string, fallback: string): string {
      const host = optional(name) ?? fallback;
      if (isLoopbackHost(host) || host === '0.0.0.0' || host === '::') return host;
      return invalid(
        name,
        host,
        'a loopback address (127.0.0.1, localhost, ::1), or 0.0.0.0 or :: for every interface: the steps reach the sandbox over plain http, which only this machine may carry',
      );
    },
    optionalUrl: (name: string): string | undefined => (optional(name) === undefined ? undefined : url(name, '')),
    route(name: string, fallback: string): UserDeleteRoute {
      const raw = optional(name) ?? fallback;
      const match = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/\S*)$/i.exec(raw);
      if (!match?.[1] || !match[2]) return invalid(name, raw, 'a method and a path, e.g. "DELETE /api/user/{userkey}"');
      // Checked here, once, so the sandbox and step 6 both get a route they can fill in.
      const template = parseRouteTemplate(match[2]);
      if (template.unknown !== undefined || !template.namesUser) {
        return invalid(name, raw, 'placeholders among {domainkey}, {userkey}, {username}, naming the user with {userkey} or {username}');
      }
      return Object.freeze({ method: match[1].toUpperCase(), path: match[2] });
    },
    /** A comma-separated list of Bracken event names in any letter case, lower-cased and without repeats. */
    events(name: string, fallback: readonly string[]): string[] {
      const raw = optional(name);
      if (raw === undefined) return [...fallback];
      const items = raw.split(',').map((s) => s.trim());
      const unknown = items.find((item) => canonicalEventName(item) === undefined);
      if (unknown !== undefined) {
        const known = EVENT_NAMES.map((event) => event.toLowerCase()).join(', ');
        return invalid(name, raw, `a comma-separated list of Bracken events (${known}), any letter case; ${JSON.stringify(unknown)} is not one`);
      }
      return [...new Set(items.map((item) => item.toLowerCase()))];
    },
    recordingName(name: string): string | undefined {
      const raw = optional(name);
      return raw === undefined || isRecordingName(raw) ? raw : invalid(name, raw, `a recording name: ${RECORDING_NAME_RULE}`);
    },
    noSurroundingSpace(name: string, value: string): void {
      // optional() trims, so compare against the raw variable to catch "secret " typed into .env
      const rawValue = env[name] ?? '';
      if (rawValue !== value && rawValue.trim() === value) {
        // The value is a secret: shown shortened, with the spaces made visible by the quotes around it.
        const shown = `${/^\s/.test(rawValue) ? ' ' : ''}${redact(value)}${/\s$/.test(rawValue) ? ' ' : ''}`;
        invalid(name, shown, 'no spaces or newlines around the secret (the sender signs with the exact string)');
      }
    },
  };
}

/** The units a duration may be written in, in milliseconds. */
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: 60 * SECOND, h: 3600 * SECOND, d: DAY };

/** 259200000 → '3d', 90000 → '90s': how a duration is written in .env (the largest unit that divides it). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** 65536 → '64kb', 1048576 → '1mb': how a size limit is written in .env. */
function formatSize(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB}mb`;
  if (bytes >= KIB && bytes % KIB === 0) return `${bytes / KIB}kb`;
  return `${bytes}`;
}
