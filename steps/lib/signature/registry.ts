/** The signature schemes the listener and `npm run verify` know, by name. */
import { bracken } from './bracken.ts';
import { github } from './github.ts';
import { guuru } from './guuru.ts';
import { standardWebhooks } from './standard-webhooks.ts';
import { tradelens } from './tradelens.ts';
import { typeform } from './typeform.ts';
import { vonage, vonageScheme } from './vonage/vonage.ts';
import { CONFIG_INVALID, ConfigError } from '../core/index.ts';
import type { Scheme } from './types.ts';

export const SCHEMES: Readonly<Record<string, Scheme>> = Object.freeze(
  Object.fromEntries(
    [
      bracken,
      typeform,
      tradelens,
      guuru,
      github,
      standardWebhooks,
      vonage,
      vonageScheme('md5hash'),
      vonageScheme('md5'),
      vonageScheme('sha1'),
      vonageScheme('sha256'),
      vonageScheme('sha512'),
    ].map((scheme) => [scheme.name, scheme]),
  ),
);

/** The scheme called `name`, or undefined. */
export function findScheme(name: string): Scheme | undefined {
  return Object.hasOwn(SCHEMES, name) ? SCHEMES[name] : undefined;
}

/** Every scheme name, in registry order (for usage text and error messages). */
export function schemeNames(): string[] {
  return Object.keys(SCHEMES);
}

/** The scheme LISTEN_SCHEME names (steps 3 and 5); a ConfigError listing the known ones otherwise. */
export function listenScheme(name: string): Scheme {
  const scheme = findScheme(name);
  if (scheme !== undefined) return scheme;
  throw new ConfigError(CONFIG_INVALID, `LISTEN_SCHEME=${JSON.stringify(name)} is not a signature scheme the listener knows.`, {
    hint: `Set LISTEN_SCHEME to one of: ${schemeNames().join(', ')} (bracken is what Bracken sends).`,
  });
}
