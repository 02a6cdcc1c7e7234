/**
 * Request bodies of the sandbox's learning routes (learning-routes.ts), checked the way validate.ts
 * checks the API's: each failure is a 400 that names every bad field at once. The routes and their
 * rules are the sandbox's own; Bracken has nothing like them.
 */
import { validationProblem, type FieldErrors } from './problem.ts';

/** Who the event is about: `{ "userkey": 1001 }` or `{ "username": "Test-User-ab12" }`. */
export type Learner = { readonly userkey: number } | { readonly username: string };

export interface NewModuleInput {
  readonly title: string | undefined;
  /** Months a certificate lasts; null: never expires. */
  readonly lifetimeMonths: number | null;
}

export interface NewCourseInput extends NewModuleInput {
  readonly modulekeys: readonly number[];
}

export interface CompletionInput {
  readonly learner: Learner;
  readonly passed: boolean;
  readonly mark: number;
}

export type ClockInput = { readonly to: 'expiring' | 'expired' } | { readonly days: number };

/** A certificate lasts a year unless the module or course says otherwise. */
const DEFAULT_LIFETIME_MONTHS = 12;
const MAX_LIFETIME_MONTHS = 1200;
const MAX_DAYS = 36_500;
const MAX_TITLE = 256;

/** `{ title?, lifetimeMonths? }` for a new module. */
export function newModuleInput(body: Record<string, unknown>): NewModuleInput {
  const errors: FieldErrors = {};
  const input = moduleFields(body, errors);
  throwIfAny(errors);
  return input;
}

/** `{ modulekeys, title?, lifetimeMonths? }` for a new course. */
export function newCourseInput(body: Record<string, unknown>): NewCourseInput {
  const errors: FieldErrors = {};
  const fields = moduleFields(body, errors);
  const { modulekeys } = body;
  const valid = Array.isArray(modulekeys) && modulekeys.length > 0 && modulekeys.every((key) => Number.isSafeInteger(key) && (key as number) > 0);
  if (!valid) add(errors, 'modulekeys', 'The modulekeys field is required: a non-empty list of modulekeys (POST /sandbox/modules creates modules).');
  throwIfAny(errors);
  return { ...fields, modulekeys: [...new Set(modulekeys as number[])] };
}

/** `{ userkey | username }` for starting a module or completing a course. */
export function learnerInput(body: Record<string, unknown>): Learner {
  const errors: FieldErrors = {};
  const learner = learnerField(body, errors);
  throwIfAny(errors);
  return learner as Learner;
}

/** `{ userkey | username, passed?, mark? }`: passed defaults to true, mark to 100 for a pass and 0 otherwise. */
export function completionInput(body: Record<string, unknown>): CompletionInput {
  const errors: FieldErrors = {};
  const learner = learnerField(body, errors);
  const { passed = true, mark } = body;
  if (typeof passed !== 'boolean') add(errors, 'passed', 'The passed field must be true or false.');
  if (mark !== undefined && !(typeof mark === 'number' && mark >= 0 && mark <= 100)) add(errors, 'mark', 'The mark field must be a number from 0 to 100.');
  throwIfAny(errors);
  return { learner: learner as Learner, passed: passed as boolean, mark: typeof mark === 'number' ? mark : passed === true ? 100 : 0 };
}

/** `{ to: "expiring" | "expired" }` or `{ days: N }`: how far to move a certificate's clock. */
export function clockInput(body: Record<string, unknown>): ClockInput {
  const { to, days } = body;
  if (to === 'expiring' || to === 'expired') {
    if (days === undefined) return { to };
  } else if (to === undefined && Number.isSafeInteger(days) && (days as number) >= 1 && (days as number) <= MAX_DAYS) {
    return { days: days as number };
  }
  throw validationProblem({
    $: [`Send either {"to": "expiring"} (the moment of the Expiring notice), {"to": "expired"}, or {"days": N} with N from 1 to ${MAX_DAYS}.`],
  });
}

function moduleFields(body: Record<string, unknown>, errors: FieldErrors): NewModuleInput {
  const { title, lifetimeMonths = DEFAULT_LIFETIME_MONTHS } = body;
  if (title !== undefined && !(typeof title === 'string' && title.trim() !== '' && title.length <= MAX_TITLE)) {
    add(errors, 'title', `The title field must be a non-empty string of at most ${MAX_TITLE} characters.`);
  }
  const lifetimeOk =
    lifetimeMonths === null || (Number.isSafeInteger(lifetimeMonths) && (lifetimeMonths as number) >= 1 && (lifetimeMonths as number) <= MAX_LIFETIME_MONTHS);
  if (!lifetimeOk)
    add(errors, 'lifetimeMonths', `The lifetimeMonths field must be a whole number of months from 1 to ${MAX_LIFETIME_MONTHS}, or null (never expires).`);
  return { title: typeof title === 'string' ? title : undefined, lifetimeMonths: lifetimeOk ? (lifetimeMonths as number | null) : null };
}

function learnerField(body: Record<string, unknown>, errors: FieldErrors): Learner | undefined {
  const { userkey, username } = body;
  if (Number.isSafeInteger(userkey) && username === undefined) return { userkey: userkey as number };
  if (typeof username === 'string' && username !== '' && userkey === undefined) return { username };
  add(errors, 'userkey', 'Name the user with either userkey (a whole number) or username (a string), not both.');
  return undefined;
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw validationProblem(errors);
}

function add(errors: FieldErrors, field: string, message: string): void {
  errors[field] = [...(errors[field] ?? []), message];
}
