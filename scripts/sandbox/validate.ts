/**
 * Request-body and path checks for the API routes. Each failure is an ASP.NET-style 400
 * (`errors: { field: [message] }`) that names every bad field at once, so one round trip tells
 * the caller all that is wrong. The rules are the sandbox's: Bracken documents none of them.
 */
import type { Request } from 'express';
import { ProblemError, validationProblem, type FieldErrors } from './problem.ts';

export interface SubscriptionInput {
  readonly target: string;
  readonly secret: string;
  readonly active: boolean;
}

export interface NewUserInput {
  readonly username: string;
  readonly password: string;
  readonly firstname: string | null;
  readonly lastname: string | null;
  readonly email: string | null;
}

/** Shortest password the sandbox accepts (the workbench generates long random ones). */
const MIN_PASSWORD_LENGTH = 8;
const MAX_TEXT_LENGTH = 256;

/** The JSON object in the request body; 415 for another content type, 400 for bad JSON. */
export function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is('application/json') && !req.is('+json')) {
    throw new ProblemError(415, 'Unsupported Media Type', {
      detail: `Send the body as JSON with Content-Type: application/json (got ${JSON.stringify(req.get('content-type') ?? '(none)')}).`,
    });
  }
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw validationProblem({ $: [`The body is not valid JSON: ${(error as Error).message}`] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationProblem({ $: ['The body must be a JSON object.'] });
  }
  return value as Record<string, unknown>;
}

/** `{ target, secret, active }` for a webhook merge. */
export function subscriptionInput(body: Record<string, unknown>): SubscriptionInput {
  const errors: FieldErrors = {};
  const { target, secret, active } = body;
  if (typeof target !== 'string' || target === '') {
    add(errors, 'target', 'The target field is required: the absolute http(s) URL to POST events to.');
  } else if (!isHttpUrl(target)) {
    add(errors, 'target', `The target ${JSON.stringify(target)} is not an absolute http or https URL.`);
  } else if (hasUserInfo(target)) {
    // Not echoed: it holds a password. A delivery's Authorization header carries its signature, so there is no room for these.
    add(
      errors,
      'target',
      'The target must not hold a user name or password: a delivery carries its signature in the Authorization header and no other credentials, so they would never be sent. A delivery is authenticated by its signature.',
    );
  }
  if (typeof secret !== 'string' || secret === '') add(errors, 'secret', 'The secret field is required: a non-empty string the deliveries are signed with.');
  if (typeof active !== 'boolean') add(errors, 'active', 'The active field is required: true or false.');
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return { target: target as string, secret: secret as string, active: active as boolean };
}

/** `{ username, password, firstname?, lastname?, email? }` for a new user. */
export function newUserInput(body: Record<string, unknown>): NewUserInput {
  const errors: FieldErrors = {};
  const { username, password } = body;
  if (typeof username !== 'string' || username === '') {
    add(errors, 'username', 'The username field is required.');
  } else if (username !== username.trim() || /\p{Cc}/u.test(username) || username.length > MAX_TEXT_LENGTH) {
    add(errors, 'username', `The username must have no surrounding spaces or control characters and at most ${MAX_TEXT_LENGTH} characters.`);
  }
  if (typeof password !== 'string' || password === '') add(errors, 'password', 'The password field is required.');
  else if (password.length < MIN_PASSWORD_LENGTH) add(errors, 'password', `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  const optional = (field: 'firstname' | 'lastname' | 'email'): string | null => {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string' && value.length <= MAX_TEXT_LENGTH) return value;
    add(errors, field, `The ${field} field must be a string of at most ${MAX_TEXT_LENGTH} characters.`);
    return null;
  };
  const firstname = optional('firstname');
  const lastname = optional('lastname');
  const email = optional('email');
  if (email !== null && email !== '' && !/^[^@\s]+@[^@\s]+$/.test(email)) add(errors, 'email', `The email ${JSON.stringify(email)} is not an email address.`);
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
  return { username: username as string, password: password as string, firstname, lastname, email };
}

/** A whole-number path segment (`domainkey`, `userkey`), else 400 naming it. */
export function pathKey(name: string, value: string | undefined): number {
  const n = value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw validationProblem({ [name]: [`The value ${JSON.stringify(value ?? '')} is not a valid ${name} (a whole number).`] });
  return n;
}

/** True for a URL with `user@` or `user:password@` before its host. */
function hasUserInfo(value: string): boolean {
  const url = new URL(value);
  return url.username !== '' || url.password !== '';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function add(errors: FieldErrors, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}
