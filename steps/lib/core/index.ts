/**
 * core: the public face of this folder. Other folders import from here only.
 */
export { DEFAULT_USER_DELETE_ROUTE, PROJECT_ROOT, WEBHOOK_EVENT, WEBHOOK_PATH, loadConfig } from './config.ts';
export type { Config, Env } from './config.ts';
export { formatDuration, forwardTarget, pointsAt } from './config.ts';
export { ENV_FILE, RECORDING_NAME_RULE, isRecordingName, processEnvironment } from './config.ts';
export { configVariableNames } from './config.ts';
export {
  API_BAD_REQUEST,
  API_BAD_RESPONSE,
  API_CLIENT_ERROR,
  API_CONFLICT,
  API_FORBIDDEN,
  API_NOT_FOUND,
  API_SERVER_ERROR,
  API_TIMEOUT,
  API_UNAUTHORIZED,
  API_UNREACHABLE,
  ApiError,
  CONFIG_INVALID,
  CONFIG_MISSING,
  ConfigError,
  INSPECTOR_FAILED,
  InspectorError,
  LISTEN_FAILED,
  LISTEN_PORT_IN_USE,
  ListenerError,
  STATE_CORRUPT,
  STATE_LOCKED,
  STATE_WRITE_FAILED,
  STEP_PRECONDITION,
  STEP_VERIFY_FAILED,
  STORE_AUTH_FAILED,
  STORE_DATABASE_MISSING,
  STORE_FAILED,
  STORE_UNREACHABLE,
  RECORD_UNAVAILABLE,
  RECORDING_CORRUPT,
  RECORDING_NOT_FOUND,
  RecordingError,
  StateError,
  StoreError,
  StepError,
  TOKEN_INVALID_CLIENT,
  TOKEN_REJECTED,
  TOKEN_UNREACHABLE,
  TUNNEL_FAILED,
  TUNNEL_TIMEOUT,
  TokenError,
  TunnelError,
  WorkbenchError,
  invalidArgument,
} from './errors.ts';
export type { ApiErrorCode, ConfigErrorOptions, StoreErrorCode } from './errors.ts';
export { EVENT_NAMES, canonicalEventName } from './event-names.ts';
export type { EventName } from './event-names.ts';
export { generatePassword, generateSecret, generateUsername } from './generate.ts';
export { ANSWER_BODY_BYTES, describeNetworkError, headerPairs, readAnswerStart, readBodyStart } from './http-answer.ts';
export { bindServer, isLoopbackHost, isLoopbackUrl, processIsRunning, urlHost } from './net.ts';
export { sayIfInterrupted, signalExitCode, underWayLines } from './interrupt.ts';
export { keepRunningWhenOutputCloses } from './closed-output.ts';
export { claimPidLock } from './pid-lock.ts';
export { describeValue } from './describe-value.ts';
export { isObject } from './is-object.ts';
export { parseEnvText, readEnvFile, readEnvFileWithLines } from './env-file.ts';
export { type EnvAssignment, envAssignments, repeatedAssignments } from './env-lines.ts';
export { NotARegularFile, readRegularFile } from './file-kind.ts';
export type { PidLockRefusals } from './pid-lock.ts';
export { printable, scrubText } from './printable.ts';
export { quoteShort } from './quote-short.ts';
export { shellWord } from './shell-word.ts';
export { redact, redactUrlSecrets } from './redact.ts';
export { KNOWN_EXAMPLE_SECRETS, MIN_SECRET_LENGTH, weakSecretReason, weakSecretWarning } from './weak-secret.ts';
export { LOCAL_PAGE_CSP, SECURITY_HEADERS, allowedHosts, checkHost, checkLoopbackPeer, checkSameOrigin } from './local-guard.ts';
export type { Refusal, SameOriginRule } from './local-guard.ts';
export { EVENT_STREAM_MAX_BUFFERED_BYTES, createEventStreams } from './event-stream.ts';
export { PAGE_BASE_CSS, PAGE_CLOCK_FUNCTION, PAGE_ELEMENT_FUNCTION } from './page-snippets.ts';
export type { EventStreams, EventStreamOptions } from './event-stream.ts';
export { databaseTarget, hidePassword, parseDatabaseUrl, redactDatabaseUrl } from './database-url.ts';
export { USER_ROUTE_PLACEHOLDERS, parseRouteTemplate } from './user-route.ts';
export type { UserDeleteRoute, UserRoutePlaceholder } from './user-route.ts';
export { describeTarget, formatError, isMain, runService, runStep } from './run-step.ts';
export { readCommandLine, repeatedOption, usageErrorText } from './command-line.ts';
export type { CommandLineSpec, CommandLineValues } from './command-line.ts';
export { Fifo } from './fifo.ts';
export { resolveStepDeps } from './step-deps.ts';
export type { StepDeps } from './step-deps.ts';
export { STATE_FILES, belongsToConfigured, notAFolder, openState, syncDir, writeFailed, writeFileAtomic } from './state.ts';
export type { LegacyWebhookState, ListenerState, State, TokenState, UserState, WebhookState, WebhookSubscription } from './state.ts';
