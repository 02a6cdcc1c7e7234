/**
 * The listener's diagnosis budget (diagnose/budget.ts): a failed signature is diagnosed up to 1 MiB
 * of bodies a second, so a sender with wrong signatures cannot make the listener spend a core on
 * diagnoses (about 80 ms for 1 MiB of JSON each). The clock is the budget's own parameter: the
 * tests move it, nothing waits.
 */
import { describe, expect, it } from 'vitest';
import { BYTES_PER_SECOND, diagnosisBudget } from '../../steps/lib/diagnose/budget.ts';
import { createMismatchExplainer } from '../../steps/lib/diagnose/diagnose.ts';
import { findScheme } from '../../steps/lib/signature/registry.ts';
import type { HeaderScheme, VerifyInput } from '../../steps/lib/signature/types.ts';

const bracken = findScheme('bracken') as HeaderScheme;
const SECRET = 's3cr3t-for-the-budget';
const SKIPPED = '(Not diagnosed: the listener diagnoses failed signatures up to 1 MiB of bodies a second, and this second’s share is spent.)';

/** A JSON body of about `bytes`, signed compact and checked with a newline added: diagnosed as trailing_newline_added. */
function newlineAdded(bytes: number): VerifyInput {
  const body = JSON.stringify({ eventname: 'User_Create', pad: 'x'.repeat(Math.max(0, bytes - 40)) });
  return { body: Buffer.from(`${body}\n`), headers: bracken.sign({ body: Buffer.from(body), secret: SECRET }), secrets: [SECRET] };
}

function explainerAt(clock: { ms: number }) {
  return createMismatchExplainer(bracken, { budget: diagnosisBudget(() => clock.ms) });
}

describe('the listener’s diagnosis budget', () => {
  it('diagnoses up to 1 MiB of bodies at once, says the rest was not diagnosed, and refills with time', () => {
    const clock = { ms: 0 };
    const explain = explainerAt(clock);
    const half = newlineAdded(BYTES_PER_SECOND / 2 - 100);
    expect(explain(half)).toMatch(/\[trailing_newline_added\]$/);
    expect(explain(half)).toMatch(/\[trailing_newline_added\]$/);
    expect(explain(half)).toBe(SKIPPED);
    clock.ms += 500; // half a second: half the budget back
    expect(explain(half)).toMatch(/\[trailing_newline_added\]$/);
    expect(explain(half)).toBe(SKIPPED);
  });

  it('small bodies count as 4 KiB each: 256 a second are diagnosed', () => {
    const clock = { ms: 0 };
    const explain = explainerAt(clock);
    const small = newlineAdded(300);
    const lines = Array.from({ length: 300 }, () => explain(small));
    expect(lines.filter((line) => line === SKIPPED)).toHaveLength(300 - 256);
    expect(lines.slice(0, 256).every((line) => line?.endsWith('[trailing_newline_added]'))).toBe(true);
  });

  it('what has nothing to diagnose spends nothing: unsigned requests, and signatures that verify', () => {
    const clock = { ms: 0 };
    const explain = explainerAt(clock);
    const unsigned: VerifyInput = { body: Buffer.alloc(BYTES_PER_SECOND - 1000, 'a'), headers: {}, secrets: [SECRET] };
    for (let i = 0; i < 50; i += 1) expect(explain(unsigned)).toBeUndefined();
    expect(explain(newlineAdded(BYTES_PER_SECOND - 1000))).toMatch(/\[trailing_newline_added\]$/);
  });

  it('a wrong scheme word (header probes only) costs 4 KiB whatever the body, not the body', () => {
    const clock = { ms: 0 };
    const explain = explainerAt(clock);
    const bearer: VerifyInput = { body: Buffer.alloc(BYTES_PER_SECOND - 1000, 'a'), headers: { authorization: 'Bearer x' }, secrets: [SECRET] };
    for (let i = 0; i < 100; i += 1) expect(explain(bearer)).not.toBe(SKIPPED); // 400 KiB of the 1 MiB
    expect(explain(newlineAdded(BYTES_PER_SECOND / 2))).toMatch(/\[trailing_newline_added\]$/);
  });
});
