/**
 * quoteShort: a sender's value in a message (the listener's log, the inspector's list of key fields,
 * step 5): short, and unable to reorder or recolour what is printed after it.
 */
import { describe, expect, it } from 'vitest';
import { quoteShort } from '../../steps/lib/core/quote-short.ts';

describe('quoteShort', () => {
  it('cuts a long value and quotes it as JSON', () => {
    expect(quoteShort('User_Update')).toBe('"User_Update"');
    expect(quoteShort('x'.repeat(1000), 5)).toBe('"xxxxx…"');
    expect(quoteShort('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });

  it('writes bidirectional overrides and isolates, C1 controls, separators and a BOM as \\uXXXX; other letters stay', () => {
    expect(quoteShort('\u202egnp.exe')).toBe('"\\u202egnp.exe"');
    expect(quoteShort('a\u2066b\u2069c\u200fd')).toBe('"a\\u2066b\\u2069c\\u200fd"');
    expect(quoteShort('\u009b31mred')).toBe('"\\u009b31mred"');
    expect(quoteShort('one\u2028two\ufeff')).toBe('"one\\u2028two\\ufeff"');
    expect(quoteShort('Renée Ørsted 日本')).toBe('"Renée Ørsted 日本"');
  });
});
