/**
 * editJsonValues (steps/lib/record/json-in-place.ts): a recorded delivery's username and domainkey
 * are replaced where they stand, and every other byte stays as the sender wrote it.
 */
import { describe, expect, it } from 'vitest';
import { editJsonValues } from '../../steps/lib/record/json-in-place.ts';

const username = (key: string | undefined, value: string | number) => (key === 'username' ? 'recorded-user-1' : value);

describe('editJsonValues(text, replace)', () => {
  it('keeps spacing, key order, number spellings and the other escapes; says what it changed', () => {
    const text = '{ "eventname" : "User_Create",\n  "mark": 1.0, "big": 12345678901234567890, "e": 1e2,\n  "username": "Ann", "path": "a\\/b" }\n';
    expect(editJsonValues(text, username)).toEqual({
      text: '{ "eventname" : "User_Create",\n  "mark": 1.0, "big": 12345678901234567890, "e": 1e2,\n  "username": "recorded-user-1", "path": "a\\/b" }\n',
      changed: ['username'],
      whitespace: true,
      nonAscii: 'none',
    });
  });

  it('writes a replaced string the way the sender wrote non-ASCII: escaped where it escaped, and reports how it did', () => {
    expect(editJsonValues('{"username":"Zo\\u00eb","name":"Zo\\u00eb"}', (key, value) => (key === 'username' ? 'Zoë-2' : value))).toEqual({
      text: '{"username":"Zo\\u00eb-2","name":"Zo\\u00eb"}',
      changed: ['username'],
      whitespace: false,
      nonAscii: 'escaped',
    });
    expect(editJsonValues('{"username":"Zoë"}', username)?.nonAscii).toBe('raw');
  });

  it('reaches nested values and arrays, with their paths, and numbers as numbers', () => {
    const edit = editJsonValues('{"user":{"domainkey":15435,"tags":["a",{"username":"b"}]}}', (key, value) =>
      key === 'domainkey' ? 900001 : key === 'username' ? 'u' : value,
    );
    expect(edit?.text).toBe('{"user":{"domainkey":900001,"tags":["a",{"username":"u"}]}}');
    expect(edit?.changed).toEqual(['user.domainkey', 'user.tags[1].username']);
  });

  it.each(['', '{"a":1', '{"a":1} trailing', "{'a':1}", '[1,]'])('returns undefined for %j, which is not one JSON value', (text) => {
    expect(editJsonValues(text, username)).toBeUndefined();
  });
});
