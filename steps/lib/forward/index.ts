/**
 * forward: the public face of this folder. Other folders import from here only.
 */
export { describeAttempt } from './forward.ts';
export { configuredForwarding, forwardingHandler, forwardTimeoutMs } from './handler.ts';
export type { ForwardingOptions } from './handler.ts';
export { forwardedHeaderNames, forwardedHeaders } from './headers.ts';
export type { ForwardedScheme } from './headers.ts';
export { forwardToOption } from './option.ts';
export { refuseOwnPublicUrl } from './public-url.ts';
export { describeForwards } from './summary.ts';
export { workersForwardHint } from './worker-hint.ts';
