/**
 * Whether a webhook secret someone chose is weak, and why. Anyone who knows the secret can sign a
 * delivery your receiver will trust, so a secret must be long and not one that is printed in a
 * guide. The guides this workbench follows each print one (Bracken's tutorial `12345`, Guuru's
 * `secr3t`), and TradeLens's names the predictable ones to avoid.
 *
 * The reason never repeats the secret or its length: a warning is printed, and printing either
 * would tell a reader of the terminal most of what they need.
 *
 * @example
 * weakSecretReason('12345')            // "it is the example secret of Bracken's webhook tutorial, and it is shorter than 24 characters"
 * weakSecretReason(generateSecret())  // undefined
 */

/** Shorter than this is weak: 24 characters of a random base64 alphabet carry 144 bits. */
export const MIN_SECRET_LENGTH = 24;

/** Secrets printed in the guides and examples (compared ignoring letter case), and where each is printed. */
export const KNOWN_EXAMPLE_SECRETS: ReadonlyMap<string, string> = new Map([
  ['12345', "Bracken's webhook tutorial"],
  ['secr3t', "Guuru's webhook examples"],
  ['passw0rd', "TradeLens's webhook guide (as a secret not to use)"],
  ['sharedsecret1', "TradeLens's webhook guide (as a secret not to use)"],
  ['sharedsecretvalue', "TradeLens's webhook guide (its Java sample)"],
  ["it's a secret to everybody", "GitHub's webhook documentation"],
  ['whsec_mfkq9r8gkyqrtwjupd8ilpzio2lalasw', "Standard Webhooks' test suite"],
  ['my_secret_key_for_testing', "Vonage's SDK tests"],
  ['my-secret', "this workbench's README (npm run verify example)"],
]);

/** Why `secret` is weak (one sentence, without the secret), or undefined when it is not. */
export function weakSecretReason(secret: string): string | undefined {
  const reasons: string[] = [];
  const known = KNOWN_EXAMPLE_SECRETS.get(secret.trim().toLowerCase());
  if (known !== undefined) reasons.push(`it is the example secret of ${known}`);
  if (secret.length < MIN_SECRET_LENGTH) reasons.push(`it is shorter than ${MIN_SECRET_LENGTH} characters`);
  return reasons.length === 0 ? undefined : reasons.join(', and ');
}

/** The warning a step prints for a weak secret from `source` (e.g. `WEBHOOK_SECRET`), or undefined. */
export function weakSecretWarning(secret: string, source: string): string | undefined {
  const reason = weakSecretReason(secret);
  if (reason === undefined) return undefined;
  return (
    `Warning: the webhook secret from ${source} is weak: ${reason}. Anyone who can guess it can sign deliveries your receiver will trust. ` +
    'Leave WEBHOOK_SECRET empty and step 2 generates a strong one (32 random bytes), or set a long random one.'
  );
}
