/**
 * bracken: the public face of this folder. Other folders import from here only.
 */
export { createBrackenApi, doneOrGone } from './api.ts';
export { TOKEN_PATH, userCreatePath, userDeletePath, webhookMergePath } from './routes.ts';
export { EXPIRY_MARGIN_MS, getAccessToken, tokenEndpoint } from './token.ts';
export type { AccessToken } from './token.ts';
export { userkeyFrom } from './user-answer.ts';
export { resolveWebhookSecret, resolveWebhookTarget, subscribedElsewhereNote } from './webhook-target.ts';
