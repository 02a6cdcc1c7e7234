/**
 * Issue 12: a weak WEBHOOK_SECRET gets a warning naming why, and the warning never repeats the
 * secret or its length. The known examples are the ones the guides print.
 */
import { describe, expect, test } from 'vitest';
import { generateSecret } from '../../steps/lib/core/generate.ts';
import { KNOWN_EXAMPLE_SECRETS, MIN_SECRET_LENGTH, weakSecretReason, weakSecretWarning } from '../../steps/lib/core/weak-secret.ts';

describe('weakSecretReason(secret)', () => {
  test.each([
    ['12345', "it is the example secret of Bracken's webhook tutorial, and it is shorter than 24 characters"],
    ['secr3t', "it is the example secret of Guuru's webhook examples, and it is shorter than 24 characters"],
    ['SECR3T', "it is the example secret of Guuru's webhook examples, and it is shorter than 24 characters"],
    ['passw0rd', "it is the example secret of TradeLens's webhook guide (as a secret not to use), and it is shorter than 24 characters"],
    ['sharedsecret1', "it is the example secret of TradeLens's webhook guide (as a secret not to use), and it is shorter than 24 characters"],
    ['sharedSecretValue', "it is the example secret of TradeLens's webhook guide (its Java sample), and it is shorter than 24 characters"],
    ["It's a Secret to Everybody", "it is the example secret of GitHub's webhook documentation"],
    ['a-random-but-short-one', 'it is shorter than 24 characters'],
  ])('%j is weak: %s', (secret, reason) => {
    expect(weakSecretReason(secret)).toBe(reason);
  });

  test('a generated secret, or any 24 characters that are not an example, is not weak', () => {
    expect(weakSecretReason(generateSecret())).toBeUndefined();
    expect(weakSecretReason('x'.repeat(MIN_SECRET_LENGTH))).toBeUndefined();
    expect(weakSecretReason('x'.repeat(MIN_SECRET_LENGTH - 1))).toBe('it is shorter than 24 characters');
  });

  test("every example secret the guides print (Bracken's, Guuru's, TradeLens's) is known", () => {
    for (const seed of ['12345', 'secr3t', 'passw0rd', 'sharedsecret1', 'sharedSecretValue']) {
      expect(KNOWN_EXAMPLE_SECRETS.has(seed.toLowerCase()), seed).toBe(true);
    }
  });
});

describe('weakSecretWarning(secret, source)', () => {
  test('names the source and why, says what to do, and repeats neither the secret nor its length', () => {
    const warning = weakSecretWarning('secr3t', 'WEBHOOK_SECRET') ?? '';
    expect(warning).toBe(
      "Warning: the webhook secret from WEBHOOK_SECRET is weak: it is the example secret of Guuru's webhook examples, and it is shorter than 24 characters. " +
        'Anyone who can guess it can sign deliveries your receiver will trust. ' +
        'Leave WEBHOOK_SECRET empty and step 2 generates a strong one (32 random bytes), or set a long random one.',
    );
    expect(warning).not.toContain('secr3t');
    expect(warning).not.toMatch(/\b6\b/);
  });

  test('is undefined for a strong secret', () => {
    expect(weakSecretWarning(generateSecret(), 'WEBHOOK_SECRET')).toBeUndefined();
  });
});
