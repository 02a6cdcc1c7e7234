/** The signature schemes the listener and `npm run verify` know, by name. */
import { bracken } from './bracken.ts';
import type { Scheme } from './types.ts';

export const SCHEMES: Readonly<Record<string, Scheme>> = Object.freeze({ bracken });

/** The scheme called `name`, or undefined. */
export function findScheme(name: string): Scheme | undefined {
  return Object.hasOwn(SCHEMES, name) ? SCHEMES[name] : undefined;
}
